import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain JavaScript tool without type declarations
import { check } from '../tools/check-boundaries.js';

describe('layer boundaries (npm run lint:boundaries)', () => {
  it('finds no I/O and no upward imports in core/', () => {
    expect(check()).toEqual([]);
  });

  it('reports file and line of each forbidden import, and lets type-only and pure imports pass', () => {
    const dir = mkdtempSync(join(tmpdir(), 'foundry-boundaries-'));
    try {
      mkdirSync(join(dir, 'core', 'area'), { recursive: true });
      writeFileSync(join(dir, 'core', 'area', 'engine.ts'), [
        "import { readFileSync } from 'node:fs';",
        "import type { Server } from 'node:http';",
        "import { createHash } from 'node:crypto';",
        "import { SqliteDb } from '../../server/store/sqlite.js';",
        "import { helper } from './helper.js';",
        "const pg = await import('pg');",
      ].join('\n'));
      writeFileSync(join(dir, 'core', 'area', 'engine.test.ts'), "import { readFileSync } from 'node:fs';\n");
      expect(check(join(dir, 'core'))).toEqual([
        "core/area/engine.ts:1: import { readFileSync } from 'node:fs';",
        "core/area/engine.ts:4: import { SqliteDb } from '../../server/store/sqlite.js';",
        "core/area/engine.ts:6: const pg = await import('pg');",
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
