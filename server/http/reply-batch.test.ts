import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ReplyBatch } from './reply-batch.js';

const written: string[] = [];
const res = (name: string): ServerResponse => ({ end: (text: string) => void written.push(`${name}:${text}`) }) as unknown as ServerResponse;
const nextTurn = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('reply batch (replies of one turn written together)', () => {
  it('answers a turn\'s only request at once', async () => {
    written.length = 0;
    const batch = new ReplyBatch();
    batch.started();
    batch.end(res('a'), '1');
    expect(written).toEqual(['a:1']);
    await nextTurn();
    batch.started();
    batch.end(res('b'), '2');
    expect(written).toEqual(['a:1', 'b:2']);
  });

  it('holds the replies of a busy turn until its end, in order, and lets a flush send them early', async () => {
    written.length = 0;
    const batch = new ReplyBatch();
    batch.started();
    batch.started();
    batch.end(res('a'), '1');
    batch.end(res('b'), '2');
    expect(written).toEqual([]);
    await nextTurn();
    expect(written).toEqual(['a:1', 'b:2']);
    batch.started();
    batch.started();
    batch.end(res('c'), '3');
    batch.flush(); // as drain does before closing connections
    expect(written).toEqual(['a:1', 'b:2', 'c:3']);
  });
});
