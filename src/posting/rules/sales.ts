/**
 * Sales (seed 004 "Sale", seed 000). The invoice books revenue and tax against AR; COGS is
 * booked by the shipment (at the latest shipment date), or by the invoice itself when COGS
 * timing is "at invoice" or the invoice is PSA style (its stocked lines issue the stock).
 * A credit note reverses revenue and tax and restocks at the cost the goods left at.
 */
import { share, allocate } from '../../domain/money.js';
import { inventoryAccounts } from '../../domain/config.js';
import { fail } from '../../domain/errors.js';
import type { EventOf, SaleLine } from '../../domain/events.js';
import type { InMove, Move, PoolPlace, PostingRule, RuleContext, EventView } from '../types.js';
import type { JournalBuilder } from '../journal.js';
import { stocked, stockMove, inv, receiptAdjustments, receivedValue } from './common.js';

function issuesStock(ev: EventOf<'sale_invoice'>, ctx: RuleContext): boolean {
  return ev.issuesStock ?? ctx.co.settings.cogsTiming === 'invoice';
}

function revenue(j: JournalBuilder, ctx: RuleContext, l: SaleLine, sign: bigint): void {
  const at = { product: l.product, warehouse: l.warehouse };
  const ar = ctx.account('ar');
  j.entry(ar, ctx.account('sales', { ...at, override: l.account }), sign * l.amount, { memo: l.description });
  j.entry(ar, ctx.account('tax', at), sign * l.tax);
}

function cogs(j: JournalBuilder, ctx: RuleContext, m: PoolPlace, cost: bigint): void {
  const at = { product: m.product, warehouse: m.warehouse };
  j.entry(ctx.account('cogs', at), inv(ctx, m.product, m.warehouse), cost, at);
}

export const saleInvoice: PostingRule<'sale_invoice'> = {
  type: 'sale_invoice',
  recordType: 'invoices',
  plan(ev, ctx) {
    if (ev.issuesStock === false && ctx.co.settings.cogsTiming === 'invoice') {
      fail('SETTING_MISMATCH', `Event ${ev.id} says "issuesStock": false but company "${ctx.co.id}" books COGS at the invoice, so its stock could never be issued.`, 'Drop "issuesStock" (the invoice issues its stocked lines), or set settings.cogsTiming to "shipment".', { event: ev.id });
    }
    if (!issuesStock(ev, ctx)) return [];
    return ev.lines.flatMap((l, i) => {
      if (!stocked(ctx, l.product) || l.qty === undefined) return [];
      if (l.warehouse === undefined) fail('INVALID_EVENT', `Event ${ev.id}: lines[${i}] issues stock of "${l.product}" but names no warehouse.`, 'Add "warehouse" to the line (seed 000: the warehouse the item was sold from).', { event: ev.id, field: `lines[${i}].warehouse` });
      return [stockMove(ctx, { kind: 'out', product: l.product!, warehouse: l.warehouse, qty: l.qty, lot: l.lot, lineCost: l.cost }, `lines[${i}]`)];
    });
  },
  post(ev, results, ctx, j, moves) {
    for (const l of ev.lines) revenue(j, ctx, l, 1n);
    if (ev.prepaymentApplied !== 0n) j.entry(ctx.account('customerPrepayments'), ctx.account('ar'), ev.prepaymentApplied, { memo: 'customer prepayment applied' });
    moves.forEach((m, i) => cogs(j, ctx, m, results[i]!.value));
  },
};

export const shipment: PostingRule<'shipment'> = {
  type: 'shipment',
  recordType: 'invoices',
  plan(ev, ctx) {
    if (ctx.co.settings.cogsTiming === 'invoice') {
      fail('SETTING_MISMATCH', `Event ${ev.id} is a shipment but company "${ctx.co.id}" books COGS at the invoice, which already issues the stock.`, 'Send the invoice with its stocked lines only, or set settings.cogsTiming to "shipment".', { event: ev.id });
    }
    return ev.lines.map((l, i) => stockMove(ctx, { kind: 'out', product: l.product, warehouse: l.warehouse, qty: l.qty, lot: l.lot, lineCost: l.cost }, `lines[${i}]`));
  },
  post(ev, results, ctx, j) {
    // Seed 004: one COGS row per product and warehouse, however many dates it shipped on
    // (the journal is dated at the latest of them).
    if (ev.lines.length === 1) {
      const l = ev.lines[0]!;
      return cogs(j, ctx, { product: l.product, warehouse: l.warehouse }, results[0]!.value);
    }
    const rows = new Map<string, { m: PoolPlace; cost: bigint }>();
    ev.lines.forEach((l, i) => {
      const k = `${l.product}\u0000${l.warehouse}`;
      const row = rows.get(k);
      if (row) row.cost += results[i]!.value;
      else rows.set(k, { m: { product: l.product, warehouse: l.warehouse }, cost: results[i]!.value });
    });
    for (const { m, cost } of rows.values()) cogs(j, ctx, m, cost);
  },
};

/** The event whose cost a credit-note line restocks at: its shipment, or a stock-issuing invoice. */
function originOf(ev: EventOf<'sale_credit_note'>, l: SaleLine & { shipment?: string | undefined }): string | undefined {
  return l.shipment ?? ev.invoice;
}

function originMoves(view: EventView | undefined, product: string): { qty: bigint; value: bigint; warehouse: string | undefined } {
  let qty = 0n;
  let value = 0n;
  let warehouse: string | undefined;
  view?.moves.forEach((m, i) => {
    if (m.kind !== 'out' || m.product !== product) return;
    qty += m.qty;
    value += view.results[i]?.value ?? 0n;
    warehouse ??= m.warehouse;
  });
  return { qty, value, warehouse };
}

export const saleCreditNote: PostingRule<'sale_credit_note'> = {
  type: 'sale_credit_note',
  recordType: 'invoices',
  references(ev) {
    return [...new Set(ev.lines.filter((l) => l.restock).map((l) => originOf(ev, l)).filter((x): x is string => x !== undefined))];
  },
  plan(ev, ctx) {
    return ev.lines.flatMap((l, i) => {
      if (!l.restock || !stocked(ctx, l.product)) return [];
      const originId = originOf(ev, l);
      const origin = originId === undefined ? undefined : ctx.lookup(originId);
      if (originId !== undefined && !origin) fail('UNKNOWN_REFERENCE', `Event ${ev.id}: lines[${i}] restocks from "${originId}", which is not a live event.`, 'Name the shipment (or stock-issuing invoice) the goods left with, or omit it to restock at average cost.', { event: ev.id, reference: originId });
      // The restock reads the cost the goods left at, so it must come after they left: a credit
      // note ordered before its sale would make the two costs depend on each other.
      if (origin && origin.event.key > ev.key) fail('INVALID_EVENT', `Event ${ev.id} (${ev.date}${ev.time === undefined ? '' : ` ${ev.time}`}): lines[${i}] restocks goods from "${originId}", which comes after it (${origin.event.date}${origin.event.time === undefined ? '' : ` ${origin.event.time}`}; events of one date and time are ordered by id).`, `Date the credit note on or after "${originId}" (on the same date, give both a "time" with the credit note later).`, { event: ev.id, reference: originId!, field: `lines[${i}]` });
      const o = originMoves(origin, l.product!);
      const warehouse = l.warehouse ?? o.warehouse;
      if (warehouse === undefined) fail('INVALID_EVENT', `Event ${ev.id}: lines[${i}] restocks "${l.product}" but no warehouse is named or known from the original sale.`, 'Add "warehouse" to the line.', { event: ev.id, field: `lines[${i}].warehouse` });
      if (o.qty > 0n && l.qty! > o.qty) fail('INVALID_EVENT', `Event ${ev.id}: lines[${i}] restocks more of "${l.product}" than "${originId}" issued.`, 'Credit at most the quantity that was shipped.', { event: ev.id, field: `lines[${i}].qty` });
      const move: Move = { kind: 'in', product: l.product!, warehouse, qty: l.qty!, lot: l.lot };
      if (o.qty === 0n) move.valuation = 'average';
      else {
        // Restock at the cost the goods left at, read live so a re-cost of the shipment follows.
        move.valueFrom = (_r, c) => {
          const now = originMoves(c.lookup(originId!), l.product!);
          return now.qty === 0n ? 0n : share(now.value, l.qty!, now.qty, c.co.settings.rounding);
        };
      }
      return [stockMove(ctx, move, `lines[${i}]`)];
    });
  },
  post(ev, results, ctx, j, moves) {
    for (const l of ev.lines) revenue(j, ctx, l, -1n);
    moves.forEach((m, i) => {
      cogs(j, ctx, m, -receivedValue(results[i]!));
      receiptAdjustments(j, ctx, m, results[i]!);
    });
  },
};

export const landedCost: PostingRule<'landed_cost'> = {
  type: 'landed_cost',
  recordType: 'procurement',
  references: (ev) => [ev.purchase ?? ev.sale!],
  plan(ev, ctx) {
    if (ev.purchase === undefined) return [];
    const target = ctx.lookup(ev.purchase);
    const receipts = target?.moves.filter((m): m is InMove & { source: string } => m.kind === 'in' && m.source !== undefined) ?? [];
    if (!target || receipts.length === 0) fail('UNKNOWN_REFERENCE', `Event ${ev.id}: purchase "${ev.purchase}" is not a live purchase (or assembly) that received stock.`, 'Name the purchase_invoice, stock_receipt or assembly whose goods carry the cost.', { event: ev.id, reference: ev.purchase });
    const weights = receipts.map((m) => m.value ?? 0n);
    const parts = allocate(ev.amount, weights);
    return receipts.map((m, k) => ({ kind: 'revalue', product: m.product, warehouse: m.warehouse, amount: parts[k]!, source: m.source, received: m.qty }) satisfies Move);
  },
  post(ev, results, ctx, j, moves) {
    const credit = ctx.account('overheads', { override: ev.account });
    if (ev.sale !== undefined) {
      const sale = ctx.lookup(ev.sale);
      const line = sale?.moves.find((m) => m.kind === 'out');
      if (!sale) fail('UNKNOWN_REFERENCE', `Event ${ev.id}: sale "${ev.sale}" is not a live event.`, 'Name the sale invoice or shipment whose COGS carries the cost.', { event: ev.id, reference: ev.sale });
      j.entry(ctx.account('cogs', { product: line?.product, warehouse: line?.warehouse }), credit, ev.amount, { memo: `cost allocated to sale ${ev.sale}` });
      return;
    }
    moves.forEach((m, i) => {
      const at = { product: m.product, warehouse: m.warehouse };
      j.entry(inv(ctx, m.product, m.warehouse), credit, results[i]!.value, at);
      j.entry(ctx.account('cogs', at), credit, results[i]!.toCogs, { ...at, memo: 'landed cost of units no longer in this pool' });
      j.entry(ctx.account('ppv', at), credit, results[i]!.variance, { ...at, memo: 'landed cost on standard-cost stock' });
    });
  },
};

export const manualJournal: PostingRule<'manual_journal'> = {
  type: 'manual_journal',
  recordType: 'journals',
  plan(ev, ctx) {
    let total = 0n;
    for (const l of ev.lines) {
      total += l.amount;
      ctx.account('expense', { override: l.account }); // checks the account exists
      if (inventoryAccounts(ctx.co).has(l.account)) {
        fail('INVENTORY_ACCOUNT_IN_MANUAL_JOURNAL', `Event ${ev.id} posts to inventory account "${l.account}" directly; the inventory sub-ledger would no longer equal the GL.`, 'Use a landed_cost event to allocate a cost to stock (or a stock_adjustment to change quantities).', { event: ev.id, account: l.account });
      }
    }
    // Parsing checked the balance in the document currency; what remains is conversion rounding.
    if (total !== 0n && ev.rate === undefined) fail('UNBALANCED_JOURNAL', `Event ${ev.id}: the manual journal lines sum to ${total} minor units, not zero.`, 'Make debits (positive) and credits (negative) add up to zero.', { event: ev.id });
    if (total !== 0n) ctx.account('rounding');
    return [];
  },
  post(ev, _r, ctx, j) {
    let total = 0n;
    for (const l of ev.lines) {
      j.line(l.account, l.amount, { memo: l.description });
      total += l.amount;
    }
    if (total !== 0n) j.line(ctx.account('rounding'), -total, { memo: `rounding on conversion from ${ev.docCurrency}` });
  },
};
