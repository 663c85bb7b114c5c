import pg from 'pg';
import type { Dialect, SqlDb, SqlValue } from './sql.js';
import { normaliseParams, toPostgresPlaceholders } from './sql.js';

// BIGINT (epoch ms, event ids) and COUNT(*) come back as strings by default; they fit in a double.
pg.types.setTypeParser(20, (v) => Number(v));
pg.types.setTypeParser(1700, (v) => Number(v));

/**
 * Each distinct statement becomes a named prepared statement (per connection, prepared on first use):
 * PostgreSQL then parses and plans it once per connection instead of on every call, which is most of
 * its CPU for the short statements we send. Statements past the cap (long IN lists) stay unnamed.
 */
const MAX_NAMED = 2000;
const converted = new Map<string, pg.QueryConfig>();
function pgQuery(sql: string, values: unknown[]): pg.QueryConfig {
  let q = converted.get(sql);
  if (q === undefined) {
    q = { text: toPostgresPlaceholders(sql) };
    if (converted.size < MAX_NAMED) {
      if (sql.length < 4000) q.name = `q${converted.size}`;
      converted.set(sql, q);
    }
  }
  return { name: q.name, text: q.text, values };
}

interface Queryable {
  query(sql: string | pg.QueryConfig, params?: unknown[]): Promise<pg.QueryResult>;
}

/**
 * A transaction-level advisory lock is held until the transaction ends, so asking again for one the
 * transaction already holds changes nothing. A transaction that publishes events asks twice for its
 * organisation's lock (its audit entry, then its events), and that second round trip is made while
 * holding the lock every other writer of the organisation waits for: it is answered here instead.
 */
const XACT_LOCK = /^SELECT pg_advisory_xact_lock\(/;

class PgSession implements SqlDb {
  readonly dialect: Dialect = 'postgres';
  /** Advisory locks this transaction holds (statement and arguments), when it is a transaction. */
  private readonly xactLocks: Set<string> | null;
  constructor(
    protected readonly target: Queryable,
    private readonly hooks: (() => void)[] | null,
    private readonly owner: PostgresDb,
  ) {
    this.xactLocks = hooks ? new Set() : null;
  }

  async all<T>(sql: string, params?: readonly SqlValue[]): Promise<T[]> {
    return (await this.target.query(pgQuery(sql, normaliseParams(params)))).rows as T[];
  }
  async get<T>(sql: string, params?: readonly SqlValue[]): Promise<T | undefined> {
    return (await this.target.query(pgQuery(sql, normaliseParams(params)))).rows[0] as T | undefined;
  }
  async run(sql: string, params?: readonly SqlValue[]): Promise<number> {
    if (this.xactLocks && XACT_LOCK.test(sql)) {
      const lock = JSON.stringify([sql, params ?? []]);
      if (this.xactLocks.has(lock)) return 1;
      const taken = (await this.target.query(pgQuery(sql, normaliseParams(params)))).rowCount ?? 0;
      this.xactLocks.add(lock);
      return taken;
    }
    return (await this.target.query(pgQuery(sql, normaliseParams(params)))).rowCount ?? 0;
  }
  async exec(sql: string): Promise<void> {
    await this.target.query(sql);
  }
  onCommit(fn: () => void): void {
    if (this.hooks) this.hooks.push(fn);
    else fn();
  }
  transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    if (this.hooks) return fn(this);
    return this.owner.transaction(fn);
  }
  async close(): Promise<void> {
    await this.owner.close();
  }
}

/** PostgreSQL through a pg Pool. `?schema=NAME` in the URL puts every table in that schema. */
export class PostgresDb extends PgSession {
  private readonly pool: pg.Pool;
  readonly schema: string | null;

  private constructor(pool: pg.Pool, schema: string | null) {
    super(pool, null, undefined as unknown as PostgresDb);
    (this as unknown as { owner: PostgresDb }).owner = this;
    this.pool = pool;
    this.schema = schema;
  }

  static async open(url: string, poolSize = 10): Promise<PostgresDb> {
    const parsed = new URL(url);
    const schema = parsed.searchParams.get('schema');
    parsed.searchParams.delete('schema');
    if (schema && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`invalid schema name ${schema}`);
    const pool = new pg.Pool({
      connectionString: parsed.toString(),
      max: poolSize,
      options: schema ? `-c search_path=${schema}` : undefined,
      connectionTimeoutMillis: 5000,
    });
    // An idle client that loses its server must not crash the daemon; the next query reconnects.
    pool.on('error', () => undefined);
    if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    else await pool.query('SELECT 1');
    return new PostgresDb(pool, schema);
  }

  override async transaction<T>(fn: (tx: SqlDb) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    const hooks: (() => void)[] = [];
    try {
      await client.query('BEGIN');
      const result = await fn(new PgSession(client, hooks, this));
      await client.query('COMMIT');
      for (const hook of hooks) hook();
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  override async close(): Promise<void> {
    await this.pool.end();
  }
}
