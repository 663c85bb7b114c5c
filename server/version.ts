import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The package version, read from package.json at the project root (two levels up from dist/server or server/). */
export function packageVersion(): string {
  for (const rel of ['../../package.json', '../package.json']) {
    try {
      return (JSON.parse(readFileSync(fileURLToPath(new URL(rel, import.meta.url)), 'utf8')) as { version: string }).version;
    } catch {
      // try the next location
    }
  }
  return '0.0.0';
}
