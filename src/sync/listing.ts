/**
 * The sync list: every record with its sync status, read a page at a time, and the company's
 * open records counted per type, without deriving every record of the history.
 *
 * A record is one journal (records.ts), so its listing is the journal's header: no lines and
 * no event are read for it (a grouped correction's reference is its cause's, read for the
 * page). The counts are the kept journal counts (journal_counts) less the records that are
 * closed, posted or cancelled; a closed record is one the sync log names (posted) or a journal
 * of a voided event (cancelled), so only those are read. Both cost what the page and the sync
 * activity hold, not the length of the history.
 *
 * Stages: `headRecord` (a header as a record), `listedStatus` (its status), `openCounts`
 * (the counts), `listPage` (a page after a position).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { RecordType } from '../posting/types.js';
import type { JournalHeader, LedgerStore } from '../store/store.js';
import type { BookReader } from '../ledger/costing-reader.js';
import { journalRecordType, RECORD_TYPES, type SyncRecord } from './records.js';
import { mayBeInTarget, stateOf, type PostedData, type RecordState } from './state.js';
import type { Failure } from '../domain/errors.js';

export type ListedStatus = 'unposted' | 'held' | 'in-progress' | 'failed' | 'posted' | 'cancelled';

export interface ListedRecord {
  id: string;
  type: RecordType;
  kind: SyncRecord['kind'];
  eventType: string;
  event: string;
  date: string;
  reference: string | undefined;
  status: ListedStatus;
  version: number;
  error?: Failure | undefined;
  posted?: PostedData | undefined;
}

/** What a record's status depends on: its kind, whether it is a grouped correction, and the event it books. */
export interface RecordHead {
  id: string;
  type: RecordType;
  kind: SyncRecord['kind'];
  grouped: boolean;
  /** The event the record books (a void: the voided event; a grouped correction: its cause). */
  event: string;
  eventType: string;
  date: string;
  /** The journal's reference (a grouped correction has none: it is its cause's). */
  reference: string | undefined;
  seq: bigint;
}

/** What the list reads: the store, the sync log folded to states, the voided events, and the book for events' references. */
export interface ListingSource {
  store: LedgerStore;
  company: string;
  states: ReadonlyMap<string, RecordState>;
  voided: ReadonlySet<string>;
  book: BookReader;
}

/** Journal headers read per page while a list looks for its records. */
const HEAD_PAGE = 2000;

/** A journal header as the record it is (the same record deriveRecords makes of the journal). */
export function headRecord(h: JournalHeader): RecordHead {
  const base = { id: h.id, type: journalRecordType(h.kind, h.eventType), event: h.event, eventType: h.eventType, date: h.date, reference: h.reference, seq: h.seq };
  if (h.kind === 'original') return { ...base, kind: 'document', grouped: false };
  if (h.kind === 'correction') return { ...base, kind: 'correction', grouped: h.event === h.cause };
  return { ...base, kind: 'void', grouped: false };
}

/** A document or correction of a voided event that never reached the target: nothing to send, ever. */
export function isCancelled(kind: SyncRecord['kind'], grouped: boolean, event: string, st: RecordState, voided: ReadonlySet<string>): boolean {
  return kind !== 'void' && !grouped && voided.has(event) && st.status !== 'posted' && !mayBeInTarget(st);
}

export function listedStatus(rec: Pick<RecordHead, 'kind' | 'grouped' | 'event'>, st: RecordState, voided: ReadonlySet<string>): ListedStatus {
  if (st.status === 'posted') return 'posted';
  if (isCancelled(rec.kind, rec.grouped, rec.event, st, voided)) return 'cancelled';
  if (st.held) return 'held';
  if (st.status === 'claimed') return 'in-progress';
  return st.status === 'failed' ? 'failed' : 'unposted';
}

const isOpen = (s: ListedStatus): boolean => s !== 'posted' && s !== 'cancelled';

/** Open records per type: every journal, less the closed ones (found among the log's records and the voided events' journals). */
export async function openCounts(src: ListingSource): Promise<Record<RecordType, number>> {
  const counts = Object.fromEntries(RECORD_TYPES.map((t) => [t, 0])) as Record<RecordType, number>;
  for (const c of await src.store.journalCounts(src.company)) counts[journalRecordType(c.kind, c.eventType)] += Number(c.n);
  const heads = new Map<string, JournalHeader>();
  for (const h of await src.store.journalHeaders(src.company, { ids: [...src.states.keys()] })) heads.set(h.id, h);
  for (const h of await src.store.journalHeaders(src.company, { events: [...src.voided] })) heads.set(h.id, h);
  for (const h of heads.values()) {
    const r = headRecord(h);
    if (!isOpen(listedStatus(r, stateOf(src.states, r.id), src.voided))) counts[r.type]--;
  }
  return counts;
}

export interface PageOptions {
  type?: RecordType | undefined;
  /** Posted and cancelled records too. */
  all?: boolean | undefined;
  /** At most this many records (all when omitted). */
  limit?: number | undefined;
  /** Only records after this ledger position. */
  afterSeq?: bigint | undefined;
}

/** The listed records after a position, in ledger order; `next` (the last listed record's position) when more follow a `limit`. */
export async function listPage(src: ListingSource, opts: PageOptions): Promise<{ records: ListedRecord[]; next: bigint | undefined }> {
  const found: [RecordHead, RecordState, ListedStatus][] = [];
  let more = false;
  for (let after = opts.afterSeq ?? 0n; !more; ) {
    const heads = await src.store.journalHeaders(src.company, { afterSeq: after, limit: HEAD_PAGE });
    for (const h of heads) {
      const r = headRecord(h);
      const st = stateOf(src.states, r.id);
      const status = listedStatus(r, st, src.voided);
      if ((opts.type !== undefined && r.type !== opts.type) || (!opts.all && !isOpen(status))) continue;
      if (opts.limit !== undefined && found.length === opts.limit) {
        more = true;
        break;
      }
      found.push([r, st, status]);
    }
    if (heads.length < HEAD_PAGE) break;
    after = heads[heads.length - 1]!.seq;
    await nextTurn();
  }
  return { records: await listed(src, found), next: more ? found[found.length - 1]?.[0].seq ?? 0n : undefined };
}

/** One record as listed, by its id (undefined: no journal has it). */
export async function listedById(src: ListingSource, id: string): Promise<ListedRecord | undefined> {
  const [h] = await src.store.journalHeaders(src.company, { ids: [id] });
  if (!h) return undefined;
  const r = headRecord(h);
  const st = stateOf(src.states, r.id);
  return (await listed(src, [[r, st, listedStatus(r, st, src.voided)]]))[0];
}

/** The page's records as listed; grouped corrections take their cause's reference. */
async function listed(src: ListingSource, found: readonly [RecordHead, RecordState, ListedStatus][]): Promise<ListedRecord[]> {
  const causes = await src.book.events([...new Set(found.filter(([r]) => r.grouped).map(([r]) => r.event))]);
  return found.map(([r, st, status]) => ({
    id: r.id, type: r.type, kind: r.kind, eventType: r.eventType, event: r.event, date: r.date,
    reference: r.grouped ? causes.get(r.event)?.reference : r.reference,
    status, version: st.version, error: st.failed?.error, posted: st.posted,
  }));
}
