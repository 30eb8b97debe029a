/**
 * The PostgreSQL ledger store (pg): its connections and its true differences (dialect.ts); the
 * store itself is written once in sql-store.ts.
 *
 * - One schema per store (`schema`, default `public`), set as each pooled connection's
 *   search_path and created by the first migrate(); tests use a throwaway schema.
 * - `?` placeholders are numbered `$1`, `$2`, … (`numbered`, once per statement text).
 * - int8 and numeric come back from pg as strings and are turned into bigint by the row
 *   mapping (`big`), never into a JS number.
 * - Writes: an in-process mutex per company (so waiting writers do not each hold a pooled
 *   connection), then a pooled client, BEGIN, a transaction-level advisory lock on
 *   (stockbook, hash of schema and company) that serialises writers of the company across
 *   processes, the callback, COMMIT — or ROLLBACK if it throws. Migrations take an advisory lock
 *   of their own; configuration changes outside a write run on the pool, each on its own.
 * - Appended rows are sent one INSERT … unnest per table per batch (appends.ts: the `arrays` form).
 * - Reads outside a write use the pool.
 */
import pg from 'pg';
import { KeyedMutex } from './common.js';
import type { Dialect, Lock, Session } from './dialect.js';
import { SqlStore } from './sql-store.js';
import { numbered, type Statement } from './statements.js';
import type { Trace } from './store.js';

export interface PostgresStoreOptions {
  /** Schema holding the tables: lower-case letters, digits and underscores. Default 'public'; created by migrate() if missing. */
  schema?: string;
  /** Most pooled connections. Default 10. */
  max?: number;
  /** How long write() and migrate() wait for the lock before failing (lock_timeout). Default 60000 ms; 0 waits forever. */
  lockTimeoutMs?: number;
  /** Errors of idle pooled connections (the pool drops them). Default: ignored. */
  onIdleError?: (e: Error) => void;
  /** Sees every statement the store runs, with its parameters (the plan test lists them). */
  trace?: Trace;
}

/** First key of stockbook's advisory locks (two-int form, so they cannot collide with single-bigint locks). */
const LOCK_CLASS = 0x5b0c;
const LOCK_MIGRATE = 0;
const LOCK_COMPANY = 1;

function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

/** Statements on the pool or on one transaction's client: traced, placeholders numbered. */
class PgSession implements Session {
  constructor(private readonly on: pg.Pool | pg.PoolClient, private readonly dialect: PgDialect) {}

  async all<R>(sql: string, params: readonly unknown[]): Promise<R[]> {
    this.dialect.trace?.(sql, params);
    return (await this.on.query(this.dialect.numbered(sql), params as unknown[])).rows as R[];
  }

  async run(list: readonly Statement[]): Promise<void> {
    for (const st of list) await this.all(st.sql, st.params);
  }

  async script(sql: string): Promise<void> {
    await this.on.query(sql);
  }
}

class PgDialect implements Dialect {
  readonly name = 'postgres';
  readonly bulk = 'arrays';
  readonly server = true;
  /**
   * Fresh tables have no statistics until autovacuum gets to them, and PostgreSQL then plans
   * the journal_lines foreign-key check and page reads as scans (bench/durable-ingest.ts:
   * 650 events/s on fresh tables against 3,333/s once analysed).
   */
  readonly statistics = `ANALYZE ${['events', 'journals', 'journal_lines', 'account_day_totals', 'account_balances', 'journal_counts', 'costing_events', 'costing_pools', 'costing_entries', 'costing_checkpoints'].join(', ')}`;
  private readonly pool: pg.Pool;
  private readonly reader: PgSession;
  private readonly companyLocks = new KeyedMutex();
  private readonly lockTimeoutMs: number;
  readonly trace: Trace | undefined;
  private closed = false;
  private readonly numberedSql = new Map<string, string>();

  constructor(connectionString: string, readonly schema: string, opts: PostgresStoreOptions) {
    this.trace = opts.trace;
    this.lockTimeoutMs = opts.lockTimeoutMs ?? 60_000;
    // The schema is a startup parameter of every connection, so no statement can run before it
    // is set (a SET queued on 'connect' raced the first query: pg 8 deprecates that, pg 9 refuses it).
    this.pool = new pg.Pool({ connectionString, max: opts.max ?? 10, options: `-c search_path=${schema}` });
    const onIdleError = opts.onIdleError ?? (() => undefined);
    this.pool.on('error', onIdleError);
    this.reader = new PgSession(this.pool, this);
  }

  numbered(sql: string): string {
    let out = this.numberedSql.get(sql);
    if (out === undefined) this.numberedSql.set(sql, (out = numbered(sql)));
    return out;
  }

  checkOpen(): void {
    if (this.closed) throw new Error('the store is closed');
  }

  async read<T>(f: (s: Session) => Promise<T>): Promise<T> {
    this.checkOpen();
    return f(this.reader);
  }

  /** PostgreSQL has row locks and many writers: a change runs on the pool, committed on its own. */
  async change(sql: string, params: readonly unknown[]): Promise<void> {
    await this.read((s) => s.all(sql, params));
  }

  /** A company's writes queue in process, then take the company's advisory lock; migrations take theirs and create the schema if missing. */
  async transaction<T>(lock: Lock, f: (s: Session) => Promise<T>): Promise<T> {
    this.checkOpen();
    if (lock === 'migrations') {
      return this.inTransaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS + LOCK_MIGRATE, this.schema]);
        const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.schema]);
        if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdent(this.schema)}`);
        return f(new PgSession(client, this));
      });
    }
    return this.companyLocks.run(lock.company, () =>
      this.inTransaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS + LOCK_COMPANY, `${this.schema}:${lock.company}`]);
        return f(new PgSession(client, this));
      }),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  /** BEGIN … COMMIT on a pooled client, ROLLBACK if `f` throws; a client that fails to roll back is discarded. */
  private async inTransaction<T>(f: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    this.checkOpen();
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      if (this.lockTimeoutMs > 0) await client.query(`SET LOCAL lock_timeout = ${this.lockTimeoutMs | 0}`);
      const out = await f(client);
      const done = await client.query('COMMIT');
      // COMMIT of a transaction that had failed is a ROLLBACK: never report it as written.
      if (done.command !== 'COMMIT') throw new Error('the transaction failed and was rolled back');
      return out;
    } catch (e) {
      try {
        await client.query('ROLLBACK');
      } catch (x) {
        broken = x instanceof Error ? x : new Error(String(x));
      }
      throw e;
    } finally {
      client.release(broken);
    }
  }
}

export class PostgresStore extends SqlStore {
  declare readonly dialect: 'postgres';
  readonly schema: string;

  constructor(connectionString: string, opts: PostgresStoreOptions = {}) {
    const schema = opts.schema ?? 'public';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new RangeError(`schema must be a lower-case SQL identifier, got "${schema}"`);
    super(new PgDialect(connectionString, schema, opts));
    this.schema = schema;
  }
}
