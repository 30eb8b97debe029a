/**
 * Purchases (seed 004 "Purchase"). At the bill (default) a stock line receives stock at its
 * amount plus any capitalised charges; with purchase value recognised at receipt, the stock
 * receipt books inventory against goods-received-not-invoiced and the bill clears it, the
 * price difference going to purchase price variance. A dropship bill books COGS at once.
 */
import { allocate, share } from '../../domain/money.js';
import { fail } from '../../domain/errors.js';
import type { EventOf, PurchaseLine } from '../../domain/events.js';
import type { Move, PostingRule, RuleContext, MoveResult } from '../types.js';
import type { JournalBuilder } from '../journal.js';
import { stocked, stockMove, inv, receiptAdjustments } from './common.js';

type Bill = EventOf<'purchase_invoice'>;

function stockLines(ev: { lines: PurchaseLine[] }, ctx: RuleContext): number[] {
  const out: number[] = [];
  ev.lines.forEach((l, i) => {
    if (stocked(ctx, l.product) && l.qty !== undefined) out.push(i);
  });
  return out;
}

/** Capitalised charges spread over the stock lines by amount: shares[capLine][k] for stock line k. */
const NO_SHARES: ReadonlyMap<number, bigint[]> = new Map();
const NO_REFS: string[] = [];

function capitalShares(ev: Bill, ctx: RuleContext, stock: number[]): ReadonlyMap<number, bigint[]> {
  if (!ev.lines.some((l) => l.capitalise && l.product === undefined)) return NO_SHARES; // the usual bill
  const out = new Map<number, bigint[]>();
  ev.lines.forEach((l, i) => {
    if (!l.capitalise || l.product !== undefined) return;
    if (stock.length === 0) fail('INVALID_EVENT', `Event ${ev.id}: lines[${i}] is capitalised but the bill has no stock line to carry it.`, 'Remove "capitalise" (expense the charge) or add the stock lines.', { event: ev.id, field: `lines[${i}]` });
    out.set(i, allocate(l.amount, stock.map((k) => absAmount(ev.lines[k]!.amount))));
  });
  return out;
}

function absAmount(a: bigint): bigint {
  return a < 0n ? -a : a;
}

function capitalisedInto(shares: ReadonlyMap<number, bigint[]>, k: number): bigint {
  let s = 0n;
  for (const parts of shares.values()) s += parts[k]!;
  return s;
}

/** The receipt line a billed line clears (receipt mode): same product and warehouse. */
function receiptLine(ev: Bill, ctx: RuleContext, l: PurchaseLine, where: string): { source: string; qty: bigint; amount: bigint } {
  const rec = ev.receipt === undefined ? undefined : ctx.lookup(ev.receipt);
  if (!rec || rec.event.type !== 'stock_receipt') {
    fail('UNKNOWN_REFERENCE', `Event ${ev.id}: ${where} bills stock but ${ev.receipt === undefined ? 'names no "receipt"' : `receipt "${ev.receipt}" is not a live stock_receipt`}; purchases are recognised at receipt.`, 'Post the stock_receipt first and name it in "receipt".', { event: ev.id, reference: ev.receipt ?? '' });
  }
  const k = rec.event.lines.findIndex((x) => x.product === l.product && x.warehouse === l.warehouse);
  if (k < 0) fail('UNKNOWN_REFERENCE', `Event ${ev.id}: ${where} bills ${l.product} at ${l.warehouse ?? '?'}, which receipt "${rec.event.id}" did not receive.`, 'Bill only what the receipt received, or correct the product/warehouse.', { event: ev.id, reference: rec.event.id, product: l.product ?? '' });
  const rl = rec.event.lines[k]!;
  return { source: `${rec.event.id}#${k}`, qty: rl.qty, amount: rl.amount };
}

export const purchaseInvoice: PostingRule<'purchase_invoice'> = {
  type: 'purchase_invoice',
  recordType: 'procurement',
  references: (ev) => (ev.receipt === undefined ? NO_REFS : [ev.receipt]),
  plan(ev, ctx) {
    if (ev.dropship) return [];
    const stock = stockLines(ev, ctx);
    const shares = capitalShares(ev, ctx, stock);
    if (ctx.co.settings.purchaseRecognition === 'bill') {
      return stock.map((i, k) => {
        const l = ev.lines[i]!;
        const value = l.amount + capitalisedInto(shares, k);
        if (value < 0n) fail('INVALID_EVENT', `Event ${ev.id}: lines[${i}] would receive stock at a negative value.`, 'Use a purchase_credit_note for returns and credits.', { event: ev.id, field: `lines[${i}]` });
        return stockMove(ctx, { kind: 'in', product: l.product!, warehouse: l.warehouse!, qty: l.qty!, lot: l.lot, expiry: l.expiry, value, source: `${ev.id}#${i}` }, `lines[${i}]`);
      });
    }
    // Receipt mode: the stock is already in; capitalised charges revalue what was received.
    return stock.flatMap((i, k) => {
      const l = ev.lines[i]!;
      const rl = receiptLine(ev, ctx, l, `lines[${i}]`);
      const amount = capitalisedInto(shares, k);
      return amount === 0n ? [] : [{ kind: 'revalue', product: l.product!, warehouse: l.warehouse!, amount, source: rl.source, received: rl.qty } satisfies Move];
    });
  },
  post(ev, results, ctx, j, moves) {
    const stock = stockLines(ev, ctx);
    const shares = capitalShares(ev, ctx, stock);
    const ap = ctx.account('ap');
    const receiptMode = ctx.co.settings.purchaseRecognition === 'receipt' && !ev.dropship;
    ev.lines.forEach((l, i) => {
      const at = { product: l.product, warehouse: l.warehouse };
      const k = stock.indexOf(i);
      if (k >= 0 && receiptMode) {
        const rl = receiptLine(ev, ctx, l, `lines[${i}]`);
        const grni = share(rl.amount, l.qty! < rl.qty ? l.qty! : rl.qty, rl.qty, ctx.co.settings.rounding);
        j.entry(ctx.account('grni', at), ap, grni, at);
        j.entry(ctx.account('ppv', at), ap, l.amount - grni, { ...at, memo: 'bill differs from receipt' });
      } else if (k >= 0) {
        j.entry(inv(ctx, l.product!, l.warehouse!), ap, l.amount, at);
      } else if (shares.has(i)) {
        if (!receiptMode) postCapitalised(ev, shares.get(i)!, stock, ctx, j);
      } else {
        j.entry(ctx.account('expense', { ...at, override: l.account }), ap, l.amount, { memo: l.description });
      }
      j.entry(ctx.account('tax', at), ap, l.tax);
    });
    if (receiptMode) postRevaluations(moves, results, ctx, j);
    if (!ev.dropship && !receiptMode) stock.forEach((i, k) => receiptAdjustments(j, ctx, { product: ev.lines[i]!.product!, warehouse: ev.lines[i]!.warehouse! }, results[k]!));
    if (ev.dropship) {
      // Seed 004: a dropship never enters stock; its COGS is booked when the bill is authorised.
      stock.forEach((i, k) => {
        const l = ev.lines[i]!;
        const at = { product: l.product, warehouse: l.warehouse };
        j.entry(ctx.account('cogs', at), inv(ctx, l.product!, l.warehouse!), l.amount + capitalisedInto(shares, k), at);
      });
    }
    if (ev.depositApplied !== 0n) j.entry(ap, ctx.account('supplierDeposits'), ev.depositApplied, { memo: 'supplier deposit applied' });
  },
};

/** Capitalised charge at the bill: one inventory row per stock line it is spread over. */
function postCapitalised(ev: Bill, parts: bigint[], stock: number[], ctx: RuleContext, j: JournalBuilder): void {
  const ap = ctx.account('ap');
  stock.forEach((i, k) => {
    const l = ev.lines[i]!;
    const at = { product: l.product, warehouse: l.warehouse };
    j.entry(inv(ctx, l.product!, l.warehouse!), ap, parts[k]!, { ...at, memo: 'capitalised charge' });
  });
}

/** Receipt mode: charges revalue the received units; the share of units already sold goes to COGS. */
function postRevaluations(moves: readonly Move[], results: readonly MoveResult[], ctx: RuleContext, j: JournalBuilder): void {
  const ap = ctx.account('ap');
  moves.forEach((m, i) => {
    const r = results[i]!;
    const at = { product: m.product, warehouse: m.warehouse };
    j.entry(inv(ctx, m.product, m.warehouse), ap, r.value, { ...at, memo: 'capitalised charge' });
    j.entry(ctx.account('cogs', at), ap, r.toCogs, { ...at, memo: 'capitalised charge on units no longer in this pool' });
    j.entry(ctx.account('ppv', at), ap, r.variance, { ...at, memo: 'capitalised charge on standard-cost stock' });
  });
}

export const expenseBill: PostingRule<'expense_bill'> = {
  type: 'expense_bill',
  recordType: 'expenses',
  plan: () => [],
  post(ev, _r, ctx, j) {
    const ap = ctx.account('ap');
    for (const l of ev.lines) {
      j.entry(ctx.account('expense', { override: l.account }), ap, l.amount, { memo: l.description });
      j.entry(ctx.account('tax'), ap, l.tax);
    }
  },
};

export const stockReceipt: PostingRule<'stock_receipt'> = {
  type: 'stock_receipt',
  recordType: 'procurement',
  plan(ev, ctx) {
    if (ctx.co.settings.purchaseRecognition !== 'receipt') {
      fail('SETTING_MISMATCH', `Event ${ev.id} is a stock_receipt but company "${ctx.co.id}" recognises purchases at the bill.`, 'Send the purchase_invoice only, or set settings.purchaseRecognition to "receipt".', { event: ev.id });
    }
    return ev.lines.map((l, i) => stockMove(ctx, { kind: 'in', product: l.product, warehouse: l.warehouse, qty: l.qty, lot: l.lot, expiry: l.expiry, value: l.amount, source: `${ev.id}#${i}` }, `lines[${i}]`));
  },
  post(ev, results, ctx, j) {
    ev.lines.forEach((l, i) => {
      const at = { product: l.product, warehouse: l.warehouse };
      j.entry(inv(ctx, l.product, l.warehouse), ctx.account('grni', at), l.amount, at);
      receiptAdjustments(j, ctx, { product: l.product, warehouse: l.warehouse }, results[i]!);
    });
  },
};

export const purchaseCreditNote: PostingRule<'purchase_credit_note'> = {
  type: 'purchase_credit_note',
  recordType: 'procurement',
  plan(ev, ctx) {
    return ev.lines.flatMap((l, i) =>
      stocked(ctx, l.product) && l.qty !== undefined
        ? [stockMove(ctx, { kind: 'out', product: l.product!, warehouse: l.warehouse!, qty: l.qty, lot: l.lot }, `lines[${i}]`)]
        : [],
    );
  },
  post(ev, results, ctx, j) {
    const ap = ctx.account('ap');
    let m = 0;
    ev.lines.forEach((l) => {
      const at = { product: l.product, warehouse: l.warehouse };
      if (stocked(ctx, l.product) && l.qty !== undefined) {
        // Returned stock leaves at its cost; any difference to the credit is price variance.
        const cost = results[m++]!.value;
        j.entry(inv(ctx, l.product!, l.warehouse!), ap, -cost, at);
        j.entry(ctx.account('ppv', at), ap, -(l.amount - cost), { ...at, memo: 'credit differs from stock cost' });
      } else {
        j.entry(ctx.account('expense', { ...at, override: l.account }), ap, -l.amount, { memo: l.description });
      }
      j.entry(ctx.account('tax', at), ap, -l.tax);
    });
  },
};
