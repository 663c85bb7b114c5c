/** Writes docs/api.md from the routes of a daemon built on a throwaway state folder. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { daemonConfig } from '../config.js';
import { createDaemon } from '../daemon.js';
import { initHome } from '../init.js';
import { silentLogger } from '../log.js';
import { renderApiDoc } from './api-doc.js';

const dir = mkdtempSync(join(tmpdir(), 'foundry-apidoc-'));
const home = join(dir, 'home');
await initHome({ home });
const daemon = await createDaemon({ ...daemonConfig({ home, port: 0 }, {}), logFile: null }, { log: silentLogger() });
const out = fileURLToPath(new URL('../../../docs/api.md', import.meta.url));
writeFileSync(out, renderApiDoc(daemon.routes));
await daemon.close();
rmSync(dir, { recursive: true, force: true });
console.log(`wrote ${out} (${daemon.routes.length} routes)`);
