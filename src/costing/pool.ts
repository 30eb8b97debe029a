/**
 * The cost pool of one (product, warehouse): what is on hand and what it is worth.
 *
 * Layered methods (FIFO, LIFO, FEFO, specific lot) keep receipt layers as (qty, value) pairs,
 * never unit costs: a partial issue takes `value * part / qty` rounded, and the layer keeps
 * the rest, so the last unit out takes the exact remainder and an empty pool is worth exactly
 * zero. Pooled methods (moving average, standard) keep one (qty, value) pair the same way.
 *
 * Issues beyond stock (when the company allows negative stock) are priced by seed 003's chain
 * (line cost → average → last → standard) and remembered as a deficit; the next receipt
 * covers the deficit first and returns the difference as a true-up to post against COGS.
 */
import { assert } from '../domain/errors.js';
import { share, extend, allocate } from '../domain/money.js';
import type { RoundingMode } from '../domain/rounding.js';
import type { CostingMethod } from '../domain/config.js';
import { minBig } from '../domain/decimal.js';
import { type UnitCost, ratio, valueAt, fromDecimal, type CostSource } from './unit-cost.js';

interface UndoLog {
  layers: Layer[];
  length: number;
  head: number;
  seq: number;
  qty: bigint;
  value: bigint;
  deficitQty: bigint;
  deficitValue: bigint;
  lastCost: UnitCost | undefined;
  lastAverage: UnitCost | undefined;
  touched: { layer: Layer; qty: bigint; value: bigint }[];
}

export interface Layer {
  qty: bigint;
  value: bigint;
  /** Quantity originally received, to split landed costs between on-hand and sold units. */
  readonly received: bigint;
  /** The receipt (event id and line) that created the layer. */
  readonly source: string;
  readonly lot: string | undefined;
  readonly expiry: string | undefined;
  readonly seq: number;
}

/** One piece of an issue: which layer it came from, how much, at what value. */
export interface Take {
  readonly source: string;
  readonly lot?: string | undefined;
  readonly expiry?: string | undefined;
  readonly qty: bigint;
  readonly value: bigint;
}

export interface IssueResult {
  value: bigint;
  takes: Take[];
  /** Quantity issued beyond stock, priced by the fallback chain. */
  shortQty: bigint;
  shortSource: CostSource;
}

export interface ReceiveResult {
  /** Value booked to inventory (for standard cost: standard × qty). */
  stockValue: bigint;
  /** Standard-cost variance: received value minus standard value. */
  variance: bigint;
  /** Extra cost of units that had been issued short, now known (Dr COGS, Cr inventory). */
  trueUp: bigint;
}

export interface ReceiveInput {
  qty: bigint;
  value: bigint;
  source: string;
  lot?: string | undefined;
  expiry?: string | undefined;
  /** Layers to recreate (a transfer keeps lots, expiries and values of what it moved). */
  pieces?: readonly Take[] | undefined;
}

export interface PoolParams {
  method: CostingMethod;
  rounding: RoundingMode;
  currency: string;
  standardCost: bigint | undefined;
}

/** A pool as plain data (`CostPool.snapshot`): integers as decimal strings, absent values as null. */
export interface PoolSnapshot {
  /** [qty, value, received, source, lot, expiry, seq] per layer from the head. */
  layers: [string, string, string, string, string | null, string | null, number][];
  seq: number;
  qty: string;
  value: string;
  deficitQty: string;
  deficitValue: string;
  lastCost: [string, string] | null;
  lastAverage: [string, string] | null;
}

const LAYERED = new Set<CostingMethod>(['fifo', 'lifo', 'fefo', 'specific']);

export class CostPool {
  private layers: Layer[] = [];
  private head = 0; // FIFO consumes from the front without shifting the array
  private seq = 0;
  /** Totals of the pooled methods; for layered methods kept as the layer sums. */
  qty = 0n;
  value = 0n;
  deficitQty = 0n;
  deficitValue = 0n;
  private lastCost: UnitCost | undefined;
  private lastAverage: UnitCost | undefined;
  private undo: UndoLog | undefined;

  constructor(readonly params: PoolParams) {}

  /** An independent copy (a checkpoint): later changes to either never reach the other. */
  clone(): CostPool {
    assert(this.undo === undefined, 'no clone inside an open undo log');
    const c = new CostPool(this.params);
    c.layers = this.layers.slice(this.head).map((l) => ({ ...l }));
    c.seq = this.seq;
    c.qty = this.qty;
    c.value = this.value;
    c.deficitQty = this.deficitQty;
    c.deficitValue = this.deficitValue;
    c.lastCost = this.lastCost;
    c.lastAverage = this.lastAverage;
    return c;
  }

  /**
   * The pool as plain JSON-ready data (the costing state's row): the layers from the head, as
   * `clone` copies them, with integers as decimal strings. `restore` gives back a pool that
   * behaves exactly as this one.
   */
  snapshot(): PoolSnapshot {
    assert(this.undo === undefined, 'no snapshot inside an open undo log');
    const uc = (u: UnitCost | undefined): [string, string] | null => (u ? [u.num.toString(), u.den.toString()] : null);
    return {
      layers: this.layers.slice(this.head).map((l) => [l.qty.toString(), l.value.toString(), l.received.toString(), l.source, l.lot ?? null, l.expiry ?? null, l.seq]),
      seq: this.seq, qty: this.qty.toString(), value: this.value.toString(), deficitQty: this.deficitQty.toString(), deficitValue: this.deficitValue.toString(),
      lastCost: uc(this.lastCost), lastAverage: uc(this.lastAverage),
    };
  }

  static restore(params: PoolParams, s: PoolSnapshot): CostPool {
    const uc = (u: [string, string] | null): UnitCost | undefined => (u ? { num: BigInt(u[0]), den: BigInt(u[1]) } : undefined);
    const p = new CostPool(params);
    p.layers = s.layers.map(([qty, value, received, source, lot, expiry, seq]) => ({ qty: BigInt(qty), value: BigInt(value), received: BigInt(received), source, lot: lot ?? undefined, expiry: expiry ?? undefined, seq }));
    p.seq = s.seq;
    p.qty = BigInt(s.qty);
    p.value = BigInt(s.value);
    p.deficitQty = BigInt(s.deficitQty);
    p.deficitValue = BigInt(s.deficitValue);
    p.lastCost = uc(s.lastCost);
    p.lastAverage = uc(s.lastAverage);
    return p;
  }

  /**
   * Starts an undo log so a failing event can leave the pool exactly as it was, without
   * copying the layers: only the layers it touches are remembered.
   */
  begin(): void {
    this.undo = {
      layers: this.layers, length: this.layers.length, head: this.head, seq: this.seq, qty: this.qty, value: this.value,
      deficitQty: this.deficitQty, deficitValue: this.deficitValue, lastCost: this.lastCost, lastAverage: this.lastAverage, touched: [],
    };
  }

  commit(): void {
    this.undo = undefined;
  }

  rollback(): void {
    const u = this.undo;
    assert(u !== undefined, 'rollback needs begin');
    for (let i = u.touched.length - 1; i >= 0; i--) {
      const t = u.touched[i]!;
      t.layer.qty = t.qty;
      t.layer.value = t.value;
    }
    u.layers.length = u.length;
    Object.assign(this, { layers: u.layers, head: u.head, seq: u.seq, qty: u.qty, value: u.value, deficitQty: u.deficitQty, deficitValue: u.deficitValue, lastCost: u.lastCost, lastAverage: u.lastAverage });
    this.undo = undefined;
  }

  private touch(l: Layer): void {
    if (this.undo) this.undo.touched.push({ layer: l, qty: l.qty, value: l.value });
  }

  get layered(): boolean {
    return LAYERED.has(this.params.method);
  }

  /** On-hand quantity: stock less what was issued short. */
  get onHand(): bigint {
    return this.deficitQty === 0n ? this.qty : this.qty - this.deficitQty; // no new bigint in the usual case
  }

  /** On-hand value: must equal the inventory GL balance of this pool. */
  get onHandValue(): bigint {
    return this.deficitValue === 0n ? this.value : this.value - this.deficitValue;
  }

  /** Quantity available to issue from stock, optionally limited to one lot. */
  available(lot?: string): bigint {
    if (lot === undefined || !this.layered) return this.qty;
    let q = 0n;
    for (let i = this.head; i < this.layers.length; i++) {
      const l = this.layers[i]!;
      if (l.lot === lot) q += l.qty;
    }
    return q;
  }

  liveLayers(): readonly Layer[] {
    return this.layers.slice(this.head).filter((l) => l.qty > 0n);
  }

  /** Seed 003: the cost of units no layer covers — line cost, average, last, then standard. */
  fallbackCost(lineCost: bigint | undefined): { uc: UnitCost | undefined; source: CostSource } {
    if (lineCost !== undefined && lineCost > 0n) return { uc: fromDecimal(lineCost, this.params.currency), source: 'line' };
    return this.valuationCost('average');
  }

  /** The unit cost an adjustment asks for: average (→ last → standard), last (→ standard), standard. */
  valuationCost(kind: 'average' | 'last' | 'standard'): { uc: UnitCost | undefined; source: CostSource } {
    if (kind === 'average') {
      const avg = ratio(this.value, this.qty) ?? this.lastAverage;
      if (avg && avg.num > 0n) return { uc: avg, source: 'average' };
    }
    if (kind !== 'standard' && this.lastCost && this.lastCost.num > 0n) return { uc: this.lastCost, source: 'last' };
    const std = this.params.standardCost;
    if (std !== undefined && std > 0n) return { uc: fromDecimal(std, this.params.currency), source: 'standard' };
    return { uc: undefined, source: 'none' };
  }

  receive(input: ReceiveInput): ReceiveResult {
    assert(input.qty > 0n, 'receipt quantity must be positive');
    const { rounding } = this.params;
    let stockValue = input.value;
    let variance = 0n;
    if (this.params.method === 'standard') {
      assert(this.params.standardCost !== undefined, 'standard-costed pool needs a standard cost');
      stockValue = extend(input.qty, this.params.standardCost, this.params.currency, rounding);
      variance = input.value - stockValue;
    }
    this.lastCost = ratio(stockValue, input.qty);
    let trueUp = 0n;
    let qty = input.qty;
    let value = stockValue;
    if (this.deficitQty > 0n) {
      const covered = minBig(qty, this.deficitQty);
      const coveredValue = share(value, covered, qty, rounding);
      const provisional = share(this.deficitValue, covered, this.deficitQty, rounding);
      trueUp = coveredValue - provisional;
      this.deficitQty -= covered;
      this.deficitValue -= provisional;
      qty -= covered;
      value -= coveredValue;
    }
    if (qty > 0n) this.addStock(qty, value, input);
    return { stockValue, variance, trueUp };
  }

  private addStock(qty: bigint, value: bigint, input: ReceiveInput): void {
    this.qty += qty;
    this.value += value;
    this.noteAverage();
    if (!this.layered) return;
    const pieces = input.pieces && input.pieces.length > 0 ? input.pieces : [{ source: input.source, lot: input.lot, expiry: input.expiry, qty, value }];
    const sameTotals = pieces.reduce((a, p) => a + p.qty, 0n) === qty && pieces.reduce((a, p) => a + p.value, 0n) === value;
    // Pieces arrive whole unless a deficit or a standard cost changed the totals; then the
    // totals are spread over the pieces by quantity, without losing a unit.
    const qtys = sameTotals ? pieces.map((p) => p.qty) : allocate(qty, pieces.map((p) => p.qty));
    const values = sameTotals ? pieces.map((p) => p.value) : allocate(value, qtys);
    pieces.forEach((p, i) => {
      const q = qtys[i]!;
      if (q > 0n) this.layers.push({ qty: q, value: values[i]!, received: q, source: input.source, lot: p.lot ?? input.lot, expiry: p.expiry ?? input.expiry, seq: this.seq++ });
    });
  }

  private noteAverage(): void {
    const avg = ratio(this.value, this.qty);
    if (avg) this.lastAverage = avg;
  }

  /** Issues `qty`; never fails — the caller has checked availability when stock must not go negative. */
  issue(qty: bigint, lot: string | undefined, lineCost: bigint | undefined): IssueResult {
    assert(qty > 0n, 'issue quantity must be positive');
    const takes: Take[] = [];
    let taken = 0n;
    let value = 0n;
    const fromStock = minBig(qty, lot !== undefined && this.layered ? this.available(lot) : this.qty > 0n ? this.qty : 0n);
    if (fromStock > 0n) {
      if (this.layered) {
        value = this.takeLayers(fromStock, lot, takes);
      } else {
        value = share(this.value, fromStock, this.qty, this.params.rounding);
        takes.push({ source: this.params.method, qty: fromStock, value });
      }
      this.qty -= fromStock;
      this.value -= value;
      taken = fromStock;
    }
    if (taken < qty && this.qty > 0n) {
      // The named lot ran out (negative stock is allowed, or the book would have refused): a
      // deficit belongs to the whole pool — the next receipt of any lot covers it — so the
      // pool's other units go first. Stock and a deficit never coexist, and a pool with nothing
      // on hand is worth nothing.
      const more = minBig(qty - taken, this.qty);
      const v = this.takeLayers(more, undefined, takes);
      this.qty -= more;
      this.value -= v;
      value += v;
      taken += more;
    }
    assert(this.qty !== 0n || this.value === 0n, 'an empty pool is worth exactly zero');
    const shortQty = qty - taken;
    let shortSource: CostSource = 'layer';
    if (shortQty > 0n) {
      const fb = this.fallbackCost(lineCost);
      const shortValue = fb.uc ? valueAt(fb.uc, shortQty, this.params.rounding) : 0n;
      shortSource = fb.source;
      this.deficitQty += shortQty;
      this.deficitValue += shortValue;
      value += shortValue;
      takes.push({ source: `short:${fb.source}`, qty: shortQty, value: shortValue });
    }
    return { value, takes, shortQty, shortSource };
  }

  private pickOrder(lot: string | undefined): number[] {
    const idx: number[] = [];
    for (let i = this.head; i < this.layers.length; i++) {
      const l = this.layers[i]!;
      if (l.qty > 0n && (lot === undefined || l.lot === lot)) idx.push(i);
    }
    const m = this.params.method;
    if (m === 'lifo') idx.reverse();
    if (m === 'fefo') {
      // Earliest expiry first; batches without expiry last; receipt order breaks ties.
      idx.sort((a, b) => {
        const ea = this.layers[a]!.expiry ?? '9999-99-99';
        const eb = this.layers[b]!.expiry ?? '9999-99-99';
        return ea === eb ? a - b : ea < eb ? -1 : 1;
      });
    }
    return idx;
  }

  private takeLayers(qty: bigint, lot: string | undefined, takes: Take[]): bigint {
    let left = qty;
    let value = 0n;
    const fastFifo = this.params.method === 'fifo' && lot === undefined;
    const order = fastFifo ? undefined : this.pickOrder(lot);
    for (let k = 0; left > 0n; k++) {
      const i = fastFifo ? this.head + k : order![k];
      assert(i !== undefined && i < this.layers.length, 'layers cover the checked quantity');
      const l = this.layers[i]!;
      if (l.qty === 0n) continue;
      const q = minBig(left, l.qty);
      const v = share(l.value, q, l.qty, this.params.rounding);
      this.touch(l);
      l.qty -= q;
      l.value -= v;
      left -= q;
      value += v;
      takes.push({ source: l.source, lot: l.lot, expiry: l.expiry, qty: q, value: v });
    }
    this.compact();
    return value;
  }

  /** Drops spent layers at the front (FIFO) and, now and then, everywhere. */
  private compact(): void {
    while (this.head < this.layers.length && this.layers[this.head]!.qty === 0n) this.head++;
    if (this.head > 64 && this.head * 2 > this.layers.length) {
      this.layers = this.layers.slice(this.head);
      this.head = 0;
    }
    if (this.params.method !== 'fifo' && this.layers.length > 256) {
      const live = this.layers.slice(this.head).filter((l) => l.qty > 0n);
      if (live.length * 2 < this.layers.length - this.head) {
        this.layers = live;
        this.head = 0;
      }
    }
  }

  /**
   * Adds a cost to the units of one receipt (landed cost). The share belonging to units still
   * on hand raises their value; the share of units already issued is returned for COGS.
   */
  revalue(amount: bigint, source: string, received: bigint): { toStock: bigint; toCogs: bigint; toVariance: bigint } {
    const { rounding } = this.params;
    // Standard-costed stock stays at standard: an added cost is a price variance.
    if (this.params.method === 'standard') return { toStock: 0n, toCogs: 0n, toVariance: amount };
    if (!this.layered) {
      const onHand = minBig(this.qty > 0n ? this.qty : 0n, received);
      const toStock = received > 0n ? share(amount, onHand, received, rounding) : 0n;
      this.value += toStock;
      this.noteAverage();
      return { toStock, toCogs: amount - toStock, toVariance: 0n };
    }
    const mine = this.layers.slice(this.head).filter((l) => l.source === source && l.qty > 0n);
    const total = received > 0n ? received : mine.reduce((a, l) => a + l.received, 0n);
    let toStock = 0n;
    for (const l of mine) {
      const add = share(amount, l.qty, total, rounding);
      this.touch(l);
      l.value += add;
      this.value += add;
      toStock += add;
    }
    // As for pooled methods: the cost raised the average, which prices later short issues.
    this.noteAverage();
    return { toStock, toCogs: amount - toStock, toVariance: 0n };
  }
}
