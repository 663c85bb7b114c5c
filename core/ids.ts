import { randomFillSync } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijkmnpqrstuvwxyz';

// Random bytes are drawn in blocks: one call to the system per 512 ids rather than one per id.
const pool = Buffer.alloc(4096);
let offset = pool.length;

/** A prefixed random id whose first part is the creation time, so ids sort roughly by age: `tsk_0k3x9…`. */
export function newId(prefix: string, now: number): string {
  const time = now.toString(36).padStart(9, '0');
  if (offset + 8 > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  let rand = '';
  for (let i = offset; i < offset + 8; i++) rand += ALPHABET[pool[i]! % ALPHABET.length];
  offset += 8;
  return `${prefix}_${time}${rand}`;
}
