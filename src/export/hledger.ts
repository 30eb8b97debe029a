/**
 * Journals as an hledger journal (plain-text accounting), so anyone can check stockbook's
 * balances with a tool we did not write. One transaction per journal, dated as booked; the
 * account is its code; amounts keep every minor unit, with the currency as commodity.
 */
import { formatMoney } from '../domain/money.js';
import { narration, type Journal } from '../posting/journal.js';

/** hledger reads a description up to the end of the line; keep ours on one line. */
function oneLine(s: string): string {
  return s.replace(/[\r\n]+/g, ' ').trim();
}

export function hledgerTransaction(j: Journal): string {
  const head = `${j.date} ${oneLine(narration(j))}`;
  const postings = j.lines.map((l) => `    ${l.account}  ${formatMoney(l.amount, j.currency)} ${j.currency}`);
  return [head, ...postings].join('\n');
}

export function hledgerJournal(journals: Iterable<Journal>): string {
  const out: string[] = [];
  for (const j of journals) out.push(hledgerTransaction(j));
  return out.join('\n\n') + '\n';
}
