import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderApiDoc } from '../server/http/api-doc.js';
import { ROOT, startDaemon, type TestDaemon } from './helpers.js';

describe('docs/api.md', () => {
  let d: TestDaemon;
  beforeAll(async () => {
    d = await startDaemon();
  });
  afterAll(async () => d.stop());

  it('lists every route the daemon serves (regenerate with npm run docs:api)', () => {
    expect(readFileSync(join(ROOT, 'docs', 'api.md'), 'utf8')).toBe(renderApiDoc(d.daemon.routes));
  });
});
