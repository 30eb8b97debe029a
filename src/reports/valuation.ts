/**
 * Stock valuation as of a date: on-hand quantity and value per (product, warehouse), rebuilt from
 * the book's pool histories — the current costs of the live events dated on or before the date —
 * grouped as asked, with a total per inventory account checked against that account's GL balance
 * as of the same date.
 */
import { inventoryAccounts, type Company } from '../domain/config.js';
import { byCode, money, poolAccount, qty, unitCostOf, formatUnitCost, type ReportSource } from './common.js';
import type { BookReader } from '../ledger/costing-reader.js';

export const VALUATION_GROUPS = ['pool', 'product', 'warehouse', 'category'] as const;
export type ValuationBy = (typeof VALUATION_GROUPS)[number];

export interface ValuationOptions {
  /** Include events dated on or before this date; everything when omitted. */
  asOf?: string | undefined;
  /** Rows per (product, warehouse) pool (default), or summed per product, warehouse or category. */
  by?: ValuationBy | undefined;
}

/** On hand in one pool as of the date. */
export interface PoolValue {
  product: string;
  warehouse: string;
  /** Inventory account of the pool; undefined when the configuration maps none. */
  account: string | undefined;
  qty: bigint;
  value: bigint;
}

export interface ValuationLine {
  product?: string | undefined;
  warehouse?: string | undefined;
  category?: string | undefined;
  /** Name of the product, warehouse or category the line stands for. */
  name: string;
  /** The pool's inventory account (pool lines only). */
  account?: string | undefined;
  /** Quantity, where it adds up (pool and product lines). */
  qty?: bigint | undefined;
  value: bigint;
}

export interface AccountCheck {
  account: string;
  name: string;
  /** Sum of the pools mapped to the account. */
  subledger: bigint;
  /** The account's GL balance as of the date. */
  gl: bigint;
  /** subledger − gl: zero when the account ties out. */
  difference: bigint;
}

export interface ValuationReport {
  company: string;
  currency: string;
  asOf: string | undefined;
  by: ValuationBy;
  lines: ValuationLine[];
  accounts: AccountCheck[];
  total: { subledger: bigint; gl: bigint; difference: bigint };
  /** Every inventory account equals its GL balance. */
  ties: boolean;
}

/** On-hand quantity and value of every pool that has moved, as of a date (all history when omitted). */
export async function poolValues(book: BookReader, asOf: string | undefined): Promise<PoolValue[]> {
  // "9999-12-31" is after every event: the whole history.
  return (await book.onHandAsOf(asOf ?? '9999-12-31'))
    .map((p) => ({ ...p, account: poolAccount(book.co, p.product, p.warehouse) }))
    .sort((a, b) => byCode(a.product, b.product) || byCode(a.warehouse, b.warehouse));
}

/** Sub-ledger value per inventory account (every configured inventory account, zero included). */
export function subledgerByAccount(co: Company, pools: readonly PoolValue[]): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const code of inventoryAccounts(co)) out.set(code, 0n);
  for (const p of pools) {
    const code = p.account ?? '';
    out.set(code, (out.get(code) ?? 0n) + p.value);
  }
  return out;
}

/** GL balance per account as of a date, from the store's trial balance. */
export async function glBalances(src: ReportSource, asOf: string | undefined): Promise<Map<string, bigint>> {
  return new Map((await src.store.trialBalance(src.co.id, asOf)).map((b) => [b.account, b.balance]));
}

export function accountChecks(co: Company, pools: readonly PoolValue[], gl: ReadonlyMap<string, bigint>): AccountCheck[] {
  return [...subledgerByAccount(co, pools)]
    .sort(([a], [b]) => byCode(a, b))
    .map(([account, subledger]) => {
      const g = gl.get(account) ?? 0n;
      return { account, name: account === '' ? '(no inventory account mapped)' : co.accounts.get(account)?.name ?? '', subledger, gl: g, difference: subledger - g };
    });
}

function group(co: Company, pools: readonly PoolValue[], by: ValuationBy): ValuationLine[] {
  if (by === 'pool') {
    return pools.filter((p) => p.qty !== 0n || p.value !== 0n).map((p) => ({ product: p.product, warehouse: p.warehouse, name: co.products.get(p.product)?.name ?? p.product, account: p.account, qty: p.qty, value: p.value }));
  }
  const lines = new Map<string, ValuationLine>();
  for (const p of pools) {
    const category = co.products.get(p.product)?.category;
    const k = by === 'product' ? p.product : by === 'warehouse' ? p.warehouse : (category ?? '');
    let line = lines.get(k);
    if (!line) {
      if (by === 'product') line = { product: k, name: co.products.get(k)?.name ?? k, qty: 0n, value: 0n };
      else if (by === 'warehouse') line = { warehouse: k, name: co.warehouses.get(k)?.name ?? k, value: 0n };
      else line = { category: k, name: k === '' ? '(no category)' : co.categories.get(k)?.name ?? k, value: 0n };
      lines.set(k, line);
    }
    if (line.qty !== undefined) line.qty += p.qty;
    line.value += p.value;
  }
  return [...lines.entries()].filter(([, l]) => l.value !== 0n || (l.qty ?? 0n) !== 0n).sort(([a], [b]) => byCode(a, b)).map(([, l]) => l);
}

export async function valuation(src: ReportSource, opts: ValuationOptions = {}): Promise<ValuationReport> {
  const { co } = src;
  const by = opts.by ?? 'pool';
  const pools = await poolValues(src.current, opts.asOf);
  const accounts = accountChecks(co, pools, await glBalances(src, opts.asOf));
  const total = accounts.reduce((t, a) => ({ subledger: t.subledger + a.subledger, gl: t.gl + a.gl, difference: t.difference + a.difference }), { subledger: 0n, gl: 0n, difference: 0n });
  return { company: co.id, currency: co.baseCurrency, asOf: opts.asOf, by, lines: group(co, pools, by), accounts, total, ties: accounts.every((a) => a.difference === 0n) };
}

// ---- output ------------------------------------------------------------------------------

const check = (difference: bigint): string => (difference === 0n ? 'ok' : 'DIFFERENCE');

/** The report as one JSON object: money and quantities as exact decimal strings. */
export function valuationJson(r: ValuationReport, co: Company): Record<string, unknown> {
  return {
    report: 'valuation',
    company: r.company,
    currency: r.currency,
    asOf: r.asOf ?? null,
    by: r.by,
    lines: r.lines.map((l) => ({
      ...(l.product !== undefined ? { product: l.product } : {}),
      ...(l.warehouse !== undefined ? { warehouse: l.warehouse } : {}),
      ...(l.category !== undefined ? { category: l.category } : {}),
      name: l.name,
      ...(r.by === 'pool' ? { account: l.account ?? null } : {}),
      ...(l.qty !== undefined ? { qty: qty(l.qty), unitCost: formatUnitCost(unitCostOf(co, l.value, l.qty)) || null } : {}),
      value: money(co, l.value),
    })),
    accounts: r.accounts.map((a) => ({ account: a.account, name: a.name, subledger: money(co, a.subledger), gl: money(co, a.gl), difference: money(co, a.difference), check: check(a.difference) })),
    total: { subledger: money(co, r.total.subledger), gl: money(co, r.total.gl), difference: money(co, r.total.difference) },
    ties: r.ties,
  };
}

/** One rectangular table: the lines, then a total row per inventory account (with the GL check), then the grand total. */
export function valuationRows(r: ValuationReport, co: Company): string[][] {
  const rows = [['row', 'product', 'warehouse', 'category', 'name', 'account', 'qty', 'unit_cost', 'value', 'gl', 'difference', 'check']];
  for (const l of r.lines) rows.push(['line', l.product ?? '', l.warehouse ?? '', l.category ?? '', l.name, l.account ?? '', l.qty === undefined ? '' : qty(l.qty), l.qty === undefined ? '' : formatUnitCost(unitCostOf(co, l.value, l.qty)), money(co, l.value), '', '', '']);
  for (const a of r.accounts) rows.push(['account', '', '', '', a.name, a.account, '', '', money(co, a.subledger), money(co, a.gl), money(co, a.difference), check(a.difference)]);
  rows.push(['total', '', '', '', '', '', '', '', money(co, r.total.subledger), money(co, r.total.gl), money(co, r.total.difference), r.ties ? 'ok' : 'DIFFERENCE']);
  return rows;
}
