/** How journals and failures leave the CLI: JSON Lines (machines) or a table (people). */
import Table from 'cli-table3';
import { formatMoney } from '../domain/money.js';
import type { Company } from '../domain/config.js';
import type { Failure } from '../domain/errors.js';
import type { Journal } from '../posting/journal.js';

/** A journal as documented in docs/events.md: amounts are signed decimal strings, debit positive. */
export function journalJson(j: Journal, co: Company): Record<string, unknown> {
  const out: Record<string, unknown> = {
    id: j.id,
    event: j.event,
    eventType: j.eventType,
    kind: j.kind,
    date: j.date,
    currency: j.currency,
    lines: j.lines.map((l) => {
      const line: Record<string, unknown> = { account: l.account, accountName: co.accounts.get(l.account)?.name ?? '', amount: formatMoney(l.amount, j.currency) };
      if (l.product !== undefined) line['product'] = l.product;
      if (l.warehouse !== undefined) line['warehouse'] = l.warehouse;
      if (l.memo !== undefined) line['memo'] = l.memo;
      return line;
    }),
  };
  if (j.cause !== undefined) out['cause'] = j.cause;
  if (j.reverses !== undefined) out['reverses'] = j.reverses;
  if (j.reference !== undefined) out['reference'] = j.reference;
  if (j.memo !== undefined) out['memo'] = j.memo;
  if (j.shiftedFrom !== undefined) out['shiftedFrom'] = j.shiftedFrom;
  return out;
}

export function failureJson(f: Failure, line?: number): Record<string, unknown> {
  return { error: { code: f.code, message: f.message, fix: f.fix, record: f.record }, ...(line === undefined ? {} : { line }) };
}

export function journalsTable(journals: readonly Journal[], co: Company): string {
  const t = new Table({ head: ['Journal', 'Kind', 'Date', 'Account', 'Debit', 'Credit', 'Detail'], style: { head: [], border: [], compact: true } });
  for (const j of journals) {
    j.lines.forEach((l, i) => {
      const name = co.accounts.get(l.account)?.name ?? '';
      const amount = formatMoney(l.amount < 0n ? -l.amount : l.amount, j.currency);
      const detail = [l.product, l.warehouse, l.memo].filter((x) => x !== undefined).join(' · ');
      t.push([i === 0 ? j.id : '', i === 0 ? j.kind : '', i === 0 ? j.date : '', `${l.account} ${name}`, l.amount > 0n ? amount : '', l.amount < 0n ? amount : '', detail]);
    });
  }
  return t.toString();
}

/** Where a command writes: standard output and error, or a test's buffers. */
export interface Io {
  write(s: string): void;
  writeErr(s: string): void;
}

export const STDIO: Io = {
  write: (s) => void process.stdout.write(s + '\n'),
  writeErr: (s) => void process.stderr.write(s + '\n'),
};
