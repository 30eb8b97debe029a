/**
 * The costing reader: the book's answers (an event's moves and current costs, every event,
 * what is on hand as of a date, a pool's layers and history) read from the store's committed
 * costing state, so that any process answers with what every process has written. One reader
 * serves one request: it caches the events it restores while the request lasts (bounded), and
 * none of it outlives the request.
 */
import { inventoryAccounts, resolveAccount, type Company } from '../domain/config.js';
import { Book } from '../book/book.js';
import { NeedData, poolParams, type PoolEntry } from '../book/state.js';
import { CostPool, type PoolSnapshot } from '../costing/pool.js';
import type { EventView } from '../posting/types.js';
import type { CostingReads, DateSpan, LedgerStore } from '../store/store.js';
import { parseEvent, type BookEvent } from '../domain/events.js';
import { StoreState } from './store-state.js';
import { assert } from '../domain/errors.js';
import { setImmediate as nextTurn } from 'node:timers/promises';

export type EventRead = EventView & { voidedBy: string | undefined };
export interface OnHand { product: string; warehouse: string; qty: bigint; value: bigint }
export interface LayerRead { qty: bigint; value: bigint; lot?: string | undefined; expiry?: string | undefined; source: string }
export interface PoolRead { product: string; warehouse: string; entries(): AsyncGenerator<PoolEntry> }

/** The book's answers as reports read them: from the store (StoreReader), or from an in-memory book (MemoryReader). */
export interface BookReader {
  readonly co: Company;
  view(id: string): Promise<EventRead | undefined>;
  views(): AsyncGenerator<EventRead>;
  onHandAsOf(date: string): Promise<OnHand[]>;
  onHand(product: string, warehouse: string): Promise<{ qty: bigint; value: bigint; layers: LayerRead[] }>;
  inventoryValueByAccount(): Promise<Map<string, bigint>>;
  pools(): Promise<PoolRead[]>;
  /** The first and last dates of the accepted events (undefined while there are none). */
  span(): Promise<DateSpan | undefined>;
  /** The ids of the voided events. */
  voided(): Promise<Set<string>>;
  /** Accepted events by id, as the book holds them (without their costs); ids not accepted are absent. */
  events(ids: readonly string[]): Promise<Map<string, BookEvent>>;
}

/** An in-memory book read as reports read the store (`stockbook post`, the property tests). */
export class MemoryReader implements BookReader {
  constructor(private readonly book: Book) {}

  get co(): Company {
    return this.book.co;
  }

  async view(id: string): Promise<EventRead | undefined> {
    return this.book.view(id);
  }

  async *views(): AsyncGenerator<EventRead> {
    yield* this.book.views();
  }

  async onHandAsOf(date: string): Promise<OnHand[]> {
    return this.book.onHandAsOf(date);
  }

  async onHand(product: string, warehouse: string): Promise<{ qty: bigint; value: bigint; layers: LayerRead[] }> {
    return this.book.onHand(product, warehouse);
  }

  async inventoryValueByAccount(): Promise<Map<string, bigint>> {
    return this.book.inventoryValueByAccount();
  }

  async span(): Promise<DateSpan | undefined> {
    let span: DateSpan | undefined;
    for (const { event } of this.book.views()) {
      if (!span) span = { first: event.date, last: event.date };
      else if (event.date < span.first) span.first = event.date;
      else if (event.date > span.last) span.last = event.date;
    }
    return span;
  }

  async voided(): Promise<Set<string>> {
    const out = new Set<string>();
    for (const v of this.book.views()) if (v.voidedBy !== undefined) out.add(v.event.id);
    return out;
  }

  async events(ids: readonly string[]): Promise<Map<string, BookEvent>> {
    const out = new Map<string, BookEvent>();
    for (const id of ids) {
      const v = this.book.view(id);
      if (v) out.set(id, v.event);
    }
    return out;
  }

  async pools(): Promise<PoolRead[]> {
    return [...this.book.pools_()].map((h) => ({ product: h.product, warehouse: h.warehouse, entries: async function* () { yield* h.entries.all(); } }));
  }
}

/** Events and entries read per page. */
const PAGE = 1000;

export class StoreReader implements BookReader {
  private readonly rows: CostingReads;
  private readonly state: StoreState;

  constructor(store: LedgerStore, readonly co: Company) {
    this.rows = store.costing(co.id);
    this.state = new StoreState(co);
    this.state.attach(new Book(co, { keepJournals: false, state: this.state }));
  }

  /** An accepted event with its moves and current costs; undefined if none has this id. */
  async view(id: string): Promise<EventRead | undefined> {
    for (let loads = 0; ; loads++) {
      assert(loads < 1000, 'a view needs a bounded number of loads');
      try {
        const s = this.state.event(id);
        return s && { event: s.ev, moves: s.moves, results: s.results, voidedBy: s.voidedBy };
      } catch (x) {
        if (!(x instanceof NeedData)) throw x;
        await this.state.load(x.need, this.rows);
      }
    }
  }

  /** Every accepted event (voided ones and voids included) with its current costs, in acceptance order. */
  async *views(): AsyncGenerator<EventRead> {
    for (let after = 0n; ; ) {
      const page = await this.rows.eventsPage(after, PAGE);
      if (page.length === 0) return;
      await this.state.loadEvents(page.map((r) => r.id), this.rows);
      for (const r of page) {
        const v = await this.view(r.id);
        assert(v !== undefined, `event ${r.id} is in the costing state`);
        yield v;
      }
      after = page[page.length - 1]!.seq;
      this.state.trim();
      await nextTurn();
    }
  }

  /** On-hand quantity and value of every pool that has moved, as of the end of a date. */
  async onHandAsOf(date: string): Promise<OnHand[]> {
    return (await this.rows.onHandAsOf(`${date}T\uffff`)).map((r) => ({ product: r.product, warehouse: r.warehouse, qty: r.qty, value: r.value }));
  }

  /** On-hand quantity and value of one pool, with its live layers. */
  async onHand(product: string, warehouse: string): Promise<{ qty: bigint; value: bigint; layers: LayerRead[] }> {
    const [row] = await this.rows.pools([`${product}\u0000${warehouse}`]);
    if (!row) return { qty: 0n, value: 0n, layers: [] };
    const pool = CostPool.restore(poolParams(this.co, product), JSON.parse(row.state) as PoolSnapshot);
    return { qty: pool.onHand, value: pool.onHandValue, layers: pool.liveLayers().map((l) => ({ qty: l.qty, value: l.value, lot: l.lot, expiry: l.expiry, source: l.source })) };
  }

  /** Sub-ledger value per inventory account: the sum of its pools' on-hand values. */
  async inventoryValueByAccount(): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>();
    for (const code of inventoryAccounts(this.co)) out.set(code, 0n);
    for (const p of await this.rows.allPools()) {
      const code = resolveAccount(this.co, 'inventory', { product: p.product, warehouse: p.warehouse });
      out.set(code, (out.get(code) ?? 0n) + p.value);
    }
    return out;
  }

  /** Every pool that has moved, each with its history read a page at a time. */
  async pools(): Promise<PoolRead[]> {
    return (await this.rows.allPools()).map((p) => ({ product: p.product, warehouse: p.warehouse, entries: () => this.entries(p.pool, p.entries) }));
  }

  async span(): Promise<DateSpan | undefined> {
    return (await this.rows.meta())?.span;
  }

  /** The targets of the void events (a void is never voided itself), read by their own index. */
  async voided(): Promise<Set<string>> {
    return new Set((await this.rows.voids(0n)).map((v) => v.target));
  }

  /** Parsed from their stored bodies (checked when they were accepted): no costing state is read. */
  async events(ids: readonly string[]): Promise<Map<string, BookEvent>> {
    const out = new Map<string, BookEvent>();
    for (const r of await this.rows.bodies(ids)) {
      const parsed = parseEvent(JSON.parse(r.body), this.co, 'store');
      assert(parsed.ok, `stored event ${r.id} parses`);
      out.set(r.id, parsed.value);
    }
    return out;
  }

  private async *entries(pool: string, count: number): AsyncGenerator<PoolEntry> {
    for (let from = 0; from < count; from += PAGE) {
      for (const e of await this.rows.entries(pool, from, Math.min(count, from + PAGE))) yield { key: e.key, event: e.event, move: e.move, qty: e.qty, value: e.value };
    }
  }
}
