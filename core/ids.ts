import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijkmnpqrstuvwxyz';

/** A prefixed random id whose first part is the creation time, so ids sort roughly by age: `tsk_0k3x9…`. */
export function newId(prefix: string, now: number): string {
  const time = now.toString(36).padStart(9, '0');
  const bytes = randomBytes(8);
  let rand = '';
  for (const b of bytes) rand += ALPHABET[b % ALPHABET.length];
  return `${prefix}_${time}${rand}`;
}
