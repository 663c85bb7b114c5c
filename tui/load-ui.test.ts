import { PassThrough } from 'node:stream';
import { describe, it, expect } from 'vitest';
import { loadUi, staleReason } from './load-ui.js';

const manifest = (inputs: Record<string, { size: number; mtimeMs: number }>) => JSON.stringify({ inputs });
const files: Record<string, { size: number; mtimeMs: number }> = {
  './app.js': { size: 3900, mtimeMs: 1_700_000_000_000.5 },
  './run.js': { size: 1286, mtimeMs: 1_700_000_000_001 },
};
const stat = (rel: string) => files[rel] ?? null;

describe('whether the dashboard may load its bundle', () => {
  it('uses the bundle while every bundled file is as it was', () => {
    expect(staleReason(manifest(files), stat)).toBeNull();
  });

  it('says why not when there is no bundle or its manifest is unusable', () => {
    expect(staleReason(null, stat)).toBe('no bundle (run npm run build)');
    expect(staleReason('{"inputs":', stat)).toBe('the bundle manifest is not JSON');
    expect(staleReason('{}', stat)).toBe('the bundle manifest lists no inputs');
    expect(staleReason('null', stat)).toBe('the bundle manifest lists no inputs');
  });

  it('refuses a bundle made from other versions of its files (a bare tsc since)', () => {
    expect(staleReason(manifest({ ...files, './app.js': { size: 3901, mtimeMs: 1_700_000_000_000.5 } }), stat)).toBe('./app.js changed since the bundle was made');
    expect(staleReason(manifest({ ...files, './run.js': { size: 1286, mtimeMs: 1_700_000_000_002 } }), stat)).toBe('./run.js changed since the bundle was made');
    expect(staleReason(manifest({ ...files, './hooks/use-gone.js': { size: 1, mtimeMs: 1 } }), stat)).toBe('./hooks/use-gone.js is gone');
  });

  it('loads the modules when told to, and says why with FOUNDRY_DEBUG', async () => {
    const err = new PassThrough();
    let said = '';
    err.on('data', (c: Buffer) => (said += c.toString()));
    const ui = await loadUi({ FOUNDRY_TUI_BUNDLE: '0', FOUNDRY_DEBUG: '1' }, err);
    expect(typeof ui.runTui).toBe('function');
    expect(said).toBe('debug: dashboard loads its modules, not the bundle: FOUNDRY_TUI_BUNDLE=0\n');
  });
});
