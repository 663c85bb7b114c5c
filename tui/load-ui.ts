// Loads the dashboard's React side: the single-file bundle that `npm run build` makes
// (tools/bundle-tui.mjs) while it matches the modules it was made from, else those modules themselves.
// Both export the same runTui; the bundle starts in a fraction of the time (one file instead of ~550).
import { readFileSync, statSync } from 'node:fs';

export type UiModule = typeof import('./run.js');

export interface BundleManifest {
  /** Each project file inside the bundle, relative to this folder, as it was when bundled. */
  readonly inputs: Record<string, { readonly size: number; readonly mtimeMs: number }>;
}

const HERE = new URL('./', import.meta.url);

/**
 * Why the bundle cannot be used (missing, unreadable, or made from other versions of its files), or
 * null when it can. `stat` is injectable for tests.
 */
export function staleReason(manifestText: string | null, stat: (rel: string) => { size: number; mtimeMs: number } | null): string | null {
  if (manifestText === null) return 'no bundle (run npm run build)';
  let manifest: BundleManifest;
  try {
    manifest = JSON.parse(manifestText) as BundleManifest;
  } catch {
    return 'the bundle manifest is not JSON';
  }
  const inputs = Object.entries(manifest?.inputs ?? {});
  if (inputs.length === 0) return 'the bundle manifest lists no inputs';
  for (const [rel, was] of inputs) {
    const now = stat(rel);
    if (!now) return `${rel} is gone`;
    if (now.size !== was.size || now.mtimeMs !== was.mtimeMs) return `${rel} changed since the bundle was made`;
  }
  return null;
}

function readManifest(): string | null {
  try {
    return readFileSync(new URL('./run.bundle.json', HERE), 'utf8');
  } catch {
    return null;
  }
}

function statFile(rel: string): { size: number; mtimeMs: number } | null {
  try {
    const s = statSync(new URL(rel, HERE));
    return { size: s.size, mtimeMs: s.mtimeMs };
  } catch {
    return null;
  }
}

/** Why loadUi will not use the bundle here, or null when it will. */
export function bundleUnusable(env: NodeJS.ProcessEnv = process.env): string | null {
  return env.FOUNDRY_TUI_BUNDLE === '0' ? 'FOUNDRY_TUI_BUNDLE=0' : staleReason(readManifest(), statFile);
}

/**
 * The React side of the dashboard. FOUNDRY_TUI_BUNDLE=0 always loads the modules; FOUNDRY_DEBUG says
 * on stderr why the bundle was not used.
 */
export async function loadUi(env: NodeJS.ProcessEnv = process.env, stderr: NodeJS.WritableStream = process.stderr): Promise<UiModule> {
  const reason = bundleUnusable(env);
  if (reason === null) {
    // A computed specifier: the bundle exists only after `npm run build`, never for tsc.
    const bundle = new URL('./run.bundle.js', HERE).href;
    return (await import(bundle)) as UiModule;
  }
  if (env.FOUNDRY_DEBUG) stderr.write(`debug: dashboard loads its modules, not the bundle: ${reason}\n`);
  return import('./run.js');
}
