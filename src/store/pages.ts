/**
 * Journal pages: a long journal list read one keyset page at a time (by seq), so no single
 * statement holds the event loop for the whole list. Journals are append-only and numbered in
 * commit order, so the pages together are the list as of the last page's read.
 */
import type { JournalFilter, LedgerStore, StoredJournal } from './store.js';

/** Journals per page when a caller reads a whole list. */
export const JOURNAL_PAGE = 1000;

export async function* journalPages(store: LedgerStore, company: string, filter: Omit<JournalFilter, 'limit'>, size = JOURNAL_PAGE): AsyncGenerator<StoredJournal[]> {
  let afterSeq = filter.afterSeq;
  for (;;) {
    const page = await store.journals(company, { ...filter, afterSeq, limit: size });
    if (page.length > 0) yield page;
    if (page.length < size) return;
    afterSeq = page[page.length - 1]!.seq;
  }
}
