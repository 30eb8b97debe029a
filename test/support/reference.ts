/**
 * An independent, deliberately simple reference model of the costing rules, written from the
 * documented behaviour and NOT from src/costing. It replays a final set of live raw events
 * (public JSON format) once, in (date, id) order, and reports each pool's on-hand quantity,
 * value and layers, and the COGS the events book.
 *
 * Rules modelled:
 * - Layers are plain {qty, value, lot, expiry} records kept in receipt order.
 *   FIFO issues from the oldest layer, LIFO from the newest, FEFO from the earliest expiry
 *   (no expiry last, receipt order breaks ties), specific lot from the named lot's layers in
 *   receipt order (receipt order when no lot is named, as in a stocktake).
 * - Taking q of a layer of (qty, value) costs value*q/qty rounded half-even (or the company's
 *   rounding mode); taking the whole layer costs exactly its value (the last unit takes the
 *   remainder).
 * - Moving average keeps one (qty, value); standard receives at standard × qty.
 * - Units issued beyond stock (negative stock allowed) are priced line cost → average → last
 *   receipt cost → standard, and remembered as a deficit; a later receipt first covers the
 *   deficit and the difference between the covered units' real and provisional cost is a
 *   true-up to COGS.
 * - Transfers recreate the layers they took at the destination; assemblies receive at the sum
 *   of component costs plus services; credit notes restock at the shipment's cost share;
 *   landed costs raise the still-on-hand units of the purchase line and send the rest to COGS
 *   (on standard-cost stock the whole landed cost is a price variance).
 */
import type { RawEvent, RawLine, Qty } from './gen.js';

type Method = 'fifo' | 'fefo' | 'lifo' | 'average' | 'standard' | 'specific';

export interface RefLayer { qty: bigint; value: bigint; lot: string | undefined; expiry: string | undefined }
export interface RefPoolState { qty: bigint; value: bigint; layers: RefLayer[] }
export interface RefResult {
  pools: Map<string, RefPoolState>;
  cogs: bigint;
  /** Balances of every account other than inventory (whose value is the pools'). */
  gl: Map<string, bigint>;
  /** Value of every issue priced from stock or fallback, per event id (for drill-down when a test fails). */
  issues: Map<string, bigint>;
}

interface Layer { qty: bigint; value: bigint; lot: string | undefined; expiry: string | undefined; source: string }
interface Ratio { num: bigint; den: bigint }
interface Pool {
  layers: Layer[];
  qty: bigint;
  value: bigint;
  defQty: bigint;
  defValue: bigint;
  lastAvg: Ratio | undefined;
  lastCost: Ratio | undefined;
}
interface Piece { qty: bigint; value: bigint; lot: string | undefined; expiry: string | undefined }

const QTY = 1_000_000n; // quantities in millionths
const CENTS = 100n; // USD minor units
const UNIT_COST_DEN = 10_000_000_000n; // unit costs in 10^-10 of a dollar

// ---- arithmetic (own helpers, not src/domain) --------------------------------------------

export type Rounding = 'half-even' | 'half-odd' | 'half-up' | 'half-down' | 'half-away-from-zero' | 'half-towards-zero' | 'up' | 'down' | 'away-from-zero' | 'towards-zero';

/** The company's rounding mode for the replay in progress (the model is single-threaded). */
let rounding: Rounding = 'half-even';

/** n / d rounded by `rounding` ("up"/"down" towards ±infinity); d > 0. */
function round(n: bigint, d: bigint): bigint {
  let lo = n / d;
  let r = n % d;
  if (r < 0n) {
    lo -= 1n;
    r += d;
  } // now n = lo*d + r with 0 <= r < d (floor division)
  if (r === 0n) return lo;
  const hi = lo + 1n;
  const positive = n > 0n;
  switch (rounding) {
    case 'up': return hi;
    case 'down': return lo;
    case 'towards-zero': return positive ? lo : hi;
    case 'away-from-zero': return positive ? hi : lo;
    default: break;
  }
  if (2n * r < d) return lo;
  if (2n * r > d) return hi;
  switch (rounding) {
    case 'half-even': return lo % 2n === 0n ? lo : hi;
    case 'half-odd': return lo % 2n === 0n ? hi : lo;
    case 'half-up': return hi;
    case 'half-down': return lo;
    case 'half-away-from-zero': return positive ? hi : lo;
    case 'half-towards-zero': return positive ? lo : hi;
  }
}

function part(value: bigint, q: bigint, of: bigint): bigint {
  return q === of ? value : round(value * q, of);
}

function decimal(text: string, scale: number): bigint {
  const neg = text.startsWith('-');
  const body = neg ? text.slice(1) : text;
  const dot = body.indexOf('.');
  const whole = dot < 0 ? body : body.slice(0, dot);
  const frac = dot < 0 ? '' : body.slice(dot + 1);
  if (frac.length > scale) throw new Error(`reference: ${text} has too many decimals`);
  const v = BigInt(whole || '0') * 10n ** BigInt(scale) + BigInt(frac.padEnd(scale, '0') || '0');
  return neg ? -v : v;
}

function qtyOf(q: Qty | undefined): bigint {
  if (q === undefined) throw new Error('reference: missing quantity');
  return typeof q === 'number' ? BigInt(q) * QTY : decimal(q, 6);
}

function cents(a: string | undefined): bigint {
  return a === undefined ? 0n : decimal(a, 2);
}

/** A document amount in USD cents: foreign amounts convert at the event's rate (base per unit, 10 decimals). */
function usd(e: RawEvent, a: string | undefined): bigint {
  const c = cents(a);
  return e.rate === undefined ? c : round(c * decimal(e.rate, 10), UNIT_COST_DEN);
}

/** Value in cents of `qty` at a unit cost given in 10^-10 dollars. */
function atUnitCost(qty: bigint, unitCost: bigint): bigint {
  return round(qty * unitCost * CENTS, QTY * UNIT_COST_DEN);
}

function atRatio(r: Ratio, qty: bigint): bigint {
  return round(r.num * qty, r.den);
}

/** Splits total over weights by largest remainder, ties to the earlier weight; all-zero weights split evenly. */
function split(total: bigint, weights: bigint[]): bigint[] {
  let ws = weights;
  if (ws.every((w) => w === 0n)) ws = ws.map(() => 1n);
  const sum = ws.reduce((a, b) => a + b, 0n);
  const sign = total < 0n ? -1n : 1n;
  const abs = total * sign;
  const parts = ws.map((w) => (abs * w) / sum);
  let left = abs - parts.reduce((a, b) => a + b, 0n);
  const order = ws.map((w, i) => ({ i, rem: (abs * w) % sum })).sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (const o of order) {
    if (left === 0n) break;
    parts[o.i]! += 1n;
    left -= 1n;
  }
  return parts.map((p) => p * sign);
}

// ---- the model ------------------------------------------------------------------------------

export interface RefOptions {
  method: Method;
  /** Standard cost per product, decimal major units. */
  standard: Readonly<Record<string, string | undefined>>;
  /** The company's rounding mode (default half-even). */
  rounding?: Rounding | undefined;
}

export function referenceReplay(liveEvents: readonly RawEvent[], opts: RefOptions): RefResult {
  const { method } = opts;
  rounding = opts.rounding ?? 'half-even';
  const layered = method === 'fifo' || method === 'lifo' || method === 'fefo' || method === 'specific';
  const pools = new Map<string, Pool>();
  const shipments = new Map<string, { product: string; warehouse: string; qty: bigint; value: bigint }[]>();
  const purchaseLines = new Map<string, { product: string; warehouse: string; qty: bigint; value: bigint; source: string }[]>();
  const issues = new Map<string, bigint>();
  // The chart of the test company (test/support/gen.ts): one account per role.
  const A = { ar: '1200', wip: '1310', ap: '2100', tax: '2200', grni: '2400', sales: '4000', cogs: '5000', discrepancy: '5100', ppv: '5200', overheads: '6100', labour: '6200', writeOff: '6300' };
  const gl = new Map<string, bigint>();
  const book = (account: string, amount: bigint): void => void gl.set(account, (gl.get(account) ?? 0n) + amount);
  let cogs = 0n; // booked to A.cogs at the end

  const pool = (product: string, warehouse: string): Pool => {
    const k = `${product}/${warehouse}`;
    let p = pools.get(k);
    if (!p) {
      p = { layers: [], qty: 0n, value: 0n, defQty: 0n, defValue: 0n, lastAvg: undefined, lastCost: undefined };
      pools.set(k, p);
    }
    return p;
  };
  const standardCost = (product: string): bigint | undefined => {
    const s = opts.standard[product];
    return s === undefined ? undefined : decimal(s, 10);
  };

  /** average (→ last → standard), last (→ standard), or standard: a unit cost, or none. */
  const valuation = (p: Pool, product: string, kind: 'average' | 'last' | 'standard'): Ratio | undefined => {
    if (kind === 'average') {
      const avg = p.qty > 0n ? { num: p.value, den: p.qty } : p.lastAvg;
      if (avg && avg.num > 0n) return avg;
    }
    if (kind !== 'standard' && p.lastCost && p.lastCost.num > 0n) return p.lastCost;
    const std = standardCost(product);
    if (std !== undefined && std > 0n) return { num: std * CENTS, den: QTY * UNIT_COST_DEN };
    return undefined;
  };

  /** Receives stock; returns the true-up of units that had been issued short. */
  const receive = (product: string, warehouse: string, qty: bigint, value: bigint, source: string, lot: string | undefined, expiry: string | undefined, pieces?: Piece[]): bigint => {
    const p = pool(product, warehouse);
    let v = value;
    if (method === 'standard') v = atUnitCost(qty, standardCost(product)!);
    book(A.ppv, value - v); // standard cost: what it came in at, less standard
    p.lastCost = { num: v, den: qty };
    let q = qty;
    let trueUp = 0n;
    if (p.defQty > 0n) {
      const covered = q < p.defQty ? q : p.defQty;
      const real = part(v, covered, q);
      const provisional = part(p.defValue, covered, p.defQty);
      trueUp = real - provisional;
      p.defQty -= covered;
      p.defValue -= provisional;
      q -= covered;
      v -= real;
    }
    if (q > 0n) {
      p.qty += q;
      p.value += v;
      p.lastAvg = { num: p.value, den: p.qty };
      if (layered) {
        const ps = pieces && pieces.length > 0 ? pieces : [{ qty: q, value: v, lot, expiry }];
        const whole = ps.reduce((a, x) => a + x.qty, 0n) === q && ps.reduce((a, x) => a + x.value, 0n) === v;
        const qs = whole ? ps.map((x) => x.qty) : split(q, ps.map((x) => x.qty));
        const vs = whole ? ps.map((x) => x.value) : split(v, qs);
        ps.forEach((x, i) => {
          if (qs[i]! > 0n) p.layers.push({ qty: qs[i]!, value: vs[i]!, lot: x.lot ?? lot, expiry: x.expiry ?? expiry, source });
        });
      }
    }
    cogs += trueUp;
    return trueUp;
  };

  const order = (p: Pool, lot: string | undefined): Layer[] => {
    let ls = p.layers.filter((l) => l.qty > 0n && (lot === undefined || l.lot === lot));
    if (method === 'lifo') ls = ls.reverse();
    if (method === 'fefo') ls = [...ls].sort((a, b) => ((a.expiry ?? '~') < (b.expiry ?? '~') ? -1 : (a.expiry ?? '~') > (b.expiry ?? '~') ? 1 : 0));
    return ls;
  };

  const issue = (product: string, warehouse: string, qty: bigint, lot: string | undefined, lineCost: bigint | undefined): { value: bigint; pieces: Piece[] } => {
    const p = pool(product, warehouse);
    const avail = lot !== undefined && layered ? p.layers.filter((l) => l.lot === lot).reduce((a, l) => a + l.qty, 0n) : p.qty > 0n ? p.qty : 0n;
    let value = 0n;
    const pieces: Piece[] = [];
    const take = (want: bigint, from: Layer[]): bigint => {
      let left = want;
      let v = 0n;
      for (const l of from) {
        if (left === 0n) break;
        const q = left < l.qty ? left : l.qty;
        const x = part(l.value, q, l.qty);
        l.qty -= q;
        l.value -= x;
        left -= q;
        v += x;
        pieces.push({ qty: q, value: x, lot: l.lot, expiry: l.expiry });
      }
      p.qty -= want;
      p.value -= v;
      return v;
    };
    let fromStock = qty < avail ? qty : avail;
    if (fromStock > 0n) {
      if (layered) value += take(fromStock, order(p, lot));
      else {
        const v = part(p.value, fromStock, p.qty);
        p.qty -= fromStock;
        p.value -= v;
        value += v;
      }
    }
    // A named lot that runs out takes the pool's other units before the pool goes negative:
    // the deficit is pool-wide (any later receipt covers it).
    if (fromStock < qty && p.qty > 0n) {
      const more = qty - fromStock < p.qty ? qty - fromStock : p.qty;
      value += take(more, order(p, undefined));
      fromStock += more;
    }
    const short = qty - fromStock;
    if (short > 0n) {
      const uc = lineCost !== undefined && lineCost > 0n ? { num: lineCost * CENTS, den: QTY * UNIT_COST_DEN } : valuation(p, product, 'average');
      const v = uc ? atRatio(uc, short) : 0n;
      p.defQty += short;
      p.defValue += v;
      value += v;
      pieces.push({ qty: short, value: v, lot: undefined, expiry: undefined });
    }
    return { value, pieces };
  };

  /** A landed or capitalised cost on the units of one receipt: on-hand share to stock, the rest to COGS. */
  const revalue = (product: string, warehouse: string, amount: bigint, source: string, received: bigint): void => {
    // Standard-cost stock stays at standard: the added cost is a price variance, not COGS.
    if (method === 'standard') return book(A.ppv, amount);
    const p = pool(product, warehouse);
    let toStock = 0n;
    if (!layered) {
      const onHand = p.qty > 0n ? (p.qty < received ? p.qty : received) : 0n;
      toStock = part(amount, onHand, received);
      p.value += toStock;
    } else {
      for (const l of p.layers) {
        if (l.source !== source || l.qty === 0n) continue;
        const add = part(amount, l.qty, received);
        l.value += add;
        p.value += add;
        toStock += add;
      }
    }
    if (p.qty > 0n) p.lastAvg = { num: p.value, den: p.qty };
    cogs += amount - toStock;
  };

  /** A bill's stock lines: line index, amount in USD, and the capitalised charges spread over them by amount. */
  const billLines = (e: RawEvent): { i: number; l: RawLine; amount: bigint; extra: bigint }[] => {
    const lines = e.lines ?? [];
    const stock = lines.flatMap((l, i) => (l.product !== undefined && l.qty !== undefined ? [i] : []));
    const extra = stock.map(() => 0n);
    for (const l of lines) {
      if (l.capitalise !== true || l.product !== undefined) continue;
      const parts = split(usd(e, l.amount), stock.map((i) => {
        const a = usd(e, lines[i]!.amount);
        return a < 0n ? -a : a;
      }));
      parts.forEach((x, k) => (extra[k]! += x));
    }
    return stock.map((i, k) => ({ i, l: lines[i]!, amount: usd(e, lines[i]!.amount), extra: extra[k]! }));
  };

  // What each purchase, stock receipt or assembly receives is known from the event itself,
  // whatever its date relative to a landed cost that names it (a landed cost dated before the
  // goods arrive goes to COGS). An assembly's value is only known once costed: as a
  // landed-cost weight it counts 0.
  const byId = new Map(liveEvents.map((e) => [e.id, e]));
  for (const e of liveEvents) {
    if (e.type === 'assembly') {
      const n = (e.components ?? []).length;
      purchaseLines.set(e.id, [{ product: e.product!, warehouse: e.warehouse!, qty: qtyOf(e.qty), value: 0n, source: `${e.id}#${n}` }]);
    } else if (e.type === 'stock_receipt') {
      purchaseLines.set(e.id, (e.lines ?? []).map((l, i) => ({ product: l.product!, warehouse: l.warehouse!, qty: qtyOf(l.qty), value: usd(e, l.amount), source: `${e.id}#${i}` })));
    } else if (e.type === 'purchase_invoice' && e.dropship !== true && e.receipt === undefined) {
      purchaseLines.set(e.id, billLines(e).map((b) => ({ product: b.l.product!, warehouse: b.l.warehouse!, qty: qtyOf(b.l.qty), value: b.amount + b.extra, source: `${e.id}#${b.i}` })));
    }
  }

  // Date, then time of day (events without one first), then id.
  const order3 = (e: RawEvent): [string, string, string] => [e.date, e.time ?? '', e.id];
  const events = [...liveEvents].sort((a, b) => {
    const [x, y] = [order3(a), order3(b)];
    for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i]! < y[i]! ? -1 : 1;
    return 0;
  });
  const serviceAccount = (x: { role: string; account?: string | undefined }): string => x.account ?? (x.role === 'labour' ? A.labour : A.overheads);
  for (const e of events) {
    const lines: RawLine[] = e.lines ?? [];
    let issued = 0n;
    // The document side: payables, receivables, tax, revenue and expense lines.
    for (const l of lines) {
      const amount = usd(e, l.amount);
      const tax = usd(e, l.tax);
      if (e.type === 'purchase_invoice') {
        book(A.ap, -(amount + tax));
        book(A.tax, tax);
        if (l.product === undefined && l.capitalise !== true) book(l.account!, amount);
      } else if (e.type === 'purchase_credit_note') {
        book(A.ap, amount + tax);
        book(A.tax, -tax);
      } else if (e.type === 'sale_invoice' || e.type === 'sale_credit_note') {
        const sign = e.type === 'sale_invoice' ? 1n : -1n;
        book(A.ar, sign * (amount + tax));
        book(l.account ?? A.sales, -sign * amount);
        book(A.tax, -sign * tax);
      }
    }
    for (const x of e.services ?? []) book(serviceAccount(x), -cents(x.amount));
    switch (e.type) {
      case 'stock_receipt':
      case 'purchase_invoice':
        if (e.dropship === true) {
          // Never in stock: its cost (with its capitalised charges) is COGS at once.
          for (const b of billLines(e)) cogs += b.amount + b.extra;
        } else if (e.receipt !== undefined) {
          // Receipt recognition: the bill clears GRNI (the receipt's value of what it bills), the
          // difference is PPV; its capitalised charges revalue the goods of the receipt line with
          // the same product and warehouse.
          const rec = byId.get(e.receipt)!;
          for (const b of billLines(e)) {
            const j = rec.lines!.findIndex((x) => x.product === b.l.product && x.warehouse === b.l.warehouse);
            const rl = rec.lines![j]!;
            const billed = qtyOf(b.l.qty) < qtyOf(rl.qty) ? qtyOf(b.l.qty) : qtyOf(rl.qty);
            const grni = part(usd(rec, rl.amount), billed, qtyOf(rl.qty));
            book(A.grni, grni);
            book(A.ppv, b.amount - grni);
            if (b.extra !== 0n) revalue(b.l.product!, b.l.warehouse!, b.extra, `${rec.id}#${j}`, qtyOf(rl.qty));
          }
        } else if (e.type === 'stock_receipt') {
          for (const pl of purchaseLines.get(e.id) ?? []) {
            const l = lines[Number(pl.source.slice(pl.source.indexOf('#') + 1))]!;
            book(A.grni, -pl.value);
            receive(pl.product, pl.warehouse, pl.qty, pl.value, pl.source, l.lot, l.expiry);
          }
        } else {
          for (const pl of purchaseLines.get(e.id) ?? []) {
            const l = lines[Number(pl.source.slice(pl.source.indexOf('#') + 1))]!;
            receive(pl.product, pl.warehouse, pl.qty, pl.value, pl.source, l.lot, l.expiry);
          }
        }
        break;
      case 'shipment': {
        const rec: { product: string; warehouse: string; qty: bigint; value: bigint }[] = [];
        for (const l of lines) {
          const r = issue(l.product!, l.warehouse!, qtyOf(l.qty), l.lot, l.cost === undefined ? undefined : decimal(l.cost, 10));
          cogs += r.value;
          issued += r.value;
          rec.push({ product: l.product!, warehouse: l.warehouse!, qty: qtyOf(l.qty), value: r.value });
        }
        shipments.set(e.id, rec);
        break;
      }
      case 'sale_invoice': {
        // PSA style: the invoice issues its stocked lines (all products here are stocked).
        const rec: { product: string; warehouse: string; qty: bigint; value: bigint }[] = [];
        if (e.issuesStock === true) {
          for (const l of lines) {
            if (l.product === undefined || l.qty === undefined) continue;
            const r = issue(l.product, l.warehouse!, qtyOf(l.qty), l.lot, l.cost === undefined ? undefined : decimal(l.cost, 10));
            cogs += r.value;
            issued += r.value;
            rec.push({ product: l.product, warehouse: l.warehouse!, qty: qtyOf(l.qty), value: r.value });
          }
        }
        shipments.set(e.id, rec);
        break;
      }
      case 'purchase_credit_note':
        // The stock leaves at its cost; the difference to the credit is PPV.
        for (const l of lines) {
          if (l.product === undefined || l.qty === undefined) continue;
          const cost = issue(l.product, l.warehouse!, qtyOf(l.qty), l.lot, undefined).value;
          issued += cost;
          book(A.ppv, cost - usd(e, l.amount));
        }
        break;
      case 'disassembly': {
        const cost = issue(e.product!, e.warehouse!, qtyOf(e.qty), e.lot, undefined).value;
        issued += cost;
        const outs = e.outputs ?? [];
        // Shares by weight × quantity, a missing weight counting 1.
        const weights = outs.map((o) => (o.weight === undefined ? UNIT_COST_DEN : decimal(o.weight, 10)) * qtyOf(o.qty));
        const costParts = split(cost, weights);
        // Each service is split on its own (as its journal row is).
        const serviceParts = weights.map(() => 0n);
        for (const x of e.services ?? []) split(cents(x.amount), weights).forEach((v, k) => (serviceParts[k]! += v));
        outs.forEach((o, k) => receive(o.product!, o.warehouse ?? e.warehouse!, qtyOf(o.qty), costParts[k]! + serviceParts[k]!, `${e.id}#${k + 1}`, o.lot, undefined));
        break;
      }
      case 'stock_adjustment':
        lines.forEach((l, i) => {
          const q = qtyOf(l.qty);
          if (q < 0n) {
            const v = issue(l.product!, l.warehouse!, -q, l.lot, undefined).value;
            issued += v;
            book(l.account ?? A.discrepancy, v);
            return;
          }
          let value: bigint;
          if (l.unitCost !== undefined) value = atUnitCost(q, decimal(l.unitCost, 10));
          else {
            const uc = valuation(pool(l.product!, l.warehouse!), l.product!, l.valuation ?? 'average');
            value = uc ? atRatio(uc, q) : 0n;
          }
          book(l.account ?? A.discrepancy, -value);
          receive(l.product!, l.warehouse!, q, value, `${e.id}#${i}`, l.lot, l.expiry);
        });
        break;
      case 'stocktake':
        lines.forEach((l, i) => {
          const p = pool(l.product!, l.warehouse!);
          const delta = qtyOf(l.counted) - (p.qty - p.defQty);
          if (delta > 0n) {
            const uc = valuation(p, l.product!, 'average');
            const value = uc ? atRatio(uc, delta) : 0n;
            book(A.discrepancy, -value);
            receive(l.product!, l.warehouse!, delta, value, `${e.id}#${i}`, undefined, undefined);
          } else if (delta < 0n) {
            const v = issue(l.product!, l.warehouse!, -delta, undefined, undefined).value;
            issued += v;
            book(A.discrepancy, v);
          }
        });
        break;
      case 'transfer':
        lines.forEach((l, i) => {
          const q = qtyOf(l.qty);
          const out = issue(l.product!, e.from!, q, l.lot, undefined);
          issued += out.value;
          receive(l.product!, e.to!, q, out.value, `${e.id}#${2 * i + 1}`, l.lot, undefined, out.pieces);
        });
        break;
      case 'write_off':
        for (const l of lines) issued += issue(l.product!, l.warehouse!, qtyOf(l.qty), l.lot, undefined).value;
        book(e.account ?? A.writeOff, issued + (e.services ?? []).reduce((a, x) => a + cents(x.amount), 0n));
        break;
      case 'sale_credit_note':
        for (const l of lines) {
          if (l.restock === false || l.qty === undefined || l.product === undefined) continue;
          const origin = e.invoice === undefined ? [] : (shipments.get(e.invoice) ?? []).filter((x) => x.product === l.product);
          const oq = origin.reduce((a, x) => a + x.qty, 0n);
          const ov = origin.reduce((a, x) => a + x.value, 0n);
          const warehouse = l.warehouse ?? origin[0]?.warehouse;
          if (warehouse === undefined) throw new Error('reference: credit note without warehouse');
          const q = qtyOf(l.qty);
          let value: bigint;
          if (oq > 0n) value = part(ov, q, oq);
          else {
            const uc = valuation(pool(l.product, warehouse), l.product, 'average');
            value = uc ? atRatio(uc, q) : 0n;
          }
          cogs -= value;
          receive(l.product, warehouse, q, value, `${e.id}#restock`, l.lot, undefined);
        }
        break;
      case 'assembly': {
        const comps = e.components ?? [];
        let total = 0n;
        for (const c of comps) total += issue(c.product!, c.warehouse ?? e.warehouse!, qtyOf(c.qty), c.lot, undefined).value;
        issued += total;
        for (const s of e.services ?? []) total += cents(s.amount);
        receive(e.product!, e.warehouse!, qtyOf(e.qty), total, `${e.id}#${comps.length}`, e.lot, e.expiry);
        break;
      }
      case 'landed_cost': {
        const amount = cents(e.amount);
        book(e.account ?? A.overheads, -amount);
        if (e.sale !== undefined) {
          cogs += amount;
          break;
        }
        const lines2 = purchaseLines.get(e.purchase!) ?? [];
        const parts = split(amount, lines2.map((x) => x.value));
        lines2.forEach((pl, k) => revalue(pl.product, pl.warehouse, parts[k]!, pl.source, pl.qty));
        break;
      }
      default:
        throw new Error(`reference: unexpected live event type ${e.type}`);
    }
    issues.set(e.id, issued);
  }

  const out = new Map<string, RefPoolState>();
  for (const [k, p] of pools) {
    out.set(k, {
      qty: p.qty - p.defQty,
      value: p.value - p.defValue,
      layers: layered ? p.layers.filter((l) => l.qty > 0n).map((l) => ({ qty: l.qty, value: l.value, lot: l.lot, expiry: l.expiry })) : [],
    });
  }
  book(A.cogs, cogs);
  return { pools: out, cogs, issues, gl };
}
