import { homedir } from 'node:os';
import { join } from 'node:path';

/** The state folder: FOUNDRY_HOME, else ~/.foundry-op. Kept apart so the CLI can find it without loading the daemon. */
export function defaultHome(env: NodeJS.ProcessEnv = process.env): string {
  return env.FOUNDRY_HOME || join(homedir(), '.foundry-op');
}
