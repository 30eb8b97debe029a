/** Events and journals for the store suite. Amounts are bigint minor units. */
import type { Journal, JournalLine } from '../../src/posting/journal.js';
import type { NewEvent, StoredJournal } from '../../src/store/store.js';

export function event(id: string, date = '2026-01-01', type = 'stock_adjustment'): NewEvent {
  return { id, type, date, body: JSON.stringify({ id, type, date }) };
}

/** A line in the shape the book builds: every optional detail present, undefined when absent. */
export function line(account: string, amount: bigint, d: { memo?: string; product?: string; warehouse?: string } = {}): JournalLine {
  return { account, amount, memo: d.memo, product: d.product, warehouse: d.warehouse };
}

/** A balanced two-line journal (Dr `debit`, Cr `credit`) unless `lines` are given. */
export function journal(id: string, ev: string, date: string, lines: JournalLine[], extra: Partial<Journal> = {}): Journal {
  return { id, event: ev, eventType: 'stock_adjustment', kind: 'original', date, currency: 'USD', lines, cause: undefined, reverses: undefined, reference: undefined, memo: undefined, shiftedFrom: undefined, ...extra };
}

export function entry(id: string, ev: string, date: string, debit: string, credit: string, amount: bigint, extra: Partial<Journal> = {}): Journal {
  return journal(id, ev, date, [line(debit, amount), line(credit, -amount)], extra);
}

/** What the store gives back: the journal as written, plus its positions. */
export function stored(j: Journal, seq: bigint, eventSeq: bigint): StoredJournal {
  const lines = j.lines.map((l) => line(l.account, l.amount, l as { memo?: string; product?: string; warehouse?: string }));
  return { id: j.id, event: j.event, eventType: j.eventType, kind: j.kind, date: j.date, currency: j.currency, lines, cause: j.cause, reverses: j.reverses, reference: j.reference, memo: j.memo, shiftedFrom: j.shiftedFrom, seq, eventSeq };
}
