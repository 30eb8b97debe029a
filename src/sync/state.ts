/**
 * A record's sync state is a fold of its sync log rows (append-only, like the ledger):
 *
 *   hold / release      → held flag (a held record is kept out of syncs)
 *   claim               → a worker is sending this version (in doubt if it never reported)
 *   posted              → the target has it; data holds the target's ids
 *   failed / aborted    → not posted; the run's coded failure (aborted: the run stopped first)
 *   reset               → re-post: version + 1, unposted again, the old ids kept as `previous`
 *   voided              → void-and-repost voided the previous version's documents in the target
 *
 * Pure.
 */
import type { SyncEntry } from '../store/store.js';
import type { Failure } from '../domain/errors.js';

/** A warning on a posted record (docs/sync.md#warnings). */
export interface SyncWarning {
  code: 'ROUNDING_LINE_ADDED' | 'ADJUSTMENT_LINE_ADDED' | 'TERMS_MISMATCH' | 'CONTACT_CREATED' | 'FOUND_IN_TARGET' | 'TOTAL_DIFFERS';
  message: string;
}

/** What the target holds for a posted record. */
export interface TargetIds {
  /** Invoice, credit note, payment or bank transaction. */
  documentId?: string | undefined;
  documentNumber?: string | undefined;
  documentKind?: string | undefined;
  /** The manual journal (an IV.TRX inventory journal, a stock journal, a correction). */
  journalId?: string | undefined;
  journalNumber?: string | undefined;
}

export interface PostedData extends TargetIds {
  warnings: SyncWarning[];
  /** target GL − our GL for this record, per account (rounding and adjustment lines), signed minor units as strings. */
  variance?: Record<string, string> | undefined;
}

export interface ClaimData {
  /** Idempotency key prefix of this attempt. */
  key: string;
  /** IV.TRX number reserved for the inventory journal. */
  journalNumber?: string | undefined;
  /** Parts already posted by an earlier, partly failed attempt of this version. */
  done?: TargetIds | undefined;
}

export interface FailedData {
  error: Failure;
  /** Parts of the record the target did accept before the failure (posted again never). */
  done?: TargetIds | undefined;
  /**
   * The target may hold parts of the failed attempt that `done` does not name (a call timed out
   * or lost its answer): the next attempt looks them up before sending anything.
   */
  inDoubt?: boolean | undefined;
}

export interface RecordState {
  record: string;
  version: number;
  held: boolean;
  /** Latest outcome of the current version. */
  status: 'unposted' | 'claimed' | 'posted' | 'failed';
  claim?: { run: string; at: string; data: ClaimData } | undefined;
  posted?: PostedData | undefined;
  failed?: FailedData | undefined;
  /** Parts posted by earlier attempts of this version. */
  done?: TargetIds | undefined;
  /** The target ids of the version before the last re-post. */
  previous?: PostedData | undefined;
  /** Whether void-and-repost voided `previous` in the target. */
  previousVoided: boolean;
  /** Run id of the latest outcome. */
  lastRun?: string | undefined;
  lastAt?: string | undefined;
}

function fresh(record: string): RecordState {
  return { record, version: 1, held: false, status: 'unposted', previousVoided: false };
}

function parse<T>(data: string | undefined): T {
  return JSON.parse(data ?? '{}') as T;
}

function apply(s: RecordState, e: SyncEntry): void {
  switch (e.action) {
    case 'hold': s.held = true; return;
    case 'release': s.held = false; return;
    case 'reset':
      s.previous = s.posted ?? s.previous;
      s.previousVoided = false;
      s.version = e.version;
      s.status = 'unposted';
      s.posted = s.failed = s.claim = s.done = undefined;
      return;
    case 'voided': s.previousVoided = true; return;
    default:
  }
  if (e.version !== s.version) return; // an outcome of an older version: superseded
  s.lastRun = e.run;
  s.lastAt = e.at;
  if (e.action === 'claim') {
    s.status = 'claimed';
    s.claim = { run: e.run ?? '', at: e.at, data: parse<ClaimData>(e.data) };
  } else if (e.action === 'posted') {
    s.status = 'posted';
    s.posted = parse<PostedData>(e.data);
  } else if (e.action === 'failed' || e.action === 'aborted') {
    s.status = e.action === 'failed' ? 'failed' : 'unposted';
    s.failed = e.action === 'failed' ? parse<FailedData>(e.data) : undefined;
    s.done = parse<FailedData>(e.data).done ?? s.done;
  }
}

/** Folds the log (oldest first) into one state per record that has rows. */
export function foldStates(entries: readonly SyncEntry[]): Map<string, RecordState> {
  return foldInto(new Map(), entries);
}

/**
 * Folds more rows into `states`. A changed record gets a new state object, so states handed
 * out earlier stay as they were (callers compare them with the latest).
 */
export function foldInto(states: Map<string, RecordState>, entries: readonly SyncEntry[]): Map<string, RecordState> {
  const touched = new Set<string>();
  for (const e of entries) {
    if (e.action === 'run' || e.action === 'token') continue;
    let s = states.get(e.record);
    if (!touched.has(e.record)) {
      s = s ? { ...s } : fresh(e.record);
      states.set(e.record, s);
      touched.add(e.record);
    }
    apply(s!, e);
  }
  return states;
}

/**
 * Whether the target may hold something of a record that is not posted: a claim without an
 * outcome, a failure in doubt, or parts an earlier attempt posted. Such a record is never
 * cancelled by a void; it is settled (found or sent) first, and then voided.
 */
export function mayBeInTarget(st: RecordState): boolean {
  if (st.status === 'posted') return false;
  return st.status === 'claimed' || st.failed?.inDoubt === true || (st.done !== undefined && Object.values(st.done).some((v) => v !== undefined));
}

export function stateOf(states: ReadonlyMap<string, RecordState>, record: string): RecordState {
  return states.get(record) ?? fresh(record);
}

/** Highest IV.TRX number ever reserved for the company's target (numbers are never reused). */
export function lastJournalNumber(entries: readonly SyncEntry[], prefix: string): number {
  let max = 0;
  for (const e of entries) {
    if (e.action !== 'claim' || e.data === undefined) continue;
    const n = parse<ClaimData>(e.data).journalNumber;
    if (n?.startsWith(prefix)) max = Math.max(max, Number(n.slice(prefix.length)));
  }
  return max;
}
