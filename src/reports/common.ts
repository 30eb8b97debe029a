/**
 * What the reports share: where they read from (the company's book and store, nothing else),
 * a pool movement's signed effect on stock, dates, account sets, and exact formatting of
 * money, quantities, unit costs and percentages (bigint all the way, never a JS number).
 */
import type { BookReader, PoolRead } from '../ledger/costing-reader.js';
import { mappedAccount, type Company, type Role } from '../domain/config.js';
import { formatDecimal, formatQty, QTY_SCALE } from '../domain/decimal.js';
import { currencyExponent, formatMoney } from '../domain/money.js';
import { divRound } from '../domain/rounding.js';
import type { BookEvent } from '../domain/events.js';
import { addDays, calendarDate, type CalendarDate } from '../domain/calendar-date.js';
import type { Move, MoveResult } from '../posting/types.js';
import type { LedgerStore } from '../store/store.js';

/** A company's ledger as the reports read it; `CompanyLedger` is one. */
export interface ReportSource {
  /** The costing state: current costs, pools and their histories (src/ledger/costing-reader.ts). */
  readonly current: BookReader;
  /** The stored journals (the GL). */
  readonly store: LedgerStore;
  readonly co: Company;
}

/** Decimal places of a reported unit cost. */
export const UNIT_COST_PLACES = 4;

/** One costed move of a pool's history, with its signed effect on the pool's quantity and value. */
export interface PoolMovement {
  key: string;
  date: string;
  event: BookEvent;
  product: string;
  warehouse: string;
  /** Index of the move within its event. */
  index: number;
  move: Move;
  result: MoveResult;
  /** Signed change of the quantity on hand. */
  qty: bigint;
  /** Signed change of the value on hand (what the pool's inventory account moves by). */
  value: bigint;
}

/**
 * The effect of a costed move on its pool, as its inventory account sees it: a receipt adds its
 * value less any true-up (the part that covered units issued short goes to COGS), an issue takes
 * its cost, a count moves by its signed difference, a revaluation adds what it put into stock.
 */
export function movementDelta(m: Move, r: MoveResult): { qty: bigint; value: bigint } {
  switch (m.kind) {
    case 'in':
    case 'count':
      return { qty: r.qty, value: r.value - r.trueUp };
    case 'out':
      return { qty: -r.qty, value: -r.value };
    case 'revalue':
      return { qty: 0n, value: r.value };
  }
}

/** The movements of one pool, in the book's (date, time, id) order; events no longer live are skipped. */
export async function poolMovements(book: BookReader, h: PoolRead): Promise<PoolMovement[]> {
  const out: PoolMovement[] = [];
  for await (const e of h.entries()) {
    const v = await book.view(e.event);
    if (!v || v.voidedBy !== undefined) continue;
    const move = v.moves[e.move];
    const result = v.results[e.move];
    if (!move || !result) continue;
    const d = movementDelta(move, result);
    out.push({ key: e.key, date: v.event.date, event: v.event, product: h.product, warehouse: h.warehouse, index: e.move, move, result, qty: d.qty, value: d.value });
  }
  return out;
}

/** The inventory account of a pool, or undefined when the configuration no longer maps one. */
export function poolAccount(co: Company, product: string, warehouse: string): string | undefined {
  return mappedAccount(co, 'inventory', { product, warehouse });
}

/** Every account a role is mapped to, at any level (company, warehouse, category, product). */
export function roleAccounts(co: Company, role: Role): Set<string> {
  const out = new Set<string>();
  const add = (code: string | undefined): void => void (code !== undefined && out.add(code));
  add(co.mapping[role]);
  co.warehouses.forEach((w) => add(w.mapping[role]));
  co.categories.forEach((c) => add(c.mapping[role]));
  co.products.forEach((p) => add(p.mapping[role]));
  return out;
}

// ---- dates -------------------------------------------------------------------------------

/** A real calendar date written YYYY-MM-DD (src/domain/calendar-date.ts). */
export { isCalendarDate as isDate } from '../domain/calendar-date.js';

/** The calendar day before a date (one the caller has parsed). */
export function dayBefore(date: string): CalendarDate {
  return addDays(calendarDate(date), -1);
}

/** Whether a date lies in [from, to]; a missing bound is open. */
export function inRange(date: string, from: string | undefined, to: string | undefined): boolean {
  return (from === undefined || date >= from) && (to === undefined || date <= to);
}

// ---- exact formatting --------------------------------------------------------------------

export function money(co: Company, minor: bigint): string {
  return formatMoney(minor, co.baseCurrency);
}

export function qty(q: bigint): string {
  return formatQty(q);
}

/**
 * Value ÷ quantity as a unit cost in major units, scaled by 10^UNIT_COST_PLACES and rounded once
 * with the company's mode; undefined for no quantity. Sign-free: the cost of one unit.
 */
export function unitCostOf(co: Company, value: bigint, quantity: bigint): bigint | undefined {
  if (quantity === 0n) return undefined;
  const v = value < 0n ? -value : value;
  const q = quantity < 0n ? -quantity : quantity;
  return divRound(v * 10n ** BigInt(QTY_SCALE + UNIT_COST_PLACES), q * 10n ** BigInt(currencyExponent(co.baseCurrency)), co.settings.rounding);
}

export function formatUnitCost(uc: bigint | undefined): string {
  return uc === undefined ? '' : formatDecimal(uc, UNIT_COST_PLACES);
}

/** part ÷ whole as a percentage scaled by 100 (two decimals), rounded with the company's mode. */
export function percentOf(co: Company, part: bigint, whole: bigint): bigint | undefined {
  return whole === 0n ? undefined : divRound(part * 10000n, whole, co.settings.rounding);
}

export function formatPercent(p: bigint | undefined): string {
  return p === undefined ? '' : formatDecimal(p, 2);
}

/** Compares strings by code point (stable, locale-free ordering for report rows). */
export { byCodePoint as byCode } from '../domain/values.js';
