/** Trial balance as of a date: the balance of every account with a movement, split into debits and credits. */
import { formatMoney } from '../domain/money.js';
import type { Company } from '../domain/config.js';
import type { LedgerStore } from '../store/store.js';
import { byCodePoint } from '../domain/values.js';

export interface TrialBalanceReport {
  asOf: string | undefined;
  /** Non-zero balances by account code; debit positive. */
  accounts: { account: string; balance: bigint }[];
  totalDebit: bigint;
  totalCredit: bigint;
}

export async function trialBalance(store: LedgerStore, co: Company, asOf: string | undefined): Promise<TrialBalanceReport> {
  const accounts = (await store.trialBalance(co.id, asOf)).filter((b) => b.balance !== 0n).sort((a, b) => byCodePoint(a.account, b.account));
  let totalDebit = 0n;
  let totalCredit = 0n;
  for (const a of accounts) {
    if (a.balance > 0n) totalDebit += a.balance;
    else totalCredit -= a.balance;
  }
  return { asOf, accounts, totalDebit, totalCredit };
}

function lines(r: TrialBalanceReport, co: Company): { account: string; name: string; debit: string; credit: string; balance: string }[] {
  const m = (v: bigint): string => formatMoney(v, co.baseCurrency);
  return r.accounts.map((a) => ({ account: a.account, name: co.accounts.get(a.account)?.name ?? '', debit: a.balance > 0n ? m(a.balance) : '', credit: a.balance < 0n ? m(-a.balance) : '', balance: m(a.balance) }));
}

export function trialBalanceJson(r: TrialBalanceReport, co: Company): Record<string, unknown> {
  return {
    company: co.id,
    asOf: r.asOf ?? null,
    currency: co.baseCurrency,
    accounts: lines(r, co),
    totalDebit: formatMoney(r.totalDebit, co.baseCurrency),
    totalCredit: formatMoney(r.totalCredit, co.baseCurrency),
    balanced: r.totalDebit === r.totalCredit,
  };
}

/** account, name, debit, credit: one row per account (CSV and table). */
export function trialBalanceRows(r: TrialBalanceReport, co: Company): string[][] {
  return [['account', 'name', 'debit', 'credit'], ...lines(r, co).map((l) => [l.account, l.name, l.debit, l.credit])];
}
