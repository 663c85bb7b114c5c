import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AppError } from '../../core/errors.js';

/** The key file in the state folder (mode 0600). Losing it makes every stored secret unreadable. */
export const keyFile = (home: string): string => join(home, 'secrets.key');

const PREFIX = 'enc:v1:';
/** What every sealed value starts with (for SQL that looks for values still in plain text). */
export const SEALED_PREFIX = PREFIX;
const IV_BYTES = 12;

interface KeyEntry {
  id: string;
  key: string;
  createdAt: string;
}
interface KeyFileContent {
  version: 1;
  current: string;
  keys: KeyEntry[];
}

/** True for text produced by Keyring.seal (so callers can tell a sealed column from a legacy plain one). */
export const isSealed = (text: string): boolean => text.startsWith(PREFIX);

function newKey(now: number): KeyEntry {
  const stamp = new Date(now).toISOString().slice(0, 10).replace(/-/g, '');
  return { id: `k${stamp}${randomBytes(3).toString('hex')}`, key: randomBytes(32).toString('base64'), createdAt: new Date(now).toISOString() };
}

function writeKeyFile(file: string, content: KeyFileContent): void {
  // Written beside and renamed, so a crash leaves the old file or the new one, never half of one.
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(content, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

/**
 * AES-256-GCM under keys kept in $FOUNDRY_HOME/secrets.key. Each sealed value names its key, so values
 * sealed before a rotation stay readable until they are re-sealed; `context` (e.g. `org/name`) is
 * authenticated with the value, so a ciphertext copied to another row does not open.
 */
export class Keyring {
  private content: KeyFileContent;
  private keys = new Map<string, Buffer>();
  private mtimeMs = 0;

  private constructor(readonly file: string, content: KeyFileContent) {
    this.content = content;
    this.index();
  }

  /** Opens the key file, creating it with a fresh key when it does not exist. */
  static open(home: string, now = Date.now()): Keyring {
    const file = keyFile(home);
    if (!existsSync(file)) {
      const first = newKey(now);
      writeKeyFile(file, { version: 1, current: first.id, keys: [first] });
    }
    return new Keyring(file, Keyring.read(file));
  }

  private static read(file: string): KeyFileContent {
    let parsed: KeyFileContent;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8')) as KeyFileContent;
    } catch (err) {
      throw new AppError('bug', `${file} is not a readable key file: ${(err as Error).message}`, 'restore it from your backup');
    }
    if (parsed?.version !== 1 || !Array.isArray(parsed.keys) || !parsed.keys.some((k) => k.id === parsed.current)) {
      throw new AppError('bug', `${file} has no current key`, 'restore it from your backup');
    }
    return parsed;
  }

  private index(): void {
    this.keys = new Map(this.content.keys.map((k) => [k.id, Buffer.from(k.key, 'base64')]));
    for (const [id, key] of this.keys) if (key.length !== 32) throw new AppError('bug', `${this.file}: key ${id} is not 256 bits`);
    this.mtimeMs = existsSync(this.file) ? statSync(this.file).mtimeMs : 0;
  }

  /** Picks up a rotation made by another process sharing the state folder. */
  private refresh(): void {
    const m = existsSync(this.file) ? statSync(this.file).mtimeMs : 0;
    if (m !== this.mtimeMs) {
      this.content = Keyring.read(this.file);
      this.index();
    }
  }

  get currentKeyId(): string {
    this.refresh();
    return this.content.current;
  }

  get keyIds(): string[] {
    this.refresh();
    return this.content.keys.map((k) => k.id);
  }

  seal(plaintext: string, context: string): string {
    this.refresh();
    const id = this.content.current;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(id)!, iv);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return `${PREFIX}${id}:${iv.toString('base64url')}:${cipher.getAuthTag().toString('base64url')}:${ct.toString('base64url')}`;
  }

  open(sealed: string, context: string): string {
    if (!isSealed(sealed)) throw new AppError('bug', 'value is not sealed');
    const [id, iv, tag, ct] = sealed.slice(PREFIX.length).split(':');
    if (!id || iv === undefined || tag === undefined || ct === undefined) throw new AppError('bug', 'sealed value is malformed');
    if (!this.keys.has(id)) this.refresh();
    const key = this.keys.get(id);
    if (!key) throw new AppError('bug', `secret was sealed with key ${id}, which ${this.file} no longer holds`, 'restore the key file from your backup');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new AppError('bug', `a stored secret fails its integrity check (context ${context})`, 'it was altered or moved; set it again');
    }
  }

  /** Key id a sealed value names. */
  static keyOf(sealed: string): string | null {
    return isSealed(sealed) ? (sealed.slice(PREFIX.length).split(':')[0] ?? null) : null;
  }

  /** Step 1 of a rotation: adds a new key and makes it current; old keys stay so old values still open. */
  addKey(now = Date.now()): string {
    this.refresh();
    const k = newKey(now);
    this.content = { ...this.content, current: k.id, keys: [...this.content.keys, k] };
    writeKeyFile(this.file, this.content);
    this.index();
    return k.id;
  }

  /** Step 2, once every value is re-sealed under the current key: forgets the other keys. */
  retireOldKeys(): string[] {
    this.refresh();
    const retired = this.content.keys.filter((k) => k.id !== this.content.current).map((k) => k.id);
    this.content = { ...this.content, keys: this.content.keys.filter((k) => k.id === this.content.current) };
    writeKeyFile(this.file, this.content);
    this.index();
    return retired;
  }
}
