/**
 * The store-backed book state: the book's view of one company's events and pools (src/book/
 * state.ts) kept in the store's costing tables (src/store/costing.ts), with a bounded cache of
 * what recent events touched in this process. The book asks for what is not cached by throwing
 * NeedData; `load` fetches it (and what it will need next: an entry's events, an event's
 * references and dependents) and the driver (`applyLoading`) applies the event again. What the
 * book changes is written back by `flush`, in the write's transaction.
 *
 * The cache is only ever used under the company's write lock: at the start of a write the
 * ledger drops whatever another process changed since (`invalidate`, by the rows' versions),
 * and after a rolled-back write it drops everything (`reset`).
 */
import { assert } from '../domain/errors.js';
import { addDays, type CalendarDate } from '../domain/calendar-date.js';
import { parseEvent, type BookEvent } from '../domain/events.js';
import type { Company } from '../domain/config.js';
import { CostPool, type PoolSnapshot } from '../costing/pool.js';
import type { Book } from '../book/book.js';
import { AccountTotals } from '../book/book-bounds.js';
import { Entries, NeedData, poolParams, type BookState, type Checkpoint, type Need, type PoolHistory, type Stored } from '../book/state.js';
import type { Journal } from '../posting/journal.js';
import type { CostingCheckpoint, CostingReads, CostingTx, CostingWrite, DateSpan } from '../store/store.js';
import { decodeSaved, encodeSaved } from './costing-codec.js';

/** The cache's bounds: most events and pools kept between writes (past them the earliest loaded go), and most entries of one pool kept after a write (a re-cost loads what it needs). */
export interface CacheBounds { events: number; pools: number; entries: number }
export const CACHE_BOUNDS: CacheBounds = { events: 20_000, pools: 5_000, entries: 2_048 };
/** Loads one apply may need before it is a bug (each load fetches a whole range). */
const MAX_LOADS = 10_000;

/** An event loaded but not restored yet: restoring plans its moves, which reads its references. */
interface Loaded { ev: BookEvent; seq: bigint; state: string }

/** A span of dates widened to hold one more. */
function widen(span: DateSpan | undefined, date: string): DateSpan {
  if (!span) return { first: date, last: date };
  return date < span.first ? { first: date, last: span.last } : date > span.last ? { first: span.first, last: date } : span;
}

/** Days of account totals a state keeps known (about 3 MB) before it starts again. */
const DAYS_KEPT = 50_000;
/** How far past a date asked for its account's days are read with it. */
const DAYS_AHEAD = 31;

/** Sorted dates as ranges to read, each with its dates: a date within DAYS_AHEAD of a range's end joins it; each range runs DAYS_AHEAD past its last date. */
function dateRuns(dates: readonly string[]): [from: string, to: string, dates: string[]][] {
  const out: [string, string, string[]][] = [];
  for (const d of [...new Set(dates)].sort()) {
    const last = out[out.length - 1];
    const to = addDays(d as CalendarDate, DAYS_AHEAD);
    if (last && d <= last[1]) {
      last[1] = to > last[1] ? to : last[1];
      last[2].push(d);
    } else out.push([d, to, [d]]);
  }
  return out;
}

/** Account totals of a store-backed book: those of accounts and days loaded, the rest asked for. */
class StoredTotals extends AccountTotals {
  private readonly accounts = new Set<string>();
  private readonly dates = new Set<string>();

  override check(journals: readonly Journal[], event: string): void {
    const accounts = new Set<string>();
    const dates = new Set<string>();
    for (const j of journals) {
      for (const l of j.lines) {
        if (!this.accounts.has(l.account)) accounts.add(l.account);
        if (!this.dates.has(`${l.account}\u0000${j.date}`)) {
          accounts.add(l.account);
          dates.add(j.date);
        }
      }
    }
    if (accounts.size > 0) throw new NeedData({ kind: 'account', account: [...accounts].join('\u0000'), dates: [...dates] });
    super.check(journals, event);
  }

  override add(j: Journal): void {
    for (const l of j.lines) {
      if (this.accounts.has(l.account)) this.balances.set(l.account, (this.balances.get(l.account) ?? 0n) + l.amount);
      const day = this.days.get(l.account);
      if (day && this.dates.has(`${l.account}\u0000${j.date}`)) day.set(j.date, (day.get(j.date) ?? 0n) + l.amount);
    }
  }

  /**
   * Loads the balances of the accounts not loaded yet, and the accounts' day totals around the
   * dates: each run of dates a month apart is read as one range, on to a month after its last
   * date, and every day of the range is then known (a write in date order asks once a month
   * per account, and a day with no row is a zero).
   */
  async load(accounts: readonly string[], dates: readonly string[], rows: CostingReads): Promise<void> {
    const fresh = accounts.filter((a) => !this.accounts.has(a));
    if (fresh.length > 0) {
      const balances = await rows.accountBalances(fresh);
      for (const a of fresh) {
        this.accounts.add(a);
        this.balances.set(a, balances.get(a) ?? 0n);
      }
    }
    for (const [from, to, asked] of dateRuns(dates)) {
      const got = await rows.accountDays(accounts, from, to);
      // The calendar's days of the range, and the dates asked for (a stored date may be no calendar day: storedDate).
      const known = new Set(asked);
      for (let d = from; d <= to; d = addDays(d as CalendarDate, 1)) known.add(d);
      for (const a of accounts) {
        let day = this.days.get(a);
        if (!day) this.days.set(a, (day = new Map()));
        for (const d of known) {
          const k = `${a}\u0000${d}`;
          if (this.dates.has(k)) continue;
          this.dates.add(k);
          day.set(d, 0n);
        }
      }
      for (const [a, d, amount] of got) if (this.days.get(a)?.get(d) === 0n && this.dates.has(`${a}\u0000${d}`)) this.days.get(a)!.set(d, amount);
    }
  }

  /** Days known: past DAYS_KEPT the state starts again between writes (a cache: what is dropped is read again when asked for). */
  get size(): number {
    return this.dates.size;
  }

  clear(): void {
    this.accounts.clear();
    this.dates.clear();
    this.balances.clear();
    this.days.clear();
  }
}

export class StoreState implements BookState {
  readonly totals: StoredTotals;
  private book: Book | undefined;
  private readonly events = new Map<string, Stored>();
  private readonly loaded = new Map<string, Loaded>();
  private readonly seqs = new Map<string, bigint>();
  private readonly absentEvents = new Set<string>();
  private readonly pools = new Map<string, PoolHistory>();
  private readonly index = new Map<string, Map<string, PoolHistory>>();
  private readonly absentPools = new Set<string>();
  /** Entries and checkpoints as the store holds them, per pool. */
  private readonly stored = new Map<string, { entries: number; checkpoints: Checkpoint[]; checkpointCount: number; lastCheckpoint: number }>();
  private readonly dirtyEvents = new Map<string, Stored>();
  private readonly dirtyPools = new Set<PoolHistory>();
  readonly stats = { loads: 0, loadedEvents: 0, loadedPools: 0, loadedEntries: 0 };
  /** The dates the stored events span (the ledger sets it from the stored meta under the lock; a flush widens it). */
  span: DateSpan | undefined;

  constructor(private readonly co: Company, private readonly bounds: CacheBounds = CACHE_BOUNDS) {
    this.totals = new StoredTotals(co.baseCurrency);
  }

  /** The book this state serves (it restores loaded events: their moves are planned again). */
  attach(book: Book): void {
    this.book = book;
  }

  // ---- BookState

  event(id: string): Stored | undefined {
    const s = this.events.get(id);
    if (s) return s;
    if (this.absentEvents.has(id)) return undefined;
    const l = this.loaded.get(id);
    if (!l) throw new NeedData({ kind: 'event', id });
    assert(this.book !== undefined, 'the state is attached to its book');
    const restored = this.book.restore(l.ev, decodeSaved(l.state));
    this.loaded.delete(id);
    this.events.set(id, restored);
    return restored;
  }

  putEvent(s: Stored): void {
    this.events.set(s.ev.id, s);
    this.absentEvents.delete(s.ev.id);
    this.dirtyEvents.set(s.ev.id, s);
  }

  pool(product: string, warehouse: string, make: () => CostPool): PoolHistory {
    const h = this.index.get(product)?.get(warehouse);
    if (h) return h;
    const key = `${product}\u0000${warehouse}`;
    if (!this.absentPools.has(key)) throw new NeedData({ kind: 'pool', key });
    const made: PoolHistory = { key, product, warehouse, entries: new Entries(key), lastKey: '', state: make(), checkpoints: [] };
    this.absentPools.delete(key);
    this.addPool(made, 0);
    return made;
  }

  poolByKey(key: string): PoolHistory | undefined {
    const h = this.pools.get(key);
    if (h || this.absentPools.has(key)) return h;
    throw new NeedData({ kind: 'pool', key });
  }

  putPool(h: PoolHistory): void {
    this.dirtyPools.add(h);
  }

  private addPool(h: PoolHistory, storedEntries: number): void {
    this.pools.set(h.key, h);
    let byWarehouse = this.index.get(h.product);
    if (!byWarehouse) this.index.set(h.product, (byWarehouse = new Map()));
    byWarehouse.set(h.warehouse, h);
    this.stored.set(h.key, { entries: storedEntries, checkpoints: h.checkpoints, checkpointCount: h.checkpoints.length, lastCheckpoint: h.checkpoints.at(-1)?.index ?? -1 });
  }

  // ---- loading

  /** Loads what the book asked for. */
  async load(need: Need, rows: CostingReads): Promise<void> {
    this.stats.loads++;
    switch (need.kind) {
      case 'event':
        return this.loadEvents([need.id], rows);
      case 'pool':
        return this.loadPool(need.key, rows);
      case 'entries':
        return this.loadEntries(need.pool, need.index, rows);
      case 'entries-from-key': {
        const h = this.pools.get(need.pool);
        assert(h !== undefined, `pool ${need.pool} is loaded before its entries`);
        const at = (await rows.entryAtKey(need.pool, need.key)) ?? h.entries.length;
        return this.loadEntries(need.pool, Math.min(at, h.entries.loadedFrom), rows);
      }
      case 'account':
        return this.totals.load(need.account.split('\u0000'), need.dates, rows);
    }
  }

  /** Events by id, with the events they refer to and those that refer to them (what a re-cost reads next). */
  async loadEvents(ids: readonly string[], rows: CostingReads): Promise<void> {
    let want = ids.filter((id) => this.unknown(id));
    for (let round = 0; want.length > 0; round++) {
      assert(round < 64, 'event references form no long chains');
      const got = await rows.events(want);
      this.stats.loadedEvents += got.length;
      const next = new Set<string>();
      for (const r of got) {
        const parsed = parseEvent(JSON.parse(r.body), this.co, 'store');
        assert(parsed.ok, `stored event ${r.id} parses`);
        this.loaded.set(r.id, { ev: parsed.value, seq: r.seq, state: r.state });
        this.seqs.set(r.id, r.seq);
        const links = decodeSaved(r.state);
        for (const x of [...(this.book?.referencesOf(parsed.value) ?? []), ...(links.dependents ?? [])]) if (this.unknown(x)) next.add(x);
      }
      const found = new Set(got.map((r) => r.id));
      for (const id of want) if (!found.has(id)) this.absentEvents.add(id);
      want = [...next].filter((id) => !found.has(id));
    }
  }

  private unknown(id: string): boolean {
    return !this.events.has(id) && !this.loaded.has(id) && !this.absentEvents.has(id);
  }

  private async loadPool(key: string, rows: CostingReads): Promise<void> {
    return this.loadPools([key], rows);
  }

  /** Pools by key (those not known yet), with their checkpoints: two reads however many. */
  async loadPools(keys: readonly string[], rows: CostingReads): Promise<void> {
    const want = [...new Set(keys)].filter((k) => !this.pools.has(k) && !this.absentPools.has(k));
    if (want.length === 0) return;
    const got = await rows.pools(want);
    const checkpoints = got.length === 0 ? new Map<string, CostingCheckpoint[]>() : await rows.poolCheckpoints(got.map((r) => r.pool));
    this.stats.loadedPools += want.length;
    for (const row of got) {
      const params = poolParams(this.co, row.product);
      const cps = (checkpoints.get(row.pool) ?? []).map((c) => ({ index: c.idx, state: CostPool.restore(params, JSON.parse(c.state) as PoolSnapshot) }));
      const state = CostPool.restore(params, JSON.parse(row.state) as PoolSnapshot);
      this.addPool({ key: row.pool, product: row.product, warehouse: row.warehouse, entries: new Entries(row.pool, row.entries, row.lastKey), lastKey: row.lastKey, state, checkpoints: cps }, row.entries);
    }
    const found = new Set(got.map((r) => r.pool));
    for (const k of want) if (!found.has(k)) this.absentPools.add(k);
  }

  /** A pool's entries from `from` up to those held, with the events they belong to. */
  private async loadEntries(pool: string, from: number, rows: CostingReads): Promise<void> {
    const h = this.pools.get(pool);
    assert(h !== undefined, `pool ${pool} is loaded before its entries`);
    const to = h.entries.loadedFrom;
    if (from >= to) return;
    const got = await rows.entries(pool, Math.max(0, from - 1), to);
    const before = from > 0 ? got.shift() : undefined;
    assert(got.length === to - from, `pool ${pool} holds entries ${from}..${to}`);
    this.stats.loadedEntries += got.length;
    h.entries.extendBack(from, before?.key ?? '', got.map((e) => ({ key: e.key, event: e.event, move: e.move, qty: e.qty, value: e.value })));
    await this.loadEvents([...new Set(got.map((e) => e.event))], rows);
  }


  // ---- writing back

  /** The seq an accepted event was appended at (the ledger tells it, after appending). */
  noteSeq(id: string, seq: bigint): void {
    this.seqs.set(id, seq);
  }

  /** Writes what the book changed since the last flush, then trims the cache to its bounds. */
  async flush(tx: CostingTx, costing: string, through: bigint): Promise<void> {
    for (const s of this.dirtyEvents.values()) this.span = widen(this.span, s.ev.date);
    const w: CostingWrite = { events: [], pools: [], entries: [], checkpoints: [], meta: { costing, through, span: this.span } };
    for (const s of this.dirtyEvents.values()) {
      const seq = this.seqs.get(s.ev.id);
      assert(seq !== undefined, `event ${s.ev.id} has a seq`);
      w.events.push({ id: s.ev.id, seq, state: encodeSaved(s) });
    }
    for (const h of this.dirtyPools) this.writePool(h, w);
    await tx.write(w);
    this.dirtyEvents.clear();
    this.dirtyPools.clear();
    this.trim();
  }

  private writePool(h: PoolHistory, w: CostingWrite): void {
    const st = this.stored.get(h.key);
    assert(st !== undefined, `pool ${h.key} is known`);
    w.pools.push({ pool: h.key, product: h.product, warehouse: h.warehouse, entries: h.entries.length, lastKey: h.lastKey, qty: h.state.onHand, value: h.state.onHandValue, state: JSON.stringify(h.state.snapshot()) });
    const from = Math.min(h.entries.dirtyFrom, h.entries.length, st.entries);
    if (from < h.entries.length || from < st.entries) {
      w.entries.push({ pool: h.key, from, truncate: from < st.entries, rows: h.entries.slice(from).map((e, i) => ({ idx: from + i, key: e.key, event: e.event, move: e.move, qty: e.qty, value: e.value })) });
    }
    h.entries.dirtyFrom = Number.POSITIVE_INFINITY;
    st.entries = h.entries.length;
    const cps = h.checkpoints;
    if (cps !== st.checkpoints || cps.length !== st.checkpointCount || (cps.at(-1)?.index ?? -1) !== st.lastCheckpoint) {
      w.checkpoints.push({ pool: h.key, rows: cps.map((c) => ({ idx: c.index, state: JSON.stringify(c.state.snapshot()) })) });
      Object.assign(st, { checkpoints: cps, checkpointCount: cps.length, lastCheckpoint: cps.at(-1)?.index ?? -1 });
    }
    if (h.entries.held > this.bounds.entries) h.entries.forget();
  }

  /** Keeps the cache within its bounds: the earliest loaded events and pools go first. */
  trim(): void {
    assert(this.dirtyEvents.size === 0 && this.dirtyPools.size === 0, 'only a written-back cache is trimmed');
    const { events, pools } = this.bounds;
    dropOldest(this.events, events);
    dropOldest(this.loaded, events);
    if (this.absentEvents.size > events) this.absentEvents.clear();
    // An event's seq stays while the event is cached: a cached event the book changes is written back by it.
    if (this.seqs.size > events * 2) for (const id of [...this.seqs.keys()]) if (!this.events.has(id) && !this.loaded.has(id)) this.seqs.delete(id);
    if (this.pools.size > pools) {
      for (const k of [...this.pools.keys()].slice(0, this.pools.size - Math.ceil(pools / 2))) this.dropPool(k);
    }
    if (this.absentPools.size > pools) this.absentPools.clear();
    if (this.totals.size > DAYS_KEPT) this.totals.clear();
  }

  private dropPool(key: string): void {
    const h = this.pools.get(key);
    if (!h) return;
    this.pools.delete(key);
    this.index.get(h.product)?.delete(h.warehouse);
    this.stored.delete(key);
  }

  /** Drops what another process's writes changed (by id), and every account total. */
  invalidate(changed: { events: readonly string[]; pools: readonly string[] }): void {
    for (const id of changed.events) {
      this.events.delete(id);
      this.loaded.delete(id);
      this.absentEvents.delete(id);
    }
    for (const k of changed.pools) {
      this.dropPool(k);
      this.absentPools.delete(k);
    }
    this.absentEvents.clear();
    this.absentPools.clear();
    this.totals.clear();
  }

  /** Forgets everything (after a rolled-back write the cache may hold what was never stored). */
  reset(): void {
    this.events.clear();
    this.loaded.clear();
    this.seqs.clear();
    this.absentEvents.clear();
    for (const k of [...this.pools.keys()]) this.dropPool(k);
    this.absentPools.clear();
    this.dirtyEvents.clear();
    this.dirtyPools.clear();
    this.totals.clear();
  }
}

function dropOldest<K, V>(m: Map<K, V>, bound: number): void {
  if (m.size <= bound) return;
  let n = m.size - Math.ceil(bound / 2);
  for (const k of m.keys()) {
    if (n-- <= 0) break;
    m.delete(k);
  }
}

/** Applies an event, loading what the state lacks and applying it again until it needs nothing more. */
export async function applyLoading<T>(apply: () => T, state: StoreState, rows: CostingReads): Promise<T> {
  for (let loads = 0; ; loads++) {
    assert(loads < MAX_LOADS, 'an event needs a bounded number of loads');
    try {
      return apply();
    } catch (x) {
      if (!(x instanceof NeedData)) throw x;
      await state.load(x.need, rows);
    }
  }
}
