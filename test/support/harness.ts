/**
 * Helpers for the property tests: apply raw JSON events to a book through the public parser,
 * take comparable snapshots (GL balances and on-hand per pool), and check the invariants that
 * must hold after every event.
 */
import assert from 'node:assert/strict';
import { Book, parseEvent, type BookEvent, type Company, type Journal, type Result, type Applied, type ErrorCode } from '../../src/index.js';
import { PRODUCTS, WAREHOUSES, type RawEvent } from './gen.js';

export interface LayerSnap { qty: bigint; value: bigint; lot: string | undefined; expiry: string | undefined }
export interface PoolSnap { qty: bigint; value: bigint; layers: LayerSnap[] }
export interface Snapshot {
  /** Non-zero GL balances, sorted by account. */
  gl: [string, bigint][];
  pools: Record<string, PoolSnap>;
}

/** Parses a raw event as a file would carry it (JSON text). A parse failure is a generator bug. */
export function parse(co: Company, raw: RawEvent): BookEvent {
  const r = parseEvent(JSON.parse(JSON.stringify(raw)), co);
  if (!r.ok) throw new Error(`generated event ${raw.id} does not parse: ${r.error.code} ${r.error.message}\n${JSON.stringify(raw)}`);
  return r.value;
}

export function apply(book: Book, raw: RawEvent): Result<Applied> {
  return book.apply(parse(book.co, raw));
}

export function snapshot(book: Book): Snapshot {
  const gl = [...book.balances()].filter(([, v]) => v !== 0n).sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const pools: Record<string, PoolSnap> = {};
  for (const p of PRODUCTS) {
    for (const w of WAREHOUSES) {
      const h = book.onHand(p, w);
      pools[`${p}/${w}`] = { qty: h.qty, value: h.value, layers: h.layers.map((l) => ({ qty: l.qty, value: l.value, lot: l.lot, expiry: l.expiry })) };
    }
  }
  return { gl, pools };
}

/** Property 1: every journal balances (debits = credits, in exact minor units). */
export function assertJournalsBalance(journals: readonly Journal[]): void {
  for (const j of journals) {
    let sum = 0n;
    for (const l of j.lines) {
      assert.equal(typeof l.amount, 'bigint', `journal ${j.id}: amounts are bigint`);
      sum += l.amount;
    }
    assert.equal(sum, 0n, `journal ${j.id} (${j.kind} of ${j.event}) does not balance: ${sum}`);
  }
}

/**
 * Properties 2 and 3, after every event: each inventory account's GL balance equals the
 * sub-ledger value of its pools, a pool with nothing on hand is worth nothing, and the whole
 * GL sums to zero.
 */
export function assertInvariants(book: Book, context: string): void {
  const gl = book.balances();
  let total = 0n;
  for (const v of gl.values()) total += v;
  assert.equal(total, 0n, `${context}: the GL does not sum to zero`);
  for (const [account, value] of book.inventoryValueByAccount()) {
    assert.equal(gl.get(account) ?? 0n, value, `${context}: inventory account ${account}: GL ${gl.get(account) ?? 0n} ≠ sub-ledger ${value}`);
  }
  for (const p of PRODUCTS) {
    for (const w of WAREHOUSES) {
      const h = book.onHand(p, w);
      if (h.qty === 0n) assert.equal(h.value, 0n, `${context}: pool ${p}/${w} has zero quantity but value ${h.value}`);
    }
  }
}

export interface RunResult {
  book: Book;
  accepted: RawEvent[];
  rejected: { event: RawEvent; code: ErrorCode }[];
}

export interface RunOptions {
  /** Check invariants and no-change-on-failure after every event (the slow, thorough path). */
  check?: boolean;
  /** Property 7: resubmit every accepted event (same, then changed content). */
  resubmit?: boolean;
  /** Whether a rejection of this event with this code is expected; anything else fails the test. */
  allowed?: (event: RawEvent, code: ErrorCode) => boolean;
}

/**
 * Pools keep a checkpoint every 1,024 entries in production; streams here are short, so a tiny
 * interval makes every re-cost of a late event or void start from a checkpoint copy.
 */
export const CHECKPOINT_EVERY = Number(process.env['STOCKBOOK_CHECKPOINT_EVERY'] ?? 2);

export function run(co: Company, raws: readonly RawEvent[], opts: RunOptions = {}): RunResult {
  const book = new Book(co, { checkpointEvery: CHECKPOINT_EVERY });
  const accepted: RawEvent[] = [];
  const rejected: { event: RawEvent; code: ErrorCode }[] = [];
  for (const raw of raws) {
    const before = opts.check ? snapshot(book) : undefined;
    const journalsBefore = book.journals.length;
    const r = apply(book, raw);
    if (!r.ok) {
      if (opts.allowed) assert.ok(opts.allowed(raw, r.error.code), `event ${raw.id} was rejected with unexpected ${r.error.code}: ${r.error.message}`);
      rejected.push({ event: raw, code: r.error.code });
      if (before) {
        assert.deepEqual(snapshot(book), before, `rejected event ${raw.id} (${r.error.code}) changed the book`);
        assert.equal(book.journals.length, journalsBefore, `rejected event ${raw.id} booked journals`);
      }
      continue;
    }
    assert.equal(r.value.status, 'ok');
    accepted.push(raw);
    if (opts.check) {
      assertJournalsBalance(r.value.journals);
      assert.equal(book.journals.length, journalsBefore + r.value.journals.length);
      assertInvariants(book, `after ${raw.id}`);
    }
    if (opts.resubmit) {
      const snap = snapshot(book);
      const n = book.journals.length;
      const again = apply(book, raw);
      assert.ok(again.ok, `resubmitting ${raw.id} failed`);
      assert.equal(again.value.status, 'exists');
      assert.deepEqual(again.value.journals, r.value.journals, `resubmitting ${raw.id} returned other journals`);
      const changed = apply(book, { ...raw, memo: `changed ${raw.id}` });
      assert.ok(!changed.ok && changed.error.code === 'DUPLICATE_EVENT_CONFLICT', `resubmitting ${raw.id} with other content was not a conflict`);
      const moved = apply(book, { ...raw, date: raw.date === '2026-03-01' ? '2026-03-02' : '2026-03-01' });
      assert.ok(!moved.ok && moved.error.code === 'DUPLICATE_EVENT_CONFLICT', `resubmitting ${raw.id} with another date was not a conflict`);
      assert.deepEqual(snapshot(book), snap, `resubmitting ${raw.id} changed the book`);
      assert.equal(book.journals.length, n, `resubmitting ${raw.id} booked journals`);
    }
  }
  return { book, accepted, rejected };
}

/** The accepted, non-void events that no accepted void removed. */
export function liveEvents(accepted: readonly RawEvent[]): RawEvent[] {
  const voided = new Set(accepted.filter((e) => e.type === 'void').map((e) => e.target!));
  return accepted.filter((e) => e.type !== 'void' && !voided.has(e.id));
}
