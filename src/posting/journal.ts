/**
 * Journals. A rule states each posting as the seeds do, a (debit account, credit account,
 * amount) entry; the journal stores it as two signed lines (debit positive, credit negative,
 * as Xero's LineAmount), so every journal balances by construction. A negative entry amount
 * is a reversal in place, exactly as seed 004 prints "$-10".
 */
import { assert } from '../domain/errors.js';

export interface JournalLine {
  account: string;
  /** Signed minor units of the journal currency: debit > 0, credit < 0. */
  amount: bigint;
  memo?: string | undefined;
  product?: string | undefined;
  warehouse?: string | undefined;
}

export interface Journal {
  id: string;
  /** The event this journal books (for a correction: the event whose amounts changed). */
  event: string;
  eventType: string;
  kind: 'original' | 'correction' | 'reversal';
  date: string;
  currency: string;
  lines: JournalLine[];
  /** correction: the event whose arrival or void changed these costs. */
  cause?: string | undefined;
  /** reversal: the event whose journals it reverses. */
  reverses?: string | undefined;
  reference?: string | undefined;
  /** The event's memo, carried to the journal's narration. */
  memo?: string | undefined;
  /** When the period lock moved the journal to the first open date: the date it belongs to. */
  shiftedFrom?: string | undefined;
}

export interface EntryDetail { memo?: string | undefined; product?: string | undefined; warehouse?: string | undefined }

export class JournalBuilder {
  readonly lines: JournalLine[] = [];

  /** Dr `debit`, Cr `credit` for `amount`; zero amounts are skipped (nothing to book). */
  entry(debit: string, credit: string, amount: bigint, detail: EntryDetail = {}): this {
    if (amount === 0n) return this;
    this.lines.push(line(debit, amount, detail), line(credit, -amount, detail));
    return this;
  }

  /** A free-form line (manual journals); the caller must keep the journal balanced. */
  line(account: string, amount: bigint, detail: EntryDetail = {}): this {
    if (amount !== 0n) this.lines.push(line(account, amount, detail));
    return this;
  }
}

/** Builds a line with only the details that are set (no spreads: this is the hot path). */
function line(account: string, amount: bigint, d: EntryDetail): JournalLine {
  // Every line has the same shape (absent details are undefined) so hot loops stay monomorphic.
  return { account, amount, memo: d.memo, product: d.product, warehouse: d.warehouse };
}

/** How exports describe a journal: its event, which journal of it (unless the original), and the event's memo. */
export function narration(j: Journal): string {
  const what = `${j.eventType} ${j.event}${j.kind === 'original' ? '' : ` (${j.kind} ${j.id})`}`;
  return j.memo === undefined ? what : `${what} | ${j.memo}`;
}

export function isBalanced(lines: readonly JournalLine[]): boolean {
  let sum = 0n;
  for (const l of lines) sum += l.amount;
  return sum === 0n;
}

export function assertBalanced(j: Journal): void {
  assert(isBalanced(j.lines), `journal ${j.id} balances`);
}

/** `after − before` per (account, product, warehouse): the lines of a correcting journal. */
export function difference(after: readonly JournalLine[], before: readonly JournalLine[]): JournalLine[] {
  const net = new Map<string, JournalLine>();
  const add = (l: JournalLine, sign: bigint): void => {
    const k = `${l.account}\u0000${l.product ?? ''}\u0000${l.warehouse ?? ''}`;
    const cur = net.get(k);
    if (cur) cur.amount += sign * l.amount;
    else net.set(k, { account: l.account, amount: sign * l.amount, product: l.product, warehouse: l.warehouse });
  };
  after.forEach((l) => add(l, 1n));
  before.forEach((l) => add(l, -1n));
  return [...net.values()].filter((l) => l.amount !== 0n).map(stripUndefined);
}

export function negate(lines: readonly JournalLine[]): JournalLine[] {
  return lines.map((l) => stripUndefined({ ...l, amount: -l.amount }));
}

function stripUndefined(l: JournalLine): JournalLine {
  return line(l.account, l.amount, l);
}
