/**
 * The stock ledger of a product: every movement of its pools (one warehouse, or all of them) in
 * date order, with the event, quantity in and out, value, unit cost and running quantity and
 * value, between an opening and a closing balance. Costs are the book's current ones.
 */
import type { Company } from '../domain/config.js';
import { failure, type Failure } from '../domain/errors.js';
import { moveLot, type Move } from '../posting/types.js';
import { formatUnitCost, inRange, money, poolMovements, qty, unitCostOf, type PoolMovement, type ReportSource } from './common.js';

export interface StockLedgerOptions {
  product: string;
  /** One warehouse; every warehouse of the product when omitted. */
  warehouse?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

export interface StockLedgerRow {
  date: string;
  event: string;
  eventType: string;
  warehouse: string;
  kind: Move['kind'];
  lot: string | undefined;
  qtyIn: bigint;
  qtyOut: bigint;
  /** Value into / out of stock (a receipt that covered units issued short: net of the true-up). */
  valueIn: bigint;
  valueOut: bigint;
  /** Cost per unit moved, scaled by 10^4 (the receipt's or issue's own cost); none for a revaluation. */
  unitCost: bigint | undefined;
  /** Part of a receipt's value that went to COGS for units issued short earlier. */
  trueUp: bigint;
  runningQty: bigint;
  runningValue: bigint;
}

export interface StockLedgerReport {
  company: string;
  currency: string;
  product: string;
  productName: string;
  warehouse: string | undefined;
  from: string | undefined;
  to: string | undefined;
  opening: { qty: bigint; value: bigint };
  rows: StockLedgerRow[];
  totals: { qtyIn: bigint; qtyOut: bigint; valueIn: bigint; valueOut: bigint };
  closing: { qty: bigint; value: bigint };
}

function row(co: Company, m: PoolMovement, runningQty: bigint, runningValue: bigint): StockLedgerRow {
  const r = m.result;
  // The unit cost is that of the units that moved: a receipt's own cost (true-up included), an issue's cost.
  const unitCost = m.move.kind === 'revalue' ? undefined : unitCostOf(co, r.value, r.qty);
  return {
    date: m.date,
    event: m.event.id,
    eventType: m.event.type,
    warehouse: m.warehouse,
    kind: m.move.kind,
    lot: moveLot(m.move),
    qtyIn: m.qty > 0n ? m.qty : 0n,
    qtyOut: m.qty < 0n ? -m.qty : 0n,
    valueIn: m.value > 0n ? m.value : 0n,
    valueOut: m.value < 0n ? -m.value : 0n,
    unitCost,
    trueUp: r.trueUp,
    runningQty,
    runningValue,
  };
}

export async function stockLedger(src: ReportSource, opts: StockLedgerOptions): Promise<StockLedgerReport | Failure> {
  const { co, current: book } = src;
  const product = co.products.get(opts.product);
  if (!product) return failure('UNKNOWN_PRODUCT', `Product "${opts.product}" is not in the configuration of company "${co.id}".`, 'Give --product a SKU from the configuration.', { product: opts.product });
  if (opts.warehouse !== undefined && !co.warehouses.has(opts.warehouse)) {
    return failure('UNKNOWN_WAREHOUSE', `Warehouse "${opts.warehouse}" is not in the configuration of company "${co.id}".`, 'Give --warehouse a warehouse code from the configuration, or leave it out for every warehouse.', { warehouse: opts.warehouse });
  }
  const moves: PoolMovement[] = [];
  for (const h of await book.pools()) {
    if (h.product === opts.product && (opts.warehouse === undefined || h.warehouse === opts.warehouse)) moves.push(...(await poolMovements(book, h)));
  }
  // Events in the book's order (date, time, id); the moves of one event in their own order.
  moves.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.index - b.index));
  const opening = { qty: 0n, value: 0n };
  const totals = { qtyIn: 0n, qtyOut: 0n, valueIn: 0n, valueOut: 0n };
  const rows: StockLedgerRow[] = [];
  let runQty = 0n;
  let runValue = 0n;
  for (const m of moves) {
    if (opts.to !== undefined && m.date > opts.to) break;
    runQty += m.qty;
    runValue += m.value;
    if (!inRange(m.date, opts.from, undefined)) {
      opening.qty = runQty;
      opening.value = runValue;
      continue;
    }
    const r = row(co, m, runQty, runValue);
    totals.qtyIn += r.qtyIn;
    totals.qtyOut += r.qtyOut;
    totals.valueIn += r.valueIn;
    totals.valueOut += r.valueOut;
    rows.push(r);
  }
  return {
    company: co.id,
    currency: co.baseCurrency,
    product: opts.product,
    productName: product.name,
    warehouse: opts.warehouse,
    from: opts.from,
    to: opts.to,
    opening,
    rows,
    totals,
    closing: { qty: runQty, value: runValue },
  };
}

// ---- output ------------------------------------------------------------------------------

const q0 = (x: bigint): string => (x === 0n ? '' : qty(x));

export function stockLedgerJson(r: StockLedgerReport, co: Company): Record<string, unknown> {
  const m = (x: bigint): string => money(co, x);
  return {
    report: 'stock-ledger',
    company: r.company,
    currency: r.currency,
    product: r.product,
    productName: r.productName,
    warehouse: r.warehouse ?? null,
    from: r.from ?? null,
    to: r.to ?? null,
    opening: { qty: qty(r.opening.qty), value: m(r.opening.value) },
    rows: r.rows.map((x) => ({
      date: x.date, event: x.event, eventType: x.eventType, warehouse: x.warehouse, kind: x.kind, lot: x.lot ?? null,
      qtyIn: qty(x.qtyIn), qtyOut: qty(x.qtyOut), valueIn: m(x.valueIn), valueOut: m(x.valueOut),
      unitCost: x.unitCost === undefined ? null : formatUnitCost(x.unitCost), trueUp: m(x.trueUp),
      runningQty: qty(x.runningQty), runningValue: m(x.runningValue),
    })),
    totals: { qtyIn: qty(r.totals.qtyIn), qtyOut: qty(r.totals.qtyOut), valueIn: m(r.totals.valueIn), valueOut: m(r.totals.valueOut) },
    closing: { qty: qty(r.closing.qty), value: m(r.closing.value) },
  };
}

/** An opening row, one row per movement, a closing row. */
export function stockLedgerRows(r: StockLedgerReport, co: Company): string[][] {
  const m = (x: bigint): string => money(co, x);
  const m0 = (x: bigint): string => (x === 0n ? '' : money(co, x));
  const rows = [['row', 'date', 'event', 'event_type', 'warehouse', 'lot', 'qty_in', 'qty_out', 'unit_cost', 'value_in', 'value_out', 'true_up', 'running_qty', 'running_value']];
  rows.push(['opening', r.from ?? '', '', '', r.warehouse ?? '', '', '', '', '', '', '', '', qty(r.opening.qty), m(r.opening.value)]);
  for (const x of r.rows) rows.push(['movement', x.date, x.event, x.eventType, x.warehouse, x.lot ?? '', q0(x.qtyIn), q0(x.qtyOut), formatUnitCost(x.unitCost), m0(x.valueIn), m0(x.valueOut), m0(x.trueUp), qty(x.runningQty), m(x.runningValue)]);
  rows.push(['closing', r.to ?? '', '', '', r.warehouse ?? '', '', qty(r.totals.qtyIn), qty(r.totals.qtyOut), '', m(r.totals.valueIn), m(r.totals.valueOut), '', qty(r.closing.qty), m(r.closing.value)]);
  return rows;
}
