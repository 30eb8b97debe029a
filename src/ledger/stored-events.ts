/**
 * Stored events: a company's accepted events read back in append order, a page at a time, each
 * parsed as the book takes it (stored events were checked when they were accepted, so only the
 * shape the converter reads is checked again). A rebuild of the costing state and `verify`'s
 * scratch book both replay them this way.
 */
import type { Company } from '../domain/config.js';
import { assert } from '../domain/errors.js';
import { parseEvent, type BookEvent } from '../domain/events.js';
import { eventPages } from '../store/pages.js';
import type { StoredEvent } from '../store/store.js';

export interface ReplayedEvent {
  seq: bigint;
  id: string;
  event: BookEvent;
}

/** Pages of the events `fetch` returns after `seq` 0 (the store's eventsAfter, or a write's), parsed, in append order and without gaps. */
export async function* storedEventPages(fetch: (seq: bigint, limit: number) => Promise<StoredEvent[]>, co: Company): AsyncGenerator<ReplayedEvent[]> {
  let through = 0n;
  for await (const page of eventPages(fetch)) {
    yield page.map((e) => {
      assert(e.seq === ++through, `events of ${co.id} are contiguous at ${e.seq}`);
      const parsed = parseEvent(JSON.parse(e.body), co, 'store');
      assert(parsed.ok, `stored event ${e.id} parses`);
      return { seq: e.seq, id: e.id, event: parsed.value };
    });
  }
}
