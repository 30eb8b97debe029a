/**
 * A re-cost's working state (the book's re-cost stage: late events and voids). A late event or
 * a void changes what every later move of its pools costs; the book runs those pools again
 * from where the event lands, on private edits of their entries (`PoolEdit`), with tentative
 * results per event, and commits them only once every journal of the change is posted. This
 * module holds that state; the book's `replay` owns the control flow.
 */
import { assert } from '../domain/errors.js';
import type { CostPool } from '../costing/pool.js';
import type { MoveResult } from '../posting/types.js';
import { Entries, type BookState, type Checkpoint, type PoolEntry, type Stored } from './state.js';

/**
 * A re-cost's view of one pool's entries. The committed entries before `from` are shared and
 * never change; from `from` on it works on a private copy, which `commit` writes back into
 * the committed array in place. So a late event costs what lies after it, not the whole
 * history, and a re-cost that fails leaves the committed entries untouched.
 */
export class PoolEdit {
  private tail: PoolEntry[];

  constructor(readonly base: Entries, public from: number) {
    this.tail = base.slice(from);
  }

  get length(): number {
    return this.from + this.tail.length;
  }

  at(i: number): PoolEntry {
    return i < this.from ? this.base.at(i) : this.tail[i - this.from]!;
  }

  /** Entries before `from` keep their committed objects: their re-costed figures are the same. */
  set(i: number, e: PoolEntry): void {
    if (i >= this.from) this.tail[i - this.from] = e;
  }

  /** Makes the entries from `i` on private. */
  reach(i: number): void {
    if (i >= this.from) return;
    this.tail = this.base.slice(i, this.from).concat(this.tail);
    this.from = i;
  }

  firstAtOrAfter(key: string): number {
    const i = this.base.firstAtOrAfter(key);
    return i < this.from ? i : this.from + firstAtOrAfter(this.tail, key);
  }

  /** Inserts after every entry whose key is not greater; the caller has reached that position. */
  insert(e: PoolEntry): void {
    let at = this.tail.length;
    while (at > 0 && this.tail[at - 1]!.key > e.key) at--;
    assert(at > 0 || this.from === 0 || this.base.at(this.from - 1).key <= e.key, 'insertion point is private');
    this.tail.splice(at, 0, e);
  }

  removeEvent(id: string): void {
    this.tail = this.tail.filter((e) => e.event !== id);
  }

  lastKey(): string {
    if (this.tail.length > 0) return this.tail[this.tail.length - 1]!.key;
    return this.from > 0 ? this.base.at(this.from - 1).key : '';
  }

  commit(): void {
    this.base.replaceFrom(this.from, this.tail);
  }
}

/** First index whose key is at or after `key` (entries are sorted by key). */
export function firstAtOrAfter(entries: readonly PoolEntry[], key: string): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One re-cost's working state: private edits of the pools' entries, tentative results per
 * event, the pools still to run (each from the earliest key scheduled), and what changed.
 */
export class ReCost {
  readonly edits = new Map<string, PoolEdit>();
  readonly tentResults = new Map<string, MoveResult[]>();
  private readonly starts = new Map<string, string>();
  /** The earliest key ever scheduled per pool in this re-cost. */
  readonly earliest = new Map<string, string>();
  readonly newStates = new Map<string, CostPool>();
  readonly newCheckpoints = new Map<string, Checkpoint[]>();
  readonly changed = new Set<string>();

  constructor(
    private readonly state: BookState,
    readonly added: Stored,
    readonly removed: Stored | undefined,
  ) {}

  schedule(k: string, from: string): void {
    const cur = this.starts.get(k);
    if (cur === undefined || from < cur) this.starts.set(k, from);
    const e = this.earliest.get(k);
    if (e === undefined || from < e) this.earliest.set(k, from);
  }

  /** The pool scheduled from the earliest key, taken off the schedule; undefined when none is left. */
  next(): string | undefined {
    if (this.starts.size === 0) return undefined;
    const [k] = [...this.starts.entries()].reduce((a, b) => (b[1] < a[1] ? b : a));
    this.starts.delete(k);
    return k;
  }

  editOf(k: string, fromKey: string): PoolEdit {
    let e = this.edits.get(k);
    if (!e) {
      const base = this.state.poolByKey(k)?.entries ?? new Entries(k);
      e = new PoolEdit(base, base.firstAtOrAfter(fromKey));
      this.edits.set(k, e);
    }
    e.reach(e.firstAtOrAfter(fromKey));
    return e;
  }

  /** An event as this re-cost sees it: the added one included, the removed one gone. */
  stored(id: string): Stored | undefined {
    return id === this.added.ev.id ? this.added : id === this.removed?.ev.id ? undefined : this.state.event(id);
  }
}

