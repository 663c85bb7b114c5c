import { createHash } from 'node:crypto';
import type { AuditEntry } from '../model.js';

/** The hash that starts every organisation's chain. */
export const GENESIS_HASH = '0'.repeat(64);

type Hashed = Pick<AuditEntry, 'id' | 'orgId' | 'at' | 'actor' | 'action' | 'subject' | 'summary' | 'prevHash'>;

/**
 * An entry's hash covers its own fields, its id (so reordering shows) and the previous entry's hash
 * (so an edit or deletion breaks every later link).
 */
export function hashEntry(entry: Hashed): string {
  const canonical = JSON.stringify([
    entry.id, entry.orgId, entry.at, entry.actor, entry.action, entry.subject ?? null, entry.summary, entry.prevHash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

export interface ChainBreak {
  /** The first entry that does not check out. */
  entry: AuditEntry;
  reason: 'hash_mismatch' | 'broken_link' | 'out_of_order';
}

export interface ChainReport {
  ok: boolean;
  entries: number;
  firstBad: ChainBreak | null;
}

/** Walks an organisation's entries in id order and reports the first one that was edited, moved or orphaned. */
export function verifyChain(entries: AuditEntry[]): ChainReport {
  let prevHash = GENESIS_HASH;
  let prevId = 0;
  for (const entry of entries) {
    if (entry.id <= prevId) return { ok: false, entries: entries.length, firstBad: { entry, reason: 'out_of_order' } };
    if (entry.prevHash !== prevHash) {
      return { ok: false, entries: entries.length, firstBad: { entry, reason: 'broken_link' } };
    }
    if (hashEntry(entry) !== entry.hash) {
      return { ok: false, entries: entries.length, firstBad: { entry, reason: 'hash_mismatch' } };
    }
    prevHash = entry.hash;
    prevId = entry.id;
  }
  return { ok: true, entries: entries.length, firstBad: null };
}
