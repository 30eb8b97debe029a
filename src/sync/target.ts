/**
 * What the sync engine needs from an accounting target. A target turns a record into *parts*
 * (the invoice, its IV.TRX inventory journal, a payment, a void…), sends parts in batches and
 * answers per element, and can find a part it may already hold (after a crash between sending
 * and storing) by its number or reference.
 */
import type { JournalLine } from '../posting/journal.js';
import type { Failure } from '../domain/errors.js';
import type { Contact } from './config.js';
import type { SyncRecord } from './records.js';
import type { RecordState, SyncWarning, TargetIds } from './state.js';

export const PART_KINDS = ['invoice', 'creditNote', 'journal', 'payment', 'bankTransaction', 'voidInvoice', 'voidCreditNote', 'voidJournal', 'deletePayment'] as const;
export type PartKind = (typeof PART_KINDS)[number];

export interface Part {
  kind: PartKind;
  /** The element exactly as the target's API takes it. */
  body: unknown;
  /** Which of the record's target ids the part's result fills. */
  fills: 'document' | 'journal' | 'none';
  /** Document number or journal narration prefix, by which the target can find the part again. */
  number: string;
  /** For void parts: the target id acted on. */
  targetId?: string | undefined;
}

export interface Plan {
  record: SyncRecord;
  parts: Part[];
  warnings: SyncWarning[];
  variance?: Record<string, string> | undefined;
  /** The total the target must show for the document (checked after posting). */
  expectedTotal?: string | undefined;
}

export type PlanResult = { ok: true; plan: Plan } | { ok: false; error: Failure };

/** A part the target already holds (in-doubt recovery). */
export interface FoundPart { id: string; number?: string | undefined }

/** Whether the target still holds a document or journal: live, voided (or deleted), or not there at all. */
export type TargetStatus = 'live' | 'voided' | 'missing';

export type PartOutcome =
  | { ok: true; id: string; number?: string | undefined; total?: string | undefined }
  /** `stop`: the whole run must stop (authentication); the record is left unposted. */
  | { ok: false; error: Failure; stop?: boolean | undefined };

export interface PlanInput {
  record: SyncRecord;
  state: RecordState;
  /** States of other records (the invoice a payment pays, the original a void cancels). */
  stateOf(record: string): RecordState;
  /** The live document record a payment pays, found by reference. */
  paidDocument?: SyncRecord | undefined;
  /** Posted correction records of an event being voided. */
  postedCorrections?: readonly SyncRecord[] | undefined;
  /** A record being voided: its share of grouped corrections, negated (src/sync/engine.ts groupedShare). */
  groupedShare?: readonly JournalLine[] | undefined;
  /** IV.TRX number reserved for this attempt (engine-allocated), or a placeholder in a dry run. */
  journalNumber: string;
  /** Parts posted by an earlier attempt of this version: not sent again. */
  done?: TargetIds | undefined;
}

export interface SyncTarget {
  readonly name: string;
  /** Reference data for a run: chart, tax rates, contacts, lock date. Throws only for run-stopping failures (as FailureError). */
  prepare(): Promise<void>;
  /** Contacts the records name that the target has no match for (by number, then exact name). */
  unmatchedContacts(contacts: readonly Contact[]): Contact[];
  /** Creates contacts; per-contact failures come back as values. */
  createContacts(contacts: readonly Contact[]): Promise<Map<string, PartOutcome>>;
  plan(input: PlanInput): PlanResult;
  /** The parts that undo a posted record in the target (void-and-repost); `cannot` names what it cannot void. */
  voids(posted: TargetIds, record: string): { parts: Part[]; cannot?: string | undefined };
  /** Sends parts of one kind in as few calls as the target allows; one outcome per part, in order. */
  send(kind: PartKind, items: readonly { part: Part; key: string }[]): Promise<PartOutcome[]>;
  /**
   * Finds the parts the target may already hold (in-doubt recovery), one answer per part in
   * order, with as few lookups as the target allows (not one per part).
   */
  find(parts: readonly Part[]): Promise<(FoundPart | undefined)[]>;
  /** Whether the document (its part kind: invoice, creditNote, payment, bankTransaction) or journal with this target id is still live (re-post checks). */
  status(kind: PartKind, id: string): Promise<TargetStatus>;
  /** The part as it goes on the wire (a dry run shows exactly this). */
  wire(part: Part): unknown;
  /** Calls made so far (for the run summary and the benchmark). */
  calls(): number;
}
