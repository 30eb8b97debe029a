/**
 * Verification of the costing state: the company's stored events replayed into a fresh
 * in-memory book (the scratch area), and the store's costing state compared with it row by
 * row — every event's costs and links, every pool's layers, totals and history, every
 * checkpoint's whole state (layers and totals, against the rebuild's pool after as many
 * entries) — and the stored trial balance with the book's GL. The
 * costing state is derived from the events; this proves it still is (`stockbook verify`).
 */
import { loadConfig, type Company } from '../domain/config.js';
import { assert, failure, type Failure } from '../domain/errors.js';
import { Book, MemoryState } from '../book/book.js';
import type { PoolEntry } from '../book/state.js';
import type { PoolSnapshot } from '../costing/pool.js';
import { storedEventPages } from './stored-events.js';
import type { JournalCount, LedgerStore } from '../store/store.js';
import { MemoryReader } from './costing-reader.js';
import { decodeSaved, encodeSaved } from './costing-codec.js';

export interface Verified {
  company: string;
  events: number;
  pools: number;
  entries: number;
  checkpoints: number;
  accounts: number;
  /** Every difference found, each naming the row (empty: the state equals the rebuild). */
  differences: string[];
}

/** Replays a company's stored events, in append order, into a new in-memory book. */
export async function replayInMemory(store: LedgerStore, co: Company): Promise<Book> {
  const book = new Book(co, { keepJournals: false });
  for await (const page of storedEventPages((seq, limit) => store.eventsAfter(co.id, seq, limit), co)) {
    for (const e of page) {
      const r = book.apply(e.event, { replay: true });
      assert(r.ok && r.value.status === 'ok', `stored event ${e.id} applies again`);
    }
  }
  return book;
}

/**
 * Rebuilds the company's costing state in memory and compares the stored one with it. It runs
 * under the company's write lock, so the events and the state it reads are one snapshot (writers
 * wait for it).
 */
export async function verifyCosting(store: LedgerStore, companyId: string): Promise<Verified | Failure> {
  const record = await store.getCompany(companyId);
  if (!record) return failure('UNKNOWN_COMPANY', `Company "${companyId}" does not exist.`, 'Give --company the id of a stored company.', { company: companyId });
  return store.write(companyId, () => verifyUnderLock(store, companyId, record.config));
}

async function verifyUnderLock(store: LedgerStore, companyId: string, config: unknown): Promise<Verified | Failure> {
  const record = { config };
  const co = loadConfig(record.config, 'store');
  if (!co.ok) return co.error;
  const book = await replayInMemory(store, co.value);
  const mem = book.state as MemoryState;
  const rows = store.costing(companyId);
  const out: Verified = { company: companyId, events: 0, pools: 0, entries: 0, checkpoints: 0, accounts: 0, differences: [] };
  const diff = (what: string): void => void (out.differences.length < 100 && out.differences.push(what));
  const meta = await rows.meta();
  const last = await store.countEvents(companyId);
  // No costing state and no events (a company stored, never opened): empty, as its rebuild is.
  if (meta ? meta.through !== last : last !== 0n) diff(`costing_meta: through ${meta?.through ?? 'none'}, the company has ${last} events`);
  const span = await new MemoryReader(book).span();
  if (meta && (meta.span?.first !== span?.first || meta.span?.last !== span?.last)) diff(`costing_meta: dates ${meta.span ? `${meta.span.first}..${meta.span.last}` : 'none'}, the events span ${span ? `${span.first}..${span.last}` : 'none'}`);
  for (let after = 0n; ; ) {
    const page = await rows.eventsPage(after, 1000);
    if (page.length === 0) break;
    for (const r of page) {
      out.events++;
      const s = mem.events.get(r.id);
      if (!s) diff(`costing_events ${r.id}: not an accepted event`);
      // Compared as encoded today (a state written by an older codec holds the same values in another text).
      else if (encodeSaved(decodeSaved(r.state)) !== encodeSaved(s)) diff(`costing_events ${r.id}: stored ${r.state}, rebuilt ${encodeSaved(s)}`);
    }
    after = page[page.length - 1]!.seq;
  }
  if (out.events !== mem.events.size) diff(`costing_events: ${out.events} rows, the rebuild has ${mem.events.size} events`);
  await comparePools(book, rows, out, diff);
  await compareJournalCounts(store, companyId, diff);
  const recounted = new Map((await store.recountBalances(companyId)).map((b) => [b.account, b.balance]));
  for (const b of await store.trialBalance(companyId)) {
    if (recounted.get(b.account) !== b.balance) diff(`account_balances ${b.account}: kept ${b.balance}, the day totals sum to ${recounted.get(b.account) ?? 'nothing'}`);
  }
  const tb = new Map((await store.trialBalance(companyId)).map((b) => [b.account, b.balance]));
  for (const [account, balance] of book.balances()) {
    out.accounts++;
    if ((tb.get(account) ?? 0n) !== balance) diff(`account ${account}: stored balance ${tb.get(account) ?? 0n}, rebuilt ${balance}`);
  }
  return out;
}

/** A pool as a message names it: product/warehouse. */
const poolName = (key: string): string => key.replace('\u0000', '/');

/** journal_counts against a count of the journals themselves. */
async function compareJournalCounts(store: LedgerStore, company: string, diff: (what: string) => void): Promise<void> {
  const key = (c: JournalCount): string => `${c.kind} ${c.eventType}`;
  const kept = new Map((await store.journalCounts(company)).map((c) => [key(c), c.n]));
  const counted = new Map((await store.journalCounts(company, true)).map((c) => [key(c), c.n]));
  for (const k of new Set([...kept.keys(), ...counted.keys()])) {
    if (kept.get(k) !== counted.get(k)) diff(`journal_counts ${k}: kept ${kept.get(k) ?? 0n}, the journals hold ${counted.get(k) ?? 0n}`);
  }
}

async function comparePools(book: Book, rows: ReturnType<LedgerStore['costing']>, out: Verified, diff: (what: string) => void): Promise<void> {
  const mem = book.state as MemoryState;
  const stored = await rows.allPools();
  const live = [...mem.pools.values()].filter((h) => h.entries.length > 0 || h.state.onHand !== 0n);
  if (stored.filter((p) => p.entries > 0).length !== live.filter((h) => h.entries.length > 0).length) diff(`costing_pools: ${stored.length} rows, the rebuild has ${live.length} pools that moved`);
  for (const p of stored) {
    out.pools++;
    const h = mem.pools.get(p.pool);
    if (!h) {
      if (p.entries > 0) diff(`costing_pools ${poolName(p.pool)}: not a pool of the rebuild`);
      continue;
    }
    const state = JSON.stringify(h.state.snapshot());
    if (p.entries !== h.entries.length || p.lastKey !== h.lastKey || p.qty !== h.state.onHand || p.value !== h.state.onHandValue || p.state !== state) diff(`costing_pools ${poolName(p.pool)}: stored ${p.entries} entries, ${p.qty}/${p.value} on hand; rebuilt ${h.entries.length}, ${h.state.onHand}/${h.state.onHandValue}${p.state !== state ? ' (layers differ)' : ''}`);
    const entries = h.entries.all();
    for (let from = 0; from < p.entries; from += 1000) {
      for (const e of await rows.entries(p.pool, from, from + 1000)) {
        out.entries++;
        const m = entries[e.idx];
        if (!m || m.key !== e.key || m.event !== e.event || m.move !== e.move || m.qty !== e.qty || m.value !== e.value) diff(`costing_entries ${poolName(p.pool)}#${e.idx}: stored ${e.event}.${e.move} ${e.qty}/${e.value}, rebuilt ${m ? `${m.event}.${m.move} ${m.qty}/${m.value}` : 'none'}`);
      }
    }
    await compareCheckpoints(book, rows, p.pool, entries, out, diff);
  }
}

/**
 * Each stored checkpoint of a pool against the rebuild: its on-hand totals with the rebuild's
 * history at its position, and its whole state — layers, deficit, last costs — with the pool
 * the rebuild's moves leave after as many entries (Book.poolStatesAt).
 */
async function compareCheckpoints(book: Book, rows: ReturnType<LedgerStore['costing']>, pool: string, entries: readonly PoolEntry[], out: Verified, diff: (what: string) => void): Promise<void> {
  const stored = await rows.checkpoints(pool);
  const rebuilt = book.poolStatesAt(pool, stored.map((c) => c.idx));
  stored.forEach((c, k) => {
    out.checkpoints++;
    const name = `costing_checkpoints ${poolName(pool)}@${c.idx}`;
    const want = rebuilt[k];
    if (want === undefined) return diff(`${name}: past the end of the rebuild's history (${entries.length} entries)`);
    const wantText = JSON.stringify(want);
    if (c.state === wantText) return;
    const got = parseSnapshot(c.state);
    const onHand = got && BigInt(got.qty) - BigInt(got.deficitQty);
    const value = got && BigInt(got.value) - BigInt(got.deficitValue);
    const at = c.idx === 0 ? { qty: 0n, value: 0n } : entries[c.idx - 1]!;
    if (!got || at.qty !== onHand || at.value !== value) diff(`${name}: on hand ${onHand ?? '?'}/${value ?? '?'}, the rebuild's history has ${at.qty}/${at.value}`);
    else diff(`${name}: layers differ from the rebuild's (stored ${c.state}, rebuilt ${wantText})`);
  });
}

/** A stored pool state, or undefined when its text is not one. */
function parseSnapshot(text: string): PoolSnapshot | undefined {
  try {
    const s = JSON.parse(text) as PoolSnapshot;
    for (const n of [s.qty, s.value, s.deficitQty, s.deficitValue]) BigInt(n);
    return s;
  } catch {
    return undefined;
  }
}
