/**
 * Dated events: the events of the few types the reports look up by date (sales, shipments and
 * credit notes for gross profit; stocktakes and count exports for the count export), read a
 * page at a time from the partial index events_dated (migration 10) in (date, seq) order. Only
 * events of those types are indexed, so the index costs nothing for the rest, and a report
 * reads what its date range holds, not the company's history. Every statement filters by the
 * company first; the type list is repeated in each query so both planners see that the partial
 * index covers it.
 */
import { keysetPages } from './pages.js';
import { big, checkLimit, checkSeq } from './common.js';
import type { Statement } from './statements.js';
import type { LedgerStore } from './store.js';

/** The event types events_dated indexes (migration 10). */
export const DATED_EVENT_TYPES = ['sale_invoice', 'sale_credit_note', 'shipment', 'stocktake', 'count_export'] as const;
export type DatedEventType = (typeof DATED_EVENT_TYPES)[number];

/** The partial index's predicate, written once for the migration and the queries. */
export const DATED_PREDICATE = `type IN (${DATED_EVENT_TYPES.map((t) => `'${t}'`).join(', ')})`;

/** An indexed event's position: where a page ends. */
export interface DatedPosition {
  date: string;
  seq: bigint;
}

export interface DatedEvent extends DatedPosition {
  id: string;
  type: DatedEventType;
}

export interface DatedQuery {
  /** Dated on or after (inclusive). */
  from?: string | undefined;
  /** Dated on or before (inclusive). */
  to?: string | undefined;
  /** Only events after this position. */
  after?: DatedPosition | undefined;
  limit: number;
}

/** One page of a type's events dated in the range, by (company, type, date, seq) of events_dated. */
export function datedEvents(company: string, type: DatedEventType, q: DatedQuery): Statement {
  checkLimit(q.limit);
  const params: unknown[] = [company, type];
  const w = ['company = ?', 'type = ?', DATED_PREDICATE];
  if (q.from !== undefined) {
    w.push('date >= ?');
    params.push(q.from);
  }
  if (q.to !== undefined) {
    w.push('date <= ?');
    params.push(q.to);
  }
  if (q.after !== undefined) {
    checkSeq(q.after.seq, 'after.seq');
    w.push('(date, seq) > (?, ?)');
    params.push(q.after.date, q.after.seq);
  }
  params.push(BigInt(q.limit));
  return { sql: `SELECT seq, id, type, date FROM events WHERE ${w.join(' AND ')} ORDER BY date, seq LIMIT ?`, params };
}

/** A row of `datedEvents` as its event. */
export function toDatedEvent(r: { seq: unknown; id: string; type: string; date: string }): DatedEvent {
  return { seq: big(r.seq), id: r.id, type: r.type as DatedEventType, date: r.date };
}

/** Migration 10's index (the same DDL in both dialects). */
export const DATED_INDEX = `CREATE INDEX events_dated ON events (company, type, date, seq) WHERE ${DATED_PREDICATE};`;

/** A type's events dated in [from, to], a page at a time (`page` events each), with a turn of the event loop between pages. */
export function datedPages(store: LedgerStore, company: string, type: DatedEventType, range: Omit<DatedQuery, 'after' | 'limit'>, page = 1000): AsyncGenerator<DatedEvent[]> {
  return keysetPages((after: DatedEvent | undefined, limit) => store.datedEvents(company, type, { from: range.from, to: range.to, after, limit }), (e) => e, page);
}
