/**
 * The book's bounds: the running totals an event would leave, checked before it is booked
 * (src/domain/bounds.ts). `AccountTotals` keeps each account's balance and its net movement per
 * day (the figures the stores keep in account_day_totals and sum) and refuses journals that
 * would take a line, a day total or a balance outside its bound; `checkPool` does the same for
 * a pool's quantity and value on hand. Either refusal is VALUE_OUT_OF_RANGE, so nothing a store
 * is asked to write can overflow it.
 */
import { MAX_BALANCE, MAX_DAY_TOTAL, MAX_POOL_QTY, MAX_POOL_VALUE, outOfRange, withinBound } from '../domain/bounds.js';
import { FailureError } from '../domain/errors.js';
import { formatQty } from '../domain/decimal.js';
import { formatMoney } from '../domain/money.js';
import type { Journal } from '../posting/journal.js';

const FIX = 'Post smaller amounts, or on other days; a figure this large cannot be kept exactly by the ledger stores.';

export class AccountTotals {
  /** Running balance per account. */
  readonly balances = new Map<string, bigint>();
  /** account → date → net movement. */
  protected readonly days = new Map<string, Map<string, bigint>>();

  constructor(private readonly currency: string) {}

  /** Throws VALUE_OUT_OF_RANGE, naming the event, account and day, if booking `journals` would leave a bound. */
  check(journals: readonly Journal[], event: string): void {
    const money = (x: bigint): string => `${formatMoney(x, this.currency)} ${this.currency}`;
    const refuse = (what: string, value: bigint, bound: bigint, record: Record<string, string>): never => {
      throw new FailureError(outOfRange(`Event ${event} ${what}`, money(value), money(bound), FIX, { event, ...record }));
    };
    const dayDelta = new Map<string, Map<string, bigint>>();
    const balanceDelta = new Map<string, bigint>();
    for (const j of journals) {
      j.lines.forEach((l, i) => {
        if (!withinBound(l.amount, MAX_DAY_TOTAL)) refuse(`would book line ${i + 1} of journal ${j.id} (account ${l.account}) at`, l.amount, MAX_DAY_TOTAL, { journal: j.id, account: l.account });
        let byDate = dayDelta.get(l.account);
        if (!byDate) dayDelta.set(l.account, (byDate = new Map()));
        byDate.set(j.date, (byDate.get(j.date) ?? 0n) + l.amount);
        balanceDelta.set(l.account, (balanceDelta.get(l.account) ?? 0n) + l.amount);
      });
    }
    for (const [account, byDate] of dayDelta) {
      for (const [date, delta] of byDate) {
        const total = this.dayTotal(account, date) + delta;
        if (!withinBound(total, MAX_DAY_TOTAL)) refuse(`would take the total of account ${account} on ${date} to`, total, MAX_DAY_TOTAL, { account, date });
      }
    }
    for (const [account, delta] of balanceDelta) {
      const balance = this.balance(account) + delta;
      if (!withinBound(balance, MAX_BALANCE)) refuse(`would take the balance of account ${account} to`, balance, MAX_BALANCE, { account });
    }
  }

  /** An account's balance as booked (a store-backed state may first have to load it). */
  protected balance(account: string): bigint {
    return this.balances.get(account) ?? 0n;
  }

  /** An account's net movement on a date as booked. */
  protected dayTotal(account: string, date: string): bigint {
    return this.days.get(account)?.get(date) ?? 0n;
  }

  /** Books one journal's lines. */
  add(j: Journal): void {
    for (const l of j.lines) {
      this.balances.set(l.account, (this.balances.get(l.account) ?? 0n) + l.amount);
      let byDate = this.days.get(l.account);
      if (!byDate) this.days.set(l.account, (byDate = new Map()));
      byDate.set(j.date, (byDate.get(j.date) ?? 0n) + l.amount);
    }
  }
}

/** VALUE_OUT_OF_RANGE unless a pool's quantity and value on hand (after a move of `event`) are within their bounds. */
export function checkPool(pool: { onHand: bigint; onHandValue: bigint }, product: string, warehouse: string, event: string, currency: string): void {
  const record = { event, product, warehouse };
  const fix = 'Post smaller quantities or values, or spread the stock over more warehouses.';
  if (!withinBound(pool.onHand, MAX_POOL_QTY)) {
    const f = outOfRange(`Event ${event} would take the quantity of "${product}" on hand in warehouse "${warehouse}" to`, formatQty(pool.onHand), formatQty(MAX_POOL_QTY), fix, record);
    throw new FailureError(f);
  }
  if (!withinBound(pool.onHandValue, MAX_POOL_VALUE)) {
    const f = outOfRange(`Event ${event} would take the value of "${product}" on hand in warehouse "${warehouse}" to`, `${formatMoney(pool.onHandValue, currency)} ${currency}`, `${formatMoney(MAX_POOL_VALUE, currency)} ${currency}`, fix, record);
    throw new FailureError(f);
  }
}
