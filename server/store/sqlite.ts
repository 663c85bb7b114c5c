import Database from 'better-sqlite3';
import type { Dialect, SqlDb, SqlValue } from './sql.js';
import { normaliseParams } from './sql.js';

type Statement = Database.Statement<unknown[], unknown>;

/**
 * better-sqlite3 is synchronous; a transaction that awaits between statements must not let another
 * request's statements in, so transactions are serialised by a promise chain (one writer, as SQLite has).
 */
export class SqliteDb implements SqlDb {
  readonly dialect: Dialect = 'sqlite';
  private readonly statements = new Map<string, Statement>();
  private queue: Promise<unknown> = Promise.resolve();
  private inTx = false;
  private commitHooks: (() => void)[] = [];

  constructor(readonly raw: Database.Database) {}

  static open(file: string): SqliteDb {
    const raw = new Database(file);
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = NORMAL');
    raw.pragma('foreign_keys = ON');
    raw.pragma('busy_timeout = 5000');
    return new SqliteDb(raw);
  }

  private prepare(sql: string): Statement {
    let stmt = this.statements.get(sql);
    if (!stmt) {
      stmt = this.raw.prepare(sql);
      this.statements.set(sql, stmt);
    }
    return stmt;
  }

  async all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return this.prepare(sql).all(...normaliseParams(params)) as T[];
  }

  async get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return this.prepare(sql).get(...normaliseParams(params)) as T | undefined;
  }

  async run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    const stmt = this.prepare(sql);
    if (stmt.reader) {
      stmt.all(...normaliseParams(params));
      return 0;
    }
    return stmt.run(...normaliseParams(params)).changes;
  }

  async exec(sql: string): Promise<void> {
    this.raw.exec(sql);
  }

  onCommit(fn: () => void): void {
    if (this.inTx) this.commitHooks.push(fn);
    else fn();
  }

  transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    if (this.inTx) return fn(this);
    const run = async (): Promise<T> => {
      this.prepare('BEGIN IMMEDIATE').run();
      this.inTx = true;
      this.commitHooks = [];
      try {
        const result = await fn(this);
        this.prepare('COMMIT').run();
        this.inTx = false;
        for (const hook of this.commitHooks) hook();
        return result;
      } catch (err) {
        this.inTx = false;
        if (this.raw.inTransaction) this.raw.exec('ROLLBACK');
        throw err;
      } finally {
        this.commitHooks = [];
      }
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  async close(): Promise<void> {
    await this.queue;
    this.statements.clear();
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
