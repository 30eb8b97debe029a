/**
 * The book's state: what the book knows of accepted events and of cost pools, behind one
 * interface, so the one costing algorithm (src/book/book.ts) runs on two kinds of state:
 *
 * - **In memory** (`MemoryState`): every event and pool of the stream, for `stockbook post`, the
 *   reference model's comparisons and the property tests.
 * - **Store-backed** (src/ledger/store-state.ts): a bounded cache of what recent events touched,
 *   loaded from the durable ledger's costing tables on demand. What it has not loaded it asks
 *   for by throwing `NeedData`; its driver loads that and applies the event again. An apply
 *   that throws changes nothing (pools roll back, re-costs are tentative until they commit), so
 *   the retry sees the same book with more of it loaded.
 *
 * The book tells the state what it changed (`putEvent`, `putPool`), which is what a
 * store-backed state writes back, in the event's transaction.
 */
import { assert } from '../domain/errors.js';
import type { BookEvent } from '../domain/events.js';
import type { CostPool, PoolParams } from '../costing/pool.js';
import type { Company } from '../domain/config.js';
import type { Journal } from '../posting/journal.js';
import type { Move, MoveResult } from '../posting/types.js';
import { AccountTotals } from './book-bounds.js';

/** An accepted event as the book keeps it: its moves, their current costs, and its links. */
export interface Stored {
  ev: BookEvent;
  moves: Move[];
  results: MoveResult[];
  /** Keys of the pools its moves enter, in first-move order. */
  pools: string[];
  voidedBy: string | undefined;
  /** Live events that refer to it (and so keep it from being voided). */
  dependents: Set<string> | undefined;
  /** Its journals, when the book keeps them (`keepJournals`). */
  journals: Journal[];
  /** How many corrections of its own (`<event>/c<n>`) it has had. */
  corrections: number;
}

/** One move in a pool's history, with the pool's on-hand figures after it. */
export interface PoolEntry {
  /** The event's order key (date, time, id). */
  key: string;
  event: string;
  /** Index of the move within its event. */
  move: number;
  qty: bigint;
  value: bigint;
}

/** A pool's state after its first `index` entries. */
export interface Checkpoint {
  index: number;
  state: CostPool;
}

export interface PoolHistory {
  key: string;
  product: string;
  warehouse: string;
  entries: Entries;
  /** Order key of the last entry ("" when empty): an event before it is late. */
  lastKey: string;
  state: CostPool;
  /** Pool states after the first `index` entries, so a re-cost need not start from the beginning. */
  checkpoints: Checkpoint[];
}

/** What a store-backed state has not loaded yet. */
export type Need =
  | { kind: 'event'; id: string }
  | { kind: 'pool'; key: string }
  /** The pool's entries from `index` on, or from the first whose key is at or after `key`. */
  | { kind: 'entries'; pool: string; index: number }
  | { kind: 'entries-from-key'; pool: string; key: string }
  | { kind: 'account'; account: string; dates: string[] };

/** Thrown by a store-backed state for what it must load before the book can go on. */
export class NeedData extends Error {
  constructor(readonly need: Need) {
    super(`book state needs ${need.kind}`);
  }
}

/**
 * A pool's entries in key order. In memory every entry is held; a store-backed pool holds a
 * tail: the entries from `offset` on, and the key of the one before them (`before`). Asking for
 * an entry before the tail throws NeedData. `dirtyFrom` is the first index changed since the
 * state last wrote the pool back.
 */
export class Entries {
  dirtyFrom = Number.POSITIVE_INFINITY;

  constructor(readonly pool: string, private offset = 0, private before = '', private items: PoolEntry[] = []) {}

  get length(): number {
    return this.offset + this.items.length;
  }

  /** The first index held (0 in memory). */
  get loadedFrom(): number {
    return this.offset;
  }

  at(i: number): PoolEntry {
    if (i < this.offset) throw new NeedData({ kind: 'entries', pool: this.pool, index: i });
    const e = this.items[i - this.offset];
    assert(e !== undefined, `pool entry ${i} exists`);
    return e;
  }

  /** Copies of the entries in [from, to). */
  slice(from: number, to = this.length): PoolEntry[] {
    if (from < this.offset && from < to) throw new NeedData({ kind: 'entries', pool: this.pool, index: from });
    return this.items.slice(from - this.offset, to - this.offset);
  }

  /** First index whose key is at or after `key`. */
  firstAtOrAfter(key: string): number {
    if (this.offset > 0 && key <= this.before) throw new NeedData({ kind: 'entries-from-key', pool: this.pool, key });
    let lo = 0;
    let hi = this.items.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.items[mid]!.key < key) lo = mid + 1;
      else hi = mid;
    }
    return this.offset + lo;
  }

  push(e: PoolEntry): void {
    this.dirtyFrom = Math.min(this.dirtyFrom, this.length);
    this.items.push(e);
  }

  /** Replaces every entry from `from` on. */
  replaceFrom(from: number, tail: readonly PoolEntry[]): void {
    assert(from >= this.offset, 'a replaced tail is loaded');
    this.dirtyFrom = Math.min(this.dirtyFrom, from);
    this.items.length = from - this.offset;
    for (const e of tail) this.items.push(e);
  }

  /** Every entry (in memory only: a store-backed pool holds a tail). */
  all(): readonly PoolEntry[] {
    assert(this.offset === 0, 'every entry is loaded');
    return this.items;
  }

  /** Adds the entries before the tail: `items` are those from `offset`, `before` the key of the one before them. */
  extendBack(offset: number, before: string, items: readonly PoolEntry[]): void {
    assert(offset + items.length === this.offset, 'loaded entries meet the tail');
    this.items = items.concat(this.items);
    this.offset = offset;
    this.before = before;
  }

  /** Keeps only the position of the tail (after a write-back): a long tail need not stay in memory. */
  forget(): void {
    assert(this.dirtyFrom === Number.POSITIVE_INFINITY, 'entries are written back before they are forgotten');
    if (this.items.length === 0) return;
    this.before = this.items[this.items.length - 1]!.key;
    this.offset += this.items.length;
    this.items = [];
  }

  /** How many entries are held in memory. */
  get held(): number {
    return this.items.length;
  }
}

export interface BookState {
  /** The accepted event with this id, or undefined when there is none. */
  event(id: string): Stored | undefined;
  /** Notes an event the book accepted or changed (its results, links or voiding). */
  putEvent(s: Stored): void;
  /** The pool of (product, warehouse), made empty if it never moved. */
  pool(product: string, warehouse: string, make: () => CostPool): PoolHistory;
  /** The pool with this key, or undefined when it never moved. */
  poolByKey(key: string): PoolHistory | undefined;
  /** Notes a pool the book changed (its state, entries or checkpoints). */
  putPool(h: PoolHistory): void;
  /** Balances and day totals per account, as booked. */
  readonly totals: AccountTotals;
}

export function poolKey(product: string, warehouse: string): string {
  return `${product}\u0000${warehouse}`;
}

/** How a product's pools cost: its method and standard cost, the company's rounding and currency (one place for every state and reader). */
export function poolParams(co: Company, product: string): PoolParams {
  const p = co.products.get(product);
  assert(p !== undefined, `product ${product} exists`);
  return { method: p.costingMethod, rounding: co.settings.rounding, currency: co.baseCurrency, standardCost: p.standardCost };
}

/** The whole book in memory: every event and pool. */
export class MemoryState implements BookState {
  readonly events = new Map<string, Stored>();
  readonly pools = new Map<string, PoolHistory>();
  /** product → warehouse → pool: the hot path finds pools without building key strings. */
  private readonly index = new Map<string, Map<string, PoolHistory>>();
  readonly totals: AccountTotals;

  constructor(currency: string) {
    this.totals = new AccountTotals(currency);
  }

  event(id: string): Stored | undefined {
    return this.events.get(id);
  }

  putEvent(s: Stored): void {
    this.events.set(s.ev.id, s);
  }

  pool(product: string, warehouse: string, make: () => CostPool): PoolHistory {
    let byWarehouse = this.index.get(product);
    if (!byWarehouse) this.index.set(product, (byWarehouse = new Map()));
    let h = byWarehouse.get(warehouse);
    if (!h) {
      const key = poolKey(product, warehouse);
      h = { key, product, warehouse, entries: new Entries(key), lastKey: '', state: make(), checkpoints: [] };
      byWarehouse.set(warehouse, h);
      this.pools.set(key, h);
    }
    return h;
  }

  poolByKey(key: string): PoolHistory | undefined {
    return this.pools.get(key);
  }

  putPool(): void {
    // Nothing to write back: the pools are the state.
  }
}
