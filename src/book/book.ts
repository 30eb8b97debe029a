/**
 * The book: applies events to cost pools and posting rules, and returns the journals.
 *
 * - Idempotent: an event id seen before returns its original result when the content is the
 *   same, DUPLICATE_EVENT_CONFLICT when it differs.
 * - Atomic: a failing event returns a coded failure and leaves every pool as it was.
 * - Ordered by what events say (date, time, id), not by arrival. An event that lands
 *   behind already-costed movements of a pool, or a void, re-costs just the affected pools
 *   from scratch in date order, follows the changes into dependent pools and events, and
 *   books correcting journals: one per (date, account set) of the events whose amounts
 *   changed (docs/design.md, "Grouped corrections"). Nothing is edited.
 */
import { type Company, inventoryAccounts, resolveAccount, type Role } from '../domain/config.js';
import { assert, fail, FailureError, failure, type Result, ok, err } from '../domain/errors.js';
import { fingerprint, type BookEvent, type EventOf } from '../domain/events.js';
import { formatQty } from '../domain/decimal.js';
import { addDays } from '../domain/calendar-date.js';
import { CostPool, type PoolSnapshot } from '../costing/pool.js';
import { valueAt } from '../costing/unit-cost.js';
import { RULES } from '../posting/rules/index.js';
import { periodicLines } from '../posting/periodic.js';
import { JournalBuilder, difference, negate, type Journal, type JournalLine, assertBalanced } from '../posting/journal.js';
import { NO_RESULT, type CountMove, type InMove, type Move, type MoveResult, type OutMove, type RuleContext, type EventView } from '../posting/types.js';
import { checkPool } from './book-bounds.js';
import { Entries, MemoryState, NeedData, poolKey, poolParams, type BookState, type Checkpoint, type PoolEntry, type PoolHistory, type Stored } from './state.js';

export { poolKey, NeedData, MemoryState, type BookState, type PoolHistory, type Stored } from './state.js';

export interface Applied {
  status: 'ok' | 'exists';
  event: string;
  journals: Journal[];
}

/** One corrected event's difference (after − before), before grouping. */
interface Share { s: Stored; lines: JournalLine[] }

interface AnyRule {
  references?(ev: BookEvent): string[];
  plan(ev: BookEvent, ctx: RuleContext): Move[];
  post(ev: BookEvent, results: readonly MoveResult[], ctx: RuleContext, j: JournalBuilder, moves: readonly Move[]): void;
}

/**
 * A re-cost's view of one pool's entries. The committed entries before `from` are shared and
 * never change; from `from` on it works on a private copy, which `commit` writes back into
 * the committed array in place. So a late event costs what lies after it, not the whole
 * history, and a re-cost that fails leaves the committed entries untouched.
 */
class PoolEdit {
  private tail: PoolEntry[];

  constructor(readonly base: Entries, public from: number) {
    this.tail = base.slice(from);
  }

  get length(): number {
    return this.from + this.tail.length;
  }

  at(i: number): PoolEntry {
    return i < this.from ? this.base.at(i) : this.tail[i - this.from]!;
  }

  /** Entries before `from` keep their committed objects: their re-costed figures are the same. */
  set(i: number, e: PoolEntry): void {
    if (i >= this.from) this.tail[i - this.from] = e;
  }

  /** Makes the entries from `i` on private. */
  reach(i: number): void {
    if (i >= this.from) return;
    this.tail = this.base.slice(i, this.from).concat(this.tail);
    this.from = i;
  }

  firstAtOrAfter(key: string): number {
    const i = this.base.firstAtOrAfter(key);
    return i < this.from ? i : this.from + firstAtOrAfter(this.tail, key);
  }

  /** Inserts after every entry whose key is not greater; the caller has reached that position. */
  insert(e: PoolEntry): void {
    let at = this.tail.length;
    while (at > 0 && this.tail[at - 1]!.key > e.key) at--;
    assert(at > 0 || this.from === 0 || this.base.at(this.from - 1).key <= e.key, 'insertion point is private');
    this.tail.splice(at, 0, e);
  }

  removeEvent(id: string): void {
    this.tail = this.tail.filter((e) => e.event !== id);
  }

  lastKey(): string {
    if (this.tail.length > 0) return this.tail[this.tail.length - 1]!.key;
    return this.from > 0 ? this.base.at(this.from - 1).key : '';
  }

  commit(): void {
    this.base.replaceFrom(this.from, this.tail);
  }
}

/** At most this many checkpoints per pool: a copy of a pool's state can be large. */
const MAX_CHECKPOINTS = 32;

/**
 * Keeps checkpoint memory bounded: the newest half stay as taken, and of the older ones every
 * other is dropped, so their spacing doubles as a pool's history grows. A late event usually
 * lands near the end; one landing far back re-costs from a more distant checkpoint.
 */
function thin(cps: Checkpoint[]): void {
  if (cps.length <= MAX_CHECKPOINTS) return;
  const recent = cps.length - MAX_CHECKPOINTS / 2;
  const older = cps.slice(0, recent).filter((_c, i) => i % 2 === 1);
  cps.splice(0, recent, ...older);
}

/** First index whose key is at or after `key` (entries are sorted by key). */
function firstAtOrAfter(entries: readonly PoolEntry[], key: string): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (entries[mid]!.key < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * One re-cost's working state: private edits of the pools' entries, tentative results per
 * event, the pools still to run (each from the earliest key scheduled), and what changed.
 */
class ReCost {
  readonly edits = new Map<string, PoolEdit>();
  readonly tentResults = new Map<string, MoveResult[]>();
  private readonly starts = new Map<string, string>();
  /** The earliest key ever scheduled per pool in this re-cost. */
  readonly earliest = new Map<string, string>();
  readonly newStates = new Map<string, CostPool>();
  readonly newCheckpoints = new Map<string, Checkpoint[]>();
  readonly changed = new Set<string>();

  constructor(
    private readonly state: BookState,
    readonly added: Stored,
    readonly removed: Stored | undefined,
  ) {}

  schedule(k: string, from: string): void {
    const cur = this.starts.get(k);
    if (cur === undefined || from < cur) this.starts.set(k, from);
    const e = this.earliest.get(k);
    if (e === undefined || from < e) this.earliest.set(k, from);
  }

  /** The pool scheduled from the earliest key, taken off the schedule; undefined when none is left. */
  next(): string | undefined {
    if (this.starts.size === 0) return undefined;
    const [k] = [...this.starts.entries()].reduce((a, b) => (b[1] < a[1] ? b : a));
    this.starts.delete(k);
    return k;
  }

  editOf(k: string, fromKey: string): PoolEdit {
    let e = this.edits.get(k);
    if (!e) {
      const base = this.state.poolByKey(k)?.entries ?? new Entries(k);
      e = new PoolEdit(base, base.firstAtOrAfter(fromKey));
      this.edits.set(k, e);
    }
    e.reach(e.firstAtOrAfter(fromKey));
    return e;
  }

  /** An event as this re-cost sees it: the added one included, the removed one gone. */
  stored(id: string): Stored | undefined {
    return id === this.added.ev.id ? this.added : id === this.removed?.ev.id ? undefined : this.state.event(id);
  }
}

const NO_RESULTS: MoveResult[] = [];
const NO_JOURNALS: Journal[] = [];

export interface BookOptions {
  /** Keep every journal in memory (`book.journals`); off for long streams that use `onJournal`. */
  keepJournals?: boolean;
  onJournal?: (j: Journal) => void;
  /** A pool keeps a copy of its state every this many entries (default 1,024), so re-costing a late event starts near it. */
  checkpointEvery?: number;
  /** Where events and pools are kept: in memory unless given (src/book/state.ts). */
  state?: BookState;
}


/** Every move result has one shape, fields in one order (keeps the hot path monomorphic). */
function result(qty: bigint, value: bigint, takes: MoveResult['takes'], variance: bigint, trueUp: bigint, toCogs: bigint, shortQty: bigint): MoveResult {
  return { qty, value, takes, variance, trueUp, toCogs, shortQty };
}

function sameResult(a: MoveResult | undefined, b: MoveResult): boolean {
  return a !== undefined && a.qty === b.qty && a.value === b.value && a.variance === b.variance && a.trueUp === b.trueUp && a.toCogs === b.toCogs && sameTakes(a.takes, b.takes);
}

/** Which layers an issue took matters too: a transfer recreates them (lots, expiries, values) at its destination. */
function sameTakes(a: MoveResult['takes'], b: MoveResult['takes']): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (x.qty !== y.qty || x.value !== y.value || x.lot !== y.lot || x.expiry !== y.expiry) return false;
  }
  return true;
}

export class Book {
  /** What the book knows of events and pools: all of it in memory, or a store-backed cache (src/book/state.ts). */
  readonly state: BookState;
  readonly journals: Journal[] = [];
  private readonly accountCache: AccountCache = new Map();
  readonly stats = { events: 0, replays: 0, pooledReplays: 0, corrections: 0, correctionJournals: 0, replayedMoves: 0 };
  private readonly checkpointEvery: number;
  private replaying = false;

  constructor(readonly co: Company, private readonly options: BookOptions = {}) {
    this.checkpointEvery = Math.max(1, options.checkpointEvery ?? 1024);
    this.state = options.state ?? new MemoryState(co.baseCurrency);
  }

  // ---- applying events -------------------------------------------------------------------

  /**
   * Applies one event. `replay` re-applies an event that was accepted before (rebuilding a
   * book from a store): the period lock, which guards new postings only, is not checked.
   */
  apply(ev: BookEvent, opts: { replay?: boolean } = {}): Result<Applied> {
    this.replaying = opts.replay === true;
    const seen = this.state.event(ev.id);
    if (seen) {
      if (fingerprint(seen.ev) === fingerprint(ev)) return ok({ status: 'exists', event: ev.id, journals: seen.journals });
      return err(failure('DUPLICATE_EVENT_CONFLICT', `Event ${ev.id} was already accepted with different content.`, 'Send a new id for a new event; to change an accepted one, void it and post the corrected event under a new id.', { event: ev.id }));
    }
    try {
      const journals = ev.type === 'void' ? this.applyVoid(ev) : this.applyEvent(ev);
      this.stats.events++;
      return ok({ status: 'ok', event: ev.id, journals });
    } catch (x) {
      if (x instanceof FailureError) return err(x.failure);
      throw x;
    }
  }

  /** The event's posting rule, typed loosely here: RULES pairs each type with its own rule. */
  private rule(ev: BookEvent): AnyRule {
    assert(ev.type !== 'void', 'voids have no posting rule');
    return RULES[ev.type] as unknown as AnyRule;
  }

  private applyEvent(ev: Exclude<BookEvent, { type: 'void' }>): Journal[] {
    const rule = this.rule(ev);
    const ctx = this.context(ev.id);
    const refs = rule.references?.(ev) ?? [];
    for (const r of refs) {
      if (!this.live(r)) fail('UNKNOWN_REFERENCE', `Event ${ev.id} refers to "${r}", which is not a live event (never posted, or voided).`, `Post "${r}" first, or correct the reference.`, { event: ev.id, reference: r });
    }
    const moves = rule.plan(ev, ctx);
    const stored: Stored = { ev, moves, results: NO_RESULTS, pools: [], voidedBy: undefined, dependents: undefined, journals: NO_JOURNALS, corrections: 0 };
    // Each move's pool, found once (an empty pool made here for a failing event holds nothing).
    const hs: PoolHistory[] = [];
    let late = false;
    for (const m of moves) {
      const h = this.pool(m.product, m.warehouse);
      hs.push(h);
      if (h.lastKey > ev.key) late = true;
      if (!stored.pools.includes(h.key)) stored.pools.push(h.key);
    }
    const journals = late ? this.replay(stored, undefined) : this.appendInOrder(stored, hs, ctx);
    for (const r of refs) {
      const target = this.state.event(r)!;
      (target.dependents ??= new Set()).add(ev.id);
      this.state.putEvent(target);
    }
    return journals;
  }

  /** The common case: every move lands after what its pool has seen. */
  private appendInOrder(stored: Stored, hs: PoolHistory[], ctx: RuleContext): Journal[] {
    const { ev, moves } = stored;
    const touched: PoolHistory[] = [];
    const results: MoveResult[] = [];
    try {
      for (let i = 0; i < moves.length; i++) {
        const m = moves[i]!;
        const h = hs[i]!;
        if (!touched.includes(h)) {
          h.state.begin();
          touched.push(h);
        }
        results.push(this.runMove(h.state, m, ev, i, results, ctx));
        this.checkPool(h.state, m, ev);
      }
      stored.results = results;
      const journal = this.postOriginal(stored, ctx);
      if (journal) this.applyLock([journal], ev);
      this.checkTotals(journal ? [journal] : [], ev);
      for (const h of touched) h.state.commit();
      for (let i = 0; i < hs.length; i++) {
        hs[i]!.entries.push({ key: ev.key, event: ev.id, move: i, qty: hs[i]!.state.onHand, value: hs[i]!.state.onHandValue });
        hs[i]!.lastKey = ev.key;
      }
      for (const h of touched) this.maybeCheckpoint(h);
      for (const h of hs) this.state.putPool(h);
      this.state.putEvent(stored);
      const journals = journal ? [journal] : [];
      this.emit(stored, journals);
      return journals;
    } catch (x) {
      for (const h of touched) h.state.rollback();
      throw x;
    }
  }

  /** Keeps a copy of the pool's state every `checkpointEvery` entries (thinned: see `thin`). */
  private maybeCheckpoint(h: PoolHistory): void {
    const last = h.checkpoints[h.checkpoints.length - 1]?.index ?? 0;
    if (h.entries.length - last >= this.checkpointEvery) {
      h.checkpoints.push({ index: h.entries.length, state: h.state.clone() });
      thin(h.checkpoints);
    }
  }

  private postOriginal(stored: Stored, ctx: RuleContext): Journal | undefined {
    const lines = this.post(stored, stored.results, ctx);
    if (lines.length === 0) return undefined;
    return this.journal(stored.ev, stored.ev.id, 'original', lines);
  }

  private post(s: Stored, results: readonly MoveResult[], ctx: RuleContext): JournalLine[] {
    const j = new JournalBuilder();
    this.rule(s.ev).post(s.ev, results, ctx, j, s.moves);
    return this.co.settings.inventorySystem === 'periodic' ? periodicLines(s.ev, j.lines, ctx) : j.lines;
  }

  private journal(ev: BookEvent, id: string, kind: Journal['kind'], lines: JournalLine[], extra: Partial<Journal> = {}): Journal {
    const j: Journal = { id, event: ev.id, eventType: ev.type, kind, date: ev.date, currency: this.co.baseCurrency, lines, cause: undefined, reverses: undefined, reference: ev.reference, memo: ev.memo, shiftedFrom: undefined };
    if (extra.cause !== undefined) j.cause = extra.cause;
    if (extra.reverses !== undefined) j.reverses = extra.reverses;
    if (extra.event !== undefined) j.event = extra.event;
    if (extra.eventType !== undefined) j.eventType = extra.eventType;
    assertBalanced(j);
    return j;
  }

  private emit(stored: Stored, journals: Journal[]): void {
    // A resubmission answers with the original journals; long in-memory streams that keep
    // no journals (the stores keep them instead) answer with none.
    if (this.options.keepJournals !== false) stored.journals = journals;
    for (const j of journals) {
      this.state.totals.add(j);
      if (this.options.keepJournals !== false) this.journals.push(j);
      this.options.onJournal?.(j);
    }
  }

  private runMove(state: CostPool, m: Move, ev: BookEvent, i: number, results: readonly MoveResult[], ctx: RuleContext): MoveResult {
    switch (m.kind) {
      case 'in':
        return this.receive(state, m, m.qty, ev, i, results, ctx);
      case 'out':
        return this.issue(state, m, m.qty, ev);
      case 'count': {
        const delta = m.qty - state.onHand;
        if (delta === 0n) return result(0n, 0n, undefined, 0n, 0n, 0n, 0n);
        if (delta > 0n) return this.receive(state, m, delta, ev, i, results, ctx);
        const r = this.issue(state, m, -delta, ev);
        return result(-r.qty, -r.value, r.takes, 0n, 0n, 0n, r.shortQty);
      }
      case 'revalue': {
        const r = state.revalue(m.amount ?? 0n, m.source ?? '', m.received ?? 0n);
        return result(0n, r.toStock, undefined, r.toVariance, 0n, r.toCogs, 0n);
      }
    }
  }

  /** A receipt, or a count's rise (priced from the pool by its valuation). */
  private receive(state: CostPool, m: InMove | CountMove, qty: bigint, ev: BookEvent, i: number, results: readonly MoveResult[], ctx: RuleContext): MoveResult {
    const inMove = m.kind === 'in' ? m : undefined;
    let value = inMove?.value ?? inMove?.valueFrom?.(results, ctx);
    if (value === undefined) {
      const uc = state.valuationCost(m.valuation ?? 'average').uc;
      value = uc ? valueAt(uc, qty, this.co.settings.rounding) : 0n;
    }
    const pieces = inMove?.piecesFrom === undefined ? undefined : results[inMove.piecesFrom]?.takes;
    const r = state.receive({ qty, value, source: inMove?.source ?? `${ev.id}#${i}`, lot: inMove?.lot, expiry: inMove?.expiry, pieces });
    return result(qty, r.stockValue, undefined, r.variance, r.trueUp, 0n, 0n);
  }

  /** An issue, or a count's fall (no lot, no recorded cost). */
  private issue(state: CostPool, m: OutMove | CountMove, qty: bigint, ev: BookEvent): MoveResult {
    const lot = m.kind === 'out' ? m.lot : undefined;
    if (this.co.settings.negativeStock === 'block') {
      const have = state.available(lot);
      if (have < qty) {
        const what = lot === undefined ? `"${m.product}"` : `lot "${lot}" of "${m.product}"`;
        fail('INSUFFICIENT_STOCK', `Event ${ev.id} issues ${formatQty(qty)} of ${what} from warehouse "${m.warehouse}" on ${ev.date}, but only ${formatQty(have > 0n ? have : 0n)} is on hand then.`, 'Post (or backdate) the receipt that brings the stock in first, reduce the quantity, or set settings.negativeStock to "allow".', { event: ev.id, product: m.product, warehouse: m.warehouse, lot: lot ?? '' });
      }
    }
    const r = state.issue(qty, lot, m.kind === 'out' ? m.lineCost : undefined);
    return result(qty, r.value, r.takes, 0n, 0n, 0n, r.shortQty);
  }

  private pool(product: string, warehouse: string): PoolHistory {
    return this.state.pool(product, warehouse, () => this.newState(product));
  }


  private newState(product: string): CostPool {
    return new CostPool(poolParams(this.co, product));
  }

  // ---- voids -------------------------------------------------------------------------------

  private applyVoid(ev: EventOf<'void'>): Journal[] {
    const target = this.state.event(ev.target);
    if (!target) fail('UNKNOWN_REFERENCE', `Void ${ev.id} names event "${ev.target}", which was never posted.`, 'Correct the target id.', { event: ev.id, reference: ev.target });
    if (target.ev.type === 'void') fail('CANNOT_VOID', `Void ${ev.id} names "${ev.target}", which is itself a void.`, 'Post the original event again under a new id instead.', { event: ev.id, reference: ev.target });
    if (target.voidedBy !== undefined) fail('ALREADY_VOIDED', `Event "${ev.target}" was already voided by "${target.voidedBy}".`, 'Nothing to do; the void stands.', { event: ev.id, reference: ev.target });
    // The target's references are read when it is unlinked, after the book has changed: a
    // store-backed state must have them loaded before (NeedData may only come before a change).
    for (const r of this.referencesOf(target.ev)) this.state.event(r);
    const deps = [...(target.dependents ?? [])].filter((d) => this.live(d));
    if (deps.length > 0) fail('VOID_HAS_DEPENDENTS', `Event "${ev.target}" cannot be voided while ${deps.map((d) => `"${d}"`).join(', ')} ${deps.length === 1 ? 'depends' : 'depend'} on it.`, 'Void the dependent events first.', { event: ev.id, reference: ev.target, dependents: deps.join(',') });
    const self: Stored = { ev, moves: [], results: NO_RESULTS, pools: [], voidedBy: undefined, dependents: undefined, journals: NO_JOURNALS, corrections: 0 };
    const journals = target.moves.length > 0 ? this.replay(self, target) : this.reverseOnly(self, target);
    return journals;
  }

  private reverseOnly(self: Stored, target: Stored): Journal[] {
    const reversal = this.reversal(self, target);
    if (reversal) this.applyLock([reversal], self.ev);
    this.checkTotals(reversal ? [reversal] : [], self.ev);
    target.voidedBy = self.ev.id;
    this.state.putEvent(target);
    this.unlinkReferences(target);
    this.state.putEvent(self);
    const journals = reversal ? [reversal] : [];
    this.emit(self, journals);
    return journals;
  }

  /** The void's journal: the target's journals as they stand now, negated, at the target's date. */
  private reversal(self: Stored, target: Stored): Journal | undefined {
    const lines = negate(this.post(target, target.results, this.context(target.ev.id)));
    if (lines.length === 0) return undefined;
    return this.journal(target.ev, self.ev.id, 'reversal', lines, { reverses: target.ev.id, event: target.ev.id, eventType: target.ev.type });
  }

  /** The events an event reads (a void: none; its target is not a reference). */
  referencesOf(ev: BookEvent): string[] {
    return ev.type === 'void' ? [] : this.rule(ev).references?.(ev) ?? [];
  }

  /**
   * The pools an event's moves land in, as far as its plan can be made from what is loaded now:
   * a hint that lets a batch load its pools in one read before it applies. Empty when the plan
   * needs more (a reference not loaded or not posted yet) or refuses: the apply then loads as it
   * goes, or refuses the same way.
   */
  poolsOf(ev: BookEvent): string[] {
    if (ev.type === 'void') return [];
    try {
      return [...new Set(this.rule(ev).plan(ev, this.context(ev.id)).map((m) => poolKey(m.product, m.warehouse)))];
    } catch (x) {
      if (x instanceof NeedData || x instanceof FailureError) return [];
      throw x;
    }
  }

  /**
   * An accepted event as a store-backed state restores it from its stored costs and links: its
   * moves are planned again (plans are pure functions of the event and the events it refers to,
   * voided or not, and those are fixed once accepted).
   */
  restore(ev: BookEvent, saved: Pick<Stored, 'results' | 'pools' | 'voidedBy' | 'dependents' | 'corrections'>): Stored {
    let moves: Move[] = [];
    if (ev.type !== 'void') {
      const ctx = this.context(ev.id, (id) => {
        const s = this.state.event(id);
        return s && { event: s.ev, moves: s.moves, results: s.results };
      });
      moves = this.rule(ev).plan(ev, ctx);
    }
    assert(moves.length === saved.results.length || (saved.voidedBy !== undefined && saved.results.length === 0), `stored event ${ev.id} plans the moves it was costed with`);
    return { ev, moves, ...saved, journals: NO_JOURNALS };
  }

  private unlinkReferences(target: Stored): void {
    if (target.ev.type === 'void') return;
    for (const r of this.referencesOf(target.ev)) {
      const s = this.state.event(r);
      if (s?.dependents?.delete(target.ev.id)) this.state.putEvent(s);
    }
  }

  // ---- re-costing --------------------------------------------------------------------------

  /**
   * Re-costs the pools `added` enters or `removed` leaves, in date order, and everything the
   * changes flow into. All work happens on new pool states; the book changes only once every
   * pool has re-costed and every journal has posted, so a failure changes nothing.
   */
  private replay(added: Stored, removed: Stored | undefined): Journal[] {
    this.stats.replays++;
    const rc = new ReCost(this.state, added, removed);
    added.moves.forEach((m, i) => {
      const k = poolKey(m.product, m.warehouse);
      rc.editOf(k, added.ev.key).insert({ key: added.ev.key, event: added.ev.id, move: i, qty: 0n, value: 0n });
      rc.schedule(k, added.ev.key);
    });
    if (removed) {
      for (const k of removed.pools) {
        rc.editOf(k, removed.ev.key).removeEvent(removed.ev.id);
        rc.schedule(k, removed.ev.key);
      }
    }
    const ctx = this.context(added.ev.id, (id) => {
      const s = rc.stored(id);
      if (!s || s.voidedBy !== undefined) return undefined;
      return { event: s.ev, moves: s.moves, results: rc.tentResults.get(id) ?? s.results };
    });
    let rounds = 0;
    for (let k = rc.next(); k !== undefined; k = rc.next()) {
      assert(++rounds < 1_000_000, 're-costing converges');
      this.recostPool(rc, k, ctx);
    }
    (ctx as BookContext).eventId = added.ev.id; // the re-cost lent it to other events' moves
    return this.commitReplay(added, removed, rc.edits, rc.tentResults, rc.newStates, rc.newCheckpoints, rc.changed, ctx);
  }

  /**
   * Re-costs one pool from the earliest key this re-cost touched in it, on a copy of its state;
   * a move whose result changes schedules what it feeds (its event's other pools, the events
   * that read it).
   */
  private recostPool(rc: ReCost, k: string, ctx: RuleContext): void {
    this.stats.pooledReplays++;
    const product = k.split('\u0000')[0]!;
    const entries = rc.editOf(k, rc.earliest.get(k)!);
    // Entries before the earliest key this re-cost touched are unchanged: start from the last
    // checkpoint before them, on a copy, and take fresh checkpoints past it.
    const unchanged = entries.firstAtOrAfter(rc.earliest.get(k)!);
    const kept = (this.state.poolByKey(k)?.checkpoints ?? []).filter((c) => c.index <= unchanged);
    const from = kept[kept.length - 1];
    const state = from ? from.state.clone() : this.newState(product);
    const checkpoints = [...kept];
    for (let i = from?.index ?? 0; i < entries.length; i++) {
      if (i - (checkpoints[checkpoints.length - 1]?.index ?? 0) >= this.checkpointEvery) {
        checkpoints.push({ index: i, state: state.clone() });
        thin(checkpoints);
      }
      const e = entries.at(i);
      this.stats.replayedMoves++;
      const s = rc.stored(e.event);
      assert(s !== undefined, `pool entry ${e.event} is stored`);
      let res = rc.tentResults.get(e.event);
      if (!res) {
        // A move can read a move of its own event in a pool this re-cost has not reached yet
        // (a transfer's receipt reads its issue). Until that is costed it reads the last cost
        // known, or a zero placeholder for a new event; once costed, a changed result
        // re-schedules this pool, so the re-cost still converges on the right value.
        res = s.moves.map((_m, i) => s.results[i] ?? NO_RESULT);
        rc.tentResults.set(e.event, res);
      }
      const r = this.recost(state, s, e.move, res, ctx, rc.added, rc.removed);
      this.checkPool(state, s.moves[e.move]!, rc.added.ev);
      entries.set(i, { key: e.key, event: e.event, move: e.move, qty: state.onHand, value: state.onHandValue }); // a new entry: the committed one stays as it was
      const before = res[e.move];
      res[e.move] = r;
      if (sameResult(before, r)) continue;
      rc.changed.add(e.event);
      // What this move's cost feeds: the event's other pools and the events that read it.
      for (const other of s.pools) if (other !== k) rc.schedule(other, e.key);
      for (const d of s.dependents ?? []) {
        const ds = rc.stored(d);
        if (ds && ds.voidedBy === undefined) for (const dk of ds.pools) rc.schedule(dk, ds.ev.key);
      }
    }
    rc.newStates.set(k, state);
    rc.newCheckpoints.set(k, checkpoints);
  }

  /**
   * The period lock: no journal may be dated on or before the company's lock date. Either the
   * event is refused (PERIOD_LOCKED), or, if the company chose "shift", each such journal is
   * dated at the first open date and remembers the date it belongs to.
   */
  private applyLock(journals: Journal[], cause: BookEvent): void {
    const { lockDate, lockMode } = this.co.settings;
    if (lockDate === undefined || this.replaying) return;
    for (const j of journals) {
      if (j.date > lockDate) continue;
      if (lockMode === 'reject') {
        const what = j.kind === 'correction' && j.event === cause.id ? `Event ${cause.id} would correct events dated ${j.date},` : j.event === cause.id ? `Event ${cause.id} is dated ${j.date}` : `Event ${cause.id} would correct ${j.event}, dated ${j.date},`;
        fail('PERIOD_LOCKED', `${what} in the period locked up to ${lockDate} (company "${this.co.id}").`, `Date the event after ${lockDate}, or have the period reopened (settings.lockDate), or set settings.lockMode to "shift" to date such journals at the first open date.`, { event: cause.id, journal: j.id, lockDate });
      }
      j.shiftedFrom = j.date;
      j.date = addDays(lockDate, 1);
    }
  }

  /** New postings only (a replayed event was accepted once): the pool a move left must be within its bounds. */
  private checkPool(state: CostPool, m: Move, ev: BookEvent): void {
    if (!this.replaying) checkPool(state, m.product, m.warehouse, ev.id, this.co.baseCurrency);
  }

  /** New postings only: the journals must leave every line, day total and balance within its bounds. */
  private checkTotals(journals: readonly Journal[], ev: BookEvent): void {
    if (!this.replaying) this.state.totals.check(journals, ev.id);
  }

  /** Runs one move during a re-cost; a shortfall it causes is reported against the event being posted or voided. */
  private recost(state: CostPool, s: Stored, move: number, res: MoveResult[], ctx: RuleContext, added: Stored, removed: Stored | undefined): MoveResult {
    try {
      // One context serves the whole re-cost; it names the event whose move is being costed.
      const c = ctx as BookContext;
      c.eventId = s.ev.id;
      return this.runMove(state, s.moves[move]!, s.ev, move, res, c);
    } catch (x) {
      if (!(x instanceof FailureError) || x.failure.code !== 'INSUFFICIENT_STOCK' || s === added) throw x;
      const what = removed ? `Voiding "${removed.ev.id}" (${added.ev.id})` : `Event ${added.ev.id}, dated ${added.ev.date},`;
      return fail('INSUFFICIENT_STOCK', `${what} would leave too little stock for later event ${s.ev.id}: ${x.failure.message}`, removed ? 'Void or correct the later issue first, or post the stock it needs.' : 'Post the receipt that covers both issues first, date this event later, or reduce its quantity.', { ...x.failure.record, event: added.ev.id, blocked: s.ev.id });
    }
  }

  private commitReplay(added: Stored, removed: Stored | undefined, edits: Map<string, PoolEdit>, tentResults: Map<string, MoveResult[]>, newStates: Map<string, CostPool>, newCheckpoints: Map<string, Checkpoint[]>, changed: Set<string>, ctx: RuleContext): Journal[] {
    const journals: Journal[] = [];
    let first: Journal | undefined;
    if (removed) first = this.reversal(added, removed);
    else {
      added.results = tentResults.get(added.ev.id) ?? [];
      first = this.postOriginal(added, ctx);
    }
    if (first) journals.push(first);
    const corrected = [...changed].filter((id) => id !== added.ev.id && id !== removed?.ev.id).map((id) => this.state.event(id)!).sort((a, b) => (a.ev.key < b.ev.key ? -1 : 1));
    const shares: Share[] = [];
    for (const s of corrected) {
      const c = this.context(s.ev.id);
      const lines = difference(this.post(s, tentResults.get(s.ev.id)!, c), this.post(s, s.results, c));
      if (lines.length > 0) shares.push({ s, lines });
    }
    const correctedBy = this.corrections(added, shares, journals);
    this.applyLock(journals, added.ev);
    this.checkTotals(journals, added.ev);
    // Everything posted: now change the book.
    for (const s of corrected) {
      s.results = tentResults.get(s.ev.id)!;
      this.state.putEvent(s);
    }
    for (const s of correctedBy) s.corrections++;
    this.stats.corrections += shares.length;
    for (const [k, edit] of edits) {
      const [product, warehouse] = k.split('\u0000') as [string, string];
      const h = this.pool(product, warehouse);
      edit.commit();
      h.entries = edit.base;
      h.lastKey = edit.lastKey();
      const st = newStates.get(k);
      if (st) h.state = st;
      const cps = newCheckpoints.get(k);
      if (cps) h.checkpoints = cps;
      this.state.putPool(h);
    }
    if (removed) {
      removed.voidedBy = added.ev.id;
      this.state.putEvent(removed);
      this.unlinkReferences(removed);
    }
    this.state.putEvent(added);
    this.emit(added, journals);
    return journals;
  }

  /**
   * The correction journals of one cause: the corrected events' differences grouped by (date,
   * account set), one journal per group. A group of one event is that event's own correction
   * (`<event>/c<n>`, its `event`); a larger group is one journal `<cause>/g<n>` whose `event` and
   * `cause` are the cause, its lines the group's differences netted per (account, product,
   * warehouse). Returns the events that got a correction of their own.
   */
  private corrections(cause: Stored, shares: Share[], out: Journal[]): Stored[] {
    const groups = new Map<string, Share[]>();
    for (const sh of shares) {
      const k = `${sh.s.ev.date}\u0000${[...new Set(sh.lines.map((l) => l.account))].sort().join('\u0000')}`;
      const g = groups.get(k);
      if (g) g.push(sh);
      else groups.set(k, [sh]);
    }
    const own: Stored[] = [];
    let n = 0;
    for (const g of groups.values()) {
      if (g.length === 1) {
        const { s, lines } = g[0]!;
        own.push(s);
        out.push(this.journal(s.ev, `${s.ev.id}/c${s.corrections + 1}`, 'correction', lines, { cause: cause.ev.id }));
        continue;
      }
      const lines = difference(g.flatMap((sh) => sh.lines), []);
      if (lines.length === 0) continue;
      const date = g[0]!.s.ev.date;
      const j: Journal = { id: `${cause.ev.id}/g${++n}`, event: cause.ev.id, eventType: cause.ev.type, kind: 'correction', date, currency: this.co.baseCurrency, lines, cause: cause.ev.id, reverses: undefined, reference: undefined, memo: `cost corrections of ${g.length} events dated ${date}`, shiftedFrom: undefined };
      assertBalanced(j);
      out.push(j);
    }
    this.stats.correctionJournals += out.length;
    return own;
  }

  // ---- context and queries -----------------------------------------------------------------

  private live(id: string): boolean {
    const s = this.state.event(id);
    return s !== undefined && s.voidedBy === undefined && s.ev.type !== 'void';
  }

  private context(eventId: string, lookup?: (id: string) => EventView | undefined): RuleContext {
    return new BookContext(this.co, eventId, this.accountCache, lookup ?? ((id) => {
      const s = this.state.event(id);
      return s && s.voidedBy === undefined ? { event: s.ev, moves: s.moves, results: s.results } : undefined;
    }));
  }

  /** The whole state, for the queries below: they read every pool or event, so they serve in-memory books only. */
  private memory(): MemoryState {
    assert(this.state instanceof MemoryState, 'whole-book queries read an in-memory book');
    return this.state;
  }

  /** GL balance per account, from every journal booked. */
  balances(): ReadonlyMap<string, bigint> {
    return this.memory().totals.balances;
  }

  /** Sub-ledger value per inventory account: the sum of its pools' on-hand values. */
  inventoryValueByAccount(): Map<string, bigint> {
    const out = new Map<string, bigint>();
    for (const code of inventoryAccounts(this.co)) out.set(code, 0n);
    for (const h of this.memory().pools.values()) {
      const code = resolveAccount(this.co, 'inventory', { product: h.product, warehouse: h.warehouse });
      out.set(code, (out.get(code) ?? 0n) + h.state.onHandValue);
    }
    return out;
  }

  /**
   * On-hand quantity and value of every pool that has moved, as of the end of a date: a
   * binary search per pool over the on-hand figures its entries carry.
   */
  onHandAsOf(date: string): { product: string; warehouse: string; qty: bigint; value: bigint }[] {
    const out: { product: string; warehouse: string; qty: bigint; value: bigint }[] = [];
    const end = `${date}T\uffff`; // after every key of that date, before any of the next
    for (const h of this.memory().pools.values()) {
      const entries = h.entries.all();
      if (entries.length === 0) continue;
      const last = entries[firstAtOrAfter(entries, end) - 1];
      out.push({ product: h.product, warehouse: h.warehouse, qty: last?.qty ?? 0n, value: last?.value ?? 0n });
    }
    return out;
  }

  /** On-hand quantity and value of one pool, with its live layers. */
  onHand(product: string, warehouse: string): { qty: bigint; value: bigint; layers: { qty: bigint; value: bigint; lot?: string | undefined; expiry?: string | undefined; source: string }[] } {
    const h = this.memory().pools.get(poolKey(product, warehouse));
    if (!h) return { qty: 0n, value: 0n, layers: [] };
    return { qty: h.state.onHand, value: h.state.onHandValue, layers: h.state.liveLayers().map((l) => ({ qty: l.qty, value: l.value, lot: l.lot, expiry: l.expiry, source: l.source })) };
  }

  /**
   * A pool's states after its first `indexes[k]` entries, as its history costs them now: its
   * moves run again, in order, from an empty pool with each event's current results. The book
   * is not changed (verify.ts compares the stored checkpoints with these). An index beyond the
   * history gives undefined.
   */
  poolStatesAt(key: string, indexes: readonly number[]): (PoolSnapshot | undefined)[] {
    const h = this.memory().pools.get(key);
    const entries = h?.entries.all() ?? [];
    const at = new Map<number, PoolSnapshot>();
    if (h) {
      const state = this.newState(h.product);
      let i = 0;
      for (const target of [...new Set(indexes)].filter((x) => x >= 0 && x <= entries.length).sort((a, b) => a - b)) {
        for (; i < target; i++) {
          const e = entries[i]!;
          const s = this.state.event(e.event);
          assert(s !== undefined && s.moves[e.move] !== undefined, `pool entry ${e.event}.${e.move} is a move of a stored event`);
          this.runMove(state, s.moves[e.move]!, s.ev, e.move, s.results, this.context(e.event));
        }
        at.set(target, state.snapshot());
      }
    }
    return indexes.map((x) => at.get(x));
  }

  pools_(): IterableIterator<PoolHistory> {
    return this.memory().pools.values();
  }

  /** An accepted event with its moves and current costs (for drill-down). */
  view(id: string): (EventView & { voidedBy: string | undefined }) | undefined {
    const s = this.memory().events.get(id);
    return s ? { event: s.ev, moves: s.moves, results: s.results, voidedBy: s.voidedBy } : undefined;
  }

  /** Every accepted event (voided ones and voids included) with its current costs, in acceptance order (for reports). */
  *views(): IterableIterator<EventView & { voidedBy: string | undefined }> {
    for (const s of this.memory().events.values()) yield { event: s.ev, moves: s.moves, results: s.results, voidedBy: s.voidedBy };
  }
}

/** role → product → warehouse → account code; "" stands for "none given". */
type AccountCache = Map<Role, Map<string, Map<string, string>>>;

class BookContext implements RuleContext {
  constructor(
    readonly co: Company,
    public eventId: string,
    private readonly cache: AccountCache,
    readonly lookup: (id: string) => EventView | undefined,
  ) {}

  account(role: Role, at: { product?: string | undefined; warehouse?: string | undefined; override?: string | undefined } = {}): string {
    if (at.override !== undefined) return resolveAccount(this.co, role, { ...at, event: this.eventId });
    let byProduct = this.cache.get(role);
    if (!byProduct) this.cache.set(role, (byProduct = new Map()));
    const p = at.product ?? '';
    let byWarehouse = byProduct.get(p);
    if (!byWarehouse) byProduct.set(p, (byWarehouse = new Map()));
    const w = at.warehouse ?? '';
    let code = byWarehouse.get(w);
    if (code === undefined) {
      code = resolveAccount(this.co, role, { product: at.product, warehouse: at.warehouse, event: this.eventId });
      byWarehouse.set(w, code);
    }
    return code;
  }
}
