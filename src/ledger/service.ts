/**
 * The ledger service: the pure book kept durable. A company's costing state — what the book
 * knows of its events and pools — lives in the store (src/store/costing.ts) beside its events
 * and journals, so opening a company reads its configuration and nothing else, and no process
 * replays history to post or report:
 *
 * - Every write runs inside the store's company lock. First it compares the stored
 *   configuration version with the one the book was built under (a lock date or a new product
 *   set through any process governs this write), and the costing state's version with what
 *   this process's cache saw, dropping what another process changed since. Then it applies the
 *   new events, loading from the store only the pools and events they touch
 *   (src/ledger/store-state.ts), and appends each accepted event, its journals and the changed
 *   costing state in the same transaction.
 * - Reads (reports, drill, GET /v1/events/{id}) read the store's committed state
 *   (src/ledger/costing-reader.ts), so every process sees every committed write at once.
 * - The costing state is rebuilt from the events (under the lock) only when there is none — a
 *   ledger written before it existed — or the configuration changed what decides costs (a
 *   costing method, a standard cost, the rounding; not a mapping, a name or a lock date).
 *
 * A refused event is never written; if the store fails mid-write, the transaction rolls back
 * and the cache is dropped.
 */
import { loadConfig, type Company } from '../domain/config.js';
import { ConfigCache, type CachedConfig } from './config-cache.js';
import { withHiddenFrom } from './hidden.js';
import { eventIdOf, parseEvent, type BookEvent } from '../domain/events.js';
import { assert, failure, type Failure, type Result } from '../domain/errors.js';
import { Book } from '../book/book.js';
import { costingOrder, orderable } from '../book/batch-order.js';
import type { Journal } from '../posting/journal.js';
import type { LedgerStore, Refusal, WriteTx } from '../store/store.js';
import { contentHash, earlierRefusal } from './refusals.js';
import { storedEventPages } from './stored-events.js';
import { Mutex } from '../store/common.js';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { applyLoading, CACHE_BOUNDS, StoreState, type CacheBounds } from './store-state.js';
import { StoreReader } from './costing-reader.js';

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
  /** Times the costing state was rebuilt from the first stored event (none, or a costing configuration changed). */
  rebuilds: number;
  /** Stored events applied again by those rebuilds. */
  replayed: number;
}

/** Parses a stored configuration as the ledger reads it (stored dates as stored). */
const storedConfig = (raw: unknown): ReturnType<typeof loadConfig> => loadConfig(raw, 'store');

/**
 * What in a stored configuration decides costs, as the costing state records it: a digest of
 * the company's settings (less its lock date and mode) and currency, and one per product (less
 * its name, category and mapping). Names, mappings, the chart and the sync settings only change
 * journals' accounts or what is shown, never a cost.
 */
export function costingDigest(raw: unknown): string {
  const c = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
  const { lockDate: _d, lockMode: _m, ...settings } = (c['settings'] ?? {}) as Record<string, unknown>;
  const products: Record<string, string> = {};
  for (const p of Array.isArray(c['products']) ? (c['products'] as Record<string, unknown>[]) : []) {
    const { name: _n, mapping: _p, category: _c, ...costing } = p;
    products[String(p['sku'])] = contentHash(costing);
  }
  return JSON.stringify({ settings: contentHash({ settings, currency: c['baseCurrency'] ?? null, warehouses: (c['warehouses'] as { code?: unknown }[] | undefined)?.map((w) => w.code) ?? [] }), products });
}

/**
 * Whether a costing state built under `stored` holds under `now`: the same settings, and every
 * product it knew costed the same way (a product added since has no history to rebuild).
 */
export function costingHolds(stored: string, now: string): boolean {
  if (stored === now) return true;
  const a = JSON.parse(stored) as { settings: string; products: Record<string, string> };
  const b = JSON.parse(now) as { settings: string; products: Record<string, string> };
  return a.settings === b.settings && Object.entries(a.products).every(([sku, h]) => b.products[sku] === h);
}

/** How a ledger keeps its cache (tests make both small, so every path is taken). */
export interface LedgerOptions {
  /** A pool keeps a copy of its state every this many entries (default 1,024). */
  checkpointEvery?: number;
  cache?: CacheBounds;
}

export class CompanyLedger {
  private book: Book;
  private state: StoreState;
  private digest: string;
  /** The costing state's last event seq this process's cache reflects (-1: the cache holds nothing). */
  private seen = -1n;
  /** Held while this process works on the cache, so two writes of one company in this process never interleave on it. */
  private readonly gate = new Mutex();
  readonly stats: LedgerStats = { rebuilds: 0, replayed: 0 };

  private constructor(readonly store: LedgerStore, private company: Company, private version: bigint, raw: unknown, private readonly configs: ConfigCache, private readonly options: LedgerOptions) {
    this.digest = costingDigest(raw);
    [this.book, this.state] = this.newBook();
  }

  /** Opens a company: reads its configuration and checks its costing state is current (nothing of its history, unless that state must be rebuilt). */
  static async open(store: LedgerStore, companyId: string, options: LedgerOptions = {}): Promise<CompanyLedger | Failure> {
    const configs = new ConfigCache(store, storedConfig);
    const cached = await configs.get(companyId);
    if (!cached) return failure('UNKNOWN_COMPANY', `Company "${companyId}" does not exist.`, 'Create it first (stockbook import --config company.json creates the company it names).', { company: companyId });
    if (!cached.co.ok) return cached.co.error;
    const ledger = new CompanyLedger(store, cached.co.value, cached.record.configVersion, cached.record.config, configs, options);
    await ledger.refresh();
    return ledger;
  }

  /** A book over an empty store-backed state (its cache fills as writes load what they touch). */
  private newBook(): [Book, StoreState] {
    const state = new StoreState(this.company, this.options.cache ?? CACHE_BOUNDS);
    const book = new Book(this.company, { keepJournals: false, state, checkpointEvery: this.options.checkpointEvery });
    state.attach(book);
    this.seen = -1n;
    return [book, state];
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

  /** The costing state as committed in the store: what reports, drill and event reads see. */
  get current(): StoreReader {
    return new StoreReader(this.store, this.company);
  }

  /** The company's stored configuration, read by version (one integer when it did not move). */
  private async stored(): Promise<CachedConfig> {
    const cached = await this.configs.get(this.id);
    assert(cached !== undefined, `company ${this.id} is stored`);
    return cached;
  }

  /** Takes up a configuration stored since this one was loaded (by any process). */
  private async takeStoredConfig(): Promise<boolean> {
    const cached = await this.stored();
    if (cached.record.configVersion === this.version) return false;
    if (!cached.co.ok) throw new Error(`The stored configuration of company "${this.id}" (version ${cached.record.configVersion}) does not load: ${cached.co.error.message}`);
    this.company = cached.co.value;
    this.version = cached.record.configVersion;
    this.digest = costingDigest(cached.record.config);
    [this.book, this.state] = this.newBook();
    return true;
  }

  /**
   * Inside the company's write lock, before anything is costed: the configuration is the stored
   * one, the costing state matches it and the events (else it is rebuilt), and the cache holds
   * nothing another process has changed since this one last looked.
   */
  private async governed(tx: WriteTx): Promise<void> {
    await this.takeStoredConfig();
    const meta = await tx.costing.meta();
    if (!meta || !costingHolds(meta.costing, this.digest) || meta.through !== tx.lastEventSeq) return this.rebuild(tx);
    this.state.span = meta.span;
    if (this.seen === meta.through) return;
    if (this.seen >= 0n) this.state.invalidate(await tx.costing.changedSince(this.seen));
    this.seen = meta.through;
  }

  /** The costing state built again from every stored event, under the current configuration (callers hold the lock). */
  private async rebuild(tx: WriteTx): Promise<void> {
    await tx.costing.clear();
    [this.book, this.state] = this.newBook();
    let through = 0n;
    for await (const page of storedEventPages((seq, limit) => this.store.eventsAfter(this.id, seq, limit), this.company)) {
      await this.state.loadEvents(page.map((e) => e.id), tx.costing);
      await this.state.loadPools(page.flatMap((e) => this.book.poolsOf(e.event)), tx.costing);
      for (const e of page) {
        const r = await applyLoading(() => this.book.apply(e.event, { replay: true }), this.state, tx.costing);
        assert(r.ok && r.value.status === 'ok', `stored event ${e.id} applies again`);
        this.state.noteSeq(e.id, e.seq);
        through = e.seq;
        this.stats.replayed++;
      }
      await this.state.flush(tx.costing, this.digest, through);
    }
    if (through === 0n) await this.state.flush(tx.costing, this.digest, 0n);
    else this.stats.rebuilds++;
    this.seen = through;
  }

  /**
   * Before a read: the configuration is the stored one, and the store's costing state is there
   * and current (a ledger written before it existed, or under another costing configuration,
   * is rebuilt once, under the write lock). Three indexed reads.
   */
  async refresh(): Promise<void> {
    await this.gate.run(async () => {
      const changed = await this.takeStoredConfig();
      const meta = await this.store.costing(this.id).meta();
      if (!changed && meta && costingHolds(meta.costing, this.digest) && meta.through === (await this.store.countEvents(this.id))) return;
      await this.store.write(this.id, (tx) => this.governed(tx));
    });
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
    return this.gate.run(async () => {
      try {
        return await this.store.write(this.co.id, async (tx) => {
          await this.governed(tx);
          const out = await this.postInCostingOrder(tx, raws);
          await this.state.flush(tx.costing, this.digest, tx.lastEventSeq);
          this.seen = tx.lastEventSeq;
          const refused = refusalsOf(out, raws);
          if (refused.length > 0) await tx.appendRefusals(refused);
          return this.withEarlierRefusals(out, raws);
        });
      } catch (x) {
        // The store rolled back; the cache may hold what was never stored.
        this.state.reset();
        this.seen = -1n;
        throw x;
      }
    });
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
    // One read for the whole batch's ids: new ids are then known to be new. Then one for the
    // pools its plans name (a hint: what it misses is loaded as the events apply).
    const events = parsed.flatMap((p) => (p.ok ? [p.value] : []));
    await this.state.loadEvents(events.map((e) => e.id), tx.costing);
    await this.state.loadPools(events.flatMap((e) => this.book.poolsOf(e)), tx.costing);
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
    const applied = await applyLoading(() => this.book.apply(ev), this.state, tx.costing);
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
    this.state.noteSeq(id, seq);
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
/** The settings that decide how posted history costs and posts (every setting but the period lock). */
const COSTING_SETTINGS = ['costingMethod', 'cogsTiming', 'purchaseRecognition', 'negativeStock', 'rounding', 'inventorySystem'] as const;

/**
 * COSTING_CHANGE when a configuration would cost the company's posted history differently
 * (a costing setting, the base currency, or how a product that has moved is costed): its
 * journals are posted and stay, so the sub-ledger rebuilt under the new rules would no longer
 * tie to them. A new product, a new warehouse, names, mappings and the lock date may change.
 */
async function costingChange(store: LedgerStore, id: string, previous: unknown, next: unknown): Promise<Failure | undefined> {
  if ((await store.countEvents(id)) === 0n) return undefined;
  const was = loadConfig(previous, 'store');
  const now = loadConfig(next);
  if (!was.ok || !now.ok) return undefined;
  const changed: string[] = COSTING_SETTINGS.filter((k) => was.value.settings[k] !== now.value.settings[k]).map((k) => `settings.${k}`);
  if (was.value.baseCurrency !== now.value.baseCurrency) changed.push('baseCurrency');
  const a = JSON.parse(costingDigest(previous)) as { products: Record<string, string> };
  const b = JSON.parse(costingDigest(next)) as { products: Record<string, string> };
  const moved = [...new Set((await store.costing(id).allPools()).map((p) => p.product))].sort();
  for (const sku of moved) if (a.products[sku] !== undefined && a.products[sku] !== b.products[sku]) changed.push(`product ${sku}`);
  if (changed.length === 0) return undefined;
  const shown = changed.length > 5 ? `${changed.slice(0, 5).join(', ')} and ${changed.length - 5} more` : changed.join(', ');
  return failure('COSTING_CHANGE', `Company "${id}" has posted events costed under its current configuration, and this one changes how they cost: ${shown}. Their journals are posted and stay, so the stock would no longer tie to the GL.`, 'Keep the costing settings, base currency and costing fields of products that have moved; change the others freely. For a new costing method, start a new company from an opening count.', { company: id, field: changed[0]! });
}

export async function putCompany(store: LedgerStore, config: unknown): Promise<Company | Failure> {
  const co = loadConfig(config);
  if (!co.ok) return co.error;
  const previous = await store.getCompany(co.value.id);
  const change = previous && (await costingChange(store, co.value.id, previous.config, config));
  if (change) return change;
  await store.putCompany({ id: co.value.id, name: co.value.name, config: withHiddenFrom(config, previous?.config) });
  return co.value;
}
