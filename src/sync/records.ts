/**
 * Sync records (seed 001): what an accounting target receives. Every journal the ledger wrote
 * belongs to exactly one record, so once every record is posted the target's books hold the
 * same lines as ours:
 *
 * - an event's original journal → a *document* record (an invoice, a bill, a stock journal…),
 *   listed under its posting rule's record type;
 * - a correction journal (a late event or a void re-costed it) → a *correction* record, a stock
 *   journal under procurement/inventory;
 * - a void's reversal journal → a *void* record, listed with the type of what it voids.
 *
 * Pure: a function of the book's events and the stored journals.
 */
import type { BookEvent } from '../domain/events.js';
import type { JournalLine } from '../posting/journal.js';
import type { RecordType } from '../posting/types.js';
import { RULES } from '../posting/rules/index.js';
import type { StoredJournal } from '../store/store.js';
import { byCodePoint } from '../domain/values.js';

export const RECORD_TYPES: readonly RecordType[] = ['invoices', 'procurement', 'expenses', 'payments', 'journals'];

/** Seed 000's numbering of the inventory journal posted with a sale: IV.TRX-1, IV.TRX-2, … */
export const IVTRX = 'IV.TRX-';

/** Whether the record's inventory journal takes an IV.TRX number (sales and shipments). */
export function takesJournalNumber(rec: SyncRecord): boolean {
  return rec.type === 'invoices' && rec.kind === 'document';
}

/** The customer or supplier the record's event names, if any. */
export function contactOf(rec: SyncRecord): string | undefined {
  const ev = rec.event as { customer?: unknown; supplier?: unknown };
  return typeof ev.customer === 'string' ? ev.customer : typeof ev.supplier === 'string' ? ev.supplier : undefined;
}

export interface SyncRecord {
  /** Document: the event id; correction: the correction journal id; void: the void event id. */
  id: string;
  type: RecordType;
  kind: 'document' | 'correction' | 'void';
  /** The event the record books (for a void: the voided event). */
  event: BookEvent;
  date: string;
  /** The ledger lines this record must bring to the target (signed, debit > 0). */
  lines: readonly JournalLine[];
  /** Correction: the event whose arrival or void changed the costs. */
  cause?: string | undefined;
  /** Correction grouped over several events (`<cause>/g<n>`): its `event` is the cause, and it is never cancelled by a void. */
  grouped?: boolean | undefined;
  /** Void: the voided event's id. */
  voids?: string | undefined;
  /** The journal's position in the ledger, for a stable listing order. */
  seq: bigint;
}

export function recordTypeOf(eventType: string): RecordType {
  const rule = RULES[eventType as keyof typeof RULES];
  return rule === undefined ? 'journals' : rule.recordType;
}

/** The record type of a journal: a correction is a stock journal under procurement; a document or void has its event's type. */
export function journalRecordType(kind: StoredJournal['kind'], eventType: string): RecordType {
  return kind === 'correction' ? 'procurement' : recordTypeOf(eventType);
}

/** One record per journal, in ledger order. `eventOf` finds the book's event by id. */
export function deriveRecords(journals: readonly StoredJournal[], eventOf: (id: string) => BookEvent | undefined): SyncRecord[] {
  const out: SyncRecord[] = [];
  for (const j of journals) {
    const event = eventOf(j.event);
    if (!event) throw new Error(`journal ${j.id} names event ${j.event}, which the book does not hold`);
    const base = { event, date: j.date, lines: j.lines, seq: j.seq };
    const type = journalRecordType(j.kind, j.eventType);
    if (j.kind === 'original') out.push({ ...base, id: j.id, type, kind: 'document' });
    else if (j.kind === 'correction') out.push({ ...base, id: j.id, type, kind: 'correction', cause: j.cause, grouped: j.event === j.cause });
    else out.push({ ...base, id: j.id, type, kind: 'void', voids: j.reverses });
  }
  return out;
}

/** Records of one type, oldest ledger position first. */
export function ofType(records: readonly SyncRecord[], type: RecordType): SyncRecord[] {
  return records.filter((r) => r.type === type).sort((a, b) => (a.seq < b.seq ? -1 : a.seq > b.seq ? 1 : byCodePoint(a.id, b.id)));
}
