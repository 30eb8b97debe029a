/**
 * Payments against AUTHORISED invoices and credit notes (PUT /Payments, POST /Payments), and
 * deleting one (POST /Payments/{id} with Status DELETED), which puts the amount back.
 *
 * A payment goes to a BANK account (or one with EnablePaymentsToAccount), is dated outside the
 * locked period, and is at most the amount still due; it lowers AmountDue, raises AmountPaid,
 * and the document becomes PAID when nothing is left due.
 */
import { randomUUID } from 'node:crypto';
import { isRecord } from '../../domain/values.js';
import type { Books, CreditNoteRecord, InvoiceRecord, PaymentRecord } from './books.js';
import { failed, type BatchContext, type Prepared } from './batch.js';
import { paymentJson } from './views.js';
import { fromWire, MONEY_DP, parseWireDate, str } from './wire.js';

type Target = { kind: 'invoice'; doc: InvoiceRecord } | { kind: 'credit'; doc: CreditNoteRecord };

function findInvoice(books: Books, raw: Record<string, unknown>): InvoiceRecord | undefined {
  const id = str(raw.InvoiceID);
  if (id !== undefined) return books.invoices.get(id);
  const n = str(raw.InvoiceNumber);
  return n === undefined ? undefined : [...books.invoices.values()].find((i) => i.invoiceNumber === n && i.status !== 'DELETED');
}

function findCreditNote(books: Books, raw: Record<string, unknown>): CreditNoteRecord | undefined {
  const id = str(raw.CreditNoteID);
  if (id !== undefined) return books.creditNotes.get(id);
  const n = str(raw.CreditNoteNumber);
  return n === undefined ? undefined : [...books.creditNotes.values()].find((c) => c.creditNoteNumber === n && c.status !== 'DELETED');
}

function targetOf(input: Record<string, unknown>, books: Books, errors: string[]): Target | undefined {
  if (isRecord(input.Invoice)) {
    const doc = findInvoice(books, input.Invoice);
    if (!doc) errors.push('An existing invoice with the specified ID could not be found');
    return doc && { kind: 'invoice', doc };
  }
  if (isRecord(input.CreditNote)) {
    const doc = findCreditNote(books, input.CreditNote);
    if (!doc) errors.push('An existing credit note with the specified ID could not be found');
    return doc && { kind: 'credit', doc };
  }
  errors.push('A payment must be applied to an Invoice or a CreditNote.');
  return undefined;
}

function accountOf(raw: unknown, books: Books, errors: string[]): string | undefined {
  const r = isRecord(raw) ? raw : {};
  const code = str(r.Code);
  const id = str(r.AccountID);
  const account = books.accountOf(code, id);
  if (!account) errors.push('A valid Account must be specified for the payment (Code or AccountID).');
  else if (account.type !== 'BANK' && !account.enablePaymentsToAccount) {
    errors.push(`Account code '${account.code}' cannot take payments: use a BANK account or one with "Enable payments to this account".`);
  }
  return account?.code;
}

const due = (t: Target): bigint => (t.kind === 'invoice' ? t.doc.amountDue : t.doc.remainingCredit);
const docId = (t: Target): string => (t.kind === 'invoice' ? t.doc.invoiceId : t.doc.creditNoteId);

function paymentType(t: Target): PaymentRecord['paymentType'] {
  if (t.kind === 'invoice') return t.doc.type === 'ACCREC' ? 'ACCRECPAYMENT' : 'ACCPAYPAYMENT';
  return t.doc.type === 'ACCRECCREDIT' ? 'ARCREDITPAYMENT' : 'APCREDITPAYMENT';
}

/** Moves `amount` (negative to undo) from due to paid on the document, and its status with it. */
function apply(t: Target, amount: bigint, date: string, paymentId: string | undefined, now: number): void {
  const doc = t.doc;
  if (t.kind === 'invoice') {
    t.doc.amountDue -= amount;
    t.doc.amountPaid += amount;
  } else {
    t.doc.remainingCredit -= amount;
  }
  if (paymentId) doc.paymentIds.push(paymentId);
  const left = due(t);
  doc.status = left === 0n ? 'PAID' : 'AUTHORISED';
  doc.fullyPaidOnDate = left === 0n ? date : undefined;
  doc.updatedMs = now;
}

/** One element of PUT /Payments (or the body of POST /Payments). */
export function preparePayment(el: unknown, ctx: BatchContext): Prepared {
  const input = isRecord(el) ? el : {};
  const errors: string[] = [];
  const target = targetOf(input, ctx.books, errors);
  const accountCode = accountOf(input.Account, ctx.books, errors);
  const date = parseWireDate(input.Date, 'Date');
  if (date === undefined) errors.push('The payment Date must be specified.');
  const amount = fromWire(input.Amount ?? 0, MONEY_DP, 'Amount');
  if (amount <= 0n) errors.push('The payment Amount must be greater than zero.');
  if (target && target.doc.status !== 'AUTHORISED') errors.push('Payments can only be made against Authorised documents.');
  const pending = target ? (ctx.pendingPaid.get(docId(target)) ?? 0n) : 0n;
  if (target && target.doc.status === 'AUTHORISED' && amount > due(target) - pending) errors.push('Payment amount exceeds the amount outstanding on this document.');
  const lock = ctx.books.lockViolation(date);
  if (lock) errors.push(lock);
  if (errors.length || !target || !accountCode || !date) return failed(errors);
  ctx.pendingPaid.set(docId(target), pending + amount);
  const rec: PaymentRecord = {
    paymentId: randomUUID(), date, amount, accountCode, reference: str(input.Reference),
    invoiceId: target.kind === 'invoice' ? target.doc.invoiceId : undefined,
    creditNoteId: target.kind === 'credit' ? target.doc.creditNoteId : undefined,
    paymentType: paymentType(target), status: 'AUTHORISED', updatedMs: ctx.now,
  };
  return {
    errors,
    commit: () => {
      ctx.books.payments.set(rec.paymentId, rec);
      apply(target, amount, date, rec.paymentId, ctx.now);
    },
    json: () => paymentJson(rec, ctx.books),
  };
}

/** POST /Payments/{PaymentID} with Status DELETED: the amount goes back to the document. */
export function preparePaymentDelete(p: PaymentRecord, el: unknown, ctx: BatchContext): Prepared {
  const input = isRecord(el) ? el : {};
  if (input.Status !== 'DELETED') return failed(['Only Status DELETED can be set on an existing payment.']);
  if (p.status === 'DELETED') return failed(['Payment not of valid status for modification']);
  const lock = ctx.books.lockViolation(p.date);
  if (lock) return failed([lock]);
  const inv = p.invoiceId ? ctx.books.invoices.get(p.invoiceId) : undefined;
  const cn = p.creditNoteId ? ctx.books.creditNotes.get(p.creditNoteId) : undefined;
  const target: Target | undefined = inv ? { kind: 'invoice', doc: inv } : cn ? { kind: 'credit', doc: cn } : undefined;
  if (!target) throw new Error(`assertion: payment ${p.paymentId} has its document`);
  return {
    errors: [],
    commit: () => {
      p.status = 'DELETED';
      p.updatedMs = ctx.now;
      apply(target, -p.amount, p.date, undefined, ctx.now);
    },
    json: () => paymentJson(p, ctx.books),
  };
}
