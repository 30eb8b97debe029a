/**
 * How the inventory adjustments export (src/ledger/count-export.ts) leaves stockbook: the
 * counts, the journal adjustment report (preview) and an export's result as JSON (money as
 * decimal strings, shared by `stockbook counts … -f json` and the /v1/counts routes), CSV rows
 * and tables for people.
 */
import Table from 'cli-table3';
import { formatMoney } from '../domain/money.js';
import type { Company } from '../domain/config.js';
import type { CountInfo, CountPreview, Entry, Movements } from '../ledger/count-export.js';
import { journalJson } from './format.js';
import type { Journal } from '../posting/journal.js';

export const MOVEMENT_KINDS = ['receipts', 'sales', 'transfers', 'production', 'adjustments', 'other'] as const satisfies readonly (keyof Movements)[];

function table(head: string[], rows: string[][]): string {
  const t = new Table({ head, style: { head: [], border: [], compact: true } });
  for (const r of rows) t.push(r);
  return t.toString();
}

// ---- counts ---------------------------------------------------------------------------------

/** The count an export takes by default: the latest not exported. */
export function nextCount(list: readonly CountInfo[]): string | undefined {
  return [...list].reverse().find((c) => c.exportedBy === undefined && !c.superseded)?.date;
}

export function countsJson(list: readonly CountInfo[]): { counts: { date: string; exportedBy: string | null; superseded: boolean }[]; next: string | null } {
  return { counts: list.map((c) => ({ date: c.date, exportedBy: c.exportedBy ?? null, superseded: c.superseded })), next: nextCount(list) ?? null };
}

export function countsTable(list: readonly CountInfo[]): string {
  if (list.length === 0) return 'No counts: record a count (stocktake events) first.';
  const next = nextCount(list);
  const rows = list.map((c) => [c.date, c.exportedBy ?? (c.superseded ? 'not exported (before a later export)' : 'not exported'), c.date === next ? 'default' : '']);
  const foot = next === undefined ? 'Every count is exported; void an export to export its count again.' : `Default count to export: ${next}.`;
  return `${table(['Count', 'Exported by', ''], rows)}\n${foot}`;
}

// ---- the journal adjustment report ----------------------------------------------------------

const balancedText = (p: CountPreview): string => (p.balanced ? 'balanced' : 'UNBALANCED');

export function previewJson(p: CountPreview): Record<string, unknown> {
  const m = (x: bigint): string => formatMoney(x, p.currency);
  return {
    company: p.company,
    currency: p.currency,
    count: p.count,
    priorCount: p.priorCount ?? null,
    inventorySystem: p.inventorySystem,
    exportedBy: p.exportedBy ?? null,
    categories: p.categories.map((c) => ({
      category: c.category === '' ? null : c.category,
      name: c.name,
      asset: c.asset,
      cogs: c.cogs,
      opening: m(c.opening),
      movements: Object.fromEntries(MOVEMENT_KINDS.map((k) => [k, m(c.movements[k])])),
      prior: m(c.prior),
      current: m(c.current),
    })),
    entries: p.entries.map((e) => ({ debit: e.debit, credit: e.credit, amount: m(e.amount), memo: e.memo })),
    totals: { debit: m(p.totals.debit), credit: m(p.totals.credit) },
    balanced: p.balanced,
  };
}

export const PREVIEW_CSV_HEAD = ['row', 'category', 'name', 'asset', 'cogs', 'opening', ...MOVEMENT_KINDS, 'prior', 'current', 'debit_account', 'credit_account', 'debit', 'credit', 'memo', 'check'];

/** One CSV: a row per category, a row per entry, then the totals with the balance check. */
export function previewRows(p: CountPreview): string[][] {
  const m = (x: bigint): string => formatMoney(x, p.currency);
  const blank = (n: number): string[] => Array.from({ length: n }, () => '');
  const rows = [PREVIEW_CSV_HEAD];
  for (const c of p.categories) rows.push(['category', c.category, c.name, c.asset, c.cogs, m(c.opening), ...MOVEMENT_KINDS.map((k) => m(c.movements[k])), m(c.prior), m(c.current), ...blank(6)]);
  for (const e of p.entries) rows.push(['entry', ...blank(13), e.debit, e.credit, m(e.amount), m(e.amount), e.memo, '']);
  rows.push(['total', ...blank(15), m(p.totals.debit), m(p.totals.credit), '', balancedText(p)]);
  return rows;
}

function accountText(co: Company | undefined, code: string): string {
  const name = co?.accounts.get(code)?.name;
  return name ? `${code} ${name}` : code;
}

export function entriesTable(p: CountPreview, co?: Company): string {
  const m = (x: bigint): string => formatMoney(x, p.currency);
  const rows = p.entries.map((e: Entry) => [accountText(co, e.debit), accountText(co, e.credit), m(e.amount), e.memo]);
  const body = rows.length === 0 ? 'No entries.' : table(['Dr', 'Cr', 'Amount', 'Memo'], rows);
  return `${body}\nTotal debit ${m(p.totals.debit)} · total credit ${m(p.totals.credit)} · ${balancedText(p)}`;
}

export function previewText(p: CountPreview, co?: Company): string {
  const m = (x: bigint): string => formatMoney(x, p.currency);
  const head = ['Category', 'Name', 'Asset', 'COGS', 'Opening', 'Receipts', 'Sales', 'Transfers', 'Production', 'Adjustments', 'Other', 'Prior (reversed)', 'Current'];
  const rows = p.categories.map((c) => [c.category || '(none)', c.name, c.asset, c.cogs, m(c.opening), ...MOVEMENT_KINDS.map((k) => m(c.movements[k])), m(c.prior), m(c.current)]);
  const title = `Journal adjustment report of ${co?.name ?? p.company}: the count on ${p.count} (prior count ${p.priorCount ?? 'none'}; ${p.currency}, ${p.inventorySystem} inventory)`;
  const status = p.exportedBy === undefined ? 'Not exported.' : `Exported by ${p.exportedBy}.`;
  return `${title}\n${table(head, rows)}\nEntries\n${entriesTable(p, co)}\n${status}`;
}

// ---- an export ------------------------------------------------------------------------------

export function exportJson(r: { event: string; preview: CountPreview; journals: readonly Journal[] }, co: Company): Record<string, unknown> {
  return { event: r.event, preview: previewJson(r.preview), journals: r.journals.map((j) => journalJson(j, co)) };
}

export function exportText(r: { event: string; preview: CountPreview }, co: Company): string {
  return `Exported the count on ${r.preview.count} as event ${r.event} (journal dated ${r.preview.count}).\n${entriesTable(r.preview, co)}`;
}
