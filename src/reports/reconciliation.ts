/**
 * Reconciliation of the inventory sub-ledger with the GL, per inventory account, as of a date:
 * the pools' value against the account's balance. The difference should be zero; when it is
 * not, the reconciling items that explain it are named, and what is left is unexplained.
 * Beside them, for information, the balances that belong with stock but are not in it: goods
 * received not yet billed (GRNI) and units issued short awaiting a receipt.
 */
import { journalPages } from '../store/pages.js';
import type { Company } from '../domain/config.js';
import { byCode, money, poolAccount, qty, roleAccounts, type ReportSource } from './common.js';
import { accountChecks, glBalances, poolValues } from './valuation.js';

export interface ReconciliationOptions {
  /** As of this date; the whole ledger when omitted. */
  asOf?: string | undefined;
}

export interface ReconcilingItem {
  name: string;
  /** Part of (sub-ledger − GL) this item explains. */
  amount: bigint;
  detail: string;
}

export interface InformationItem {
  name: string;
  amount: bigint;
  qty?: bigint | undefined;
  detail: string;
}

export interface AccountReconciliation {
  account: string;
  name: string;
  subledger: bigint;
  gl: bigint;
  /** subledger − gl. */
  difference: bigint;
  items: ReconcilingItem[];
  /** difference − Σ items: zero when everything is explained. */
  unexplained: bigint;
  information: InformationItem[];
}

export interface ReconciliationReport {
  company: string;
  currency: string;
  asOf: string | undefined;
  accounts: AccountReconciliation[];
  total: { subledger: bigint; gl: bigint; difference: bigint; unexplained: bigint };
  /** Company-wide information not tied to one inventory account (e.g. GRNI lines without a product). */
  information: InformationItem[];
  /** Every account's difference is zero. */
  ties: boolean;
  /** Every account's difference is explained by reconciling items. */
  explained: boolean;
}

/** Negative stock: units issued beyond stock, at the provisional cost the next receipt trues up, by inventory account. */
function shortIssues(pools: Awaited<ReturnType<typeof poolValues>>): [string, InformationItem][] {
  return pools.flatMap((p): [string, InformationItem][] => (p.qty >= 0n || p.account === undefined ? [] : [[p.account, { name: 'issued short, awaiting a receipt', amount: p.value, qty: p.qty, detail: `${p.product} at ${p.warehouse}: ${qty(-p.qty)} units at provisional cost` }]]));
}

export async function reconciliation(src: ReportSource, opts: ReconciliationOptions = {}): Promise<ReconciliationReport> {
  const { co, store } = src;
  const asOf = opts.asOf;
  const pools = await poolValues(src.current, asOf);
  const checks = accountChecks(co, pools, await glBalances(src, asOf));
  const items = new Map<string, ReconcilingItem[]>();
  const info = new Map<string, InformationItem[]>();
  const general: InformationItem[] = [];
  const push = <T>(m: Map<string, T[]>, account: string, x: T): void => void (m.get(account) ?? m.set(account, []).get(account)!).push(x);

  // Journals of this period that the period lock dated after it: in the pools at their event's
  // date, in the GL at the first open date.
  if (asOf !== undefined) {
    const shifted = new Map<string, { amount: bigint; journals: Set<string> }>();
    for await (const page of journalPages(store, co.id, { from: asOf })) for (const j of page) {
      if (j.shiftedFrom === undefined || j.shiftedFrom > asOf || j.date <= asOf) continue;
      for (const l of j.lines) {
        if (!checks.some((c) => c.account === l.account)) continue;
        const s = shifted.get(l.account) ?? { amount: 0n, journals: new Set<string>() };
        s.amount += l.amount;
        s.journals.add(j.id);
        shifted.set(l.account, s);
      }
    }
    for (const [account, s] of shifted) {
      if (s.amount !== 0n) push(items, account, { name: 'booked after the period lock', amount: s.amount, detail: `journals of events dated on or before ${asOf}, dated at the first open date: ${[...s.journals].join(', ')}` });
    }
  }

  // GRNI: received into stock (at the receipt's value) and not yet billed; attributed to the
  // inventory account of the goods through the lines' product and warehouse.
  for (const grni of [...roleAccounts(co, 'grni')].sort(byCode)) {
    const per = new Map<string, bigint>();
    for await (const page of journalPages(store, co.id, { account: grni, to: asOf })) for (const j of page) {
      for (const l of j.lines) {
        if (l.account !== grni) continue;
        const inv = l.product !== undefined && l.warehouse !== undefined ? poolAccount(co, l.product, l.warehouse) ?? '' : '';
        per.set(inv, (per.get(inv) ?? 0n) + l.amount);
      }
    }
    for (const [inv, balance] of per) {
      if (balance === 0n) continue;
      const item = { name: 'GRNI: received, not yet billed', amount: -balance, detail: `credit balance of ${grni} ${co.accounts.get(grni)?.name ?? ''}`.trim() };
      if (inv === '') general.push({ ...item, detail: `${item.detail} (lines naming no stock)` });
      else push(info, inv, item);
    }
  }

  for (const [account, item] of shortIssues(pools)) push(info, account, item);

  const accounts = checks.map((c): AccountReconciliation => {
    const its = items.get(c.account) ?? [];
    const explainedBy = its.reduce((a, i) => a + i.amount, 0n);
    return { account: c.account, name: c.name, subledger: c.subledger, gl: c.gl, difference: c.difference, items: its, unexplained: c.difference - explainedBy, information: info.get(c.account) ?? [] };
  });
  const total = accounts.reduce((t, a) => ({ subledger: t.subledger + a.subledger, gl: t.gl + a.gl, difference: t.difference + a.difference, unexplained: t.unexplained + a.unexplained }), { subledger: 0n, gl: 0n, difference: 0n, unexplained: 0n });
  return {
    company: co.id,
    currency: co.baseCurrency,
    asOf,
    accounts,
    total,
    information: general,
    ties: accounts.every((a) => a.difference === 0n),
    explained: accounts.every((a) => a.unexplained === 0n),
  };
}

// ---- output ------------------------------------------------------------------------------

function infoJson(co: Company, i: InformationItem): Record<string, unknown> {
  return { name: i.name, amount: money(co, i.amount), ...(i.qty !== undefined ? { qty: qty(i.qty) } : {}), detail: i.detail };
}

export function reconciliationJson(r: ReconciliationReport, co: Company): Record<string, unknown> {
  return {
    report: 'reconciliation',
    company: r.company,
    currency: r.currency,
    asOf: r.asOf ?? null,
    accounts: r.accounts.map((a) => ({
      account: a.account,
      name: a.name,
      subledger: money(co, a.subledger),
      gl: money(co, a.gl),
      difference: money(co, a.difference),
      items: a.items.map((i) => ({ name: i.name, amount: money(co, i.amount), detail: i.detail })),
      unexplained: money(co, a.unexplained),
      information: a.information.map((i) => infoJson(co, i)),
    })),
    total: { subledger: money(co, r.total.subledger), gl: money(co, r.total.gl), difference: money(co, r.total.difference), unexplained: money(co, r.total.unexplained) },
    information: r.information.map((i) => infoJson(co, i)),
    ties: r.ties,
    explained: r.explained,
  };
}

/** Per account: the comparison row, then its reconciling items and information rows; then the total. */
export function reconciliationRows(r: ReconciliationReport, co: Company): string[][] {
  const rows = [['row', 'account', 'name', 'subledger', 'gl', 'difference', 'item', 'amount', 'qty', 'detail']];
  for (const a of r.accounts) {
    rows.push(['account', a.account, a.name, money(co, a.subledger), money(co, a.gl), money(co, a.difference), '', '', '', a.difference === 0n ? 'ties' : a.unexplained === 0n ? 'explained' : 'unexplained difference']);
    for (const i of a.items) rows.push(['reconciling', a.account, a.name, '', '', '', i.name, money(co, i.amount), '', i.detail]);
    if (a.unexplained !== 0n) rows.push(['unexplained', a.account, a.name, '', '', '', 'unexplained', money(co, a.unexplained), '', '']);
    for (const i of a.information) rows.push(['information', a.account, a.name, '', '', '', i.name, money(co, i.amount), i.qty === undefined ? '' : qty(i.qty), i.detail]);
  }
  for (const i of r.information) rows.push(['information', '', '', '', '', '', i.name, money(co, i.amount), i.qty === undefined ? '' : qty(i.qty), i.detail]);
  rows.push(['total', '', '', money(co, r.total.subledger), money(co, r.total.gl), money(co, r.total.difference), '', '', '', r.ties ? 'ties' : r.explained ? 'explained' : 'unexplained difference']);
  return rows;
}
