/**
 * A worker thread that checkpoints an SQLite WAL on its own connection. A checkpoint copies the
 * log into the database file and syncs it: tens of milliseconds on a busy disk, which on the
 * daemon's thread would stall every request (SQLite runs it inside the COMMIT that crosses the
 * threshold). PASSIVE never waits for, or blocks, the writer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const db = new Database((workerData as { file: string }).file);
db.pragma('busy_timeout = 5000');

parentPort!.on('message', (message: string) => {
  if (message === 'close') {
    db.close();
    parentPort!.close();
    return;
  }
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    parentPort!.postMessage('done');
  } catch (err) {
    parentPort!.postMessage(`failed: ${(err as Error).message}`);
  }
});
