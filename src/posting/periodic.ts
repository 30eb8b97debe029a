/**
 * Periodic inventory (settings.inventorySystem = "periodic", seed 002): movements still value
 * stock in the cost pools, but only a count's export posts to the inventory asset accounts.
 *
 * - Stock-only events (adjustments, counts, transfers, assemblies, disassemblies, write-offs)
 *   post nothing: the next count's export carries their effect.
 * - Trading documents post as usual, except that every line on an inventory account goes to
 *   the cost-of-goods account of the same product and warehouse (purchases are expensed as
 *   bought); the COGS-against-inventory entries of a sale thereby cancel out.
 *
 * Applied by the book to every journal it derives (originals, corrections, reversals), so a
 * re-cost corrects periodic books the same way.
 */
import { inventoryAccounts, type Company } from '../domain/config.js';
import type { BookEvent } from '../domain/events.js';
import type { JournalLine } from './journal.js';
import type { RuleContext } from './types.js';

const STOCK_ONLY = new Set(['stock_adjustment', 'stocktake', 'transfer', 'assembly', 'disassembly', 'write_off']);

const invCache = new WeakMap<Company, Set<string>>();

function inventorySet(co: Company): Set<string> {
  let s = invCache.get(co);
  if (!s) invCache.set(co, (s = inventoryAccounts(co)));
  return s;
}

export function periodicLines(ev: BookEvent, lines: JournalLine[], ctx: RuleContext): JournalLine[] {
  if (ev.type === 'count_export') return lines;
  if (STOCK_ONLY.has(ev.type)) return [];
  const inv = inventorySet(ctx.co);
  if (!lines.some((l) => inv.has(l.account))) return lines;
  const net = new Map<string, JournalLine>();
  for (const l of lines) {
    const account = inv.has(l.account) ? ctx.account('cogs', { product: l.product, warehouse: l.warehouse }) : l.account;
    const k = `${account}\u0000${l.product ?? ''}\u0000${l.warehouse ?? ''}\u0000${l.memo ?? ''}`;
    const cur = net.get(k);
    if (cur) cur.amount += l.amount;
    else net.set(k, { account, amount: l.amount, memo: l.memo, product: l.product, warehouse: l.warehouse });
  }
  return [...net.values()].filter((l) => l.amount !== 0n);
}
