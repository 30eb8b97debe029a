/**
 * The SQLite ledger store (better-sqlite3), the embedded default.
 *
 * - WAL mode, foreign keys on, `synchronous = FULL` (a committed journal survives power loss).
 * - Integers come back as bigint (`defaultSafeIntegers`); money is INTEGER minor units, with a
 *   CHECK that refuses anything stored as REAL.
 * - Writes: an in-process async mutex, then `BEGIN IMMEDIATE` (the database's single write lock,
 *   shared with other connections and processes), then the callback, then COMMIT — or
 *   ROLLBACK if it throws. better-sqlite3 is synchronous, so waiting for another connection's
 *   lock in SQLite's busy handler would block the event loop (and deadlock two stores in one
 *   process); instead BEGIN IMMEDIATE is retried with an async back-off until `lockTimeoutMs`.
 * - Reads outside a write use a second, query-only connection (file databases), so they see
 *   committed data only and never wait for a writer. A `:memory:` database has one connection:
 *   its reads queue behind any open write. Reads made inside a write's callback (through the
 *   store, in the same async context) see that transaction's own uncommitted rows.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import Database from 'better-sqlite3';
import type { Journal } from '../posting/journal.js';
import { MIGRATIONS_TABLE, pending } from './migrations.js';
import {
  checkApiKey, checkRefusals, toApiKey, toRefusal, type ApiKeyRow, type RefusalRow,
  big, byCodePoint, checkEvent, checkJournals, checkSyncEntries, toSyncEntry, type SyncRow, checkSeq, configJson, Mutex, NOT_REENTRANT, nullable, sleep,
  toAccountLine, toCompany, toEvent, toJournals, TX_ENDED, type AccountLineRow, type CompanyRow, type EventRow, type JournalRow, toBalances, fromHalves, type BalanceRow,
} from './common.js';
import * as statements from './statements.js';
import { SQL, type Statement } from './statements.js';
import type {
  AccountBalance, AccountLine, AccountLinesQuery, ApiKeyRecord, CompanyRecord, JournalFilter, LedgerStore, LinePosition, NewApiKey, NewEvent, NewSyncEntry, Refusal, StoredCompany, StoredEvent, StoredJournal, SyncEntry, SyncQuery, Trace, WriteTx,
} from './store.js';

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

/** Prepared statements, one cache per connection; `trace` sees each statement run (the plan test lists them). */
class Statements {
  private readonly cache = new Map<string, Database.Statement>();
  constructor(readonly db: DB, private readonly trace: Trace | undefined) {}
  get(sql: string, params: readonly unknown[]): Database.Statement {
    this.trace?.(sql, params);
    let s = this.cache.get(sql);
    if (!s) this.cache.set(sql, (s = this.db.prepare(sql)));
    return s;
  }
  all<R>(sql: string, params: unknown[]): R[] {
    return this.get(sql, params).all(...params) as R[];
  }
  one<R>(sql: string, params: unknown[]): R | undefined {
    return this.get(sql, params).get(...params) as R | undefined;
  }
  run(sql: string, params: unknown[]): void {
    this.get(sql, params).run(...params);
  }
  allOf<R>(st: Statement): R[] {
    return this.all<R>(st.sql, st.params);
  }
}

/** This dialect's writes (the reads are shared: statements.ts). */
export const WRITES = {
  event: 'INSERT INTO events (company, seq, id, type, date, body) VALUES (?, ?, ?, ?, ?, ?)',
  journal: 'INSERT INTO journals (company, seq, event_seq, id, event_id, event_type, kind, date, currency, cause, reverses, reference, memo, shifted_from) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  line: 'INSERT INTO journal_lines (company, journal_seq, line_no, account, amount, product, warehouse, memo, date) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  dayTotal: 'INSERT INTO account_day_totals (company, account, date, amount) VALUES (?, ?, ?, ?) ON CONFLICT (company, account, date) DO UPDATE SET amount = amount + excluded.amount',
  sync: 'INSERT INTO sync_log (company, seq, target, record, version, action, run, at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
} as const;

/** The reads, written once against a connection. */
const q = {
  events(s: Statements, company: string, seq: bigint, limit?: number): StoredEvent[] {
    return s.allOf<EventRow>(statements.eventsAfter(company, seq, limit)).map(toEvent);
  },
  journals(s: Statements, company: string, f: JournalFilter): StoredJournal[] {
    return statements.keepAccount(toJournals(s.allOf<JournalRow>(statements.journals(company, f))), f);
  },
  journalsOfEvent(s: Statements, company: string, eventSeq: bigint): StoredJournal[] {
    checkSeq(eventSeq, 'eventSeq');
    return toJournals(s.all<JournalRow>(SQL.journalsOfEvent, [company, eventSeq]));
  },
};

class SqliteTx implements WriteTx {
  active = true;
  failure: { error: unknown } | undefined;
  private lastEvent: bigint;
  private lastJournal: bigint;

  constructor(private readonly s: Statements, readonly company: string) {
    // Under BEGIN IMMEDIATE nobody else can append: the next numbers are ours to hand out.
    const r = s.one<{ e: unknown; j: unknown }>(SQL.lastSeqs, [company, company])!;
    this.lastEvent = big(r.e);
    this.lastJournal = big(r.j);
  }

  /** Runs one step; any failure dooms the transaction (as in PostgreSQL), even if the callback catches it. */
  private step<T>(f: () => T): T {
    if (!this.active) throw new Error(TX_ENDED);
    if (this.failure) throw this.failure.error;
    try {
      return f();
    } catch (e) {
      this.failure = { error: e };
      throw e;
    }
  }

  async eventsAfter(seq: bigint): Promise<StoredEvent[]> {
    return this.step(() => q.events(this.s, this.company, seq));
  }

  async appendEvent(e: NewEvent): Promise<bigint> {
    return this.step(() => {
      checkEvent(e);
      const seq = this.lastEvent + 1n;
      this.s.run(WRITES.event, [this.company, seq, e.id, e.type, e.date, e.body]);
      this.lastEvent = seq;
      return seq;
    });
  }

  async appendJournals(eventSeq: bigint, journals: readonly Journal[]): Promise<void> {
    this.step(() => {
      checkSeq(eventSeq, 'eventSeq');
      checkJournals(journals);
      let seq = this.lastJournal;
      const totals = new Map<string, { account: string; date: string; amount: bigint }>();
      for (const j of journals) {
        seq++;
        for (const l of j.lines) {
          const k = `${l.account}\u0000${j.date}`;
          const t = totals.get(k);
          if (t) t.amount += l.amount;
          else totals.set(k, { account: l.account, date: j.date, amount: l.amount });
        }
        this.s.run(
          WRITES.journal,
          [this.company, seq, eventSeq, j.id, j.event, j.eventType, j.kind, j.date, j.currency, nullable(j.cause), nullable(j.reverses), nullable(j.reference), nullable(j.memo), nullable(j.shiftedFrom)],
        );
        let n = 0n;
        for (const l of j.lines) {
          this.s.run(
            WRITES.line,
            [this.company, seq, ++n, l.account, l.amount, nullable(l.product), nullable(l.warehouse), nullable(l.memo), j.date],
          );
        }
      }
      for (const t of totals.values()) {
        this.s.run(
          WRITES.dayTotal,
          [this.company, t.account, t.date, t.amount],
        );
      }
      this.lastJournal = seq;
    });
  }

  async appendSync(entries: readonly NewSyncEntry[]): Promise<void> {
    this.step(() => {
      checkSyncEntries(entries);
      let seq = big(this.s.one<{ n: unknown }>(SQL.lastSyncSeq, [this.company])!.n);
      for (const e of entries) {
        this.s.run(WRITES.sync,
          [this.company, ++seq, e.target, e.record, BigInt(e.version), e.action, nullable(e.run), e.at, nullable(e.data)]);
      }
    });
  }

  async appendRefusals(refusals: readonly Refusal[]): Promise<void> {
    this.step(() => {
      checkRefusals(refusals);
      for (const st of statements.addRefusals(this.company, refusals)) this.s.run(st.sql, st.params);
    });
  }
}

export class SqliteStore implements LedgerStore {
  readonly dialect = 'sqlite' as const;
  private readonly db: DB;
  private readonly w: Statements;
  /** Committed-data reads (file databases); absent for :memory:. */
  private readonly r: Statements | undefined;
  private readonly mutex = new Mutex();
  private readonly als = new AsyncLocalStorage<SqliteTx>();
  private readonly lockTimeoutMs: number;
  private closed = false;

  constructor(readonly path: string, opts: SqliteStoreOptions = {}) {
    const busy = opts.busyTimeoutMs ?? 5000;
    this.lockTimeoutMs = opts.lockTimeoutMs ?? 60_000;
    this.db = open(path, busy);
    try {
      this.db.pragma('journal_mode = WAL'); // 'memory' for an in-memory database
      // From here the writer only locks through BEGIN IMMEDIATE, retried asynchronously.
      this.db.pragma('busy_timeout = 0');
      this.w = new Statements(this.db, opts.trace);
      if (!isMemory(path)) {
        const reader = open(path, busy);
        reader.pragma('query_only = ON');
        this.r = new Statements(reader, opts.trace);
      }
    } catch (e) {
      this.db.close();
      throw e;
    }
  }

  async migrate(): Promise<void> {
    await this.locked(async () => {
      this.db.exec(MIGRATIONS_TABLE.sqlite);
      const applied = new Set(this.w.all<{ version: bigint }>('SELECT version FROM schema_migrations', []).map((r) => Number(r.version)));
      for (const m of pending(applied)) {
        this.db.exec(m.sqlite);
        this.w.run('INSERT INTO schema_migrations (version, name) VALUES (?, ?)', [BigInt(m.version), m.name]);
      }
    });
  }

  /** Applied migrations, in order (for tests and diagnostics). */
  async migrations(): Promise<{ version: number; name: string }[]> {
    return this.read((s) => s.all<{ version: bigint; name: string }>(SQL.migrations, []).map((r) => ({ version: Number(r.version), name: r.name })));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.mutex.run(async () => {
      this.closed = true;
      this.r?.db.close();
      this.db.close();
    });
  }

  async putCompany(c: CompanyRecord): Promise<void> {
    const config = configJson(c.config);
    await this.change(SQL.putCompany, [c.id, c.name, config]);
  }

  async getCompany(id: string): Promise<StoredCompany | undefined> {
    const row = await this.read((s) => s.one<CompanyRow>(SQL.company, [id]));
    return row && toCompany(row);
  }

  async configVersion(id: string): Promise<bigint | undefined> {
    const row = await this.read((s) => s.one<{ config_version: unknown }>(SQL.configVersion, [id]));
    return row && big(row.config_version);
  }

  async listCompanies(): Promise<StoredCompany[]> {
    const rows = await this.read((s) => s.all<CompanyRow>(SQL.companies, []));
    return rows.map(toCompany).sort((a, b) => byCodePoint(a.id, b.id));
  }

  async write<T>(company: string, fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    return this.locked(async () => {
      const tx = new SqliteTx(this.w, company);
      try {
        const out = await this.als.run(tx, () => fn(tx));
        if (tx.failure) throw tx.failure.error;
        return out;
      } finally {
        tx.active = false;
      }
    });
  }

  async eventsAfter(company: string, seq: bigint, limit?: number): Promise<StoredEvent[]> {
    return this.read((s) => q.events(s, company, seq, limit));
  }

  async findEvent(company: string, id: string): Promise<StoredEvent | undefined> {
    const row = await this.read((s) => s.one<EventRow>(SQL.event, [company, id]));
    return row && toEvent(row);
  }

  async countEvents(company: string): Promise<bigint> {
    return this.read((s) => big(s.one<{ n: unknown }>(SQL.lastEventSeq, [company])!.n));
  }

  async journals(company: string, filter: JournalFilter = {}): Promise<StoredJournal[]> {
    if (filter.limit === 0) return [];
    return this.read((s) => q.journals(s, company, filter));
  }

  async journalsOfEvent(company: string, eventSeq: bigint): Promise<StoredJournal[]> {
    return this.read((s) => q.journalsOfEvent(s, company, eventSeq));
  }

  async accountLines(company: string, account: string, query: AccountLinesQuery): Promise<AccountLine[]> {
    if (query.limit === 0) return [];
    return this.read((s) => s.allOf<AccountLineRow>(statements.accountLines(company, account, query)).map(toAccountLine));
  }

  async balanceThrough(company: string, account: string, at: LinePosition): Promise<bigint> {
    checkSeq(at.journalSeq, 'journalSeq');
    const params = [company, account, at.date, company, account, at.date, at.journalSeq, BigInt(at.lineNo)];
    return this.read((s) => fromHalves(s.one<{ hi: unknown; lo: unknown }>(SQL.balanceThrough, params)!));
  }

  async trialBalance(company: string, asOf?: string): Promise<AccountBalance[]> {
    const sql = asOf === undefined ? SQL.trialBalance : SQL.trialBalanceAsOf;
    return toBalances(await this.read((s) => s.all<BalanceRow>(sql, asOf === undefined ? [company] : [company, asOf])));
  }

  async syncEntries(company: string, target: string, query: SyncQuery = {}): Promise<SyncEntry[]> {
    const st = statements.syncEntries(company, target, query);
    return this.read((s) => s.allOf<SyncRow>(st).map(toSyncEntry));
  }

  async refusalsOf(company: string, eventIds: readonly string[]): Promise<Refusal[]> {
    const out: Refusal[] = [];
    for (const st of statements.refusalsOf(company, eventIds)) out.push(...(await this.read((s) => s.allOf<RefusalRow>(st))).map(toRefusal));
    return out;
  }

  async addApiKey(k: NewApiKey): Promise<void> {
    checkApiKey(k);
    await this.change(SQL.addApiKey, [k.company, k.id, k.name, k.role, k.hash, k.createdAt]);
  }

  async apiKeys(company: string): Promise<ApiKeyRecord[]> {
    return (await this.read((s) => s.all<ApiKeyRow>(SQL.apiKeys, [company]))).map(toApiKey);
  }

  async apiKeyByHash(company: string, hash: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.read((s) => s.one<ApiKeyRow>(SQL.apiKeyByHash, [company, hash]));
    return row && toApiKey(row);
  }

  async revokeApiKey(company: string, id: string, at: string): Promise<ApiKeyRecord | undefined> {
    await this.change(SQL.revokeApiKey, [at, company, id]);
    const row = await this.read((s) => s.one<ApiKeyRow>(SQL.apiKey, [company, id]));
    return row && toApiKey(row);
  }

  async markApiKeyUsed(company: string, id: string, at: string, since: string): Promise<void> {
    await this.change(SQL.markApiKeyUsed, [at, company, id, since]);
  }

  // ---- plumbing

  /** One statement that changes configuration rows: inside a write's callback part of that transaction, else its own. */
  private async change(sql: string, params: unknown[]): Promise<void> {
    this.checkOpen();
    if (this.als.getStore()?.active) return this.w.run(sql, params);
    await this.locked(async () => this.w.run(sql, params));
  }

  private checkOpen(): void {
    if (this.closed) throw new Error('the store is closed');
  }

  /** A read: inside a write, on its transaction; else on the reader, or (in memory) after any open write. */
  private async read<T>(f: (s: Statements) => T): Promise<T> {
    this.checkOpen();
    const tx = this.als.getStore();
    if (tx?.active) return f(this.w);
    if (this.r) return f(this.r);
    return this.mutex.run(async () => {
      this.checkOpen();
      return f(this.w);
    });
  }

  /** Runs `f` in a BEGIN IMMEDIATE transaction, one at a time in this process; ROLLBACK if it throws. */
  private async locked<T>(f: () => Promise<T>): Promise<T> {
    this.checkOpen();
    if (this.als.getStore()?.active) throw new Error(NOT_REENTRANT);
    return this.mutex.run(async () => {
      this.checkOpen();
      await this.beginImmediate();
      try {
        const out = await f();
        this.db.exec('COMMIT');
        return out;
      } catch (e) {
        if (this.db.inTransaction) this.db.exec('ROLLBACK');
        throw e;
      }
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
