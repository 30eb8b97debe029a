/**
 * The sync engine (seed 001): lists unposted records, holds and releases them, and runs syncs
 * of one record type to one target, exactly once.
 *
 * Exactly once, in three steps per chunk of records:
 * 1. *claim*: under the company's write lock, re-read the sync log and append a claim row for
 *    each record still unposted (another worker's live claim, a hold or a post in between
 *    drops it), reserving IV.TRX numbers. Two workers therefore never send one record.
 * 2. *send*: every request carries an idempotency key derived from (company, record, version,
 *    part); a record in doubt — its claim left without an outcome (a crash after sending), or
 *    its last call unanswered (a timeout) — is first looked up in the target by its number or
 *    reference, in batches, and only sent if it is not there.
 * 3. *record*: the target's ids are appended as the record's `posted` row in one transaction.
 *
 * Each record is its own unit: a failing record is stored with its coded failure and never
 * stops another. Only an authentication failure stops the run; the rest stay unposted.
 */
import { createHash } from 'node:crypto';
import type { Failure } from '../domain/errors.js';
import { failure, FailureError } from '../domain/errors.js';
import type { BookEvent } from '../domain/events.js';
import type { RecordType } from '../posting/types.js';
import type { CompanyLedger } from '../ledger/service.js';
import type { NewSyncEntry, SyncEntry } from '../store/store.js';
import type { Contact, SyncConfig } from './config.js';
import { journalPages } from '../store/pages.js';
import { contactOf, deriveRecords, IVTRX, ofType, takesJournalNumber, type SyncRecord } from './records.js';
import { difference, type JournalLine } from '../posting/journal.js';
import { isCancelled, listedById, listPage, openCounts, type ListedRecord, type ListingSource } from './listing.js';
import { foldInto, foldStates, lastJournalNumber, stateOf, type ClaimData, type FailedData, type PostedData, type RecordState, type SyncWarning, type TargetIds } from './state.js';
import type { Part, PartKind, PartOutcome, Plan, PlanInput, PlanResult, SyncTarget } from './target.js';

export type { ListedRecord, ListedStatus } from './listing.js';

export interface RecordResult {
  record: string;
  status: 'posted' | 'warnings' | 'failed' | 'aborted' | 'would-post' | 'would-fail';
  version: number;
  ids?: TargetIds | undefined;
  warnings: SyncWarning[];
  error?: Failure | undefined;
  /** Dry run: the request elements exactly as they would be sent. */
  requests?: { kind: PartKind; body: unknown }[] | undefined;
}

export interface RunSummary {
  run: string;
  company: string;
  target: string;
  type: RecordType;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  counts: { posted: number; warnings: number; failed: number; aborted: number };
  /** Set when the run stopped early (authentication): what to do. */
  stopped?: Failure | undefined;
  calls: number;
  results: RecordResult[];
}

export interface RunOptions {
  type: RecordType;
  dryRun?: boolean | undefined;
  /** Only these records (ids), e.g. one invoice. */
  only?: readonly string[] | undefined;
  onProgress?: ((done: number, total: number) => void) | undefined;
}

export interface EngineOptions {
  /** The clock (ISO timestamps for the log; claim leases). */
  now?: () => Date;
  /** A claim without an outcome older than this is in doubt and may be recovered. Default 10 minutes. */
  leaseMs?: number;
  /** Records per claim/send chunk; the target splits a chunk into calls of up to 50 elements. Default 200. */
  chunk?: number;
  /** Run id generator. */
  runId?: () => string;
}

export interface ListOptions {
  type?: RecordType | undefined;
  /** Posted and cancelled records too. */
  all?: boolean | undefined;
  /** One page of at most this many records (all when omitted). */
  limit?: number | undefined;
  /** Only records after this ledger position (parseSyncCursor of a page's `next`). */
  afterSeq?: bigint | undefined;
}

export interface RecordList {
  counts: Record<RecordType, number>;
  records: ListedRecord[];
  /** The cursor of the next page when a `limit` left records out; undefined otherwise. */
  next?: string | undefined;
}

/** Records per page of the sync list: the default and the most one page may ask for. */
export const SYNC_PAGE_DEFAULT = 500;
export const SYNC_PAGE_MAX = 1000;

/** The cursor after a record: its journal's ledger position, as base64url text (opaque to clients). */
export function syncCursor(seq: bigint): string {
  return Buffer.from(`r${seq}`).toString('base64url');
}

/** The ledger position a syncCursor names, or undefined for text no page gave. */
export function parseSyncCursor(s: string): bigint | undefined {
  const m = /^r(\d{1,19})$/.exec(Buffer.from(s, 'base64url').toString('utf8'));
  return m ? BigInt(m[1]!) : undefined;
}

/** A page cursor no sync list gave: INVALID_REQUEST naming the field. */
export function badSyncCursor(): Failure {
  return failure('INVALID_REQUEST', 'The sync list cursor is not one a sync list page gave.', 'Pass the `next` value of the previous page unchanged, or leave it out for the first page.', { field: 'after' });
}

/** Records derived so far, per ledger object (see SyncEngine.records). */
const derived = new WeakMap<CompanyLedger, { last: bigint; records: SyncRecord[] }>();

/** Which parts go first: documents (and voids of documents) before journals. */
const STAGE: Record<PartKind, number> = { invoice: 1, creditNote: 1, payment: 1, bankTransaction: 1, voidInvoice: 1, voidCreditNote: 1, deletePayment: 1, journal: 2, voidJournal: 2 };

/** The IV.TRX number stands in for the real one until the claim reserves it. */
const PENDING_NUMBER = `${IVTRX}?`;

interface Candidate { rec: SyncRecord; state: RecordState; inDoubt: boolean }

export class SyncEngine {
  private readonly now: () => Date;
  private readonly leaseMs: number;
  private readonly chunk: number;
  private readonly runId: () => string;

  constructor(
    readonly ledger: CompanyLedger,
    readonly target: SyncTarget,
    readonly config: SyncConfig,
    opts: EngineOptions = {},
  ) {
    this.now = opts.now ?? (() => new Date());
    this.leaseMs = opts.leaseMs ?? 10 * 60_000;
    this.chunk = opts.chunk ?? 200;
    this.runId = opts.runId ?? (() => `run-${this.now().toISOString().replace(/[-:.TZ]/g, '')}-${Math.random().toString(36).slice(2, 8)}`);
  }

  private get company(): string {
    return this.ledger.id;
  }

  // ---- reading -----------------------------------------------------------------------------

  /**
   * The records of every journal, derived once per journal: journals are append-only, so each
   * call only reads those written since the last (kept per ledger, which the API keeps open).
   */
  private async records(): Promise<{ records: SyncRecord[]; voided: Set<string> }> {
    const book = this.ledger.current;
    let d = derived.get(this.ledger);
    if (!d) derived.set(this.ledger, (d = { last: 0n, records: [] }));
    // A page of journals at a time: no one statement reads the whole list (issue 11).
    for await (const more of journalPages(this.ledger.store, this.company, { afterSeq: d.last })) {
      // Another call may have taken these journals in while this one waited for the page.
      const fresh = more.filter((j) => j.seq > d.last);
      // The events' bodies only: a record needs what the event says, not its costs.
      const events = await book.events([...new Set(fresh.map((j) => j.event))]);
      for (const r of deriveRecords(fresh, (id) => events.get(id))) d.records.push(r);
      if (more[more.length - 1]!.seq > d.last) d.last = more[more.length - 1]!.seq;
    }
    return { records: d.records, voided: await book.voided() };
  }

  /** The log folded so far, and how far: later rows are read and folded in, not the whole log again. */
  private folded = { states: new Map<string, RecordState>(), last: 0n, journalNumber: 0 };

  /** Current states (inside a write: as of that transaction). */
  private async states(): Promise<Map<string, RecordState>> {
    const more = await this.ledger.store.syncEntries(this.company, this.target.name, { afterSeq: this.folded.last });
    if (more.length === 0) return this.folded.states;
    foldInto(this.folded.states, more);
    this.folded.last = more[more.length - 1]!.seq;
    this.folded.journalNumber = Math.max(this.folded.journalNumber, lastJournalNumber(more, IVTRX));
    return this.folded.states;
  }

  /** A document or correction of a voided event that never reached the target: nothing to send, ever. */
  private cancelled(rec: SyncRecord, st: RecordState, voided: ReadonlySet<string>): boolean {
    return isCancelled(rec.kind, rec.grouped === true, rec.event.id, st, voided);
  }

  /** What the list reads (listing.ts): the sync log folded, the voided events, the store and the book. */
  private async listing(): Promise<ListingSource> {
    const book = this.ledger.current;
    return { store: this.ledger.store, company: this.company, states: await this.states(), voided: await book.voided(), book };
  }

  /**
   * Records with their sync status; by default the unposted ones (unposted, failed, held, in
   * progress). `limit` gives one page of at most that many records after `afterSeq` (a
   * syncCursor's position), with `next` set when more follow; the counts are always the whole
   * company's.
   */
  async list(opts: ListOptions = {}): Promise<RecordList> {
    const src = await this.listing();
    const page = await listPage(src, opts);
    return { counts: await openCounts(src), records: page.records, next: page.next === undefined ? undefined : syncCursor(page.next) };
  }

  /** The company's open records per type (the list's counts, without a page). */
  async counts(): Promise<Record<RecordType, number>> {
    return openCounts(await this.listing());
  }

  /** The stored result of a record: its state and log rows, read by the record's index (its rows alone fold into its state). */
  async record(id: string): Promise<{ record: ListedRecord; history: SyncEntry[] } | Failure> {
    const history = await this.ledger.store.syncEntries(this.company, this.target.name, { record: id });
    const book = this.ledger.current;
    const src: ListingSource = { store: this.ledger.store, company: this.company, states: foldStates(history), voided: await book.voided(), book };
    const record = await listedById(src, id);
    if (!record) return failure('NOT_FOUND', `Company "${this.company}" has no sync record "${id}".`, 'List records with `stockbook sync list`; record ids are event ids (corrections: <event>/c<n>).', { record: id });
    return { record, history };
  }

  /** Recent runs (newest first). */
  async runs(limit = 20): Promise<RunSummary[]> {
    const rows = await this.ledger.store.syncEntries(this.company, this.target.name, { actions: ['run'], last: limit });
    return rows.map((r) => JSON.parse(r.data ?? '{}') as RunSummary);
  }

  // ---- hold, release, re-post ----------------------------------------------------------------

  async hold(ids: readonly string[]): Promise<Failure | undefined> {
    return this.mark(ids, 'hold', (st) => (st.status === 'posted' ? 'is already posted' : st.status === 'claimed' ? 'is being synced' : undefined));
  }

  async release(ids: readonly string[]): Promise<Failure | undefined> {
    return this.mark(ids, 'release', (st) => (st.held ? undefined : 'is not held'));
  }

  /**
   * Re-post (seed 000: the batch was deleted in the source system): the record becomes unposted
   * again under a new version. Refused while the target still holds the posted version's
   * document or journal unvoided: posting again would book it twice (use voidAndRepost).
   */
  async repost(id: string): Promise<Failure | undefined> {
    const st = stateOf(await this.states(), id);
    const held = st.status === 'posted' && st.posted ? await this.stillInTarget(id, st.posted) : undefined;
    if (held) return held;
    return this.mark([id], 'reset', (s) => (s.status === 'posted' ? undefined : 'is not posted'));
  }

  /** Why a posted record cannot be re-posted yet: what of it the target still holds unvoided (or that the target could not be asked). */
  private async stillInTarget(id: string, posted: TargetIds): Promise<Failure | undefined> {
    const live: string[] = [];
    let liveDocument = false;
    try {
      if (posted.documentId !== undefined && (await this.target.status((posted.documentKind ?? 'invoice') as PartKind, posted.documentId)) === 'live') {
        liveDocument = true;
        live.push(`${posted.documentKind ?? 'document'} ${posted.documentNumber ?? id}`);
      }
      if (posted.journalId !== undefined && (await this.target.status('journal', posted.journalId)) === 'live') live.push(`journal ${posted.journalNumber ?? posted.journalId}`);
    } catch (e) {
      if (e instanceof FailureError) return e.failure;
      throw e;
    }
    if (live.length === 0) return undefined;
    const voidBoth = `or run \`stockbook sync void-and-repost ${id}\`, which voids them and posts the record again`;
    if (!liveDocument && posted.journalNumber?.startsWith(IVTRX)) {
      return failure('INVENTORY_JOURNAL_EXISTS', `An inventory journal already exists for invoice '${posted.documentNumber ?? id}' (${posted.journalNumber}); void it to re-post this invoice.`, `Void ${posted.journalNumber} in the accounting system and re-post again, ${voidBoth}.`, { record: id, journal: posted.journalNumber });
    }
    return failure('STILL_IN_TARGET', `Record ${id} is still in the accounting system: ${live.join(' and ')} ${live.length > 1 ? 'are' : 'is'} not voided there, so re-posting it would book it twice.`, `Void ${live.join(' and ')} in the accounting system, then re-post; ${voidBoth}.`, { record: id });
  }

  private async mark(ids: readonly string[], action: 'hold' | 'release' | 'reset', refuse: (st: RecordState) => string | undefined): Promise<Failure | undefined> {
    const known = new Set((await this.ledger.store.journalHeaders(this.company, { ids })).map((h) => h.id));
    const missing = ids.filter((id) => !known.has(id));
    if (missing.length > 0) return failure('NOT_FOUND', `Company "${this.company}" has no sync record ${missing.map((m) => `"${m}"`).join(', ')}.`, 'List records with `stockbook sync list`.', { record: missing[0]! });
    return this.ledger.store.write(this.company, async (tx) => {
      const states = await this.states();
      for (const id of ids) {
        const why = refuse(stateOf(states, id));
        if (why) return failure('RECORD_STATE', `Record ${id} ${why}, so it cannot be ${action === 'reset' ? 're-posted' : action === 'hold' ? 'held' : 'released'}.`, action === 'reset' ? 'Only posted records can be re-posted; unposted ones are simply synced.' : 'List the record\'s state with `stockbook sync show`.', { record: id });
      }
      const at = this.now().toISOString();
      await tx.appendSync(ids.map((id) => {
        const st = stateOf(states, id);
        return { target: this.target.name, record: id, version: action === 'reset' ? st.version + 1 : st.version, action, run: undefined, at, data: undefined };
      }));
      return undefined;
    });
  }

  /** Voids the posted version's documents in the target, then re-posts the record in a new run. */
  async voidAndRepost(id: string): Promise<RunSummary | Failure> {
    const found = await this.record(id);
    if ('code' in found) return found;
    const st = stateOf(await this.states(), id);
    if (st.status !== 'posted' || !st.posted) return failure('RECORD_STATE', `Record ${id} is not posted, so there is nothing to void.`, 'Sync it instead.', { record: id });
    // A refused connection (TARGET_AUTH) or an unavailable target is the caller's answer, not a crash.
    const unprepared = await this.target.prepare().then(() => undefined, (e: unknown) => {
      if (e instanceof FailureError) return e.failure;
      throw e;
    });
    if (unprepared) return unprepared;
    const { parts: voids, cannot } = this.target.voids(st.posted, id);
    if (cannot !== undefined) return failure('CANNOT_VOID', `Record ${id} is a ${cannot} that the target mapping cannot void.`, `Delete ${st.posted.documentNumber ?? id} in the accounting system by hand, then re-post the record.`, { record: id });
    let voided = 0;
    let stoppedAt: Failure | undefined;
    for (const part of voids) {
      const [out] = await this.target.send(part.kind, [{ part, key: this.key(id, st.version, `void-${part.kind}`) }]);
      if (!out!.ok) {
        stoppedAt = out!.error;
        break;
      }
      voided++;
    }
    if (voided === 0 && stoppedAt) return stoppedAt;
    // Once the document is voided the record must be posted again: it is reset even if its
    // journal's void then failed, and the next sync refuses it (INVENTORY_JOURNAL_EXISTS)
    // until that journal is voided too.
    const at = this.now().toISOString();
    const rows: NewSyncEntry[] = [{ target: this.target.name, record: id, version: st.version + 1, action: 'reset', run: undefined, at, data: undefined }];
    if (!stoppedAt) rows.push({ target: this.target.name, record: id, version: st.version + 1, action: 'voided', run: undefined, at, data: JSON.stringify({ voided: voids.map((v) => v.targetId) }) });
    await this.ledger.store.write(this.company, (tx) => tx.appendSync(rows));
    if (stoppedAt) return stoppedAt;
    return this.run({ type: found.record.type, only: [id] });
  }

  // ---- running ------------------------------------------------------------------------------

  private key(record: string, version: number, part: string): string {
    return createHash('sha256').update(`${this.company}\u0000${record}\u0000${version}\u0000${part}`).digest('hex');
  }

  private isCandidate(rec: SyncRecord, st: RecordState, voided: ReadonlySet<string>, at: number): Candidate | undefined {
    if (st.held || st.status === 'posted' || this.cancelled(rec, st, voided)) return undefined;
    if (st.status !== 'claimed') return { rec, state: st, inDoubt: st.status === 'failed' && st.failed?.inDoubt === true };
    const age = at - Date.parse(st.claim!.at);
    return age >= this.leaseMs ? { rec, state: st, inDoubt: true } : undefined;
  }

  async run(opts: RunOptions): Promise<RunSummary> {
    const run = this.runId();
    const startedAt = this.now().toISOString();
    const callsBefore = this.target.calls();
    const results: RecordResult[] = [];
    let stopped: Failure | undefined;
    const { records, voided } = await this.records();
    const byId = new Map(records.map((r) => [r.id, r]));
    const states = await this.states();
    const only = opts.only === undefined ? undefined : new Set(opts.only);
    const nowMs = this.now().getTime();
    const candidates = ofType(records, opts.type)
      .filter((r) => only === undefined || only.has(r.id))
      .map((r) => this.isCandidate(r, stateOf(states, r.id), voided, nowMs))
      .filter((c): c is Candidate => c !== undefined);
    try {
      await this.target.prepare();
      const contactFailures = opts.dryRun ? new Map<string, Failure>() : await this.ensureContacts(candidates);
      const ctx: RunContext = { records, byId, voided, byReference: indexByReference(records) };
      for (let i = 0; i < candidates.length; i += this.chunk) {
        const chunk = candidates.slice(i, i + this.chunk);
        if (opts.dryRun) results.push(...this.dryRun(chunk, states, ctx));
        else results.push(...(await this.runChunk(run, chunk, ctx, contactFailures)));
        opts.onProgress?.(Math.min(i + this.chunk, candidates.length), candidates.length);
        const stop = results.find((r) => r.status === 'aborted' && r.error?.code === 'TARGET_AUTH');
        if (stop) {
          stopped = stop.error;
          break;
        }
      }
    } catch (e) {
      if (!(e instanceof FailureError)) throw e;
      stopped = e.failure;
    }
    if (stopped) abortRest(candidates, results, stopped);
    const summary = this.summary(run, opts, startedAt, results, stopped, this.target.calls() - callsBefore);
    if (!opts.dryRun) await this.ledger.store.write(this.company, (tx) => tx.appendSync([{ target: this.target.name, record: '', version: 0, action: 'run', run, at: summary.finishedAt, data: JSON.stringify(summary) }]));
    return summary;
  }

  private summary(run: string, opts: RunOptions, startedAt: string, results: RecordResult[], stopped: Failure | undefined, calls: number): RunSummary {
    const count = (s: RecordResult['status'][]): number => results.filter((r) => s.includes(r.status)).length;
    return {
      run, company: this.company, target: this.target.name, type: opts.type, dryRun: opts.dryRun === true, startedAt, finishedAt: this.now().toISOString(),
      counts: { posted: count(['posted', 'warnings', 'would-post']), warnings: results.filter((r) => r.warnings.length > 0 && (r.status === 'posted' || r.status === 'warnings' || r.status === 'would-post')).length, failed: count(['failed', 'would-fail']), aborted: count(['aborted']) },
      stopped, calls, results,
    };
  }

  /** Records the run never reached after it stopped: left unposted, said so. */
  /** Creates the Xero contacts the candidates need and have no match for; per-contact failures fail their records. */
  private async ensureContacts(candidates: Candidate[]): Promise<Map<string, Failure>> {
    const codes = new Set<string>();
    for (const c of candidates) {
      const code = contactOf(c.rec);
      if (code !== undefined && c.rec.kind === 'document') codes.add(code);
    }
    const contacts = [...codes].map((c) => this.config.contacts.get(c)).filter((c): c is Contact => c !== undefined);
    const missing = this.target.unmatchedContacts(contacts);
    const out = new Map<string, Failure>();
    if (missing.length === 0) return out;
    for (const [code, r] of await this.target.createContacts(missing)) if (!r.ok) out.set(code, r.error);
    return out;
  }

  private planInput(c: Candidate, states: ReadonlyMap<string, RecordState>, ctx: RunContext, journalNumber: string, done: TargetIds | undefined): PlanInput {
    const rec = c.rec;
    const input: PlanInput = { record: rec, state: c.state, stateOf: (id) => stateOf(states, id), journalNumber, done };
    if (rec.event.type === 'customer_payment' || rec.event.type === 'supplier_payment') input.paidDocument = paidDocument(rec.event, ctx.byReference.get(rec.event.reference ?? '') ?? [], ctx.voided);
    if (rec.kind === 'void') {
      const own = ctx.records.filter((r) => r.kind === 'correction' && r.grouped !== true && r.event.id === rec.voids);
      input.postedCorrections = own.filter((r) => stateOf(states, r.id).status === 'posted');
      input.groupedShare = groupedShare(rec, ctx.records, own);
    }
    return input;
  }

  private dryRun(chunk: Candidate[], states: ReadonlyMap<string, RecordState>, ctx: RunContext): RecordResult[] {
    return chunk.map((c) => {
      const p = this.target.plan(this.planInput(c, states, ctx, PENDING_NUMBER, c.state.done));
      if (!p.ok) return { record: c.rec.id, status: 'would-fail', version: c.state.version, warnings: [], error: p.error };
      return { record: c.rec.id, status: 'would-post', version: c.state.version, warnings: p.plan.warnings, requests: p.plan.parts.filter((x) => !alreadyDone(x, c.state.done)).map((x) => ({ kind: x.kind, body: this.target.wire(x) })) };
    });
  }

  /** Claims what is still claimable and reserves IV.TRX numbers, under the company lock. */
  private async claim(run: string, chunk: Candidate[], plans: Map<string, PlanResult>): Promise<Map<string, { cand: Candidate; data: ClaimData }>> {
    return this.ledger.store.write(this.company, async (tx) => {
      const states = await this.states();
      let last = this.folded.journalNumber;
      const nowMs = this.now().getTime();
      const at = this.now().toISOString();
      const claimed = new Map<string, { cand: Candidate; data: ClaimData }>();
      const rows: NewSyncEntry[] = [];
      for (const c of chunk) {
        const st = stateOf(states, c.rec.id);
        const fresh = this.isCandidate(c.rec, st, new Set(), nowMs);
        if (!fresh || st.version !== c.state.version) continue; // another worker got there first
        const plan = plans.get(c.rec.id);
        const needsNumber = plan?.ok === true && takesJournalNumber(c.rec) && plan.plan.parts.some((p) => p.kind === 'journal');
        // A number reserved by an earlier attempt of this version whose journal never posted is reused, not burnt.
        const inherited = st.done?.journalId === undefined && (fresh.inDoubt || st.status === 'failed' || st.status === 'unposted') ? st.claim?.data.journalNumber : undefined;
        const data: ClaimData = { key: this.key(c.rec.id, st.version, ''), journalNumber: needsNumber ? (inherited ?? `${IVTRX}${++last}`) : undefined, done: st.done };
        claimed.set(c.rec.id, { cand: { ...fresh, state: st }, data });
        rows.push({ target: this.target.name, record: c.rec.id, version: st.version, action: 'claim', run, at, data: JSON.stringify(data) });
      }
      await tx.appendSync(rows);
      return claimed;
    });
  }

  private async runChunk(run: string, chunk: Candidate[], ctx: RunContext, contactFailures: ReadonlyMap<string, Failure>): Promise<RecordResult[]> {
    const states = await this.states();
    const firstPlans = new Map(chunk.map((c) => [c.rec.id, this.target.plan(this.planInput(c, states, ctx, PENDING_NUMBER, c.state.done))]));
    const claimed = await this.claim(run, chunk, firstPlans);
    const outcomes = new Map<string, Outcome>();
    const plans: { plan: Plan; data: ClaimData; cand: Candidate }[] = [];
    for (const { cand, data } of claimed.values()) {
      const contactFailure = contactFailures.get(contactOf(cand.rec) ?? '');
      const planned = contactFailure ? { ok: false as const, error: contactFailure } : this.target.plan(this.planInput(cand, states, ctx, data.journalNumber ?? PENDING_NUMBER, data.done));
      if (!planned.ok) outcomes.set(cand.rec.id, { done: { ...data.done }, error: planned.error, warnings: [], inDoubt: cand.inDoubt });
      else plans.push({ plan: planned.plan, data, cand });
    }
    try {
      await this.checkReposts(plans, outcomes);
      await this.recoverInDoubt(plans, outcomes);
      await this.send(plans, outcomes);
    } catch (e) {
      // The target failed outside a record's own calls (a lookup): every claimed record without
      // an outcome gets the failure, in doubt, rather than a claim left to its lease.
      if (!(e instanceof FailureError)) throw e;
      for (const { cand, data } of claimed.values()) {
        const o = outcomes.get(cand.rec.id);
        if (!o?.error) outcomes.set(cand.rec.id, { done: { ...(o?.done ?? data.done) }, warnings: [], error: e.failure, inDoubt: true });
      }
    }
    return this.store(run, [...claimed.values()], outcomes);
  }

  /** seed 000: an invoice whose earlier inventory journal still stands in the target cannot be posted again. */
  private async checkReposts(plans: { plan: Plan; data: ClaimData; cand: Candidate }[], outcomes: Map<string, Outcome>): Promise<void> {
    for (const p of plans) {
      const prev = p.cand.state.previous;
      if (prev?.journalId === undefined || p.cand.state.previousVoided || !takesJournalNumber(p.cand.rec)) continue;
      const status = await this.target.status('journal', prev.journalId);
      if (status !== 'live') continue;
      const doc = prev.documentNumber ?? p.cand.rec.event.id;
      outcomes.set(p.cand.rec.id, {
        done: {}, warnings: [], inDoubt: p.cand.inDoubt,
        error: failure('INVENTORY_JOURNAL_EXISTS', `An inventory journal already exists for invoice '${doc}' (${prev.journalNumber ?? prev.journalId}); void it to re-post this invoice.`, `Void ${prev.journalNumber ?? 'the journal'} in Xero and sync again, or run \`stockbook sync void-and-repost ${p.cand.rec.id}\` to do both.`, { record: p.cand.rec.id, journal: prev.journalNumber ?? prev.journalId }),
      });
    }
  }

  /**
   * A claim left without an outcome, or an attempt that failed in doubt: what the target already
   * holds is taken, not sent again. All the chunk's parts are looked up together (the target
   * batches them); a failing lookup fails the chunk's records, still in doubt.
   */
  private async recoverInDoubt(plans: { plan: Plan; data: ClaimData; cand: Candidate }[], outcomes: Map<string, Outcome>): Promise<void> {
    const wanted: { p: (typeof plans)[number]; part: Part }[] = [];
    for (const p of plans) {
      if (!p.cand.inDoubt || outcomes.has(p.cand.rec.id)) continue;
      p.data.done = { ...p.data.done };
      for (const part of p.plan.parts) if (!alreadyDone(part, p.data.done) && part.fills !== 'none') wanted.push({ p, part });
    }
    if (wanted.length === 0) return;
    const found = await this.target.find(wanted.map((w) => w.part));
    const recovered = new Map<(typeof plans)[number], string[]>();
    wanted.forEach(({ p, part }, i) => {
      const hit = found[i];
      if (!hit) return;
      fill(p.data.done!, part, hit.id, hit.number);
      recovered.set(p, [...(recovered.get(p) ?? []), part.fills === 'document' ? (p.data.done!.documentNumber ?? part.number) : part.number]);
    });
    for (const [p, numbers] of recovered) {
      p.plan.warnings.push({ code: 'FOUND_IN_TARGET', message: `An earlier run was interrupted after sending; the target already had ${numbers.join(' and ')}, which was recorded instead of sent again.` });
    }
  }

  private async send(plans: { plan: Plan; data: ClaimData; cand: Candidate }[], outcomes: Map<string, Outcome>): Promise<void> {
    // The variance is the plan's, whether its parts are sent now or were found in the target.
    for (const p of plans) if (!outcomes.has(p.cand.rec.id)) outcomes.set(p.cand.rec.id, { done: { ...p.data.done }, warnings: p.plan.warnings, variance: p.plan.variance, inDoubt: false });
    for (const stage of [1, 2]) {
      const byKind = new Map<PartKind, { part: Part; key: string; rec: string; plan: Plan }[]>();
      for (const p of plans) {
        const o = outcomes.get(p.cand.rec.id)!;
        if (o.error) continue;
        p.plan.parts.forEach((part, idx) => {
          if (STAGE[part.kind] !== stage || alreadyDone(part, o.done)) return;
          const list = byKind.get(part.kind) ?? [];
          list.push({ part, key: this.key(p.cand.rec.id, p.cand.state.version, `${idx}`), rec: p.cand.rec.id, plan: p.plan });
          byKind.set(part.kind, list);
        });
      }
      for (const [kind, items] of byKind) {
        const res = await this.target.send(kind, items);
        items.forEach((it, i) => this.absorb(outcomes.get(it.rec)!, it.part, res[i]!, it.plan));
      }
    }
  }

  private absorb(o: Outcome, part: Part, r: PartOutcome, plan: Plan): void {
    if (o.error) return;
    if (!r.ok) {
      o.error = r.error;
      o.stop = r.stop === true;
      // No answer (a timeout, a lost connection, retries used up): the target may have acted.
      o.inDoubt = r.error.code === 'TARGET_UNAVAILABLE';
      return;
    }
    fill(o.done, part, r.id, r.number);
    if (part.fills === 'document' && plan.expectedTotal !== undefined && r.total !== undefined && r.total !== plan.expectedTotal) {
      o.warnings.push({ code: 'TOTAL_DIFFERS', message: `Xero totals ${part.number} at ${r.total}; stockbook at ${plan.expectedTotal}.` });
    }
  }

  /** Appends each claimed record's outcome in one transaction. */
  private async store(run: string, claimed: { cand: Candidate; data: ClaimData }[], outcomes: Map<string, Outcome>): Promise<RecordResult[]> {
    const at = this.now().toISOString();
    const rows: NewSyncEntry[] = [];
    const results: RecordResult[] = [];
    for (const { cand } of claimed) {
      const o = outcomes.get(cand.rec.id)!;
      const version = cand.state.version;
      const base = { target: this.target.name, record: cand.rec.id, version, run, at };
      if (o.error) {
        const action = o.stop ? 'aborted' : 'failed';
        rows.push({ ...base, action, data: JSON.stringify({ error: o.error, done: o.done, ...(o.inDoubt ? { inDoubt: true } : {}) } satisfies FailedData) });
        results.push({ record: cand.rec.id, status: o.stop ? 'aborted' : 'failed', version, ids: o.done, warnings: [], error: o.error });
      } else {
        const posted: PostedData = { ...o.done, warnings: o.warnings, variance: o.variance };
        rows.push({ ...base, action: 'posted', data: JSON.stringify(posted) });
        results.push({ record: cand.rec.id, status: o.warnings.length > 0 ? 'warnings' : 'posted', version, ids: o.done, warnings: o.warnings });
      }
    }
    await this.ledger.store.write(this.company, (tx) => tx.appendSync(rows));
    return results;
  }
}

interface RunContext { records: SyncRecord[]; byId: Map<string, SyncRecord>; voided: ReadonlySet<string>; byReference: Map<string, SyncRecord[]> }

function indexByReference(records: readonly SyncRecord[]): Map<string, SyncRecord[]> {
  const m = new Map<string, SyncRecord[]>();
  for (const r of records) {
    if (r.kind !== 'document' || r.event.reference === undefined) continue;
    const list = m.get(r.event.reference) ?? [];
    list.push(r);
    m.set(r.event.reference, list);
  }
  return m;
}

/** What became of a claimed record in this run; `inDoubt`: the target may hold parts `done` does not name. */
interface Outcome { done: TargetIds; warnings: SyncWarning[]; error?: Failure | undefined; stop?: boolean; variance?: Record<string, string> | undefined; inDoubt: boolean }

function fill(done: TargetIds, part: Part, id: string, number: string | undefined): void {
  if (part.fills === 'document') {
    done.documentId = id;
    done.documentNumber = number ?? part.number;
    done.documentKind = part.kind;
  } else if (part.fills === 'journal') {
    done.journalId = id;
    done.journalNumber = part.number;
  }
}

function alreadyDone(part: Part, done: TargetIds | undefined): boolean {
  if (!done) return false;
  return (part.fills === 'document' && done.documentId !== undefined) || (part.fills === 'journal' && done.journalId !== undefined);
}


/** The live invoice (or bill) a payment pays: same counterparty, same reference. */
function paidDocument(ev: BookEvent, records: readonly SyncRecord[], voided: ReadonlySet<string>): SyncRecord | undefined {
  if (ev.reference === undefined) return undefined;
  const customer = ev.type === 'customer_payment';
  const who = ev.type === 'customer_payment' ? ev.customer : ev.type === 'supplier_payment' ? ev.supplier : undefined;
  return records.find((r) => {
    if (r.kind !== 'document' || voided.has(r.event.id) || r.event.reference !== ev.reference) return false;
    const e = r.event;
    if (customer) return e.type === 'sale_invoice' && e.customer === who;
    return (e.type === 'purchase_invoice' || e.type === 'expense_bill') && e.supplier === who;
  });
}

/**
 * What a voided event's share of grouped corrections comes to, negated: its reversal (minus
 * its whole current journal) plus its original and its own corrections. Grouped corrections
 * are always sent in full, so the void takes the share out. Empty when it has none.
 */
function groupedShare(voidRec: SyncRecord, records: readonly SyncRecord[], own: readonly SyncRecord[]): JournalLine[] {
  const doc = records.filter((r) => r.kind === 'document' && r.event.id === voidRec.voids);
  return difference([...voidRec.lines, ...doc.flatMap((r) => r.lines), ...own.flatMap((r) => r.lines)], []);
}

/**
 * Every candidate a stopped run did not reach, appended to `results` as aborted with the
 * failure that stopped it — one by one: spread into a push, the records of a 1M-event history
 * overflowed the stack (a dry run without a connection answered 500).
 */
export function abortRest(candidates: readonly Pick<Candidate, 'rec' | 'state'>[], results: RecordResult[], stopped: Failure): void {
  const seen = new Set(results.map((r) => r.record));
  for (const c of candidates) if (!seen.has(c.rec.id)) results.push({ record: c.rec.id, status: 'aborted', version: c.state.version, warnings: [], error: stopped });
}
