import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../model.js';
import { GENESIS_HASH, hashEntry, verifyChain } from './chain.js';

function chainOf(n: number): AuditEntry[] {
  const out: AuditEntry[] = [];
  let prevHash = GENESIS_HASH;
  for (let i = 1; i <= n; i++) {
    const base = { id: i, orgId: 'org_a', at: 1000 + i, actor: 'alice', action: 'task.create', subject: `tsk_${i}`, summary: `created ${i}`, prevHash };
    const entry = { ...base, hash: hashEntry(base) };
    out.push(entry);
    prevHash = entry.hash;
  }
  return out;
}

describe('audit chain', () => {
  it('accepts an untouched chain, and an empty one', () => {
    expect(verifyChain(chainOf(5))).toMatchObject({ ok: true, entries: 5, firstBad: null });
    expect(verifyChain([]).ok).toBe(true);
  });

  it('finds an edited entry by its hash', () => {
    const chain = chainOf(5);
    chain[2] = { ...chain[2]!, summary: 'nothing to see' };
    expect(verifyChain(chain).firstBad).toMatchObject({ entry: { id: 3 }, reason: 'hash_mismatch' });
  });

  it('finds a deleted entry at the link after it', () => {
    const chain = chainOf(5);
    chain.splice(1, 1);
    expect(verifyChain(chain).firstBad).toMatchObject({ entry: { id: 3 }, reason: 'broken_link' });
  });

  it('finds entries swapped in place (ids renumbered)', () => {
    const chain = chainOf(5);
    const a = chain[1]!;
    const b = chain[2]!;
    chain[1] = { ...b, id: a.id };
    chain[2] = { ...a, id: b.id };
    expect(verifyChain(chain).ok).toBe(false);
    expect(verifyChain(chain).firstBad?.entry.id).toBe(2);
  });
});
