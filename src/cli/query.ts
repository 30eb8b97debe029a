/** `stockbook journals` and `stockbook report`: read the durable ledger as JSON Lines, CSV or a table. */
import Table from 'cli-table3';
import { formatMoney } from '../domain/money.js';
import { loadConfig, type Company } from '../domain/config.js';
import { failure, type Failure } from '../domain/errors.js';
import type { JournalFilter, LedgerStore, StoredJournal } from '../store/store.js';
import { journalPages } from '../store/pages.js';
import { journalJson, journalsTable } from './format.js';
import { csv } from '../reports/csv.js';
import { trialBalance as trialBalanceReport, trialBalanceJson, trialBalanceRows } from '../reports/trial-balance.js';

export type Format = 'json' | 'csv' | 'table';

export async function companyOf(store: LedgerStore, id: string): Promise<Company | Failure> {
  const rec = await store.getCompany(id);
  if (!rec) return failure('UNKNOWN_COMPANY', `Company "${id}" does not exist.`, 'Create it first: stockbook import --config company.json …', { company: id });
  const co = loadConfig(rec.config, 'store');
  return co.ok ? co.value : co.error;
}

export { csv }; // the CLI's report modules import it from here

/** The journals, read and written a page at a time (a table needs them all before it prints). */
export async function journals(store: LedgerStore, co: Company, filter: Omit<JournalFilter, 'limit'>, format: Format, out: (s: string) => void): Promise<void> {
  const table: StoredJournal[] = [];
  if (format === 'csv') out(csv([['journal', 'kind', 'event', 'date', 'account', 'account_name', 'amount', 'product', 'warehouse', 'memo']]));
  for await (const page of journalPages(store, co.id, filter)) {
    if (format === 'json') {
      for (const j of page) out(JSON.stringify(journalJson(j, co)));
    } else if (format === 'table') {
      table.push(...page);
    } else {
      const rows: string[][] = [];
      for (const j of page) for (const l of j.lines) rows.push([j.id, j.kind, j.event, j.date, l.account, co.accounts.get(l.account)?.name ?? '', formatMoney(l.amount, j.currency), l.product ?? '', l.warehouse ?? '', l.memo ?? '']);
      if (rows.length > 0) out(csv(rows));
    }
  }
  if (format === 'table') out(journalsTable(table, co));
}

export async function trialBalance(store: LedgerStore, co: Company, asOf: string | undefined, format: Format, out: (s: string) => void): Promise<void> {
  const r = await trialBalanceReport(store, co, asOf);
  if (format === 'json') return out(JSON.stringify(trialBalanceJson(r, co)));
  const [header, ...rows] = trialBalanceRows(r, co);
  if (format === 'csv') return out(csv([header!, ...rows]));
  const t = new Table({ head: ['Account', 'Name', 'Debit', 'Credit'], style: { head: [], border: [], compact: true } });
  for (const row of rows) t.push(row);
  t.push(['', 'Total', formatMoney(r.totalDebit, co.baseCurrency), formatMoney(r.totalCredit, co.baseCurrency)]);
  out(`Trial balance of ${co.name}${asOf ? ` as of ${asOf}` : ''} (${co.baseCurrency})\n${t.toString()}`);
}
