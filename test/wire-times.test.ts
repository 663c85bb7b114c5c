import { describe, expect, it } from 'vitest';
import { toWire } from '../server/http/view.js';

describe('times on the wire', () => {
  it('writes numbers in fields named at or …At as ISO strings, at any depth', () => {
    const at = Date.UTC(2026, 10, 26, 9, 30);
    const body = { id: 't1', createdAt: at, steps: [{ at, name: 's' }], nested: { resolvedAt: at, count: 3 } };
    expect(toWire(body)).toEqual({
      id: 't1', createdAt: '2026-11-26T09:30:00.000Z', steps: [{ at: '2026-11-26T09:30:00.000Z', name: 's' }],
      nested: { resolvedAt: '2026-11-26T09:30:00.000Z', count: 3 },
    });
  });

  it('leaves the daemon\'s own object as it was, and other numbers, nulls and strings alone', () => {
    const body = { updatedAt: 0, acknowledgedAt: null, availableAt: '2026-11-26T09:30:00.000Z', latencyMs: 1.5, format: 7, chat: 2 };
    const wire = toWire(body);
    expect(body.updatedAt).toBe(0);
    expect(wire).toEqual({ ...body, updatedAt: '1970-01-01T00:00:00.000Z' });
  });

  it('passes parts without times through as they are, and writes Dates as ISO strings', () => {
    const factors = [{ kind: 'rule', data: { applied: { team: 'dba' } } }];
    const wire = toWire({ factors, at: new Date(0) }) as { factors: unknown; at: unknown };
    expect(wire.factors).toBe(factors);
    expect(wire.at).toBe('1970-01-01T00:00:00.000Z');
    expect(toWire([1, 'a', null])).toEqual([1, 'a', null]);
  });
});
