/**
 * GL detail of one account: every journal line on it in date order (then the order it was
 * booked), with journal, kind, event, date, memo, debit or credit and the running balance from
 * the opening balance (the trial balance as of the day before `from`).
 *
 * It pages with a keyset cursor: each page holds at most `limit` lines (GL_PAGE_MAX at most)
 * and, when more follow, an opaque `next` cursor naming the page's last line. A page's opening
 * balance is the account's balance through that line (day totals before its day plus the
 * lines of that day up to it), so running balances continue exactly across pages; its totals
 * are the page's own, and the last page's closing balance is the range's.
 */
import type { Company } from '../domain/config.js';
import { failure, type Failure } from '../domain/errors.js';
import type { AccountLine, LinePosition } from '../store/store.js';
import { dayBefore, money, type ReportSource } from './common.js';

/** Most lines one GL page holds; the default page. */
export const GL_PAGE_MAX = 5000;
export const GL_PAGE_DEFAULT = 1000;

export interface GlDetailOptions {
  account: string;
  from?: string | undefined;
  to?: string | undefined;
  /** The previous page's `next` cursor. */
  after?: string | undefined;
  /** Lines per page: 1 … GL_PAGE_MAX (default GL_PAGE_DEFAULT). */
  limit?: number | undefined;
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
  /** Cursor of the next page, or undefined on the last page. */
  next: string | undefined;
}

/** The cursor of a line: its position, as base64url text (opaque to clients). */
export function glCursor(p: LinePosition): string {
  return Buffer.from(JSON.stringify([p.date, p.journalSeq.toString(), p.lineNo])).toString('base64url');
}

function parseCursor(s: string): LinePosition | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (!Array.isArray(v) || v.length !== 3) return undefined;
    const [date, seq, lineNo] = v as unknown[];
    if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date) || typeof seq !== 'string' || !/^\d{1,19}$/.test(seq) || !Number.isSafeInteger(lineNo) || (lineNo as number) < 1) return undefined;
    return { date, journalSeq: BigInt(seq), lineNo: lineNo as number };
  } catch {
    return undefined;
  }
}

const badPage = (what: string, fix: string, field: string): Failure => failure('INVALID_REQUEST', what, fix, { field });

export async function glDetail(src: ReportSource, opts: GlDetailOptions): Promise<GlDetailReport | Failure> {
  const { co, store } = src;
  const account = co.accounts.get(opts.account);
  if (!account) return failure('UNKNOWN_ACCOUNT', `Account "${opts.account}" is not in the chart of accounts of company "${co.id}".`, 'Give --account a code from the chart.', { account: opts.account });
  const limit = opts.limit ?? GL_PAGE_DEFAULT;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > GL_PAGE_MAX) return badPage(`The page limit ${String(limit)} is not between 1 and ${GL_PAGE_MAX}.`, `Ask for 1 to ${GL_PAGE_MAX} lines a page, and follow \`next\` for more.`, 'limit');
  const after = opts.after === undefined ? undefined : parseCursor(opts.after);
  if (opts.after !== undefined && (after === undefined || (opts.from !== undefined && after.date < opts.from))) return badPage('The GL page cursor is not one this report gave.', 'Pass the `next` value of the previous page unchanged, or leave it out for the first page.', 'after');
  let opening = 0n;
  if (after !== undefined) opening = await store.balanceThrough(co.id, opts.account, after);
  else if (opts.from !== undefined) opening = (await store.trialBalance(co.id, dayBefore(opts.from))).find((b) => b.account === opts.account)?.balance ?? 0n;
  const lines = await store.accountLines(co.id, opts.account, { from: opts.from, to: opts.to, after, limit: limit + 1 });
  const page = lines.slice(0, limit);
  const report = pageReport(co, opts, account.name, opening, page);
  return { ...report, next: lines.length > limit ? glCursor(page[page.length - 1]!) : undefined };
}

function pageReport(co: Company, opts: GlDetailOptions, name: string, opening: bigint, lines: readonly AccountLine[]): Omit<GlDetailReport, 'next'> {
  const rows: GlDetailRow[] = [];
  let balance = opening;
  let totalDebit = 0n;
  let totalCredit = 0n;
  for (const l of lines) {
    balance += l.amount;
    if (l.amount > 0n) totalDebit += l.amount;
    else totalCredit -= l.amount;
    rows.push({ date: l.date, journal: l.journal, kind: l.kind, event: l.event, eventType: l.eventType, memo: l.memo ?? l.journalMemo ?? '', product: l.product, warehouse: l.warehouse, amount: l.amount, balance });
  }
  return { company: co.id, currency: co.baseCurrency, account: opts.account, name, from: opts.from, to: opts.to, opening, rows, totalDebit, totalCredit, closing: balance };
}

/** Every page of the GL detail as one report (the CLI's whole report), read a page at a time. */
export async function glDetailAll(src: ReportSource, opts: Omit<GlDetailOptions, 'after'>): Promise<GlDetailReport | Failure> {
  const first = await glDetail(src, { ...opts, limit: opts.limit ?? GL_PAGE_MAX });
  if ('code' in first) return first;
  const all = first;
  for (let next = first.next; next !== undefined; ) {
    const page = await glDetail(src, { ...opts, limit: opts.limit ?? GL_PAGE_MAX, after: next });
    if ('code' in page) return page;
    all.rows.push(...page.rows);
    all.totalDebit += page.totalDebit;
    all.totalCredit += page.totalCredit;
    all.closing = page.closing;
    next = page.next;
  }
  return { ...all, next: undefined };
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
    next: r.next ?? null,
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
