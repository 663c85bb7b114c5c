import type { IncomingMessage } from 'node:http';
import { AppError } from '../../core/errors.js';

/** Reads a request body up to `limit` bytes; past it, the request is refused with 413 before more is read. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    return Promise.reject(new AppError('too_large', `request body is ${declared} bytes; the limit is ${limit}`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new AppError('too_large', `request body exceeds the limit of ${limit} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    });
    req.on('error', (err) => {
      if (!failed) reject(new AppError('usage', `could not read request body: ${err.message}`));
    });
  });
}

/** Parses JSON, refusing malformed text with a 400 that says where it broke. */
export function parseJsonBody(buf: Buffer): unknown {
  if (buf.length === 0) return undefined;
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch (err) {
    throw new AppError('usage', `malformed JSON body: ${(err as Error).message}`, 'send a JSON document');
  }
}
