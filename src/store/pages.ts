/**
 * Pages: a long list of journals or events read one keyset page at a time (by seq), with a
 * turn of the event loop between pages, so neither one statement nor the work a caller does
 * with the list holds the loop for the whole of it (other requests run between pages). Both
 * are append-only and numbered in commit order, so the pages together are the list as of the
 * last page's read.
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { JournalFilter, LedgerStore, StoredEvent, StoredJournal } from './store.js';

/** Journals per page when a caller reads a whole list. */
export const JOURNAL_PAGE = 1000;
/** Events per page when a caller replays them (applying 1,000 events takes well under 100 ms). */
export const EVENT_PAGE = 1000;

/**
 * Any keyset-paged list: `fetch` reads the page after a position (`start`, then each page's
 * last row's `position`); a page shorter than `size` is the last.
 */
export async function* keysetPages<T, K>(fetch: (after: K | undefined, limit: number) => Promise<T[]>, position: (last: T) => K, size: number, start?: K): AsyncGenerator<T[]> {
  for (let after = start; ; ) {
    const page = await fetch(after, size);
    if (page.length > 0) yield page;
    if (page.length < size) return;
    after = position(page[page.length - 1]!);
    await nextTurn();
  }
}

/** Events after `seq`, a page at a time, from `fetch` (the store's eventsAfter, or a write's). */
export function eventPages(fetch: (seq: bigint, limit: number) => Promise<StoredEvent[]>, seq = 0n): AsyncGenerator<StoredEvent[]> {
  return keysetPages((after, limit) => fetch(after ?? seq, limit), (e) => e.seq, EVENT_PAGE, seq);
}

export function journalPages(store: LedgerStore, company: string, filter: Omit<JournalFilter, 'limit'>, size = JOURNAL_PAGE): AsyncGenerator<StoredJournal[]> {
  return keysetPages((afterSeq, limit) => store.journals(company, { ...filter, afterSeq, limit }), (j) => j.seq, size, filter.afterSeq);
}
