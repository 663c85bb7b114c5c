import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { createSecureContext } from 'node:tls';
import { AppError } from '../core/errors.js';

/** PEM files given with `daemon start|run --tls-cert F --tls-key F`. */
export interface TlsFiles {
  cert: string;
  key: string;
}

function read(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new AppError('usage', `${flag}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

/** Reads and checks the pair up front, so a bad file stops `daemon start` with a clear message. */
export function loadTls(files: TlsFiles): { cert: Buffer; key: Buffer } {
  const cert = read(files.cert, '--tls-cert');
  const key = read(files.key, '--tls-key');
  try {
    createSecureContext({ cert, key });
  } catch (err) {
    throw new AppError('usage', `--tls-cert/--tls-key: ${(err as Error).message}`, 'pass a PEM certificate and its matching private key');
  }
  return { cert, key };
}

/** Plain HTTP, or HTTPS that refuses anything older than TLS 1.3. */
export function createNodeServer(listener: RequestListener, tls: TlsFiles | null | undefined): Server {
  if (!tls) return createHttpServer(listener);
  // https.Server has every method the daemon uses on http.Server (close*, listen, address).
  return createHttpsServer({ ...loadTls(tls), minVersion: 'TLSv1.3' }, listener) as unknown as Server;
}
