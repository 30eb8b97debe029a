/**
 * The SQL store: the ledger store written once over a `Dialect` (dialect.ts), for SQLite and
 * PostgreSQL alike — every method, its statements (statements.ts, appends.ts), its row
 * mappings and checks (common.ts), and the write transaction (`SqlTx`). The dialect files
 * (sqlite.ts, postgres.ts) hold their connections and the true differences.
 *
 * A write: the dialect's transaction under the company's lock; the next event and journal
 * numbers read once and handed out in process (nobody else appends under the lock); appended
 * rows gathered and sent in a batch before any other statement and before COMMIT. A failed
 * statement dooms the transaction even if the callback catches the error: write() then rolls
 * back and rethrows. Reads made inside a write's callback (through the store, in the same async
 * context) run on its transaction and see its rows; other reads see committed data only.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Journal } from '../posting/journal.js';
import { appendStatements, Appended, type AppendTableName } from './appends.js';
import {
  big, byCodePoint, checkApiKey, checkLimit, checkEvent, checkJournals, checkRefusals, checkSeq, checkSyncEntries, configJson, fromHalves, NOT_REENTRANT, nullable, toAccountLine, toApiKey,
  toBalances, toCompany, toEvent, toJournalHeader, toJournals, toRefusal, toSyncEntry, TX_ENDED,
  type AccountLineRow, type ApiKeyRow, type BalanceRow, type CompanyRow, type EventRow, type JournalRow, type RefusalRow, type SyncRow,
} from './common.js';
import type { Dialect, Session } from './dialect.js';
import { MIGRATIONS_TABLE, pending } from './migrations.js';
import * as statements from './statements.js';
import { COSTING_SQL, CostingRows, costingWrite } from './costing.js';
import { datedEvents, toDatedEvent, type DatedEvent, type DatedEventType, type DatedQuery } from './dated-events.js';
import { RECORD_MIGRATION, SQL, type Statement } from './statements.js';
import type {
  AccountBalance, AccountLine, AccountLinesQuery, ApiKeyRecord, CompanyRecord, CostingReads, CostingTx, CostingWrite, HeaderQuery, JournalCount, JournalFilter, JournalHeader, LedgerStore, LinePosition, MonthlyMovement, NewApiKey, NewEvent, NewSyncEntry, Refusal, StoredCompany,
  StoredEvent, StoredJournal, SyncEntry, SyncQuery, WriteTx,
} from './store.js';

type Query = <R>(sql: string, params: readonly unknown[]) => Promise<R[]>;

const all = <R>(query: Query, st: Statement): Promise<R[]> => query<R>(st.sql, st.params);

/** The reads a write and the store share, on the write's transaction or a reader. */
const q = {
  async events(query: Query, company: string, seq: bigint, limit?: number): Promise<StoredEvent[]> {
    return (await all<EventRow>(query, statements.eventsAfter(company, seq, limit))).map(toEvent);
  },
};

/** Whether a count went past 100, 1,000, 10,000, … (the points at which the planner's statistics are refreshed). */
function passesDecade(before: bigint, after: bigint): boolean {
  for (let d = 100n; d <= after; d *= 10n) if (before < d) return true;
  return false;
}

/** A date's place in the calendar, near enough to compare distances (YYYY-MM-DD; a stored date may be no calendar day). */
function dayNumber(date: string): number {
  return Number(date.slice(0, 4)) * 372 + Number(date.slice(5, 7)) * 31 + Number(date.slice(8, 10));
}

/** Pending rows that make a write send what it has gathered so far (about 30 ms of SQLite inserts). */
const FLUSH_ROWS = 2000;

/** One write's transaction (WriteTx): numbers handed out, rows gathered, statements that doom it when they fail. */
export class SqlTx implements WriteTx {
  active = true;
  failure: { error: unknown } | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  private appended = new Appended();
  /** The rows on their way to the database (send), settled; a failure is in `failure`. */
  private sending: Promise<void> = Promise.resolve();
  /** The sync log's last seq, read at the first appendSync. */
  private lastSync: bigint | undefined;
  readonly costing: CostingTx;

  private constructor(
    private readonly session: Session,
    private readonly dialect: Dialect,
    private readonly sql: Record<AppendTableName, string>,
    readonly company: string,
    private lastEvent: bigint,
    private lastJournal: bigint,
  ) {
    const rows = new CostingRows(this.query, company);
    this.costing = Object.assign(rows, {
      write: async (w: CostingWrite): Promise<void> => {
        await this.flush();
        await this.exec(() => this.session.run(costingWrite(company, w, dialect.bulk)));
      },
      clear: async (): Promise<void> => {
        await this.flush();
        await this.exec(() => this.session.run(COSTING_SQL.clear.map((sql) => ({ sql, params: [company] }))));
      },
    });
  }

  /** Under the company's lock nobody else appends to it: the next numbers are ours to hand out. */
  static async open(session: Session, dialect: Dialect, sql: Record<AppendTableName, string>, company: string): Promise<SqlTx> {
    const [r] = await session.all<{ e: unknown; j: unknown }>(SQL.lastSeqs, [company, company]);
    return new SqlTx(session, dialect, sql, company, big(r!.e), big(r!.j));
  }

  get lastEventSeq(): bigint {
    return this.lastEvent;
  }

  /** A statement on the transaction (after the pending rows). */
  readonly query: Query = async <R>(sql: string, params: readonly unknown[]): Promise<R[]> => {
    await this.flush();
    return this.exec(() => this.session.all<R>(sql, params));
  };

  /** Sends the pending rows (appends.ts) after those already on their way, and waits until all are in; throws if any failed. */
  async flush(): Promise<void> {
    await this.send();
    this.checkUsable();
  }

  /**
   * Queues the pending rows behind the rows already being sent (statements go out in the order
   * they were gathered: a journal's event before it, its lines after it); resolves once they
   * are sent. A failure is the transaction's (exec notes it), so a send nobody waits for
   * cannot be lost: the next statement, or the commit, throws it.
   */
  private send(): Promise<void> {
    if (this.appended.empty) return this.sending;
    const batch = this.appended.take(this.company, this.dialect.bulk, this.sql);
    const sent = this.sending.then(() => this.exec(() => this.session.run(batch)));
    this.sending = sent.catch(() => undefined);
    return sent;
  }

  private async exec<T>(f: () => Promise<T>): Promise<T> {
    this.checkUsable();
    const p = f();
    this.inFlight.add(p);
    try {
      return await p;
    } catch (e) {
      this.failure ??= { error: e };
      throw e;
    } finally {
      this.inFlight.delete(p);
    }
  }

  /** Waits for statements the callback started but did not await. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private checkUsable(): void {
    if (!this.active) throw new Error(TX_ENDED);
    if (this.failure) throw this.failure.error;
  }

  /** Runs an input check; a failed one dooms the transaction, as a failed statement does. */
  private check(f: () => void): void {
    this.checkUsable();
    try {
      f();
    } catch (e) {
      this.failure ??= { error: e };
      throw e;
    }
  }

  async eventsAfter(seq: bigint): Promise<StoredEvent[]> {
    return q.events(this.query, this.company, seq);
  }

  async appendEvent(e: NewEvent): Promise<bigint> {
    this.check(() => checkEvent(e));
    // Numbers are handed out before the first await, so concurrent calls cannot share one.
    const seq = ++this.lastEvent;
    this.appended.add('events', [seq, e.id, e.type, e.date, e.body]);
    return seq;
  }

  async appendJournals(eventSeq: bigint, journals: readonly Journal[]): Promise<void> {
    this.check(() => {
      checkSeq(eventSeq, 'eventSeq');
      checkJournals(journals);
    });
    const A = this.appended;
    for (const j of journals) {
      const seq = ++this.lastJournal;
      A.add('journals', [seq, eventSeq, j.id, j.event, j.eventType, j.kind, j.date, j.currency, nullable(j.cause), nullable(j.reverses), nullable(j.reference), nullable(j.memo), nullable(j.shiftedFrom)]);
      A.countJournal(j.kind, j.eventType);
      let n = 0n;
      for (const l of j.lines) {
        A.add('lines', [seq, ++n, l.account, l.amount, nullable(l.product), nullable(l.warehouse), nullable(l.memo), j.date]);
        A.addToDay(l.account, j.date, l.amount);
      }
    }
    // Sent in parts: SQLite's driver is synchronous, and 40,000 rows sent at commit held the
    // event loop for over half a second (bench/event-loop.ts, a 10,000-event POST). A server
    // inserts them while this process costs the next events.
    if (A.pending >= FLUSH_ROWS) {
      if (this.dialect.server) void this.send().catch(() => undefined);
      else await this.flush();
    }
  }

  async appendSync(entries: readonly NewSyncEntry[]): Promise<void> {
    this.check(() => checkSyncEntries(entries));
    if (entries.length === 0) return;
    // Under the company lock nobody else appends to its log: read its end once, then count on.
    if (this.lastSync === undefined) {
      const [r] = await this.query<{ n: unknown }>(SQL.lastSyncSeq, [this.company]);
      this.lastSync ??= big(r!.n);
    }
    for (const e of entries) {
      this.appended.add('sync', [++this.lastSync, e.target, e.record, BigInt(e.version), e.action, nullable(e.run), e.at, nullable(e.data)]);
    }
  }

  async appendRefusals(refusals: readonly Refusal[]): Promise<void> {
    this.check(() => checkRefusals(refusals));
    for (const st of statements.addRefusals(this.company, refusals)) await all(this.query, st);
  }
}

/** The ledger store over a dialect. */
export class SqlStore implements LedgerStore {
  readonly dialect: 'sqlite' | 'postgres';
  private readonly als = new AsyncLocalStorage<SqlTx>();
  private readonly appendSql: Record<AppendTableName, string>;

  constructor(private readonly d: Dialect) {
    this.dialect = d.name;
    this.appendSql = appendStatements(d.bulk);
  }

  async migrate(): Promise<void> {
    this.d.checkOpen();
    if (this.als.getStore()?.active) throw new Error(NOT_REENTRANT);
    await this.d.transaction('migrations', async (s) => {
      await s.script(MIGRATIONS_TABLE[this.d.name]);
      const applied = new Set((await s.all<{ version: unknown }>(SQL.migrations, [])).map((r) => Number(r.version)));
      for (const m of pending(applied)) {
        await s.script(m[this.d.name]);
        await s.run([{ sql: RECORD_MIGRATION, params: [BigInt(m.version), m.name] }]);
      }
    });
  }

  /** Applied migrations, in order (for tests and diagnostics). */
  async migrations(): Promise<{ version: number; name: string }[]> {
    return (await this.all<{ version: unknown; name: string }>(SQL.migrations, [])).map((r) => ({ version: Number(r.version), name: r.name }));
  }

  async close(): Promise<void> {
    await this.d.close();
  }

  async putCompany(c: CompanyRecord): Promise<void> {
    const config = configJson(c.config);
    await this.change(SQL.putCompany, [c.id, c.name, config]);
  }

  async getCompany(id: string): Promise<StoredCompany | undefined> {
    const row = await this.one<CompanyRow>(SQL.company, [id]);
    return row && toCompany(row);
  }

  async configVersion(id: string): Promise<bigint | undefined> {
    const row = await this.one<{ config_version: unknown }>(SQL.configVersion, [id]);
    return row && big(row.config_version);
  }

  async listCompanies(): Promise<StoredCompany[]> {
    const rows = await this.all<CompanyRow>(SQL.companies, []);
    return rows.map(toCompany).sort((a, b) => byCodePoint(a.id, b.id));
  }

  async write<T>(company: string, fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    this.d.checkOpen();
    if (this.als.getStore()?.active) throw new Error(NOT_REENTRANT);
    let events: [before: bigint, after: bigint] = [0n, 0n];
    const out = await this.d.transaction({ company }, async (s) => {
      const tx = await SqlTx.open(s, this.d, this.appendSql, company);
      const before = tx.lastEventSeq;
      try {
        const r = await this.als.run(tx, () => fn(tx));
        await tx.settle();
        if (tx.failure) throw tx.failure.error;
        await tx.flush();
        events = [before, tx.lastEventSeq];
        return r;
      } finally {
        tx.active = false;
      }
    });
    if (this.d.statistics !== undefined && passesDecade(...events)) await this.d.change(this.d.statistics, []);
    return out;
  }

  async eventsAfter(company: string, seq: bigint, limit?: number): Promise<StoredEvent[]> {
    return q.events(this.all, company, seq, limit);
  }

  async findEvent(company: string, id: string): Promise<StoredEvent | undefined> {
    const row = await this.one<EventRow>(SQL.event, [company, id]);
    return row && toEvent(row);
  }

  costing(company: string): CostingReads {
    return new CostingRows(this.all, company);
  }

  async countEvents(company: string): Promise<bigint> {
    return big((await this.one<{ n: unknown }>(SQL.lastEventSeq, [company]))!.n);
  }

  async journals(company: string, filter: JournalFilter = {}): Promise<StoredJournal[]> {
    if (filter.limit === 0) return [];
    const st = statements.journals(company, filter);
    return statements.keepAccount(toJournals(await all<JournalRow>(this.all, st)), filter);
  }

  async journalHeaders(company: string, query: HeaderQuery): Promise<JournalHeader[]> {
    type Row = Parameters<typeof toJournalHeader>[0];
    if ('afterSeq' in query) {
      checkSeq(query.afterSeq, 'afterSeq');
      checkLimit(query.limit);
      return (await this.all<Row>(SQL.journalHeaders, [company, query.afterSeq, BigInt(query.limit)])).map(toJournalHeader);
    }
    const sts = 'ids' in query ? statements.journalHeadersBy(company, 'id', query.ids) : statements.journalHeadersBy(company, 'event_id', query.events);
    const out: JournalHeader[] = [];
    for (const st of sts) out.push(...(await all<Row>(this.all, st)).map(toJournalHeader));
    return out.sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  }

  async journalCounts(company: string, recount = false): Promise<JournalCount[]> {
    const rows = await this.all<{ kind: string; event_type: string; n: unknown }>(recount ? SQL.recountJournals : SQL.journalCounts, [company]);
    return rows.map((r) => ({ kind: r.kind as JournalCount['kind'], eventType: r.event_type, n: big(r.n) }));
  }

  async journalsOfEvent(company: string, eventSeq: bigint): Promise<StoredJournal[]> {
    checkSeq(eventSeq, 'eventSeq');
    return toJournals(await this.all<JournalRow>(SQL.journalsOfEvent, [company, eventSeq]));
  }

  async accountLines(company: string, account: string, query: AccountLinesQuery): Promise<AccountLine[]> {
    if (query.limit === 0) return [];
    return (await all<AccountLineRow>(this.all, statements.accountLines(company, account, query))).map(toAccountLine);
  }

  async balanceThrough(company: string, account: string, at: LinePosition): Promise<bigint> {
    checkSeq(at.journalSeq, 'journalSeq');
    const params = [company, account, at.date, company, account, at.date, at.journalSeq, BigInt(at.lineNo)];
    return fromHalves((await this.one<{ hi: unknown; lo: unknown }>(SQL.balanceThrough, params))!);
  }

  /**
   * Balances per account: the kept balances; as of a date, the day totals up to it or the
   * balances less the day totals after it, whichever side of the date is shorter by the span
   * of the company's events (either is exact: the span only chooses).
   */
  async trialBalance(company: string, asOf?: string): Promise<AccountBalance[]> {
    const kept = (await this.all<BalanceRow & { first_date: string }>(SQL.balances, [company])).map((r) => ({ account: r.account, balance: fromHalves(r), first: r.first_date }));
    const sorted = (list: AccountBalance[]): AccountBalance[] => list.sort((a, b) => byCodePoint(a.account, b.account));
    if (asOf === undefined) return sorted(kept.map((b) => ({ account: b.account, balance: b.balance })));
    const span = (await this.costing(company).meta())?.span;
    const side = span !== undefined && dayNumber(span.last) - dayNumber(asOf) < dayNumber(asOf) - dayNumber(span.first) ? 'after' : 'upTo';
    // An account is listed as of a date if it has a day total by then, as a sum of them would list it.
    const open = kept.filter((b) => b.first <= asOf);
    const sums = new Map<string, bigint>();
    for (const st of statements.dayTotalsBeside(company, open.map((b) => b.account), asOf, side)) {
      for (const b of toBalances(await all<BalanceRow>(this.all, st))) sums.set(b.account, b.balance);
    }
    return sorted(open.map((b) => ({ account: b.account, balance: side === 'after' ? b.balance - (sums.get(b.account) ?? 0n) : sums.get(b.account) ?? 0n })));
  }

  async monthlyMovements(company: string, accounts: readonly string[], after: string, through: string): Promise<MonthlyMovement[]> {
    const out: MonthlyMovement[] = [];
    for (const st of statements.monthlyMovements(company, accounts, after, through)) {
      for (const r of await all<BalanceRow & { month: string }>(this.all, st)) out.push({ account: r.account, month: r.month, amount: fromHalves(r) });
    }
    return out;
  }

  /** The balances again from the day totals (verify). */
  async recountBalances(company: string): Promise<AccountBalance[]> {
    return toBalances(await this.all<BalanceRow>(SQL.recountBalances, [company]));
  }

  async datedEvents(company: string, type: DatedEventType, query: DatedQuery): Promise<DatedEvent[]> {
    if (query.limit === 0) return [];
    return (await all<Parameters<typeof toDatedEvent>[0]>(this.all, datedEvents(company, type, query))).map(toDatedEvent);
  }

  async syncEntries(company: string, target: string, query: SyncQuery = {}): Promise<SyncEntry[]> {
    return (await all<SyncRow>(this.all, statements.syncEntries(company, target, query))).map(toSyncEntry);
  }

  async refusalsOf(company: string, eventIds: readonly string[]): Promise<Refusal[]> {
    const out: Refusal[] = [];
    for (const st of statements.refusalsOf(company, eventIds)) out.push(...(await all<RefusalRow>(this.all, st)).map(toRefusal));
    return out;
  }

  async addApiKey(k: NewApiKey): Promise<void> {
    checkApiKey(k);
    await this.change(SQL.addApiKey, [k.company, k.id, k.name, k.role, k.hash, k.createdAt]);
  }

  async apiKeys(company: string): Promise<ApiKeyRecord[]> {
    return (await this.all<ApiKeyRow>(SQL.apiKeys, [company])).map(toApiKey);
  }

  async apiKeyByHash(company: string, hash: string): Promise<ApiKeyRecord | undefined> {
    const row = await this.one<ApiKeyRow>(SQL.apiKeyByHash, [company, hash]);
    return row && toApiKey(row);
  }

  async revokeApiKey(company: string, id: string, at: string): Promise<ApiKeyRecord | undefined> {
    await this.change(SQL.revokeApiKey, [at, company, id]);
    const row = await this.one<ApiKeyRow>(SQL.apiKey, [company, id]);
    return row && toApiKey(row);
  }

  async markApiKeyUsed(company: string, id: string, at: string, since: string): Promise<void> {
    await this.change(SQL.markApiKeyUsed, [at, company, id, since]);
  }

  // ---- plumbing

  /** A statement's rows: inside a write's callback on its transaction, else on the dialect's reader. */
  private readonly all: Query = <R>(sql: string, params: readonly unknown[]): Promise<R[]> => {
    const tx = this.als.getStore();
    if (tx?.active) return tx.query<R>(sql, params);
    return this.d.read((s) => s.all<R>(sql, params));
  };

  private async one<R>(sql: string, params: readonly unknown[]): Promise<R | undefined> {
    return (await this.all<R>(sql, params))[0];
  }

  /** One statement that changes configuration rows: inside a write's callback part of that transaction, else its own. */
  private async change(sql: string, params: readonly unknown[]): Promise<void> {
    this.d.checkOpen();
    if (this.als.getStore()?.active) await this.all(sql, params);
    else await this.d.change(sql, params);
  }
}
