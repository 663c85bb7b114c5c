import { readFileSync } from 'node:fs';
import { defaultHome } from '../server/home.js';
import { readJsonFile, statePaths, type DaemonInfo } from '../server/state.js';

export interface GlobalOptions {
  home?: string;
  server?: string;
  token?: string;
  json?: boolean;
  color?: boolean;
  yes?: boolean;
  ca?: string;
}

export const DEFAULT_URL = 'http://127.0.0.1:7717';

/** Where the CLI finds its state folder, daemon and token: flags, then environment, then the state folder. */
export function resolveHome(opts: GlobalOptions, env: NodeJS.ProcessEnv): string {
  return opts.home ?? defaultHome(env);
}

export function resolveServer(opts: GlobalOptions, env: NodeJS.ProcessEnv): string {
  if (opts.server) return opts.server.replace(/\/+$/, '');
  if (env.FOUNDRY_URL) return env.FOUNDRY_URL.replace(/\/+$/, '');
  const info = readJsonFile<DaemonInfo>(statePaths(resolveHome(opts, env)).daemon);
  return info?.url ?? DEFAULT_URL;
}

export function resolveToken(opts: GlobalOptions, env: NodeJS.ProcessEnv): string | null {
  if (opts.token) return opts.token;
  if (env.FOUNDRY_TOKEN) return env.FOUNDRY_TOKEN;
  try {
    return readFileSync(statePaths(resolveHome(opts, env)).adminToken, 'utf8').trim() || null;
  } catch {
    return null;
  }
}
