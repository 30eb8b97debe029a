/**
 * Manual journals: PUT /ManualJournals and voiding (POST /ManualJournals/{id}).
 *
 * Xero's rules that matter to a sub-ledger: a narration; at least two lines; every line on a
 * known, non-bank account; debits (positive LineAmount) equal credits (negative), counting
 * tax when LineAmountTypes is Exclusive; nothing dated in the locked period. Status defaults to
 * DRAFT; a POSTED journal can be VOIDED, a DRAFT one DELETED.
 */
import { randomUUID } from 'node:crypto';
import { isRecord } from '../../domain/values.js';
import type { JournalLineRecord, LineAmountType, ManualJournalRecord } from './books.js';
import { failed, type BatchContext, type Prepared } from './batch.js';
import { lineAmountTypeOf, lineTax, taxTypeOf } from './lines.js';
import { manualJournalJson } from './views.js';
import { fromWire, MONEY_DP, moneyText, optionalFromWire, parseWireDate, str, today } from './wire.js';

function journalLine(raw: unknown, lat: LineAmountType, ctx: BatchContext, errors: string[]): JournalLineRecord | undefined {
  if (!isRecord(raw)) {
    errors.push('A journal line must be an object.');
    return undefined;
  }
  const code = str(raw.AccountCode);
  const id = str(raw.AccountID);
  const account = ctx.books.accountOf(code, id);
  if (!account) {
    errors.push(code === undefined && id === undefined ? 'Account code or ID must be specified.' : `Account code '${code ?? id}' does not match a recognised account.`);
    return undefined;
  }
  if (account.type === 'BANK') errors.push(`Account code '${account.code}' is a bank account; bank accounts cannot be used in manual journals.`);
  const lineAmount = fromWire(raw.LineAmount ?? 0, MONEY_DP, 'LineAmount');
  const { taxType, rate } = taxTypeOf(raw, account, lat, ctx, errors);
  const taxAmount = lat === 'NoTax' ? 0n : (optionalFromWire(raw.TaxAmount, MONEY_DP, 'TaxAmount') ?? lineTax(lineAmount, rate, lat));
  return { lineAmount, accountCode: account.code, description: str(raw.Description), taxType, taxAmount };
}

/** Debits and credits as Xero's message shows them: "The total debits (100.00) must equal total credits (-10.00)". */
function balanceError(lines: readonly JournalLineRecord[], lat: LineAmountType): string | undefined {
  let debits = 0n;
  let credits = 0n;
  for (const l of lines) {
    // Exclusive amounts exclude tax, so the tax posts on top of the line; otherwise it is inside.
    const gross = lat === 'Exclusive' ? l.lineAmount + l.taxAmount : l.lineAmount;
    if (gross >= 0n) debits += gross;
    else credits += gross;
  }
  return debits + credits === 0n ? undefined : `The total debits (${moneyText(debits)}) must equal total credits (${moneyText(credits)})`;
}

/** One element of PUT /ManualJournals. */
export function prepareManualJournal(el: unknown, ctx: BatchContext): Prepared {
  const input = isRecord(el) ? el : {};
  const errors: string[] = [];
  const narration = str(input.Narration);
  if (narration === undefined) errors.push('Narration cannot be empty.');
  const status = str(input.Status) ?? 'DRAFT';
  if (status !== 'DRAFT' && status !== 'POSTED') errors.push(`Status ${status} cannot be used when creating a manual journal; use DRAFT or POSTED.`);
  const lat = lineAmountTypeOf(input.LineAmountTypes, 'NoTax');
  const raw = Array.isArray(input.JournalLines) ? input.JournalLines : [];
  if (raw.length < 2) errors.push('A manual journal must have at least two journal lines.');
  const lines = raw.flatMap((l) => journalLine(l, lat, ctx, errors) ?? []);
  const unbalanced = errors.length ? undefined : balanceError(lines, lat);
  if (unbalanced) errors.push(unbalanced);
  const date = parseWireDate(input.Date, 'Date') ?? today(ctx.now);
  const lock = ctx.books.lockViolation(date);
  if (lock) errors.push(lock);
  if (errors.length) return failed(errors);
  const rec: ManualJournalRecord = {
    manualJournalId: randomUUID(), narration: narration ?? '', date, status: status as 'DRAFT' | 'POSTED', lineAmountTypes: lat, lines,
    showOnCashBasisReports: input.ShowOnCashBasisReports !== false, url: str(input.Url), updatedMs: ctx.now,
  };
  return { errors, commit: () => ctx.books.manualJournals.set(rec.manualJournalId, rec), json: () => manualJournalJson(rec, ctx.books) };
}

const UPDATE_FIELDS = new Set(['ManualJournalID', 'Status']);

/**
 * POST /ManualJournals/{id}: VOIDED for a POSTED journal, DELETED or POSTED for a DRAFT.
 * Xero's schema requires Narration on every journal in a body, so a status change repeats it;
 * the same narration is accepted, a different one is an edit the sandbox does not do.
 */
export function prepareManualJournalUpdate(mj: ManualJournalRecord, el: unknown, ctx: BatchContext): Prepared {
  const input = isRecord(el) ? el : {};
  const edits = (k: string): boolean => input[k] !== undefined && !UPDATE_FIELDS.has(k) && !(k === 'Narration' && input[k] === mj.narration);
  const extra = Object.keys(input).filter(edits);
  if (extra.length) return failed([`The sandbox only changes the Status of an existing manual journal; it does not update ${extra.join(', ')}.`]);
  const to = str(input.Status);
  const allowed: Record<string, string> = { VOIDED: 'POSTED', DELETED: 'DRAFT', POSTED: 'DRAFT' };
  const lock = ctx.books.lockViolation(mj.date);
  if (lock) return failed([lock]);
  if (to === undefined || allowed[to] !== mj.status) return failed([`A ${mj.status} manual journal cannot be changed to ${to ?? 'no status'}.`]);
  return {
    errors: [],
    commit: () => {
      mj.status = to as ManualJournalRecord['status'];
      mj.updatedMs = ctx.now;
    },
    json: () => manualJournalJson(mj, ctx.books),
  };
}
