/**
 * The SQLite ledger store (better-sqlite3), the embedded default: its connections and its true
 * differences (dialect.ts); the store itself is written once in sql-store.ts.
 *
 * - WAL mode, foreign keys on, `synchronous = FULL` (a committed journal survives power loss).
 * - Integers come back as bigint (`defaultSafeIntegers`); money is INTEGER minor units, with a
 *   CHECK that refuses anything stored as REAL.
 * - Writes: an in-process async mutex, then `BEGIN IMMEDIATE` (the database's single write lock,
 *   shared with other connections and processes), then the callback, then COMMIT — or
 *   ROLLBACK if it throws. better-sqlite3 is synchronous, so waiting for another connection's
 *   lock in SQLite's busy handler would block the event loop (and deadlock two stores in one
 *   process); instead BEGIN IMMEDIATE is retried with an async back-off until `lockTimeoutMs`.
 *   Migrations and configuration changes outside a write take the same lock.
 * - Appended rows are sent one prepared INSERT per row (appends.ts: the `rows` form).
 * - Reads outside a write use a second, query-only connection (file databases), so they see
 *   committed data only and never wait for a writer. A `:memory:` database has one connection:
 *   its reads queue behind any open write.
 */
import Database from 'better-sqlite3';
import { Mutex, sleep } from './common.js';
import type { Dialect, Lock, Session } from './dialect.js';
import { SqlStore } from './sql-store.js';
import type { Statement } from './statements.js';
import type { Trace } from './store.js';

type DB = Database.Database;

export interface SqliteStoreOptions {
  /** How long a read waits for a locked database (SQLite busy_timeout). Default 5000 ms. */
  busyTimeoutMs?: number;
  /** How long write() and migrate() wait for the write lock before failing. Default 60000 ms. */
  lockTimeoutMs?: number;
  /** Sees every statement the store runs, with its parameters (the plan test lists them). */
  trace?: Trace;
}

function isMemory(path: string): boolean {
  return path === ':memory:' || path === '' || path.startsWith('file::memory:');
}

function isBusy(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'));
}

/** A connection's prepared statements, one cache per connection; `trace` sees each statement run. */
class SqliteSession implements Session {
  private readonly cache = new Map<string, Database.Statement>();
  constructor(readonly db: DB, private readonly trace: Trace | undefined) {}

  private get(sql: string, params: readonly unknown[]): Database.Statement {
    this.trace?.(sql, params);
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = this.db.prepare(sql)));
    return s;
  }

  async all<R>(sql: string, params: readonly unknown[]): Promise<R[]> {
    const s = this.get(sql, params);
    if (s.reader) return s.all(...params) as R[];
    s.run(...params);
    return [];
  }

  async run(list: readonly Statement[]): Promise<void> {
    for (const st of list) this.get(st.sql, st.params).run(...st.params);
  }

  async script(sql: string): Promise<void> {
    this.db.exec(sql);
  }
}

class SqliteDialect implements Dialect {
  readonly name = 'sqlite';
  readonly bulk = 'rows';
  readonly server = false;
  /** SQLite plans these statements from their indexes alone (test/query-plans.test.ts). */
  readonly statistics = undefined;
  private readonly db: DB;
  private readonly w: SqliteSession;
  /** Committed-data reads (file databases); absent for :memory:. */
  private readonly r: SqliteSession | undefined;
  private readonly mutex = new Mutex();
  private readonly lockTimeoutMs: number;
  private closed = false;

  constructor(readonly path: string, opts: SqliteStoreOptions) {
    const busy = opts.busyTimeoutMs ?? 5000;
    this.lockTimeoutMs = opts.lockTimeoutMs ?? 60_000;
    this.db = open(path, busy);
    try {
      this.db.pragma('journal_mode = WAL'); // 'memory' for an in-memory database
      // From here the writer only locks through BEGIN IMMEDIATE, retried asynchronously.
      this.db.pragma('busy_timeout = 0');
      this.w = new SqliteSession(this.db, opts.trace);
      if (!isMemory(path)) {
        const reader = open(path, busy);
        reader.pragma('query_only = ON');
        this.r = new SqliteSession(reader, opts.trace);
      }
    } catch (e) {
      this.db.close();
      throw e;
    }
  }

  checkOpen(): void {
    if (this.closed) throw new Error('the store is closed');
  }

  /** On the reader, or (in memory) after any open write. */
  async read<T>(f: (s: Session) => Promise<T>): Promise<T> {
    this.checkOpen();
    if (this.r) return f(this.r);
    return this.mutex.run(async () => {
      this.checkOpen();
      return f(this.w);
    });
  }

  /** SQLite has one writer: a change takes the write lock like any write. */
  async change(sql: string, params: readonly unknown[]): Promise<void> {
    await this.locked((s) => s.all(sql, params));
  }

  /** BEGIN IMMEDIATE is the database's one write lock: a company's lock and the migration lock are that one lock. */
  transaction<T>(_lock: Lock, f: (s: Session) => Promise<T>): Promise<T> {
    return this.locked(f);
  }

  /** Runs `f` in a BEGIN IMMEDIATE transaction, one at a time in this process; ROLLBACK if it throws. */
  private async locked<T>(f: (s: Session) => Promise<T>): Promise<T> {
    this.checkOpen();
    return this.mutex.run(async () => {
      this.checkOpen();
      await this.beginImmediate();
      try {
        const out = await f(this.w);
        this.db.exec('COMMIT');
        return out;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.mutex.run(async () => {
      this.closed = true;
      this.r?.db.close();
      this.db.close();
    });
  }

  private async beginImmediate(): Promise<void> {
    const deadline = Date.now() + this.lockTimeoutMs;
    let wait = 1;
    for (;;) {
      try {
        this.db.exec('BEGIN IMMEDIATE');
        return;
      } catch (e) {
        if (!isBusy(e)) throw e;
        if (Date.now() >= deadline) throw new Error(`timed out after ${this.lockTimeoutMs} ms waiting for the SQLite write lock on ${this.path}`, { cause: e });
        await sleep(wait * (0.5 + Math.random()));
        wait = Math.min(wait * 2, 20);
      }
    }
  }
}

export class SqliteStore extends SqlStore {
  declare readonly dialect: 'sqlite';

  constructor(readonly path: string, opts: SqliteStoreOptions = {}) {
    super(new SqliteDialect(path, opts));
  }
}

function open(path: string, busyTimeoutMs: number): DB {
  const db = new Database(path);
  try {
    db.defaultSafeIntegers(true);
    db.pragma(`busy_timeout = ${busyTimeoutMs | 0}`);
    db.pragma('foreign_keys = ON');
    db.pragma('synchronous = FULL');
    return db;
  } catch (e) {
    db.close();
    throw e;
  }
}
