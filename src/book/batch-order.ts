/**
 * The costing order of a batch: the order its events are applied to the book in. Events are
 * sorted by what they say (their order key: date, time, id), stably, except that
 *
 * - an event comes after every event of the batch it refers to (a void's target, a bill's
 *   receipt, a credit note's shipment…), even when it sorts earlier, so references resolve;
 * - a void (whose date orders nothing) comes after every event sent before it;
 * - a repeated id comes after its earlier occurrences, so idempotency (exists / conflict) is
 *   decided by position in the batch, as when events are applied as they come.
 *
 * A batch costed in this order books the journals of the sorted stream: a late event inside a
 * batch is not late at all. References that form a cycle cannot all resolve; the cycle is
 * broken at its first event by position.
 */
import type { BookEvent } from '../domain/events.js';
import { RULES } from '../posting/rules/index.js';

/** What the costing order needs of an event. */
export interface Orderable {
  id: string;
  key: string;
  refs: readonly string[];
  /** A void: its date orders nothing, so it stays after every event sent before it. */
  barrier?: boolean | undefined;
}

const NO_REFS: readonly string[] = [];

/** The ids an event refers to: they must be applied before it. */
export function referencesOf(ev: BookEvent): readonly string[] {
  if (ev.type === 'void') return [ev.target];
  const rule = RULES[ev.type] as { references?: (e: BookEvent) => string[] };
  return rule.references?.(ev) ?? NO_REFS;
}

export function orderable(ev: BookEvent): Orderable {
  return { id: ev.id, key: ev.key, refs: referencesOf(ev), barrier: ev.type === 'void' };
}

/**
 * Positions of the defined items (undefined: an event that did not parse, which is not
 * applied), in costing order.
 */
export function costingOrder(items: readonly (Orderable | undefined)[]): number[] {
  const { blockers, freed } = dependencies(items);
  const heap = new PositionHeap(items);
  for (let i = 0; i < items.length; i++) if (items[i] !== undefined && blockers[i] === 0) heap.push(i);
  const out: number[] = [];
  const done = new Uint8Array(items.length);
  let pending = items.reduce((n, it) => n + (it === undefined ? 0 : 1), 0);
  let scan = 0;
  while (pending > 0) {
    let i = heap.pop();
    if (i === undefined) {
      // A reference cycle: release its first undone event by position.
      while (items[scan] === undefined || done[scan] === 1) scan++;
      i = scan;
    }
    if (done[i] === 1) continue;
    done[i] = 1;
    pending--;
    out.push(i);
    for (const d of freed[i] ?? []) if (--blockers[d]! === 0 && done[d] === 0) heap.push(d);
  }
  return out;
}

/** Per position: how many events must go first, and which positions wait for it. */
function dependencies(items: readonly (Orderable | undefined)[]): { blockers: number[]; freed: (number[] | undefined)[] } {
  const positions = new Map<string, number[]>();
  items.forEach((it, i) => {
    if (it === undefined) return;
    const p = positions.get(it.id);
    if (p) p.push(i);
    else positions.set(it.id, [i]);
  });
  const blockers = new Array<number>(items.length).fill(0);
  const freed: (number[] | undefined)[] = new Array<number[] | undefined>(items.length);
  const edge = (from: number, to: number): void => {
    (freed[from] ??= []).push(to);
    blockers[to]!++;
  };
  let since: number[] = [];
  items.forEach((it, i) => {
    if (it === undefined) return;
    if (it.barrier === true) {
      for (const j of since) edge(j, i);
      since = [];
    }
    since.push(i);
    const same = positions.get(it.id)!;
    const k = same.indexOf(i);
    if (k > 0) edge(same[k - 1]!, i);
    for (const r of it.refs) for (const j of positions.get(r) ?? []) if (j !== i && r !== it.id) edge(j, i);
  });
  return { blockers, freed };
}

/** A binary min-heap of positions, by (order key, position). */
class PositionHeap {
  private readonly a: number[] = [];

  constructor(private readonly items: readonly (Orderable | undefined)[]) {}

  private less(x: number, y: number): boolean {
    const kx = this.items[x]!.key;
    const ky = this.items[y]!.key;
    return kx < ky || (kx === ky && x < y);
  }

  push(i: number): void {
    const a = this.a;
    a.push(i);
    let c = a.length - 1;
    while (c > 0) {
      const p = (c - 1) >> 1;
      if (!this.less(a[c]!, a[p]!)) break;
      [a[c], a[p]] = [a[p]!, a[c]!];
      c = p;
    }
  }

  pop(): number | undefined {
    const a = this.a;
    if (a.length === 0) return undefined;
    const top = a[0]!;
    const last = a.pop()!;
    if (a.length > 0) {
      a[0] = last;
      let p = 0;
      for (;;) {
        const l = 2 * p + 1;
        const r = l + 1;
        let m = p;
        if (l < a.length && this.less(a[l]!, a[m]!)) m = l;
        if (r < a.length && this.less(a[r]!, a[m]!)) m = r;
        if (m === p) break;
        [a[m], a[p]] = [a[p]!, a[m]!];
        p = m;
      }
    }
    return top;
  }
}

/**
 * How many events `stockbook import` and `stockbook post` hold to sort at a time (their
 * `--sort-window`): a file of up to this many events is costed in its sorted order whatever the
 * order of its lines; a longer one is sorted window by window.
 */
export const DEFAULT_SORT_WINDOW = 50_000;
