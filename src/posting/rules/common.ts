/** Small pieces several rules share: stock checks, service costs, receipt adjustments. */
import { fail } from '../../domain/errors.js';
import type { Service } from '../../domain/events.js';
import type { Move, MoveResult, PoolPlace, RuleContext } from '../types.js';
import type { JournalBuilder } from '../journal.js';

export function stocked(ctx: RuleContext, product: string | undefined): boolean {
  return product !== undefined && ctx.co.products.get(product)?.stocked === true;
}

/** A stock movement must name a stocked product (and a lot, when costed by specific lot). */
export function stockMove(ctx: RuleContext, m: Move, where: string): Move {
  const p = ctx.co.products.get(m.product);
  if (!p?.stocked) {
    fail('NOT_STOCKED', `Event ${ctx.eventId}: ${where} moves product "${m.product}", which is not stocked.`, `Mark "${m.product}" as stocked in the configuration, or post the line to an account instead of moving stock.`, { event: ctx.eventId, product: m.product });
  }
  if (p.costingMethod === 'specific' && ((m.kind === 'out' && m.lot === undefined) || (m.kind === 'in' && m.lot === undefined && m.piecesFrom === undefined))) {
    fail('LOT_REQUIRED', `Event ${ctx.eventId}: ${where} moves "${m.product}", which is costed by specific lot, without naming a lot.`, 'Add "lot" to the line.', { event: ctx.eventId, product: m.product });
  }
  return m;
}

export function inv(ctx: RuleContext, product: string, warehouse: string): string {
  return ctx.account('inventory', { product, warehouse });
}

export function serviceAccount(ctx: RuleContext, s: Service): string {
  return ctx.account(s.role, { override: s.account });
}

export function servicesTotal(services: readonly Service[]): bigint {
  return services.reduce((a, s) => a + s.amount, 0n);
}

/**
 * The value a receipt came in at: what the counter account (discrepancy, COGS) is booked
 * with. A standard-cost pool holds the stock at standard (`r.value`); the difference is the
 * variance that `receiptAdjustments` then moves from inventory to price variance.
 */
export function receivedValue(r: MoveResult): bigint {
  return r.value + r.variance;
}

/**
 * After any receipt into stock: a standard-cost variance leaves inventory for price
 * variance, and a true-up of units issued short moves between inventory and COGS.
 */
export function receiptAdjustments(j: JournalBuilder, ctx: RuleContext, m: PoolPlace, r: MoveResult): void {
  const at = { product: m.product, warehouse: m.warehouse };
  if (r.variance !== 0n) j.entry(ctx.account('ppv', at), inv(ctx, m.product, m.warehouse), r.variance, { ...at, memo: 'standard cost variance' });
  if (r.trueUp !== 0n) j.entry(ctx.account('cogs', at), inv(ctx, m.product, m.warehouse), r.trueUp, { ...at, memo: 'negative stock true-up' });
}

/** Sums amounts per account, keeping first-seen order, so one row stands per account. */
export function byAccount(items: { account: string; amount: bigint }[]): { account: string; amount: bigint }[] {
  const m = new Map<string, bigint>();
  for (const it of items) m.set(it.account, (m.get(it.account) ?? 0n) + it.amount);
  return [...m].map(([account, amount]) => ({ account, amount }));
}

export function sum(results: readonly MoveResult[], pick: (r: MoveResult, i: number) => boolean = () => true): bigint {
  let s = 0n;
  results.forEach((r, i) => {
    if (pick(r, i)) s += r.value;
  });
  return s;
}
