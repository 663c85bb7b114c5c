import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, it, expect } from 'vitest';
import { ApiClient } from './client.js';
import { AppError } from '../core/errors.js';

let server: Server | null = null;

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

afterEach(async () => {
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
  server = null;
});

const failure = (p: Promise<unknown>) => p.then(() => { throw new Error('expected a failure'); }, (err: unknown) => err as AppError);

describe('the API client over plain HTTP', () => {
  it('sends the token and the JSON body, and reads the JSON answer', async () => {
    const url = await serve((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({
        auth: req.headers.authorization, type: req.headers['content-type'], length: req.headers['content-length'], got: JSON.parse(body), path: req.url,
      })));
    });
    const client = new ApiClient({ baseUrl: url, token: 'tok' });
    expect(await client.post('/v1/tasks', { title: 'ünïcode' })).toEqual({
      auth: 'Bearer tok', type: 'application/json', length: String(Buffer.byteLength('{"title":"ünïcode"}')), got: { title: 'ünïcode' }, path: '/v1/tasks',
    });
  });

  it('turns an error answer into an AppError of its kind', async () => {
    const url = await serve((_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":{"code":"not_found","message":"no task tsk_1"}}'));
    const err = await failure(new ApiClient({ baseUrl: url, token: null }).get('/v1/tasks/tsk_1'));
    expect(err).toBeInstanceOf(AppError);
    expect([err.kind, err.message]).toEqual(['not_found', 'no task tsk_1']);
  });

  it('gives up on a daemon that does not answer in time', async () => {
    const url = await serve(() => undefined);
    const err = await failure(new ApiClient({ baseUrl: url, token: null, timeoutMs: 100 }).get('/v1/status'));
    expect([err.kind, err.message]).toEqual(['unavailable', `daemon at ${url} did not answer in time`]);
  });

  it('fails on an answer cut off midway instead of returning half of it', async () => {
    const url = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '1000' });
      res.write('{"tasks": [');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const err = await failure(new ApiClient({ baseUrl: url, token: null }).get('/v1/tasks'));
    expect(err.kind).toBe('unavailable');
  });
});
