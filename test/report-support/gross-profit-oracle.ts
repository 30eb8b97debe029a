/**
 * Gross profit as the report computed it before it read by date (issue 11): every event's
 * view held in memory, then the range's sale-side events and the COGS lines of the range's
 * journals. Kept as the oracle the indexed report (src/reports/gross-profit.ts) is compared
 * with on seeded and random streams.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { journalPages } from '../../src/store/pages.js';
import type { Company } from '../../src/domain/config.js';
import type { BookEvent } from '../../src/domain/events.js';
import { extend } from '../../src/domain/money.js';
import { movedQty, type EventView } from '../../src/posting/types.js';
import { byCode, inRange, percentOf, roleAccounts, type ReportSource } from '../../src/reports/common.js';
import type { GrossProfitOptions, GrossProfitReport, GrossProfitRow } from '../../src/reports/gross-profit.js';

type View = EventView & { voidedBy: string | undefined };

/** The customer a sale-side event belongs to: its own, or its sale invoice's (a shipment, a landed cost to a sale). */
function customerOf(index: ReadonlyMap<string, View>, id: string, depth = 0): string | undefined {
  const e = index.get(id)?.event;
  if (!e || depth > 3) return undefined;
  switch (e.type) {
    case 'sale_invoice':
    case 'sale_credit_note':
      return e.customer;
    case 'shipment':
    case 'landed_cost':
      return e.sale === undefined ? undefined : customerOf(index, e.sale, depth + 1);
    default:
      return undefined;
  }
}

/** The unit cost the source system recorded for a product on an event (a shipment falls back to its sale invoice). */
function recordedUnitCost(index: ReadonlyMap<string, View>, id: string | undefined, product: string, depth = 0): bigint | undefined {
  const e = id === undefined ? undefined : index.get(id)?.event;
  if (!e || depth > 2) return undefined;
  if (e.type === 'shipment') {
    const own = e.lines.find((l) => l.product === product && l.cost !== undefined)?.cost;
    return own ?? recordedUnitCost(index, e.sale, product, depth + 1);
  }
  if (e.type === 'sale_invoice' || e.type === 'sale_credit_note') return e.lines.find((l) => l.product === product && l.cost !== undefined)?.cost;
  return undefined;
}

/** A COGS line without a product: a landed cost to a sale books it for the first product the sale issued. */
function productOfEvent(index: ReadonlyMap<string, View>, id: string): string | undefined {
  const e = index.get(id)?.event;
  if (e?.type !== 'landed_cost' || e.sale === undefined) return undefined;
  return index.get(e.sale)?.moves.find((m) => m.kind === 'out')?.product;
}

interface Recorded { key: string; value: bigint | undefined }

/** What the source system recorded as the cost of the stock an event moved for a sale. */
function recordedCosts(co: Company, index: ReadonlyMap<string, View>, v: View, keyOf: (product: string) => string): Recorded[] {
  const ev: BookEvent = v.event;
  const at = (q: bigint, unit: bigint | undefined): bigint | undefined => (unit === undefined ? undefined : extend(q, unit, co.baseCurrency, co.settings.rounding));
  if (ev.type === 'shipment' || ev.type === 'sale_invoice') {
    // The moves are the issuing lines, in order; each carries its line's cost.
    return v.moves.filter((m) => m.kind === 'out').map((m) => ({
      key: keyOf(m.product),
      value: at(m.qty, m.lineCost ?? (ev.type === 'shipment' ? recordedUnitCost(index, ev.sale, m.product) : undefined)),
    }));
  }
  if (ev.type === 'sale_credit_note') {
    // Restocking lines, in order, are the moves: the cost comes back out of COGS.
    const lines = ev.lines.filter((l) => l.restock && l.product !== undefined && co.products.get(l.product)?.stocked === true);
    return v.moves.map((m, k) => {
      const l = lines[k];
      const unit = l?.cost ?? recordedUnitCost(index, l?.shipment ?? ev.invoice, m.product);
      const value = at(movedQty(m), unit);
      return { key: keyOf(m.product), value: value === undefined ? undefined : -value };
    });
  }
  return [];
}

/** Events handled between turns of the event loop. */
const SLICE = 2000;

export async function grossProfitOracle(src: ReportSource, opts: GrossProfitOptions = {}): Promise<GrossProfitReport> {
  const { co, current: book, store } = src;
  const by = opts.by ?? 'product';
  const index = new Map<string, View>();
  let n = 0;
  for await (const v of book.views()) {
    index.set(v.event.id, v);
    if (++n % SLICE === 0) await nextTurn();
  }
  const rows = new Map<string, GrossProfitRow>();
  const rowOf = (key: string): GrossProfitRow => {
    let r = rows.get(key);
    if (!r) {
      const name = key === '' ? (by === 'product' ? '(no product)' : '(no customer)') : by === 'product' ? co.products.get(key)?.name ?? key : key;
      r = { key, name, revenue: 0n, cogs: 0n, margin: 0n, marginPct: undefined, recordedCost: 0n, difference: undefined, linesWithCost: 0, linesWithoutCost: 0 };
      rows.set(key, r);
    }
    return r;
  };

  // Revenue and recorded cost: the live sale-side events dated in the period.
  for (const v of index.values()) {
    if (++n % SLICE === 0) await nextTurn(); // a large book lets other requests run between slices
    const ev = v.event;
    if (v.voidedBy !== undefined || !inRange(ev.date, opts.from, opts.to)) continue;
    const customer = customerOf(index, ev.id) ?? '';
    const keyOf = (product: string | undefined): string => (by === 'product' ? product ?? '' : customer);
    if (ev.type === 'sale_invoice' || ev.type === 'sale_credit_note') {
      const sign = ev.type === 'sale_invoice' ? 1n : -1n;
      for (const l of ev.lines) rowOf(keyOf(l.product)).revenue += sign * l.amount;
    }
    for (const rc of recordedCosts(co, index, v, keyOf)) {
      const r = rowOf(rc.key);
      if (rc.value === undefined) r.linesWithoutCost++;
      else {
        r.recordedCost += rc.value;
        r.linesWithCost++;
      }
    }
  }

  // Ledger COGS: every line on a COGS account dated in the period.
  const cogsAccounts = roleAccounts(co, 'cogs');
  for await (const page of journalPages(store, co.id, { from: opts.from, to: opts.to })) for (const j of page) {
    for (const l of j.lines) {
      if (!cogsAccounts.has(l.account)) continue;
      const key = by === 'product' ? l.product ?? productOfEvent(index, j.event) ?? '' : customerOf(index, j.event) ?? '';
      rowOf(key).cogs += l.amount;
    }
  }

  const total: GrossProfitReport['total'] = { revenue: 0n, cogs: 0n, margin: 0n, marginPct: undefined, recordedCost: 0n, difference: undefined, linesWithCost: 0, linesWithoutCost: 0 };
  const list = [...rows.values()].sort((a, b) => (a.key === '' ? 1 : b.key === '' ? -1 : byCode(a.key, b.key)));
  for (const r of list) {
    r.margin = r.revenue - r.cogs;
    r.marginPct = percentOf(co, r.margin, r.revenue);
    r.difference = r.linesWithCost > 0 ? r.cogs - r.recordedCost : undefined;
    total.revenue += r.revenue;
    total.cogs += r.cogs;
    total.recordedCost += r.recordedCost;
    total.linesWithCost += r.linesWithCost;
    total.linesWithoutCost += r.linesWithoutCost;
  }
  total.margin = total.revenue - total.cogs;
  total.marginPct = percentOf(co, total.margin, total.revenue);
  total.difference = total.linesWithCost > 0 ? total.cogs - total.recordedCost : undefined;
  return { company: co.id, currency: co.baseCurrency, from: opts.from, to: opts.to, by, rows: list, total };
}

