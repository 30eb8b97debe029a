/**
 * Journals as a beancount ledger, checked by `bean-check`. Beancount wants every account
 * under one of five roots and opened before use: the root comes from the account's type in
 * the chart, the name is "C<code>-<name>" reduced to the characters beancount allows.
 */
import { formatMoney } from '../domain/money.js';
import type { Company, AccountType } from '../domain/config.js';
import { narration, type Journal } from '../posting/journal.js';

const ROOT: Record<AccountType, 'Assets' | 'Liabilities' | 'Equity' | 'Income' | 'Expenses'> = {
  BANK: 'Assets', CURRENT: 'Assets', FIXED: 'Assets', INVENTORY: 'Assets', NONCURRENT: 'Assets', PREPAYMENT: 'Assets',
  CURRLIAB: 'Liabilities', LIABILITY: 'Liabilities', TERMLIAB: 'Liabilities',
  EQUITY: 'Equity',
  REVENUE: 'Income', SALES: 'Income', OTHERINCOME: 'Income',
  EXPENSE: 'Expenses', DIRECTCOSTS: 'Expenses', OVERHEADS: 'Expenses', DEPRECIATN: 'Expenses',
};

export function beancountAccount(co: Company, code: string): string {
  const a = co.accounts.get(code);
  const root = a ? ROOT[a.type] : 'Assets';
  const name = (a?.name ?? '').replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  return `${root}:C${code.replace(/[^A-Za-z0-9]/g, '')}${name ? `-${name}` : ''}`;
}

function quoted(s: string): string {
  return `"${s.replace(/[\r\n]+/g, ' ').replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function beancountLedger(journals: readonly Journal[], co: Company): string {
  const used = new Set<string>();
  let first = '9999-12-31';
  for (const j of journals) {
    if (j.date < first) first = j.date;
    for (const l of j.lines) used.add(l.account);
  }
  const out: string[] = [`option "title" ${quoted(co.name)}`, `option "operating_currency" "${co.baseCurrency}"`, ''];
  for (const code of [...used].sort()) out.push(`${first === '9999-12-31' ? '1970-01-01' : first} open ${beancountAccount(co, code)}`);
  for (const j of journals) {
    out.push('', `${j.date} * ${quoted(narration(j))}`);
    for (const l of j.lines) out.push(`  ${beancountAccount(co, l.account)}  ${formatMoney(l.amount, j.currency)} ${j.currency}`);
  }
  return out.join('\n') + '\n';
}
