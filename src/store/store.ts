/**
 * The ledger store: where events and their journals are kept, append-only. Two dialects stand
 * behind this one interface — SQLite (better-sqlite3, the embedded default) and PostgreSQL
 * (pg) — and one test suite runs against both.
 *
 * Writes happen inside `write(company, fn)`: one transaction that holds the company's write
 * lock, so an event, its journals and their corrections commit together or not at all, and
 * writers in other processes queue behind it. Nothing is ever updated or deleted in the
 * events or journals tables.
 */
import type { Journal } from '../posting/journal.js';
import type { DatedEvent, DatedEventType, DatedQuery } from './dated-events.js';

export interface CompanyRecord {
  id: string;
  name: string;
  /** The company configuration as documented in docs/config.md (JSON). */
  config: unknown;
}

/** A company as stored: its record and the version of its configuration (1, then +1 at each write). */
export interface StoredCompany extends CompanyRecord {
  configVersion: bigint;
}

export interface StoredEvent {
  /** Position in the company's append order (1, 2, 3, …). */
  seq: bigint;
  id: string;
  type: string;
  /** The event's own JSON, as accepted. */
  body: string;
}

export interface NewEvent {
  id: string;
  type: string;
  date: string;
  body: string;
}

export interface JournalFilter {
  from?: string | undefined;
  to?: string | undefined;
  account?: string | undefined;
  event?: string | undefined;
  /** Page after this journal sequence number. */
  afterSeq?: bigint | undefined;
  limit?: number | undefined;
}

export interface StoredJournal extends Journal {
  /** Append position of the journal within the company. */
  seq: bigint;
  /** Append position of the event whose posting wrote it. */
  eventSeq: bigint;
}

/** A journal without its lines (what a listing reads). */
export type JournalHeader = Omit<StoredJournal, 'lines'>;

/** Journal headers after a position (at most `limit`, in seq order), or by their ids, or by their events' ids. */
export type HeaderQuery = { afterSeq: bigint; limit: number } | { ids: readonly string[] } | { events: readonly string[] };

/** How many journals a company holds of one kind and event type. */
export interface JournalCount {
  kind: Journal['kind'];
  eventType: string;
  n: bigint;
}

/** Where a line stands in GL order: (date, journal seq, line number). */
export interface LinePosition {
  date: string;
  journalSeq: bigint;
  lineNo: number;
}

/** One journal line on an account, with its journal (a GL detail row). */
export interface AccountLine extends LinePosition {
  journal: string;
  kind: string;
  event: string;
  eventType: string;
  /** Signed minor units: debit positive. */
  amount: bigint;
  memo: string | undefined;
  journalMemo: string | undefined;
  product: string | undefined;
  warehouse: string | undefined;
}

export interface AccountLinesQuery {
  from?: string | undefined;
  to?: string | undefined;
  /** Only lines after this position. */
  after?: LinePosition | undefined;
  /** At most this many lines. */
  limit: number;
}

/** An account's movement in a month (signed minor units: debit positive). */
export interface MonthlyMovement {
  account: string;
  /** YYYY-MM. */
  month: string;
  amount: bigint;
}

export interface AccountBalance {
  account: string;
  /** Signed minor units: debit positive. */
  balance: bigint;
}

/** What a sync log row records (docs/sync.md): see src/sync/state.ts for how rows fold into a state. */
export const SYNC_ACTIONS = ['hold', 'release', 'claim', 'posted', 'failed', 'aborted', 'reset', 'voided', 'run', 'token'] as const;
export type SyncAction = (typeof SYNC_ACTIONS)[number];

export interface SyncEntry {
  /** Append position within the company's sync log. */
  seq: bigint;
  /** The accounting target, e.g. "xero". */
  target: string;
  /** Record id ("" for run summaries and token sets). */
  record: string;
  /** The record's posting version: 1, then +1 at each re-post. */
  version: number;
  action: SyncAction;
  run: string | undefined;
  /** ISO 8601 timestamp, from the caller's clock. */
  at: string;
  /** JSON payload of the action (target ids, warnings, failure…). */
  data: string | undefined;
}

export type NewSyncEntry = Omit<SyncEntry, 'seq'>;

export interface SyncQuery {
  /** Only this record's rows (by the (company, target, record, seq) index, migration 10). */
  record?: string | undefined;
  /** Only rows after this append position. */
  afterSeq?: bigint | undefined;
  actions?: readonly SyncAction[] | undefined;
  /** Newest first, at most this many. */
  last?: number | undefined;
}

/** An API key as the ledger keeps it: its SHA-256 hash, never the key (src/api/keys.ts). */
export interface ApiKeyRecord {
  company: string;
  id: string;
  name: string;
  role: string;
  /** SHA-256 of the whole key, lower-case hex. */
  hash: string;
  createdAt: string;
  /** When a request last used it, to the minute (ISO 8601); undefined if never. */
  lastUsedAt: string | undefined;
  /** When it was revoked (ISO 8601); undefined while it opens the API. */
  revokedAt: string | undefined;
}

export type NewApiKey = Omit<ApiKeyRecord, 'lastUsedAt' | 'revokedAt'>;

/** An event the ledger refused (src/ledger/refusals.ts): not a ledger event, a note that it was refused. */
export interface Refusal {
  /** The refused event's id. */
  event: string;
  /** SHA-256 of the event's canonical JSON: the same id with other content is another event. */
  hash: string;
  /** The failure code it was refused with. */
  code: string;
  /** When it was first refused (ISO 8601). */
  at: string;
}

/**
 * The costing state (src/store/costing.ts) as the store keeps it: text and integers, given
 * meaning by src/ledger/costing-codec.ts. Derived from the events and versioned (each row has
 * the seq of the write that last touched it).
 */
export interface CostingMeta {
  /** Digest of the configuration that decides costs: a state built under another is rebuilt. */
  costing: string;
  /** The last event seq the state includes. */
  through: bigint;
  /** The earliest and latest dates of those events (undefined while there are none). */
  span: DateSpan | undefined;
}

/** The first and last dates of a company's events (YYYY-MM-DD). */
export interface DateSpan {
  first: string;
  last: string;
}

export interface CostingEventRow {
  id: string;
  seq: bigint;
  version: bigint;
  /** The event's costs and links (JSON). */
  state: string;
  /** The event's own body (events.body). */
  body: string;
}

export interface CostingPoolRow {
  pool: string;
  product: string;
  warehouse: string;
  version: bigint;
  /** How many entries the pool's history has. */
  entries: number;
  lastKey: string;
  /** On hand now. */
  qty: bigint;
  value: bigint;
  /** The pool's layers and totals (JSON). */
  state: string;
}

export interface CostingEntry {
  idx: number;
  key: string;
  event: string;
  move: number;
  qty: bigint;
  value: bigint;
}

export interface CostingCheckpoint {
  /** The state after the pool's first `idx` entries. */
  idx: number;
  state: string;
}

export interface OnHandRow {
  pool: string;
  product: string;
  warehouse: string;
  qty: bigint;
  value: bigint;
}

/** What one write changes in the costing state; every row written gets version `meta.through`. */
export interface CostingWrite {
  events: { id: string; seq: bigint; state: string }[];
  pools: Omit<CostingPoolRow, 'version'>[];
  /** A pool's entries from `from` on (`truncate`: drop the stored ones from `from` first); each pool at most once, as for checkpoints and events. */
  entries: { pool: string; from: number; truncate: boolean; rows: CostingEntry[] }[];
  /** A pool's checkpoints that changed: `rows` put (each replacing any stored at its idx), `drop` the idx of stored ones gone. */
  checkpoints: { pool: string; rows: CostingCheckpoint[]; drop: number[] }[];
  meta: CostingMeta;
}

/** The costing state's reads for one company. */
export interface CostingReads {
  meta(): Promise<CostingMeta | undefined>;
  /** The states of these events (any number of ids), with their bodies. */
  events(ids: readonly string[]): Promise<CostingEventRow[]>;
  /** The stored bodies of these events (any number of ids; ids not stored are absent). */
  bodies(ids: readonly string[]): Promise<{ id: string; body: string }[]>;
  /** Event states by seq in (after, after + limit], in seq order. */
  eventsPage(after: bigint, limit: number): Promise<CostingEventRow[]>;
  pools(keys: readonly string[]): Promise<CostingPoolRow[]>;
  /** Every pool of the company (one row per product and warehouse that has moved). */
  allPools(): Promise<CostingPoolRow[]>;
  checkpoints(pool: string): Promise<CostingCheckpoint[]>;
  /** The checkpoints of several pools (pool key → its checkpoints by idx; a pool without any is absent). */
  poolCheckpoints(pools: readonly string[]): Promise<Map<string, CostingCheckpoint[]>>;
  /** A pool's entries with idx in [from, to). */
  entries(pool: string, from: number, to: number): Promise<CostingEntry[]>;
  /** The idx of the pool's first entry at or after an order key; undefined when every entry is before it. */
  entryAtKey(pool: string, key: string): Promise<number | undefined>;
  /** Every pool that has moved, with its on-hand figures after its last entry at or before an order key. */
  onHandAsOf(key: string): Promise<OnHandRow[]>;
  /** The void events after a seq, in seq order: the id of each and of the event it voids. */
  voids(afterSeq: bigint): Promise<{ seq: bigint; id: string; target: string }[]>;
  /** Ids of the events and pools a write after `seq` changed. */
  changedSince(seq: bigint): Promise<{ events: string[]; pools: string[] }>;
  /** Balances of these accounts (those with no day totals are absent). */
  accountBalances(accounts: readonly string[]): Promise<Map<string, bigint>>;
  /** These accounts' day totals dated from `from` to `to` (rows that exist). */
  accountDays(accounts: readonly string[], from: string, to: string): Promise<[account: string, date: string, amount: bigint][]>;
}

export interface CostingTx extends CostingReads {
  write(w: CostingWrite): Promise<void>;
  /** Drops the company's costing state (before a rebuild). */
  clear(): Promise<void>;
}

export interface WriteTx {
  /** The company's costing state, read and written in this transaction. */
  readonly costing: CostingTx;
  /** The company's last event seq, this transaction's appends included. */
  readonly lastEventSeq: bigint;
  /** Events appended after `seq` (by any process): lets a writer catch up under the lock. */
  eventsAfter(seq: bigint): Promise<StoredEvent[]>;
  /** Appends an event; its id must be new for the company (the caller checked). Returns its seq. */
  appendEvent(e: NewEvent): Promise<bigint>;
  /** Appends the journals an event's posting produced, in order. */
  appendJournals(eventSeq: bigint, journals: readonly Journal[]): Promise<void>;
  /** Appends sync log rows (the caller holds the company lock, so claims cannot race). */
  appendSync(entries: readonly NewSyncEntry[]): Promise<void>;
  /** Notes refused events; one already noted (same id and hash) keeps its first note. */
  appendRefusals(refusals: readonly Refusal[]): Promise<void>;
}

export interface LedgerStore {
  readonly dialect: 'sqlite' | 'postgres';
  /** Applies pending migrations (idempotent, safe to run from several processes). */
  migrate(): Promise<void>;
  close(): Promise<void>;
  putCompany(c: CompanyRecord): Promise<void>;
  getCompany(id: string): Promise<StoredCompany | undefined>;
  /** The version of the company's configuration alone (one integer read): undefined for an unknown company. */
  configVersion(id: string): Promise<bigint | undefined>;
  listCompanies(): Promise<StoredCompany[]>;
  /** One transaction under the company's write lock; rolled back if `fn` throws. */
  write<T>(company: string, fn: (tx: WriteTx) => Promise<T>): Promise<T>;
  eventsAfter(company: string, seq: bigint, limit?: number): Promise<StoredEvent[]>;
  findEvent(company: string, id: string): Promise<StoredEvent | undefined>;
  /** The company's costing state, committed data (src/store/costing.ts). */
  costing(company: string): CostingReads;
  /** How many events the company holds (their last seq: events are numbered without gaps). */
  countEvents(company: string): Promise<bigint>;
  journals(company: string, filter?: JournalFilter): Promise<StoredJournal[]>;
  /** Journal headers (no lines), in seq order. */
  journalHeaders(company: string, query: HeaderQuery): Promise<JournalHeader[]>;
  /** The company's journal counts by kind and event type, as kept (`recount`: counted from the journals, for `verify`). */
  journalCounts(company: string, recount?: boolean): Promise<JournalCount[]>;
  /** Journals written by one event's posting (its original, reversal or corrections). */
  journalsOfEvent(company: string, eventSeq: bigint): Promise<StoredJournal[]>;
  /** Lines on an account in GL order (date, journal seq, line), one page after a position. */
  accountLines(company: string, account: string, query: AccountLinesQuery): Promise<AccountLine[]>;
  /** An account's balance over its lines up to and including a position. */
  balanceThrough(company: string, account: string, position: LinePosition): Promise<bigint>;
  /** Balance per account over journal lines dated on or before `asOf` (all when omitted). */
  trialBalance(company: string, asOf?: string): Promise<AccountBalance[]>;
  /**
   * Each account's movement per calendar month (YYYY-MM) over dates in (after, through]: the
   * day totals of those dates summed by month, for the listed accounts only (any number).
   */
  monthlyMovements(company: string, accounts: readonly string[], after: string, through: string): Promise<MonthlyMovement[]>;
  /** Balance per account summed from the day totals (verify proves the kept balances equal to it). */
  recountBalances(company: string): Promise<AccountBalance[]>;
  /** One page of a report type's events dated in a range, in (date, seq) order (src/store/dated-events.ts). */
  datedEvents(company: string, type: DatedEventType, query: DatedQuery): Promise<DatedEvent[]>;
  /** Sync log rows of a target, oldest first (or the newest `last`, newest first). Inside write(): sees that transaction's rows. */
  syncEntries(company: string, target: string, query?: SyncQuery): Promise<SyncEntry[]>;
  /** The refusals noted for these event ids (any number of ids). Inside write(): sees that transaction's rows. */
  refusalsOf(company: string, eventIds: readonly string[]): Promise<Refusal[]>;
  /** Stores a new API key (its id and hash are new). */
  addApiKey(key: NewApiKey): Promise<void>;
  /** The company's API keys, revoked ones too, oldest first. */
  apiKeys(company: string): Promise<ApiKeyRecord[]>;
  /** The company's key with this hash, revoked or not. Read from the store on every call: no cache. */
  apiKeyByHash(company: string, hash: string): Promise<ApiKeyRecord | undefined>;
  /** Revokes a key (a revoked key stays revoked, with its first time); the key after it, or undefined if there is none. */
  revokeApiKey(company: string, id: string, at: string): Promise<ApiKeyRecord | undefined>;
  /** Records a use of the key at `at`, unless one at or after `since` is already recorded. */
  markApiKeyUsed(company: string, id: string, at: string, since: string): Promise<void>;
}

/** Sees each statement a store runs, with its parameters (test/query-plans.test.ts lists them this way). */
export type Trace = (sql: string, params: readonly unknown[]) => void;
