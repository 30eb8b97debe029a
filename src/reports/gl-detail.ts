/**
 * GL detail of one account: every journal line on it in date order (then the order it was
 * booked), with journal, kind, event, date, memo, debit or credit and the running balance from
 * the opening balance (the trial balance as of the day before `from`).
 */
import type { Company } from '../domain/config.js';
import { failure, type Failure } from '../domain/errors.js';
import { dayBefore, money, type ReportSource } from './common.js';

export interface GlDetailOptions {
  account: string;
  from?: string | undefined;
  to?: string | undefined;
}

export interface GlDetailRow {
  date: string;
  journal: string;
  kind: string;
  event: string;
  eventType: string;
  memo: string;
  product: string | undefined;
  warehouse: string | undefined;
  /** Signed amount: debit positive. */
  amount: bigint;
  balance: bigint;
}

export interface GlDetailReport {
  company: string;
  currency: string;
  account: string;
  name: string;
  from: string | undefined;
  to: string | undefined;
  opening: bigint;
  rows: GlDetailRow[];
  totalDebit: bigint;
  totalCredit: bigint;
  closing: bigint;
}

export async function glDetail(src: ReportSource, opts: GlDetailOptions): Promise<GlDetailReport | Failure> {
  const { co, store } = src;
  const account = co.accounts.get(opts.account);
  if (!account) return failure('UNKNOWN_ACCOUNT', `Account "${opts.account}" is not in the chart of accounts of company "${co.id}".`, 'Give --account a code from the chart.', { account: opts.account });
  let opening = 0n;
  if (opts.from !== undefined) {
    const tb = await store.trialBalance(co.id, dayBefore(opts.from));
    opening = tb.find((b) => b.account === opts.account)?.balance ?? 0n;
  }
  const journals = (await store.journals(co.id, { account: opts.account, from: opts.from, to: opts.to }))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : 0));
  const rows: GlDetailRow[] = [];
  let balance = opening;
  let totalDebit = 0n;
  let totalCredit = 0n;
  for (const j of journals) {
    for (const l of j.lines) {
      if (l.account !== opts.account) continue;
      balance += l.amount;
      if (l.amount > 0n) totalDebit += l.amount;
      else totalCredit -= l.amount;
      rows.push({ date: j.date, journal: j.id, kind: j.kind, event: j.event, eventType: j.eventType, memo: l.memo ?? j.memo ?? '', product: l.product, warehouse: l.warehouse, amount: l.amount, balance });
    }
  }
  return { company: co.id, currency: co.baseCurrency, account: opts.account, name: account.name, from: opts.from, to: opts.to, opening, rows, totalDebit, totalCredit, closing: balance };
}

// ---- output ------------------------------------------------------------------------------

const debit = (co: Company, x: bigint): string => (x > 0n ? money(co, x) : '');
const credit = (co: Company, x: bigint): string => (x < 0n ? money(co, -x) : '');

export function glDetailJson(r: GlDetailReport, co: Company): Record<string, unknown> {
  return {
    report: 'gl',
    company: r.company,
    currency: r.currency,
    account: r.account,
    name: r.name,
    from: r.from ?? null,
    to: r.to ?? null,
    opening: money(co, r.opening),
    rows: r.rows.map((x) => ({
      date: x.date, journal: x.journal, kind: x.kind, event: x.event, eventType: x.eventType, memo: x.memo,
      product: x.product ?? null, warehouse: x.warehouse ?? null,
      debit: debit(co, x.amount) || null, credit: credit(co, x.amount) || null, balance: money(co, x.balance),
    })),
    totalDebit: money(co, r.totalDebit),
    totalCredit: money(co, r.totalCredit),
    closing: money(co, r.closing),
  };
}

/** An opening row, one row per journal line, a closing row with the totals. Balances are signed (debit positive). */
export function glDetailRows(r: GlDetailReport, co: Company): string[][] {
  const rows = [['row', 'date', 'journal', 'kind', 'event', 'event_type', 'memo', 'product', 'warehouse', 'debit', 'credit', 'balance']];
  rows.push(['opening', r.from ?? '', '', '', '', '', 'Opening balance', '', '', '', '', money(co, r.opening)]);
  for (const x of r.rows) rows.push(['line', x.date, x.journal, x.kind, x.event, x.eventType, x.memo, x.product ?? '', x.warehouse ?? '', debit(co, x.amount), credit(co, x.amount), money(co, x.balance)]);
  rows.push(['closing', r.to ?? '', '', '', '', '', 'Closing balance', '', '', money(co, r.totalDebit), money(co, r.totalCredit), money(co, r.closing)]);
  return rows;
}
