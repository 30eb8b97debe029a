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

/** Events after `seq`, a page at a time, from `fetch` (the store's eventsAfter, or a write's). */
export async function* eventPages(fetch: (seq: bigint, limit: number) => Promise<StoredEvent[]>, seq = 0n): AsyncGenerator<StoredEvent[]> {
  for (let after = seq; ; ) {
    const page = await fetch(after, EVENT_PAGE);
    if (page.length > 0) yield page;
    if (page.length < EVENT_PAGE) return;
    after = page[page.length - 1]!.seq;
    await nextTurn();
  }
}

export async function* journalPages(store: LedgerStore, company: string, filter: Omit<JournalFilter, 'limit'>, size = JOURNAL_PAGE): AsyncGenerator<StoredJournal[]> {
  let afterSeq = filter.afterSeq;
  for (;;) {
    const page = await store.journals(company, { ...filter, afterSeq, limit: size });
    if (page.length > 0) yield page;
    if (page.length < size) return;
    afterSeq = page[page.length - 1]!.seq;
    await nextTurn();
  }
}
