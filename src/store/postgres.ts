/**
 * The PostgreSQL ledger store (pg).
 *
 * - One schema per store (`schema`, default `public`), set as each pooled connection's
 *   search_path; tests use a throwaway schema.
 * - int8 and numeric come back from pg as strings and are turned into bigint by the row
 *   mapping (`big`), never into a JS number.
 * - Writes: an in-process mutex per company (so waiting writers do not each hold a pooled
 *   connection), then a pooled client, BEGIN, a transaction-level advisory lock on
 *   (stockbook, hash of schema and company) that serialises writers of the company across
 *   processes, the callback, COMMIT — or ROLLBACK if it throws. A failed statement dooms the
 *   transaction even if the callback catches the error: write() then rolls back and rethrows.
 * - Reads made inside a write's callback (through the store, in the same async context) run on
 *   the write's connection and see its uncommitted rows, as in SQLite; other reads use the pool.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import pg from 'pg';
import type { Journal } from '../posting/journal.js';
import { MIGRATIONS_TABLE, pending } from './migrations.js';
import {
  checkApiKey, checkRefusals, toApiKey, toRefusal, type ApiKeyRow, type RefusalRow,
  big, byCodePoint, checkEvent, checkJournals, checkSyncEntries, toSyncEntry, type SyncRow, checkSeq, configJson, KeyedMutex, NOT_REENTRANT, nullable,
  toAccountLine, toCompany, toEvent, toJournals, TX_ENDED, type AccountLineRow, type CompanyRow, type EventRow, type JournalRow, toBalances, fromHalves, type BalanceRow,
} from './common.js';
import * as statements from './statements.js';
import { numbered, SQL, type Statement } from './statements.js';
import type {
  AccountBalance, AccountLine, AccountLinesQuery, ApiKeyRecord, CompanyRecord, JournalFilter, LedgerStore, LinePosition, NewApiKey, NewEvent, NewSyncEntry, Refusal, StoredCompany, StoredEvent, StoredJournal, SyncEntry, SyncQuery, Trace, WriteTx,
} from './store.js';

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

type Query = <R>(sql: string, params: unknown[]) => Promise<R[]>;

/** The reads, shared with SQLite (statements.ts), on the transaction's connection or the pool. */
const q = {
  async events(run: Query, company: string, seq: bigint, limit?: number): Promise<StoredEvent[]> {
    return (await runOf<EventRow>(run, statements.eventsAfter(company, seq, limit))).map(toEvent);
  },
  async journals(run: Query, company: string, f: JournalFilter): Promise<StoredJournal[]> {
    return statements.keepAccount(toJournals(await runOf<JournalRow>(run, statements.journals(company, f))), f);
  },
  async journalsOfEvent(run: Query, company: string, eventSeq: bigint): Promise<StoredJournal[]> {
    checkSeq(eventSeq, 'eventSeq');
    return toJournals(await run<JournalRow>(SQL.journalsOfEvent, [company, eventSeq]));
  },
};

/** Runs a shared statement. */
function runOf<R>(run: Query, st: Statement): Promise<R[]> {
  return run<R>(st.sql, st.params);
}

/** This dialect's writes (the reads are shared: statements.ts): rows go in bulk, one statement per table. */
export const WRITES = {
  events: `INSERT INTO events (company, seq, id, type, date, body)
         SELECT $1, t.* FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[]) AS t(seq, id, type, date, body)`,
  journals: `INSERT INTO journals (company, seq, event_seq, id, event_id, event_type, kind, date, currency, cause, reverses, reference, memo, shifted_from)
         SELECT $1, t.* FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])
           AS t(seq, event_seq, id, event_id, event_type, kind, date, currency, cause, reverses, reference, memo, shifted_from)`,
  lines: `INSERT INTO journal_lines (company, journal_seq, line_no, account, amount, product, warehouse, memo, date)
         SELECT $1, t.* FROM unnest($2::bigint[], $3::int[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[])
           AS t(journal_seq, line_no, account, amount, product, warehouse, memo, date)`,
  dayTotals: `INSERT INTO account_day_totals (company, account, date, amount)
         SELECT $1, t.account, t.date, SUM(t.amount) FROM unnest($2::text[], $3::text[], $4::bigint[]) AS t(account, date, amount)
         GROUP BY t.account, t.date
         ON CONFLICT (company, account, date) DO UPDATE SET amount = account_day_totals.amount + excluded.amount`,
  sync: `INSERT INTO sync_log (company, seq, target, record, version, action, run, at, data)
       SELECT $1, (SELECT COALESCE(MAX(seq), 0) FROM sync_log WHERE company = $1) + t.n, t.target, t.record, t.version, t.action, t.run, t.at, t.data
       FROM unnest($2::bigint[], $3::text[], $4::text[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[]) AS t(n, target, record, version, action, run, at, data)`,
} as const;

class PgTx implements WriteTx {
  active = true;
  failure: { error: unknown } | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(
    private readonly client: pg.PoolClient,
    readonly company: string,
    private lastEvent: bigint,
    private lastJournal: bigint,
    private readonly run: (client: pg.PoolClient, sql: string, params: unknown[]) => Promise<unknown[]>,
  ) {}

  /**
   * Appended rows wait here and go to the server in bulk (three INSERT … unnest statements),
   * before any other statement of the transaction and before COMMIT: one round trip per
   * table per batch instead of several per event.
   */
  private pending = emptyPending();

  /** A statement on the transaction's connection (after the pending rows); any failure dooms the transaction. */
  readonly query: Query = async <R>(sql: string, params: unknown[]): Promise<R[]> => {
    await this.flush();
    return this.exec<R>(sql, params);
  };

  async flush(): Promise<void> {
    const P = this.pending;
    if (P.events.seq.length === 0 && P.journals.seq.length === 0) return;
    this.pending = emptyPending();
    const E = P.events;
    if (E.seq.length > 0) {
      await this.exec(
        WRITES.events,
        [this.company, E.seq, E.id, E.type, E.date, E.body],
      );
    }
    const J = P.journals;
    if (J.seq.length > 0) {
      await this.exec(
        WRITES.journals,
        [this.company, J.seq, J.eventSeq, J.id, J.ev, J.et, J.kind, J.date, J.cur, J.cause, J.rev, J.ref, J.memo, J.shifted],
      );
    }
    const L = P.lines;
    if (L.seq.length > 0) {
      await this.exec(
        WRITES.lines,
        [this.company, L.seq, L.no, L.acct, L.amt, L.prod, L.wh, L.memo, L.date],
      );
      await this.exec(
        WRITES.dayTotals,
        [this.company, L.acct, L.date, L.amt],
      );
    }
  }

  private readonly exec: Query = async <R>(sql: string, params: unknown[]): Promise<R[]> => {
    if (!this.active) throw new Error(TX_ENDED);
    if (this.failure) throw this.failure.error;
    const p = this.run(this.client, sql, params);
    this.inFlight.add(p);
    try {
      return (await p) as R[];
    } catch (e) {
      this.failure ??= { error: e };
      throw e;
    } finally {
      this.inFlight.delete(p);
    }
  };

  /** Waits for statements the callback started but did not await. */
  async settle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private doom(e: unknown): never {
    this.failure ??= { error: e };
    throw e;
  }

  async eventsAfter(seq: bigint): Promise<StoredEvent[]> {
    return q.events(this.query, this.company, seq);
  }

  async appendEvent(e: NewEvent): Promise<bigint> {
    if (!this.active) throw new Error(TX_ENDED);
    try {
      checkEvent(e);
    } catch (x) {
      this.doom(x);
    }
    // Numbers are handed out before the first await, so concurrent calls cannot share one.
    const seq = ++this.lastEvent;
    const E = this.pending.events;
    E.seq.push(seq); E.id.push(e.id); E.type.push(e.type); E.date.push(e.date); E.body.push(e.body);
    return seq;
  }

  async appendJournals(eventSeq: bigint, journals: readonly Journal[]): Promise<void> {
    if (!this.active) throw new Error(TX_ENDED);
    try {
      checkSeq(eventSeq, 'eventSeq');
      checkJournals(journals);
    } catch (x) {
      this.doom(x);
    }
    const J = this.pending.journals;
    const L = this.pending.lines;
    for (const j of journals) {
      const seq = ++this.lastJournal;
      J.seq.push(seq); J.eventSeq.push(eventSeq); J.id.push(j.id); J.ev.push(j.event); J.et.push(j.eventType); J.kind.push(j.kind); J.date.push(j.date); J.cur.push(j.currency);
      J.cause.push(nullable(j.cause)); J.rev.push(nullable(j.reverses)); J.ref.push(nullable(j.reference)); J.memo.push(nullable(j.memo)); J.shifted.push(nullable(j.shiftedFrom));
      j.lines.forEach((l, i) => {
        L.seq.push(seq); L.no.push(i + 1); L.acct.push(l.account); L.amt.push(l.amount); L.prod.push(nullable(l.product)); L.wh.push(nullable(l.warehouse)); L.memo.push(nullable(l.memo)); L.date.push(j.date);
      });
    }
  }

  async appendSync(entries: readonly NewSyncEntry[]): Promise<void> {
    if (!this.active) throw new Error(TX_ENDED);
    try {
      checkSyncEntries(entries);
    } catch (x) {
      this.doom(x);
    }
    if (entries.length === 0) return;
    // Under the company lock: nobody else appends to this company's log.
    await this.query(
      WRITES.sync,
      [this.company, entries.map((_, i) => BigInt(i + 1)), entries.map((e) => e.target), entries.map((e) => e.record), entries.map((e) => e.version), entries.map((e) => e.action),
        entries.map((e) => nullable(e.run)), entries.map((e) => e.at), entries.map((e) => nullable(e.data))],
    );
  }

  async appendRefusals(refusals: readonly Refusal[]): Promise<void> {
    if (!this.active) throw new Error(TX_ENDED);
    try {
      checkRefusals(refusals);
    } catch (x) {
      this.doom(x);
    }
    if (refusals.length === 0) return;
    for (const st of statements.addRefusals(this.company, refusals)) await runOf(this.query, st);
  }
}

/** Column arrays of rows appended but not yet sent. */
function emptyPending() {
  return {
    events: { seq: [] as bigint[], id: [] as string[], type: [] as string[], date: [] as string[], body: [] as string[] },
    journals: { seq: [] as bigint[], eventSeq: [] as bigint[], id: [] as string[], ev: [] as string[], et: [] as string[], kind: [] as string[], date: [] as string[], cur: [] as string[], cause: [] as (string | null)[], rev: [] as (string | null)[], ref: [] as (string | null)[], memo: [] as (string | null)[], shifted: [] as (string | null)[] },
    lines: { seq: [] as bigint[], no: [] as number[], acct: [] as string[], amt: [] as bigint[], prod: [] as (string | null)[], wh: [] as (string | null)[], memo: [] as (string | null)[], date: [] as string[] },
  };
}

function quoteIdent(s: string): string {
  return `"${s.replace(/"/g, '""')}"`;
}

export class PostgresStore implements LedgerStore {
  readonly dialect = 'postgres' as const;
  readonly schema: string;
  private readonly pool: pg.Pool;
  private readonly als = new AsyncLocalStorage<PgTx>();
  private readonly companyLocks = new KeyedMutex();
  private readonly lockTimeoutMs: number;
  private readonly trace: Trace | undefined;
  private closed = false;

  constructor(connectionString: string, opts: PostgresStoreOptions = {}) {
    this.trace = opts.trace;
    const schema = opts.schema ?? 'public';
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new RangeError(`schema must be a lower-case SQL identifier, got "${schema}"`);
    this.schema = schema;
    this.lockTimeoutMs = opts.lockTimeoutMs ?? 60_000;
    // The schema is a startup parameter of every connection, so no statement can run before it
    // is set (a SET queued on 'connect' raced the first query: pg 8 deprecates that, pg 9 refuses it).
    this.pool = new pg.Pool({ connectionString, max: opts.max ?? 10, options: `-c search_path=${schema}` });
    const onIdleError = opts.onIdleError ?? (() => undefined);
    this.pool.on('error', onIdleError);
  }

  async migrate(): Promise<void> {
    if (this.als.getStore()?.active) throw new Error(NOT_REENTRANT);
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS + LOCK_MIGRATE, this.schema]);
      const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [this.schema]);
      if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdent(this.schema)}`);
      await client.query(MIGRATIONS_TABLE.postgres);
      const applied = new Set((await client.query<{ version: number }>('SELECT version FROM schema_migrations')).rows.map((r) => r.version));
      for (const m of pending(applied)) {
        await client.query(m.postgres);
        await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [m.version, m.name]);
      }
    });
  }

  /** Applied migrations, in order (for tests and diagnostics). */
  async migrations(): Promise<{ version: number; name: string }[]> {
    return this.run<{ version: number; name: string }>(SQL.migrations, []);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.pool.end();
  }

  async putCompany(c: CompanyRecord): Promise<void> {
    await this.run(SQL.putCompany, [c.id, c.name, configJson(c.config)]);
  }

  async getCompany(id: string): Promise<StoredCompany | undefined> {
    const [row] = await this.run<CompanyRow>(SQL.company, [id]);
    return row && toCompany(row);
  }

  async configVersion(id: string): Promise<bigint | undefined> {
    const [row] = await this.run<{ config_version: unknown }>(SQL.configVersion, [id]);
    return row && big(row.config_version);
  }

  async listCompanies(): Promise<StoredCompany[]> {
    const rows = await this.run<CompanyRow>(SQL.companies, []);
    return rows.map(toCompany).sort((a, b) => byCodePoint(a.id, b.id));
  }

  async write<T>(company: string, fn: (tx: WriteTx) => Promise<T>): Promise<T> {
    this.checkOpen();
    if (this.als.getStore()?.active) throw new Error(NOT_REENTRANT);
    return this.companyLocks.run(company, () =>
      this.transaction(async (client) => {
        await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS + LOCK_COMPANY, `${this.schema}:${company}`]);
        // Under the lock nobody else appends to the company: the next numbers are ours to hand out.
        this.trace?.(SQL.lastSeqs, [company, company]);
        const { rows } = await client.query<{ e: string; j: string }>(this.numbered(SQL.lastSeqs), [company, company]);
        const tx = new PgTx(client, company, big(rows[0]!.e), big(rows[0]!.j), this.exec);
        try {
          const out = await this.als.run(tx, () => fn(tx));
          await tx.settle();
          if (tx.failure) throw tx.failure.error;
          await tx.flush();
          return out;
        } finally {
          tx.active = false;
        }
      }),
    );
  }

  async eventsAfter(company: string, seq: bigint, limit?: number): Promise<StoredEvent[]> {
    return q.events(this.query, company, seq, limit);
  }

  async findEvent(company: string, id: string): Promise<StoredEvent | undefined> {
    const [row] = await this.run<EventRow>(SQL.event, [company, id]);
    return row && toEvent(row);
  }

  async countEvents(company: string): Promise<bigint> {
    const [row] = await this.run<{ n: string }>(SQL.lastEventSeq, [company]);
    return big(row!.n);
  }

  async journals(company: string, filter: JournalFilter = {}): Promise<StoredJournal[]> {
    if (filter.limit === 0) return [];
    return q.journals(this.query, company, filter);
  }

  async journalsOfEvent(company: string, eventSeq: bigint): Promise<StoredJournal[]> {
    return q.journalsOfEvent(this.query, company, eventSeq);
  }

  async accountLines(company: string, account: string, query: AccountLinesQuery): Promise<AccountLine[]> {
    if (query.limit === 0) return [];
    return (await runOf<AccountLineRow>(this.query, statements.accountLines(company, account, query))).map(toAccountLine);
  }

  async balanceThrough(company: string, account: string, at: LinePosition): Promise<bigint> {
    checkSeq(at.journalSeq, 'journalSeq');
    const [row] = await this.run<{ hi: unknown; lo: unknown }>(SQL.balanceThrough, [company, account, at.date, company, account, at.date, at.journalSeq, at.lineNo]);
    return fromHalves(row!);
  }

  async trialBalance(company: string, asOf?: string): Promise<AccountBalance[]> {
    const sql = asOf === undefined ? SQL.trialBalance : SQL.trialBalanceAsOf;
    return toBalances(await this.run<BalanceRow>(sql, asOf === undefined ? [company] : [company, asOf]));
  }

  async syncEntries(company: string, target: string, query: SyncQuery = {}): Promise<SyncEntry[]> {
    return (await runOf<SyncRow>(this.query, statements.syncEntries(company, target, query))).map(toSyncEntry);
  }

  async refusalsOf(company: string, eventIds: readonly string[]): Promise<Refusal[]> {
    const out: Refusal[] = [];
    for (const st of statements.refusalsOf(company, eventIds)) out.push(...(await runOf<RefusalRow>(this.query, st)).map(toRefusal));
    return out;
  }

  async addApiKey(k: NewApiKey): Promise<void> {
    checkApiKey(k);
    await this.run(SQL.addApiKey, [k.company, k.id, k.name, k.role, k.hash, k.createdAt]);
  }

  async apiKeys(company: string): Promise<ApiKeyRecord[]> {
    return (await this.run<ApiKeyRow>(SQL.apiKeys, [company])).map(toApiKey);
  }

  async apiKeyByHash(company: string, hash: string): Promise<ApiKeyRecord | undefined> {
    const [row] = await this.run<ApiKeyRow>(SQL.apiKeyByHash, [company, hash]);
    return row && toApiKey(row);
  }

  async revokeApiKey(company: string, id: string, at: string): Promise<ApiKeyRecord | undefined> {
    await this.run(SQL.revokeApiKey, [at, company, id]);
    const [row] = await this.run<ApiKeyRow>(SQL.apiKey, [company, id]);
    return row && toApiKey(row);
  }

  async markApiKeyUsed(company: string, id: string, at: string, since: string): Promise<void> {
    await this.run(SQL.markApiKeyUsed, [at, company, id, since]);
  }

  // ---- plumbing

  private checkOpen(): void {
    if (this.closed) throw new Error('the store is closed');
  }

  /** A statement: inside a write's callback on its transaction, else on the pool. */
  private readonly query: Query = async <R>(sql: string, params: unknown[]): Promise<R[]> => {
    const tx = this.als.getStore();
    if (tx?.active) return tx.query<R>(sql, params);
    this.checkOpen();
    this.trace?.(sql, params);
    return (await this.pool.query(this.numbered(sql), params)).rows as R[];
  };

  /** A statement on a transaction's client (traced, placeholders numbered). */
  private readonly exec = async <R>(client: pg.PoolClient, sql: string, params: unknown[]): Promise<R[]> => {
    this.trace?.(sql, params);
    return (await client.query(this.numbered(sql), params)).rows as R[];
  };

  private readonly numberedSql = new Map<string, string>();

  private numbered(sql: string): string {
    let out = this.numberedSql.get(sql);
    if (out === undefined) this.numberedSql.set(sql, (out = numbered(sql)));
    return out;
  }

  private run<R>(sql: string, params: unknown[]): Promise<R[]> {
    return this.query<R>(sql, params);
  }

  /** BEGIN … COMMIT on a pooled client, ROLLBACK if `f` throws; a client that fails to roll back is discarded. */
  private async transaction<T>(f: (client: pg.PoolClient) => Promise<T>): Promise<T> {
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
