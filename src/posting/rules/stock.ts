/**
 * Stock-side events (seed 004 "Stock Adjustments and Stocktake", "Assembly", "Inventory
 * Write-Off", "Disassembly") and warehouse transfers. Every quantity change is a costed move;
 * the journal carries its value between inventory and the discrepancy, WIP, expense or
 * labour/overhead accounts the seed tables name.
 */
import { allocate, extend } from '../../domain/money.js';
import type { Move, PostingRule, RuleContext } from '../types.js';
import type { JournalBuilder } from '../journal.js';
import { stockMove, inv, receiptAdjustments, receivedValue, serviceAccount, servicesTotal, byAccount, sum } from './common.js';
import type { Service } from '../../domain/events.js';
import { UNIT_COST_SCALE } from '../../domain/decimal.js';

const WEIGHT_ONE = 10n ** BigInt(UNIT_COST_SCALE);

function discrepancy(ctx: RuleContext, product: string, warehouse: string, override: string | undefined): string {
  return ctx.account('inventoryDiscrepancy', { product, warehouse, override });
}

export const stockAdjustment: PostingRule<'stock_adjustment'> = {
  type: 'stock_adjustment',
  recordType: 'procurement',
  plan(ev, ctx) {
    return ev.lines.map((l, i) => {
      if (l.qty < 0n) return stockMove(ctx, { kind: 'out', product: l.product, warehouse: l.warehouse, qty: -l.qty, lot: l.lot }, `lines[${i}]`);
      const m: Move = { kind: 'in', product: l.product, warehouse: l.warehouse, qty: l.qty, lot: l.lot, expiry: l.expiry };
      // Seed 003: an adjustment is valued at a given cost, or at average, last or standard cost.
      if (l.unitCost !== undefined) m.value = extend(l.qty, l.unitCost, ctx.co.baseCurrency, ctx.co.settings.rounding);
      else m.valuation = l.valuation ?? 'average';
      return stockMove(ctx, m, `lines[${i}]`);
    });
  },
  post(ev, results, ctx, j, moves) {
    moves.forEach((m, i) => {
      const r = results[i]!;
      const at = { product: m.product, warehouse: m.warehouse };
      const signed = m.kind === 'out' ? -r.value : receivedValue(r);
      j.entry(inv(ctx, m.product, m.warehouse), discrepancy(ctx, m.product, m.warehouse, ev.lines[i]!.account), signed, at);
      if (m.kind === 'in') receiptAdjustments(j, ctx, m, r);
    });
  },
};

export const stocktake: PostingRule<'stocktake'> = {
  type: 'stocktake',
  recordType: 'procurement',
  plan(ev, ctx) {
    return ev.lines.map((l, i) => stockMove(ctx, { kind: 'count', product: l.product, warehouse: l.warehouse, qty: l.counted, valuation: 'average' }, `lines[${i}]`));
  },
  post(ev, results, ctx, j) {
    ev.lines.forEach((l, i) => {
      const r = results[i]!;
      const at = { product: l.product, warehouse: l.warehouse };
      j.entry(inv(ctx, l.product, l.warehouse), discrepancy(ctx, l.product, l.warehouse, l.account), receivedValue(r), { ...at, memo: 'stocktake difference' });
      receiptAdjustments(j, ctx, { product: l.product, warehouse: l.warehouse }, r);
    });
  },
};

export const transfer: PostingRule<'transfer'> = {
  type: 'transfer',
  recordType: 'procurement',
  plan(ev, ctx) {
    return ev.lines.flatMap((l, i) => [
      stockMove(ctx, { kind: 'out', product: l.product, warehouse: ev.from, qty: l.qty, lot: l.lot }, `lines[${i}]`),
      stockMove(ctx, { kind: 'in', product: l.product, warehouse: ev.to, qty: l.qty, lot: l.lot, piecesFrom: 2 * i, valueFrom: (r) => r[2 * i]!.value }, `lines[${i}]`),
    ]);
  },
  post(ev, results, ctx, j) {
    ev.lines.forEach((l, i) => {
      // Only a move between warehouses mapped to different inventory accounts touches the GL.
      const from = inv(ctx, l.product, ev.from);
      const to = inv(ctx, l.product, ev.to);
      if (from !== to) j.entry(to, from, results[2 * i]!.value, { product: l.product, memo: `transfer ${ev.from} → ${ev.to}` });
      receiptAdjustments(j, ctx, { product: l.product, warehouse: ev.to }, results[2 * i + 1]!);
    });
  },
};

function postServices(j: JournalBuilder, ctx: RuleContext, debit: (s: Service) => string, services: readonly Service[]): void {
  for (const s of services) j.entry(debit(s), serviceAccount(ctx, s), s.amount, { memo: s.description });
}

export const assembly: PostingRule<'assembly'> = {
  type: 'assembly',
  recordType: 'procurement',
  plan(ev, ctx) {
    const n = ev.components.length;
    const components = ev.components.map((c, i) => stockMove(ctx, { kind: 'out', product: c.product, warehouse: c.warehouse, qty: c.qty, lot: c.lot }, `components[${i}]`));
    // The finished goods carry their components' cost plus labour and overheads.
    // Named as a receipt (`source`) so a landed_cost can allocate to the assembled goods (seed 004).
    const output = stockMove(ctx, { kind: 'in', product: ev.product, warehouse: ev.warehouse, qty: ev.qty, lot: ev.lot, expiry: ev.expiry, source: `${ev.id}#${n}`, valueFrom: (r) => sum(r, (_x, i) => i < n) + servicesTotal(ev.services) }, 'product');
    return [...components, output];
  },
  post(ev, results, ctx, j) {
    const n = ev.components.length;
    const wip = ctx.account('wip', { product: ev.product, warehouse: ev.warehouse });
    const finished = inv(ctx, ev.product, ev.warehouse);
    // Stage 1 (allocate): components leave inventory for WIP, one row per inventory account.
    const issued = byAccount(ev.components.map((c, i) => ({ account: inv(ctx, c.product, c.warehouse), amount: results[i]!.value })));
    for (const x of issued) j.entry(wip, x.account, x.amount, { memo: 'components to WIP' });
    // Stage 2 (complete): WIP closes into the finished goods.
    j.entry(finished, wip, sum(results, (_x, i) => i < n), { product: ev.product, warehouse: ev.warehouse, memo: 'assembly completed' });
    postServices(j, ctx, () => finished, ev.services);
    receiptAdjustments(j, ctx, { product: ev.product, warehouse: ev.warehouse }, results[n]!);
  },
};

/** Disassembly outputs share the product's cost and the services by weight × quantity (weight 1 when not given). */
function outputShares(ev: { outputs: { qty: bigint; weight?: bigint | undefined }[] }, total: bigint): bigint[] {
  return allocate(total, ev.outputs.map((o) => (o.weight ?? WEIGHT_ONE) * o.qty));
}

export const disassembly: PostingRule<'disassembly'> = {
  type: 'disassembly',
  recordType: 'procurement',
  plan(ev, ctx) {
    const source = stockMove(ctx, { kind: 'out', product: ev.product, warehouse: ev.warehouse, qty: ev.qty, lot: ev.lot }, 'product');
    const outputs = ev.outputs.map((o, k) =>
      // Each service is split on its own, exactly as `post` books it, so stock and GL agree to the cent.
      stockMove(ctx, { kind: 'in', product: o.product, warehouse: o.warehouse, qty: o.qty, lot: o.lot, valueFrom: (r) => outputShares(ev, r[0]!.value)[k]! + ev.services.reduce((a, s) => a + outputShares(ev, s.amount)[k]!, 0n) }, `outputs[${k}]`),
    );
    return [source, ...outputs];
  },
  post(ev, results, ctx, j) {
    const wip = ctx.account('wip', { product: ev.product, warehouse: ev.warehouse });
    const cost = results[0]!.value;
    j.entry(wip, inv(ctx, ev.product, ev.warehouse), cost, { product: ev.product, warehouse: ev.warehouse, memo: 'product to WIP' });
    const costParts = outputShares(ev, cost);
    const outAccounts = ev.outputs.map((o) => inv(ctx, o.product, o.warehouse));
    for (const x of byAccount(outAccounts.map((account, k) => ({ account, amount: costParts[k]! })))) j.entry(x.account, wip, x.amount, { memo: 'components from WIP' });
    for (const s of ev.services) {
      const parts = outputShares(ev, s.amount);
      for (const x of byAccount(outAccounts.map((account, k) => ({ account, amount: parts[k]! })))) j.entry(x.account, serviceAccount(ctx, s), x.amount, { memo: s.description });
    }
    ev.outputs.forEach((o, k) => receiptAdjustments(j, ctx, { product: o.product, warehouse: o.warehouse }, results[k + 1]!));
  },
};

export const writeOff: PostingRule<'write_off'> = {
  type: 'write_off',
  recordType: 'procurement',
  plan(ev, ctx) {
    return ev.lines.map((l, i) => stockMove(ctx, { kind: 'out', product: l.product, warehouse: l.warehouse, qty: l.qty, lot: l.lot }, `lines[${i}]`));
  },
  post(ev, results, ctx, j) {
    const first = ev.lines[0]!;
    const expense = (product: string, warehouse: string): string => ctx.account('writeOff', { product, warehouse, override: ev.account });
    const rows = byAccount(ev.lines.map((l, i) => ({ account: `${expense(l.product, l.warehouse)}\u0000${inv(ctx, l.product, l.warehouse)}`, amount: results[i]!.value })));
    for (const r of rows) {
      const [dr, cr] = r.account.split('\u0000') as [string, string];
      j.entry(dr, cr, r.amount, { memo: 'written off' });
    }
    postServices(j, ctx, () => expense(first.product, first.warehouse), ev.services);
  },
};

