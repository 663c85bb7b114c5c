import { AppError } from '../core/errors.js';
import { ApiClient, trustCa } from './client.js';
import { resolveHome, resolveServer, resolveToken, type GlobalOptions } from './config.js';
import { Output } from './output.js';

/**
 * The one place the CLI wires its dependencies: environment, global options, API client and output,
 * each built lazily. Commands receive it; tests build one with fakes.
 */
export class CliContext {
  private globals: GlobalOptions = {};
  private outCache: Output | null = null;
  private clientCache: ApiClient | null = null;

  constructor(
    readonly env: NodeJS.ProcessEnv = process.env,
    readonly io: { stdout: NodeJS.WriteStream; stderr: NodeJS.WriteStream; stdin: NodeJS.ReadStream } = process,
  ) {}

  /** Called by the root command before an action runs, with the parsed global options. */
  setGlobals(opts: GlobalOptions): void {
    this.globals = opts;
    // Before any command runs, so streams (events tail, the TUI) trust the daemon's CA as requests do.
    const ca = opts.ca ?? this.env.FOUNDRY_CA;
    try {
      if (ca) trustCa(ca);
    } catch {
      // An unreadable file is reported by the first request, as a usage error.
    }
    this.outCache = null;
    this.clientCache = null;
  }

  get options(): GlobalOptions {
    return this.globals;
  }

  get home(): string {
    return resolveHome(this.globals, this.env);
  }

  get serverUrl(): string {
    return resolveServer(this.globals, this.env);
  }

  get isTTY(): boolean {
    return Boolean(this.io.stdout.isTTY);
  }

  get interactive(): boolean {
    return Boolean(this.io.stdin.isTTY && this.io.stdout.isTTY) && !this.globals.yes && this.env.CI !== 'true';
  }

  get out(): Output {
    if (!this.outCache) {
      const json = Boolean(this.globals.json) || this.env.FOUNDRY_JSON === '1';
      const color = !json && this.globals.color !== false && !this.env.NO_COLOR && this.isTTY;
      this.outCache = new Output({ json, color, tty: this.isTTY && !json, stdout: this.io.stdout, stderr: this.io.stderr });
    }
    return this.outCache;
  }

  client(timeoutMs?: number): ApiClient {
    if (!this.clientCache || timeoutMs) {
      const client = new ApiClient({ baseUrl: this.serverUrl, token: resolveToken(this.globals, this.env), timeoutMs, ca: this.globals.ca ?? this.env.FOUNDRY_CA ?? null });
      if (timeoutMs) return client;
      this.clientCache = client;
    }
    return this.clientCache;
  }

  get token(): string | null {
    return resolveToken(this.globals, this.env);
  }

  /**
   * Asks a yes/no question on a TTY. With --yes the answer is yes; without a TTY nothing waits for input:
   * the command fails and says to pass --yes.
   */
  async confirm(question: string): Promise<boolean> {
    if (this.globals.yes) return true;
    if (!this.interactive) throw new AppError('usage', `${question} needs a confirmation`, 'pass --yes to confirm without a prompt');
    const { confirm } = await import('@inquirer/prompts');
    return confirm({ message: question, default: false });
  }
}
