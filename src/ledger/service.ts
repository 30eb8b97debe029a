/**
 * The ledger service: the pure book kept durable. Each company's book is rebuilt from its
 * stored events on first use; every write runs inside the store's company lock, first catching
 * up with events other processes appended, then applying and appending the new events and
 * their journals in the same transaction. A refused event is never written; if the store
 * fails mid-write, the transaction rolls back and the in-memory book is rebuilt from the store.
 */
import { loadConfig, type Company } from '../domain/config.js';
import { withHiddenFrom } from './hidden.js';
import { eventIdOf, parseEvent, type BookEvent } from '../domain/events.js';
import { assert, failure, type Failure, type Result } from '../domain/errors.js';
import { Book } from '../book/book.js';
import { costingOrder, orderable } from '../book/batch-order.js';
import type { Journal } from '../posting/journal.js';
import type { LedgerStore, Refusal, StoredEvent, WriteTx } from '../store/store.js';
import { contentHash, earlierRefusal } from './refusals.js';
import { eventPages } from '../store/pages.js';
import { setImmediate as nextTurn } from 'node:timers/promises';

export type PostOutcome =
  /** `refusedEarlier`: the same event (id and content) was refused before, and is posted now. */
  | { status: 'ok'; event: string; seq: bigint; journals: Journal[]; refusedEarlier: Refusal | undefined }
  | { status: 'exists'; event: string; seq: bigint; journals: Journal[] }
  | { status: 'conflict' | 'error'; event: string; error: Failure };

/** Most events one batch may carry; larger imports are split by the caller. */
export const MAX_BATCH = 10_000;
/** Events (or results) handled between turns of the event loop in a batch. */
export const POST_SLICE = 250;

export class CompanyLedger {
  private book: Book;
  private lastSeq = 0n;
  private stale = false;

  private constructor(readonly store: LedgerStore, readonly co: Company, readonly configVersion: bigint) {
    this.book = new Book(co, { keepJournals: false });
  }

  static async open(store: LedgerStore, companyId: string): Promise<CompanyLedger | Failure> {
    const rec = await store.getCompany(companyId);
    if (!rec) return failure('UNKNOWN_COMPANY', `Company "${companyId}" does not exist.`, 'Create it first (stockbook import --config company.json creates the company it names).', { company: companyId });
    const co = loadConfig(rec.config, 'store');
    if (!co.ok) return co.error;
    const ledger = new CompanyLedger(store, co.value, rec.configVersion);
    await ledger.catchUp((seq, limit) => store.eventsAfter(companyId, seq, limit));
    return ledger;
  }

  get id(): string {
    return this.co.id;
  }

  /** How many stored events the book holds (events are numbered 1, 2, 3, …). */
  get eventCount(): bigint {
    return this.lastSeq;
  }

  /** The in-memory book (current costs, pools, GL) — read-only use. */
  get current(): Book {
    return this.book;
  }

  /** Applies stored events this process has not seen yet; they were accepted once, so they must apply again. */
  private async catchUp(fetch: (seq: bigint, limit: number) => Promise<StoredEvent[]>): Promise<void> {
    for await (const page of eventPages(fetch, this.lastSeq)) {
      for (const e of page) {
        assert(e.seq === this.lastSeq + 1n, `events of ${this.co.id} are contiguous at ${e.seq}`);
        const parsed = parseEvent(JSON.parse(e.body), this.co, 'store');
        assert(parsed.ok, `stored event ${e.id} parses`);
        const r = this.book.apply(parsed.value, { replay: true });
        assert(r.ok && r.value.status === 'ok', `stored event ${e.id} applies again`);
        this.lastSeq = e.seq;
      }
    }
  }

  private async rebuild(): Promise<void> {
    this.book = new Book(this.co, { keepJournals: false });
    this.lastSeq = 0n;
    await this.catchUp((seq, limit) => this.store.eventsAfter(this.co.id, seq, limit));
    this.stale = false;
  }

  async post(raw: unknown): Promise<PostOutcome> {
    const [r] = await this.postBatch([raw]);
    return r!;
  }

  /**
   * Posts events in order, all in one transaction: each gets its own outcome (ok, exists,
   * conflict or a coded error); refused events change nothing and do not stop the others.
   * Refusals are noted in the refusal log, and an event posted now that was refused before
   * says so (`refusedEarlier`).
   */
  async postBatch(raws: readonly unknown[]): Promise<PostOutcome[]> {
    assert(raws.length <= MAX_BATCH, `a batch holds at most ${MAX_BATCH} events`);
    if (this.stale) await this.rebuild();
    try {
      return await this.store.write(this.co.id, async (tx) => {
        await this.catchUp((seq) => tx.eventsAfter(seq));
        const out = await this.postInCostingOrder(tx, raws);
        const refused = refusalsOf(out, raws);
        if (refused.length > 0) await tx.appendRefusals(refused);
        return this.withEarlierRefusals(out, raws);
      });
    } catch (x) {
      // The store rolled back; the book may hold events that were not stored.
      this.stale = true;
      throw x;
    }
  }

  /** The posted outcomes of events the refusal log holds (same id and content), marked. */
  private async withEarlierRefusals(out: PostOutcome[], raws: readonly unknown[]): Promise<PostOutcome[]> {
    const posted = out.flatMap((o) => (o.status === 'ok' ? [o.event] : []));
    const refusals = posted.length === 0 ? [] : await this.store.refusalsOf(this.co.id, posted);
    if (refusals.length === 0) return out;
    return out.map((o, i) => (o.status === 'ok' ? { ...o, refusedEarlier: earlierRefusal(refusals, o.event, raws[i]) } : o));
  }

  /**
   * Parses a batch, then applies its parseable events in costing order (src/book/batch-order.ts:
   * sorted by date, time and id, references and repeated ids kept after what they need), so a
   * batch books the journals of its sorted stream. Each outcome keeps its position in the batch.
   */
  private async postInCostingOrder(tx: WriteTx, raws: readonly unknown[]): Promise<PostOutcome[]> {
    const parsed: Result<BookEvent>[] = [];
    for (const raw of raws) {
      parsed.push(parseEvent(raw, this.co));
      // A batch of 10,000 events lets other requests run between slices of it.
      if (parsed.length % POST_SLICE === 0) await nextTurn();
    }
    const out: PostOutcome[] = parsed.map((p, i) => (p.ok ? PENDING : { status: 'error', event: eventIdOf(raws[i]), error: p.error }));
    const inBatch = new Map<string, PostOutcome>();
    let n = 0;
    for (const i of costingOrder(parsed.map((p) => (p.ok ? orderable(p.value) : undefined)))) {
      const r = await this.postOne(tx, raws[i], (parsed[i] as { value: BookEvent }).value, inBatch);
      if (r.status === 'ok') inBatch.set(r.event, r);
      out[i] = r;
      if (++n % POST_SLICE === 0) await nextTurn();
    }
    return out;
  }

  private async postOne(tx: WriteTx, raw: unknown, ev: BookEvent, inBatch: ReadonlyMap<string, PostOutcome>): Promise<PostOutcome> {
    const id = ev.id;
    const applied = this.book.apply(ev);
    if (!applied.ok) return { status: applied.error.code === 'DUPLICATE_EVENT_CONFLICT' ? 'conflict' : 'error', event: id, error: applied.error };
    if (applied.value.status === 'exists') {
      // Accepted earlier in this batch: not committed yet, so only this batch knows it.
      const earlier = inBatch.get(id);
      if (earlier?.status === 'ok') return { ...earlier, status: 'exists' };
      const stored = await this.store.findEvent(this.co.id, id);
      assert(stored !== undefined, `accepted event ${id} is stored`);
      return { status: 'exists', event: id, seq: stored.seq, journals: await this.store.journalsOfEvent(this.co.id, stored.seq) };
    }
    const seq = await tx.appendEvent({ id, type: ev.type, date: ev.date, body: JSON.stringify(raw) });
    this.lastSeq = seq;
    await tx.appendJournals(seq, applied.value.journals);
    return { status: 'ok', event: id, seq, journals: applied.value.journals, refusedEarlier: undefined };
  }
}

/** A placeholder for an outcome not decided yet (every one is, before the batch answers). */
const PENDING: PostOutcome = { status: 'error', event: '', error: failure('INVALID_EVENT', 'not applied', 'none') };

/** The refusals of a batch to note in the refusal log, in batch order. */
function refusalsOf(out: readonly PostOutcome[], raws: readonly unknown[]): Refusal[] {
  const at = new Date().toISOString();
  const refused: Refusal[] = [];
  out.forEach((r, i) => {
    const raw = raws[i];
    // An id or body with unsound text (INVALID_TEXT) cannot be stored, so its refusal is not noted.
    if (r.status === 'error' && r.error.code !== 'INVALID_TEXT' && typeof (raw as { id?: unknown } | null)?.id === 'string') refused.push({ event: r.event, hash: contentHash(raw), code: r.error.code, at });
  });
  return refused;
}

/**
 * Creates or replaces a company's configuration, after checking it loads. The fields the API
 * never shows (API keys, the Xero secret: src/ledger/hidden.ts) survive a configuration that
 * comes without them.
 */
export async function putCompany(store: LedgerStore, config: unknown): Promise<Company | Failure> {
  const co = loadConfig(config);
  if (!co.ok) return co.error;
  const previous = await store.getCompany(co.value.id);
  await store.putCompany({ id: co.value.id, name: co.value.name, config: withHiddenFrom(config, previous?.config) });
  return co.value;
}
