/**
 * Gross profit per product or per customer over a period: revenue (the net amounts of the lines
 * of live sale invoices and sale credit notes dated in the period), the ledger's COGS (the lines
 * of journals dated in the period on the accounts mapped to the `cogs` role: shipments,
 * stock-issuing invoices, restocks, landed costs, true-ups, dropships, corrections and
 * reversals), the margin, and beside the ledger's cost the line cost the source system recorded
 * (seed 003: `cost` × qty on shipment and invoice lines; a shipment line without one takes its
 * sale invoice's, a restocking credit-note line its own or its origin's) and the difference.
 * It reads the period's events and lines by index, not the history (`grossProfit`).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { AccountLine, LedgerStore } from '../store/store.js';
import { datedPages } from '../store/dated-events.js';
import { keysetPages } from '../store/pages.js';
import type { BookReader } from '../ledger/costing-reader.js';
import type { Company } from '../domain/config.js';
import type { BookEvent } from '../domain/events.js';
import { extend } from '../domain/money.js';
import { movedQty, type EventView } from '../posting/types.js';
import { byCode, formatPercent, inRange, money, percentOf, roleAccounts, type ReportSource } from './common.js';

export const GROSS_PROFIT_GROUPS = ['product', 'customer'] as const;
export type GrossProfitBy = (typeof GROSS_PROFIT_GROUPS)[number];

export interface GrossProfitOptions {
  from?: string | undefined;
  to?: string | undefined;
  by?: GrossProfitBy | undefined;
}

export interface GrossProfitRow {
  /** Product SKU or customer code; "" for what names neither (a line with no product, COGS of no sale). */
  key: string;
  name: string;
  revenue: bigint;
  /** COGS as booked in the ledger. */
  cogs: bigint;
  margin: bigint;
  /** margin ÷ revenue in percent, scaled by 100; undefined without revenue. */
  marginPct: bigint | undefined;
  /** Σ cost × qty as the source system recorded it on the lines. */
  recordedCost: bigint;
  /** cogs − recordedCost; undefined when no line of the row carried a recorded cost. */
  difference: bigint | undefined;
  /** Stock lines that carried a recorded cost. */
  linesWithCost: number;
  /** Stock lines that carried none (their ledger cost has no counterpart in recordedCost). */
  linesWithoutCost: number;
}

export interface GrossProfitReport {
  company: string;
  currency: string;
  from: string | undefined;
  to: string | undefined;
  by: GrossProfitBy;
  rows: GrossProfitRow[];
  total: Omit<GrossProfitRow, 'key' | 'name'>;
}

/** An event as the report reads it. The pieces below compute from an index of views; the test oracle reads the whole history into one and reuses them. */
export type View = EventView & { voidedBy: string | undefined };

/** The customer a sale-side event belongs to: its own, or its sale invoice's (a shipment, a landed cost to a sale). */
export function customerOf(index: ReadonlyMap<string, View>, id: string, depth = 0): string | undefined {
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
export function productOfEvent(index: ReadonlyMap<string, View>, id: string): string | undefined {
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
    const lines = ev.lines.filter((l) => l.restock && co.products.get(l.product)?.stocked === true);
    return v.moves.map((m, k) => {
      const l = lines[k];
      const unit = l?.cost ?? recordedUnitCost(index, l?.shipment ?? ev.invoice, m.product);
      const value = at(movedQty(m), unit);
      return { key: keyOf(m.product), value: value === undefined ? undefined : -value };
    });
  }
  return [];
}

/** What an event names that the report may read: a shipment's or landed cost's sale, a credit note's invoice and shipments. */
function namedBy(e: BookEvent): string[] {
  if (e.type === 'shipment' || e.type === 'landed_cost') return e.sale === undefined ? [] : [e.sale];
  if (e.type !== 'sale_credit_note') return [];
  return [...(e.invoice === undefined ? [] : [e.invoice]), ...e.lines.flatMap((l) => (l.shipment === undefined ? [] : [l.shipment]))];
}

/** Events read between turns of the event loop. */
const TURN_EVERY = 200;
/** Rounds of references followed: more than the deepest chain the helpers above read (customerOf: 4 events). */
const REFERENCE_ROUNDS = 6;

/**
 * The events the report has read, by id: those of the range and, transitively, those they
 * name (bounded by REFERENCE_ROUNDS). The helpers above read them as the index of every event
 * the report once held; what they never reach need not be in it.
 */
class Views {
  readonly index = new Map<string, View>();
  private readonly absent = new Set<string>();
  private read = 0;
  constructor(private readonly book: BookReader) {}

  async load(ids: Iterable<string>): Promise<void> {
    let next = this.unread(ids);
    for (let round = 0; next.length > 0 && round < REFERENCE_ROUNDS; round++) {
      const found: View[] = [];
      for (const id of next) {
        if (++this.read % TURN_EVERY === 0) await nextTurn(); // other requests run between slices
        const v = await this.book.view(id);
        if (!v) {
          this.absent.add(id);
          continue;
        }
        this.index.set(id, v);
        found.push(v);
      }
      next = this.unread(found.flatMap((v) => namedBy(v.event)));
    }
  }

  private unread(ids: Iterable<string>): string[] {
    return [...new Set(ids)].filter((id) => !this.index.has(id) && !this.absent.has(id));
  }
}

/** Events and lines read per page. */
const PAGE = 1000;
/** The event types whose lines give revenue or a recorded cost. */
const SALE_SIDE = ['sale_invoice', 'sale_credit_note', 'shipment'] as const;

/** An account's lines dated in the period, a page at a time, by the journal_lines_account_date index. */
function linePages(store: LedgerStore, company: string, account: string, opts: GrossProfitOptions): AsyncGenerator<AccountLine[]> {
  return keysetPages((after: AccountLine | undefined, limit) => store.accountLines(company, account, { from: opts.from, to: opts.to, after, limit }), (l) => l, PAGE);
}

/** The report's rows by key, made when first touched. */
export class Rows {
  readonly byKey = new Map<string, GrossProfitRow>();
  constructor(private readonly co: Company, private readonly by: GrossProfitBy) {}

  of(key: string): GrossProfitRow {
    let r = this.byKey.get(key);
    if (!r) {
      const name = key === '' ? (this.by === 'product' ? '(no product)' : '(no customer)') : this.by === 'product' ? this.co.products.get(key)?.name ?? key : key;
      r = { key, name, revenue: 0n, cogs: 0n, margin: 0n, marginPct: undefined, recordedCost: 0n, difference: undefined, linesWithCost: 0, linesWithoutCost: 0 };
      this.byKey.set(key, r);
    }
    return r;
  }
}

/** Revenue and recorded cost of one live sale-side event dated in the period. */
export function addSaleSide(co: Company, index: ReadonlyMap<string, View>, rows: Rows, by: GrossProfitBy, v: View): void {
  const ev = v.event;
  const customer = customerOf(index, ev.id) ?? '';
  const keyOf = (product: string | undefined): string => (by === 'product' ? product ?? '' : customer);
  if (ev.type === 'sale_invoice' || ev.type === 'sale_credit_note') {
    const sign = ev.type === 'sale_invoice' ? 1n : -1n;
    for (const l of ev.lines) rows.of(keyOf(l.product)).revenue += sign * l.amount;
  }
  for (const rc of recordedCosts(co, index, v, keyOf)) {
    const r = rows.of(rc.key);
    if (rc.value === undefined) r.linesWithoutCost++;
    else {
      r.recordedCost += rc.value;
      r.linesWithCost++;
    }
  }
}

/**
 * Reads what the period holds and no more (issue 11): its sale-side events by the events_dated
 * index (and the events they name), and the lines on the COGS accounts dated in it by the
 * (company, account, date) index of journal_lines. A month of a long history costs a month.
 */
export async function grossProfit(src: ReportSource, opts: GrossProfitOptions = {}): Promise<GrossProfitReport> {
  const { co, current: book, store } = src;
  const by = opts.by ?? 'product';
  const views = new Views(book);
  const rows = new Rows(co, by);
  // Revenue and recorded cost: the live sale-side events dated in the period.
  for (const type of SALE_SIDE) {
    for await (const page of datedPages(store, co.id, type, opts, PAGE)) {
      await views.load(page.map((e) => e.id));
      for (const e of page) {
        const v = views.index.get(e.id);
        if (v && v.voidedBy === undefined && inRange(v.event.date, opts.from, opts.to)) addSaleSide(co, views.index, rows, by, v);
      }
    }
  }
  // Ledger COGS: every line on a COGS account dated in the period.
  for (const account of [...roleAccounts(co, 'cogs')].sort(byCode)) {
    for await (const page of linePages(store, co.id, account, opts)) {
      await views.load(page.filter((l) => by === 'customer' || l.product === undefined).map((l) => l.event));
      for (const l of page) {
        const key = by === 'product' ? l.product ?? productOfEvent(views.index, l.event) ?? '' : customerOf(views.index, l.event) ?? '';
        rows.of(key).cogs += l.amount;
      }
    }
  }
  return totalled(co, opts, by, [...rows.byKey.values()]);
}

/** The rows in key order (what names nothing last), each with its margin, and their total. */
export function totalled(co: Company, opts: GrossProfitOptions, by: GrossProfitBy, rows: GrossProfitRow[]): GrossProfitReport {
  const total: GrossProfitReport['total'] = { revenue: 0n, cogs: 0n, margin: 0n, marginPct: undefined, recordedCost: 0n, difference: undefined, linesWithCost: 0, linesWithoutCost: 0 };
  const list = rows.sort((a, b) => (a.key === '' ? 1 : b.key === '' ? -1 : byCode(a.key, b.key)));
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

// ---- output ------------------------------------------------------------------------------

function figures(co: Company, r: GrossProfitReport['total']): Record<string, unknown> {
  return {
    revenue: money(co, r.revenue),
    cogs: money(co, r.cogs),
    margin: money(co, r.margin),
    marginPct: r.marginPct === undefined ? null : formatPercent(r.marginPct),
    recordedCost: r.linesWithCost > 0 ? money(co, r.recordedCost) : null,
    difference: r.difference === undefined ? null : money(co, r.difference),
    linesWithCost: r.linesWithCost,
    linesWithoutCost: r.linesWithoutCost,
  };
}

export function grossProfitJson(r: GrossProfitReport, co: Company): Record<string, unknown> {
  return {
    report: 'gross-profit',
    company: r.company,
    currency: r.currency,
    from: r.from ?? null,
    to: r.to ?? null,
    by: r.by,
    rows: r.rows.map((x) => ({ [r.by]: x.key === '' ? null : x.key, name: x.name, ...figures(co, x) })),
    total: figures(co, r.total),
  };
}

export function grossProfitRows(r: GrossProfitReport, co: Company): string[][] {
  const cells = (x: GrossProfitReport['total']): string[] => [money(co, x.revenue), money(co, x.cogs), money(co, x.margin), formatPercent(x.marginPct), x.linesWithCost > 0 ? money(co, x.recordedCost) : '', x.difference === undefined ? '' : money(co, x.difference), String(x.linesWithCost), String(x.linesWithoutCost)];
  const rows = [['row', r.by, 'name', 'revenue', 'cogs', 'margin', 'margin_pct', 'recorded_cost', 'difference', 'lines_with_cost', 'lines_without_cost']];
  for (const x of r.rows) rows.push(['line', x.key, x.name, ...cells(x)]);
  rows.push(['total', '', '', ...cells(r.total)]);
  return rows;
}
