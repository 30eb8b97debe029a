/**
 * The ledger service: the pure book kept durable. Each company's book is rebuilt from its
 * stored events on first use and kept in step with the store, whichever process writes it:
 *
 * - Every write runs inside the store's company lock. First it compares the stored
 *   configuration version with the one the book was built under — a change made through any
 *   process (a lock date, a new product) rebuilds the book under the new configuration —
 *   or catches up with the events other processes appended; then it applies and appends the
 *   new events and their journals in the same transaction.
 * - Before a read (`refresh`), one indexed read of the company's last seq says whether other
 *   processes appended events; the book applies only those. A changed configuration (or a
 *   rolled-back write) rebuilds it under the lock.
 *
 * A refused event is never written; if the store fails mid-write, the transaction rolls back
 * and the book is rebuilt from the store before it is used again.
 */
import { loadConfig, type Company } from '../domain/config.js';
import { ConfigCache, type CachedConfig } from './config-cache.js';
import { withHiddenFrom } from './hidden.js';
import { eventIdOf, parseEvent, type BookEvent } from '../domain/events.js';
import { assert, failure, type Failure, type Result } from '../domain/errors.js';
import { Book } from '../book/book.js';
import { costingOrder, orderable } from '../book/batch-order.js';
import type { Journal } from '../posting/journal.js';
import type { LedgerStore, Refusal, StoredEvent, WriteTx } from '../store/store.js';
import { contentHash, earlierRefusal } from './refusals.js';
import { eventPages } from '../store/pages.js';
import { Mutex } from '../store/common.js';
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

/** What a ledger has replayed since it opened (tests count replays with it, not with time). */
export interface LedgerStats {
  /** Times the book was built from the first stored event: the open, a configuration change, a rolled-back write. */
  rebuilds: number;
  /** Stored events applied again, by rebuilds and catch-ups. */
  replayed: number;
}

/** Parses a stored configuration as the ledger reads it (stored dates as stored). */
const storedConfig = (raw: unknown): ReturnType<typeof loadConfig> => loadConfig(raw, 'store');

export class CompanyLedger {
  private book: Book;
  private lastSeq = 0n;
  /** The book may not match the store (a write rolled back, a rebuild did not finish): rebuild it before use. */
  private stale = true;
  /** Held while the book is rebuilt or catches up, so no two of those interleave in this process. */
  private readonly gate = new Mutex();
  readonly stats: LedgerStats = { rebuilds: 0, replayed: 0 };

  private constructor(readonly store: LedgerStore, private company: Company, private version: bigint, private readonly configs: ConfigCache) {
    this.book = new Book(company, { keepJournals: false });
  }

  static async open(store: LedgerStore, companyId: string): Promise<CompanyLedger | Failure> {
    const configs = new ConfigCache(store, storedConfig);
    const cached = await configs.get(companyId);
    if (!cached) return failure('UNKNOWN_COMPANY', `Company "${companyId}" does not exist.`, 'Create it first (stockbook import --config company.json creates the company it names).', { company: companyId });
    if (!cached.co.ok) return cached.co.error;
    const ledger = new CompanyLedger(store, cached.co.value, cached.record.configVersion, configs);
    await ledger.rebuild();
    return ledger;
  }

  get id(): string {
    return this.company.id;
  }

  /** The configuration the book is built under. */
  get co(): Company {
    return this.company;
  }

  /** The version of that configuration (companies.config_version). */
  get configVersion(): bigint {
    return this.version;
  }

  /** How many stored events the book holds (events are numbered 1, 2, 3, …). */
  get eventCount(): bigint {
    return this.lastSeq;
  }

  /** The in-memory book (current costs, pools, GL) — read-only use. */
  get current(): Book {
    return this.book;
  }

  /**
   * Applies stored events this process has not seen yet; they were accepted once, so they must
   * apply again. An event already in the book (this process's own write committed meanwhile) is
   * skipped: check and apply run in one turn, so a write in progress never sees half of it.
   */
  private async catchUp(fetch: (seq: bigint, limit: number) => Promise<StoredEvent[]>): Promise<void> {
    for await (const page of eventPages(fetch, this.lastSeq)) {
      for (const e of page) {
        if (e.seq <= this.lastSeq) continue;
        assert(e.seq === this.lastSeq + 1n, `events of ${this.id} are contiguous at ${e.seq}`);
        const parsed = parseEvent(JSON.parse(e.body), this.company, 'store');
        assert(parsed.ok, `stored event ${e.id} parses`);
        const r = this.book.apply(parsed.value, { replay: true });
        assert(r.ok && r.value.status === 'ok', `stored event ${e.id} applies again`);
        this.lastSeq = e.seq;
        this.stats.replayed++;
      }
    }
  }

  /** A new book under the current configuration, from every stored event (callers hold the gate, or own the ledger alone). */
  private async rebuild(): Promise<void> {
    this.stale = true;
    this.book = new Book(this.company, { keepJournals: false });
    this.lastSeq = 0n;
    this.stats.rebuilds++;
    await this.catchUp((seq, limit) => this.store.eventsAfter(this.id, seq, limit));
    this.stale = false;
  }

  /** The company's stored configuration, read by version (one integer when it did not move). */
  private async stored(): Promise<CachedConfig> {
    const cached = await this.configs.get(this.id);
    assert(cached !== undefined, `company ${this.id} is stored`);
    return cached;
  }

  /**
   * Inside the company's write lock, before anything is costed: the book is brought up to the
   * store. A configuration stored since the book was built (by any process) is loaded and the
   * book rebuilt under it — so a lock date set through another process governs this write —
   * as is a book a rolled-back write left stale; otherwise only the events after its last seq
   * are applied.
   */
  private async governed(tx: WriteTx): Promise<void> {
    await this.gate.run(async () => {
      const cached = await this.stored();
      if (cached.record.configVersion !== this.version) {
        if (!cached.co.ok) throw new Error(`The stored configuration of company "${this.id}" (version ${cached.record.configVersion}) does not load: ${cached.co.error.message}`);
        this.company = cached.co.value;
        this.version = cached.record.configVersion;
        this.stale = true;
      }
      if (this.stale) await this.rebuild();
      else await this.catchUp((seq) => tx.eventsAfter(seq));
    });
  }

  /**
   * Brings the book up to the store before a read, so every read reflects every committed
   * write of any process: one integer read of the configuration version and one indexed read
   * of the company's last seq; only the events after the book's last seq are applied. A
   * changed configuration or a stale book is rebuilt under the write lock (as a write would).
   */
  async refresh(): Promise<void> {
    if (this.stale || (await this.stored()).record.configVersion !== this.version) {
      await this.store.write(this.id, (tx) => this.governed(tx));
      return;
    }
    if ((await this.store.countEvents(this.id)) <= this.lastSeq) return;
    await this.gate.run(() => this.catchUp((seq, limit) => this.store.eventsAfter(this.id, seq, limit)));
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
    try {
      return await this.store.write(this.co.id, async (tx) => {
        await this.governed(tx);
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
