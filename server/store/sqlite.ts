import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import type { Dialect, SqlDb, SqlValue } from './sql.js';
import { normaliseParams } from './sql.js';
import { Checkpoints } from './sqlite-checkpoints.js';

type Statement = Database.Statement<unknown[], unknown>;

interface Waiting {
  fn: (tx: SqlDb) => Promise<unknown>;
  resolve(value: unknown): void;
  reject(err: unknown): void;
}

/** Prepared statements kept per connection. */
const MAX_STATEMENTS = 500;

/** How many queued transactions may share one COMMIT. */
const MAX_GROUP = 64;

/** The transaction whose work is running in this async context, if any. */
const current = new AsyncLocalStorage<SqliteTx>();

/**
 * SQLite through better-sqlite3 (one connection, WAL). Its calls are synchronous, but a transaction's
 * work awaits between statements, so transactions are queued and run one after another, each with a
 * handle of its own (nested calls through that handle join it; calls from elsewhere wait their turn).
 * Transactions that queued up while another ran commit together (group commit): each runs inside a
 * savepoint, so one that fails is undone alone, and all of them are answered only after the shared COMMIT.
 */
export class SqliteDb implements SqlDb {
  readonly dialect: Dialect = 'sqlite';
  // Bounded: SQL built from input (a LIMIT, an IN list) would otherwise keep every variant it ever saw
  // prepared, native memory the daemon never gets back.
  private readonly statements = new LRUCache<string, Statement>({ max: MAX_STATEMENTS });
  private readonly waiting: Waiting[] = [];
  private draining: Promise<void> | null = null;
  /** True while a transaction is open on the connection. */
  private active = false;

  /**
   * Reads from outside a transaction go to a second, read-only connection: they see only what is
   * committed. On the writer they would also see the rows of a transaction still open (whose work may
   * be awaiting something), and an event id read that way may be rolled back and reused by the next
   * event, which a subscriber resuming from it would then skip.
   */
  private readonly reader: Database.Database | null;
  /** Statements on the reader; false for SQL that writes (INSERT … RETURNING through get()). */
  private readonly readStatements = new LRUCache<string, Statement | false>({ max: MAX_STATEMENTS });

  /** WAL checkpoints off the daemon's thread (sqlite-checkpoints.ts), for a database on disk. */
  private readonly checkpoints: Checkpoints | null = null;

  constructor(readonly raw: Database.Database, file?: string) {
    const onDisk = file !== undefined && file !== ':memory:' && !file.startsWith('file::memory');
    this.reader = onDisk ? SqliteDb.connect(file, true) : null;
    if (onDisk) {
      // the writer never runs a checkpoint itself
      raw.pragma('wal_autocheckpoint = 0');
      this.checkpoints = new Checkpoints(file, () => this.raw.pragma('wal_checkpoint(PASSIVE)'));
    }
  }

  private static connect(file: string, readOnly: boolean): Database.Database {
    const raw = new Database(file);
    raw.pragma('busy_timeout = 5000');
    if (readOnly) {
      raw.pragma('query_only = ON');
      return raw;
    }
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    // Every unit of a group commit runs in a SAVEPOINT, whose statement journal (the pages it changed)
    // would otherwise be a temporary file: two pwrite calls per page, a quarter of a stored routing
    // decision's cost. In memory it is a memcpy; temporary tables and sorts of this size fit there too.
    raw.pragma('temp_store = MEMORY');
    raw.pragma('foreign_keys = ON');
    return raw;
  }

  static open(file: string): SqliteDb {
    return new SqliteDb(SqliteDb.connect(file, false), file);
  }

  /** The reader's statement for a read outside any transaction, or null to use the writer. */
  private readStatement(sql: string): Statement | null {
    if (!this.reader || this.inside()) return null;
    let stmt = this.readStatements.get(sql);
    if (stmt === undefined) {
      const prepared = this.reader.prepare(sql);
      stmt = prepared.readonly ? prepared : false;
      this.readStatements.set(sql, stmt);
    }
    return stmt || null;
  }

  prepare(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.raw.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  async all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    const read = this.readStatement(sql);
    if (read) return read.all(...normaliseParams(params)) as T[];
    if (this.active && !this.inside()) return this.transaction((tx) => tx.all<T>(sql, params));
    return this.allNow<T>(sql, params);
  }

  async get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    const read = this.readStatement(sql);
    if (read) return read.get(...normaliseParams(params)) as T | undefined;
    if (this.active && !this.inside()) return this.transaction((tx) => tx.get<T>(sql, params));
    return this.getNow<T>(sql, params);
  }

  /** On the writer, at once: for the open transaction's own work. */
  allNow<T>(sql: string, params?: readonly SqlValue[]): T[] {
    return this.prepare(sql).all(...normaliseParams(params)) as T[];
  }

  getNow<T>(sql: string, params?: readonly SqlValue[]): T | undefined {
    return this.prepare(sql).get(...normaliseParams(params)) as T | undefined;
  }

  /**
   * A write from the work of the open transaction joins it; a write from anywhere else must not slip
   * into it (it would be undone with it): it waits its turn.
   */
  async run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    if (this.active && !this.inside()) return this.transaction((tx) => tx.run(sql, params));
    return this.runNow(sql, params);
  }

  private inside(): boolean {
    const tx = current.getStore();
    return tx !== undefined && !tx.closed;
  }

  runNow(sql: string, params?: readonly SqlValue[]): number {
    if (!this.active) this.checkpoints?.wrote();
    const stmt = this.prepare(sql);
    if (stmt.reader) {
      stmt.all(...normaliseParams(params));
      return 0;
    }
    return stmt.run(...normaliseParams(params)).changes;
  }

  async exec(sql: string): Promise<void> {
    if (this.active && !this.inside()) return this.transaction((tx) => tx.exec(sql));
    this.raw.exec(sql);
  }

  onCommit(fn: () => void): void {
    const tx = current.getStore();
    if (tx && !tx.closed) tx.hooks.push(fn);
    else fn();
  }

  transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    // Called (through the store rather than the handle) from a transaction's own work: join it.
    const open = current.getStore();
    if (open && !open.closed) return fn(open);
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({ fn: fn as Waiting['fn'], resolve: resolve as Waiting['resolve'], reject });
      if (!this.draining) this.draining = this.drain();
    });
  }

  private async drain(): Promise<void> {
    // Wait for the end of this turn of the event loop: the requests that arrived in the same poll
    // queue their transactions meanwhile and share one COMMIT (under load that is most of them).
    await new Promise<void>((resolve) => setImmediate(resolve));
    while (this.waiting.length > 0) {
      const group = this.waiting.splice(0, MAX_GROUP);
      const done: { w: Waiting; result: unknown; hooks: (() => void)[] }[] = [];
      try {
        this.prepare('BEGIN IMMEDIATE').run();
      } catch (err) {
        for (const w of group) w.reject(err);
        continue;
      }
      this.active = true;
      // Each unit runs in a savepoint, so one that fails is undone without its neighbours; a unit
      // alone in its group needs none (a failure rolls the whole transaction back), which spares the
      // statement journal of a lone write: most of them when the daemon is not busy.
      const alone = group.length === 1;
      for (const w of group) {
        const tx = new SqliteTx(this);
        if (!alone) this.prepare('SAVEPOINT unit').run();
        try {
          const result = await current.run(tx, () => w.fn(tx));
          tx.closed = true;
          if (!alone) this.prepare('RELEASE unit').run();
          done.push({ w, result, hooks: tx.hooks });
        } catch (err) {
          tx.closed = true;
          try {
            if (alone) this.raw.exec('ROLLBACK');
            else {
              this.prepare('ROLLBACK TO unit').run();
              this.prepare('RELEASE unit').run();
            }
          } catch {
            // the transaction itself is gone (e.g. the disk is full); COMMIT below reports it
          }
          w.reject(err);
        }
      }
      try {
        if (this.raw.inTransaction) this.prepare('COMMIT').run();
      } catch (err) {
        if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
        this.active = false;
        for (const d of done) d.w.reject(err);
        continue;
      }
      this.active = false;
      this.checkpoints?.wrote();
      // In commit order: hooks first (they publish events), then the answers.
      for (const d of done) {
        for (const hook of d.hooks) {
          try {
            hook();
          } catch {
            // a subscriber's failure must not undo or withhold a committed answer
          }
        }
        d.w.resolve(d.result);
      }
    }
    // Cleared here, synchronously after the last check of the queue: work queued from now on starts a new drain.
    this.draining = null;
  }

  async close(): Promise<void> {
    while (this.draining) await this.draining;
    await this.checkpoints?.close();
    this.statements.clear();
    this.readStatements.clear();
    if (this.reader?.open) this.reader.close();
    if (this.raw.open) {
      try {
        this.raw.pragma('wal_checkpoint(TRUNCATE)');
      } catch {
        // another connection may hold the WAL; closing still leaves a consistent file
      }
      this.raw.close();
    }
  }
}

/** One transaction's handle: its statements run at once; nested transactions join it. */
class SqliteTx implements SqlDb {
  readonly dialect: Dialect = 'sqlite';
  readonly hooks: (() => void)[] = [];
  closed = false;

  constructor(private readonly db: SqliteDb) {}

  async all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.closed ? this.db.all<T>(sql, params) : this.db.allNow<T>(sql, params);
  }
  async get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.closed ? this.db.get<T>(sql, params) : this.db.getNow<T>(sql, params);
  }
  async run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    if (this.closed) return this.db.run(sql, params);
    return this.db.runNow(sql, params);
  }
  async exec(sql: string): Promise<void> {
    if (this.closed) return this.db.exec(sql);
    this.db.raw.exec(sql);
  }
  transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    return this.closed ? this.db.transaction(fn) : fn(this);
  }
  onCommit(fn: () => void): void {
    if (this.closed) fn();
    else this.hooks.push(fn);
  }
  close(): Promise<void> {
    return this.db.close();
  }
}
