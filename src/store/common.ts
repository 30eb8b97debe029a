/**
 * What the two dialects share: row mappings, input checks, and the in-process locks (their
 * statements are in statements.ts). Nothing here knows a driver.
 */
import { isBalanced, type Journal, type JournalLine } from '../posting/journal.js';
import { byCodePoint } from '../domain/values.js';
import { SYNC_ACTIONS, type AccountBalance, type AccountLine, type ApiKeyRecord, type NewApiKey, type NewSyncEntry, type Refusal, type StoredCompany, type StoredEvent, type JournalHeader, type StoredJournal, type SyncAction, type SyncEntry } from './store.js';

/** An exact integer from a driver: better-sqlite3 (safe integers) gives bigint, pg gives int8/numeric as a string. */
export function big(v: unknown): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  // A JS number here would mean a driver lost precision: refuse rather than guess.
  throw new TypeError(`expected an exact integer from the database, got ${typeof v} ${String(v)}`);
}

export function opt(v: unknown): string | undefined {
  return v === null || v === undefined ? undefined : String(v);
}

export function nullable(v: string | undefined): string | null {
  return v === undefined ? null : v;
}

export function checkLimit(limit: number | undefined): void {
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) throw new RangeError(`limit must be a non-negative integer, got ${String(limit)}`);
}

export function checkSeq(seq: bigint, what = 'seq'): void {
  if (typeof seq !== 'bigint') throw new TypeError(`${what} must be a bigint`);
}

/** Checks every journal before anything is written: bigint amounts, known kind, balanced. */
export function checkJournals(journals: readonly Journal[]): void {
  for (const j of journals) {
    if (j.kind !== 'original' && j.kind !== 'correction' && j.kind !== 'reversal') throw new TypeError(`journal ${j.id}: unknown kind ${String(j.kind)}`);
    for (const l of j.lines) if (typeof l.amount !== 'bigint') throw new TypeError(`journal ${j.id}: amounts must be bigint minor units, got ${typeof l.amount}`);
    if (!isBalanced(j.lines)) throw new RangeError(`journal ${j.id} does not balance`);
  }
}

export function checkEvent(e: { id: string; type: string; date: string; body: string }): void {
  for (const k of ['id', 'type', 'date', 'body'] as const) if (typeof e[k] !== 'string') throw new TypeError(`event ${k} must be a string`);
}

/** An INTEGER column: pg gives it as a (safe) number, better-sqlite3 as a bigint. */
export function smallInt(v: unknown): number {
  return typeof v === 'number' ? v : Number(big(v));
}

export interface EventRow {
  seq: unknown;
  id: string;
  type: string;
  body: string;
}

export function toEvent(r: EventRow): StoredEvent {
  return { seq: big(r.seq), id: r.id, type: r.type, body: r.body };
}

export interface CompanyRow {
  id: string;
  name: string;
  config: string;
  config_version: unknown;
}

export function toCompany(r: CompanyRow): StoredCompany {
  return { id: r.id, name: r.name, config: JSON.parse(r.config) as unknown, configVersion: big(r.config_version) };
}

export interface AccountLineRow {
  date: string;
  journal_seq: unknown;
  line_no: unknown;
  amount: unknown;
  product: string | null;
  warehouse: string | null;
  line_memo: string | null;
  id: string;
  kind: string;
  event_id: string;
  event_type: string;
  memo: string | null;
}

export function toAccountLine(r: AccountLineRow): AccountLine {
  return {
    date: r.date, journalSeq: big(r.journal_seq), lineNo: smallInt(r.line_no), journal: r.id, kind: r.kind, event: r.event_id, eventType: r.event_type,
    amount: big(r.amount), memo: opt(r.line_memo), journalMemo: opt(r.memo), product: opt(r.product), warehouse: opt(r.warehouse),
  };
}

export function configJson(config: unknown): string {
  const s = JSON.stringify(config);
  if (s === undefined) throw new TypeError('company config must be JSON');
  return s;
}

export interface JournalRow {
  seq: unknown;
  event_seq: unknown;
  id: string;
  event_id: string;
  event_type: string;
  kind: string;
  date: string;
  currency: string;
  cause: string | null;
  reverses: string | null;
  reference: string | null;
  memo: string | null;
  shifted_from: string | null;
  line_no: unknown;
  account: string | null;
  amount: unknown;
  product: string | null;
  warehouse: string | null;
  line_memo: string | null;
}

/** Groups joined rows into journals, in the shape the book builds (optional fields present, undefined when absent). */
/** A journal row's own columns (no line). */
export function toJournalHeader(r: Omit<JournalRow, 'line_no' | 'account' | 'amount' | 'product' | 'warehouse' | 'line_memo'>): JournalHeader {
  return {
    id: r.id,
    event: r.event_id,
    eventType: r.event_type,
    kind: r.kind as Journal['kind'],
    date: r.date,
    currency: r.currency,
    cause: opt(r.cause),
    reverses: opt(r.reverses),
    reference: opt(r.reference),
    memo: opt(r.memo),
    shiftedFrom: opt(r.shifted_from),
    seq: big(r.seq),
    eventSeq: big(r.event_seq),
  };
}

export function toJournals(rows: readonly JournalRow[]): StoredJournal[] {
  const out: StoredJournal[] = [];
  let cur: StoredJournal | undefined;
  for (const r of rows) {
    const seq = big(r.seq);
    if (cur === undefined || cur.seq !== seq) {
      cur = { ...toJournalHeader(r), lines: [] };
      out.push(cur);
    }
    if (r.line_no === null || r.line_no === undefined) continue; // a journal without lines
    const line: JournalLine = { account: String(r.account), amount: big(r.amount), memo: opt(r.line_memo), product: opt(r.product), warehouse: opt(r.warehouse) };
    cur.lines.push(line);
  }
  return out;
}

/**
 * A balance summed exactly in both dialects whatever the amounts: SQLite's SUM() of integers
 * throws on overflow (PostgreSQL's SUM(bigint) is numeric, which the row mapping takes as it
 * is), so the statements sum each amount as its high and low 32-bit halves — `amount >> 32`
 * (sign-extending) and `amount & 4294967295` — whose sums cannot overflow for fewer than 2^31
 * rows, and the halves are recombined here in bigint (statements.ts).
 */
export interface BalanceRow {
  account: string;
  hi: unknown;
  lo: unknown;
}

/** One balance from its summed halves. */
export function fromHalves(r: { hi: unknown; lo: unknown }): bigint {
  return (big(r.hi) << 32n) + big(r.lo);
}

/** The trial balance statement's rows as balances, by account code. */
export function toBalances(rows: readonly BalanceRow[]): AccountBalance[] {
  return rows.map((r) => ({ account: r.account, balance: fromHalves(r) })).sort((a, b) => byCodePoint(a.account, b.account));
}

/** Sorts by code point, the same in both dialects (SQLite's BINARY and PostgreSQL's "C" collation agree on UTF-8). */
export { byCodePoint };

/** An async mutex: a promise chain; callers run one at a time, in arrival order. */
export class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private waiting = 0;

  get busy(): boolean {
    return this.waiting > 0;
  }

  async run<T>(f: () => Promise<T>): Promise<T> {
    const prev = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    this.waiting++;
    try {
      await prev;
      return await f();
    } finally {
      this.waiting--;
      release();
    }
  }
}

/** One mutex per key, dropped when nobody holds or waits for it. */
export class KeyedMutex {
  private readonly locks = new Map<string, Mutex>();

  async run<T>(key: string, f: () => Promise<T>): Promise<T> {
    let m = this.locks.get(key);
    if (!m) this.locks.set(key, (m = new Mutex()));
    try {
      return await m.run(f);
    } finally {
      if (!m.busy && this.locks.get(key) === m) this.locks.delete(key);
    }
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const NOT_REENTRANT = 'store.write() was called inside write() on the same store; use the WriteTx you were given (nested writes would deadlock)';
export const TX_ENDED = 'this WriteTx has ended: it may only be used inside its write() callback';

export interface SyncRow {
  seq: unknown;
  target: string;
  record: string;
  version: unknown;
  action: string;
  run: string | null;
  at: string;
  data: string | null;
}

export function toSyncEntry(r: SyncRow): SyncEntry {
  const action = r.action as SyncAction;
  if (!(SYNC_ACTIONS as readonly string[]).includes(action)) throw new TypeError(`sync_log: unknown action ${r.action}`);
  return { seq: big(r.seq), target: r.target, record: r.record, version: smallInt(r.version), action, run: opt(r.run), at: r.at, data: opt(r.data) };
}

export function checkSyncEntries(entries: readonly NewSyncEntry[]): void {
  for (const e of entries) {
    if (!(SYNC_ACTIONS as readonly string[]).includes(e.action)) throw new TypeError(`sync entry: unknown action ${String(e.action)}`);
    if (!Number.isSafeInteger(e.version) || e.version < 0) throw new RangeError(`sync entry ${e.record}: version must be a non-negative integer`);
    for (const k of ['target', 'record', 'at'] as const) if (typeof e[k] !== 'string') throw new TypeError(`sync entry ${k} must be a string`);
  }
}


export interface ApiKeyRow {
  company: string;
  id: string;
  name: string;
  role: string;
  hash: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

export function toApiKey(r: ApiKeyRow): ApiKeyRecord {
  return { company: r.company, id: r.id, name: r.name, role: r.role, hash: r.hash, createdAt: r.created_at, lastUsedAt: opt(r.last_used_at), revokedAt: opt(r.revoked_at) };
}

export function checkApiKey(k: NewApiKey): void {
  for (const f of ['company', 'id', 'name', 'role', 'hash', 'createdAt'] as const) if (typeof k[f] !== 'string' || k[f] === '') throw new TypeError(`api key ${f} must be a non-empty string`);
}

export function checkRefusals(list: readonly Refusal[]): void {
  for (const r of list) for (const f of ['event', 'hash', 'code', 'at'] as const) if (typeof r[f] !== 'string') throw new TypeError(`refusal ${f} must be a string`);
}

export interface RefusalRow {
  event_id: string;
  hash: string;
  code: string;
  at: string;
}

export function toRefusal(r: RefusalRow): Refusal {
  return { event: r.event_id, hash: r.hash, code: r.code, at: r.at };
}

/** Ids in slices small enough for one statement's parameters in either dialect. */
export function* idSlices(ids: readonly string[], size = 500): Generator<string[]> {
  const unique = [...new Set(ids)];
  for (let i = 0; i < unique.length; i += size) yield unique.slice(i, i + size);
}
