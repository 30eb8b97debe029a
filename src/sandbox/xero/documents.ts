/**
 * Invoices (ACCREC/ACCPAY), credit notes (ACCRECCREDIT/ACCPAYCREDIT) and bank transactions
 * (RECEIVE/SPEND): creation with Xero's checks, and the status changes we use (void, delete,
 * approve) on existing invoices and credit notes.
 */
import { randomUUID } from 'node:crypto';
import { isRecord } from '../../domain/values.js';
import type { BankTransactionRecord, ContactRecord, CreditNoteRecord, DocStatus, DocumentRecord, InvoiceRecord, LinesDoc, Terms } from './books.js';
import { failed, type BatchContext, type Prepared } from './batch.js';
import { resolveContact, saveContact } from './contacts.js';
import { buildLines, lineAmountTypeOf } from './lines.js';
import { bankTransactionJson, creditNoteJson, invoiceJson } from './views.js';
import { addDays, dayOfMonth, endOfMonth, parseWireDate, str, today } from './wire.js';

const CREATE_STATUSES: readonly DocStatus[] = ['DRAFT', 'SUBMITTED', 'AUTHORISED'];

export function dueFromTerms(date: string, t: Terms): string {
  switch (t.type) {
    case 'DAYSAFTERBILLDATE':
      return addDays(date, t.day);
    case 'DAYSAFTERBILLMONTH':
      return addDays(endOfMonth(date), t.day);
    case 'OFCURRENTMONTH':
      return dayOfMonth(date, t.day, 0);
    case 'OFFOLLOWINGMONTH':
      return dayOfMonth(date, t.day, 1);
  }
}

/** Next free auto-number ("INV-0001"), skipping numbers already taken. */
function autoNumber(ctx: BatchContext, prefix: string, taken: (n: string) => boolean): string {
  let seq = ctx.books.sequences.get(prefix) ?? 0;
  let n: string;
  do {
    seq++;
    n = `${prefix}-${String(seq).padStart(4, '0')}`;
  } while (taken(n));
  ctx.books.sequences.set(prefix, seq);
  return n;
}

/** What invoices and credit notes share: contact, dates, status, currency and lines. */
interface Header extends LinesDoc {
  contact?: ContactRecord;
  date: string;
  dueDate?: string;
  status: DocStatus;
  currencyCode: string;
  reference?: string;
}

function header(input: Record<string, unknown>, ctx: BatchContext, sales: boolean, errors: string[]): Header {
  const status = (str(input.Status) ?? 'DRAFT') as DocStatus;
  if (!CREATE_STATUSES.includes(status)) errors.push(`Status ${status} cannot be used when creating a document; use DRAFT, SUBMITTED or AUTHORISED.`);
  const contact = resolveContact(input.Contact, ctx, errors);
  const date = parseWireDate(input.Date, 'Date');
  if (date === undefined) errors.push('The Date field must be specified.');
  const terms = sales ? contact?.sales : contact?.bills;
  const dueDate = parseWireDate(input.DueDate, 'DueDate') ?? (date && terms ? dueFromTerms(date, terms) : undefined);
  if (dueDate === undefined && status !== 'DRAFT') errors.push('The document DueDate field must be specified.');
  const lock = ctx.books.lockViolation(date);
  if (lock) errors.push(lock);
  const base = ctx.books.organisation.baseCurrency;
  const currencyCode = str(input.CurrencyCode) ?? base;
  if (currencyCode !== base) errors.push(`Organisation is not subscribed to currency ${currencyCode}`);
  const lines = buildLines(input.LineItems, lineAmountTypeOf(input.LineAmountTypes), ctx, { approving: status !== 'DRAFT' }, errors);
  if (status !== 'DRAFT' && lines.lines.length === 0) errors.push('A document must have at least one line item to be approved.');
  if (lines.total < 0n) errors.push('The document total cannot be negative.');
  return { contact, date: date ?? '', dueDate, status, currencyCode, reference: str(input.Reference), ...lines };
}

/** A contact becomes a customer (or supplier) with its first sales (or purchase) document. */
function markContact(c: ContactRecord, sales: boolean, now: number): void {
  if (sales ? c.isCustomer : c.isSupplier) return;
  if (sales) c.isCustomer = true;
  else c.isSupplier = true;
  c.updatedMs = now;
}

/** Whether a sales number is used by an earlier element of this batch or by a saved document of `type` that is not DELETED. */
function numberTaken<D extends DocumentRecord & { type: string }>(ctx: BatchContext, type: D['type'], saved: Iterable<D>, numberOf: (d: D) => string, n: string): boolean {
  if (ctx.numbers.has(`${type}:${n}`)) return true;
  for (const d of saved) if (d.type === type && d.status !== 'DELETED' && numberOf(d) === n) return true;
  return false;
}

const invoiceNumberTaken = (ctx: BatchContext, n: string): boolean => numberTaken(ctx, 'ACCREC', ctx.books.invoices.values(), (i) => i.invoiceNumber, n);

/** One element of PUT /Invoices. */
export function prepareInvoice(el: unknown, ctx: BatchContext): Prepared {
  const input = isRecord(el) ? el : {};
  const errors: string[] = [];
  const type = input.Type;
  if (type !== 'ACCREC' && type !== 'ACCPAY') return failed(['Invoice Type must be ACCREC (a sales invoice) or ACCPAY (a bill).']);
  const h = header(input, ctx, type === 'ACCREC', errors);
  const given = str(input.InvoiceNumber);
  if (type === 'ACCREC' && given !== undefined && invoiceNumberTaken(ctx, given)) errors.push('Invoice # must be unique.');
  if (errors.length || !h.contact) return failed(errors);
  const number = given ?? (type === 'ACCREC' ? autoNumber(ctx, 'INV', (n) => invoiceNumberTaken(ctx, n)) : '');
  if (type === 'ACCREC') ctx.numbers.add(`ACCREC:${number}`);
  const contact = h.contact;
  const rec: InvoiceRecord = {
    invoiceId: randomUUID(), type, invoiceNumber: number, reference: h.reference, contactId: contact.contactId,
    date: h.date, dueDate: h.dueDate, status: h.status, currencyCode: h.currencyCode,
    lineAmountTypes: h.lineAmountTypes, lines: h.lines, subTotal: h.subTotal, totalTax: h.totalTax, total: h.total,
    amountPaid: 0n, amountDue: h.total, amountCredited: 0n, paymentIds: [], updatedMs: ctx.now,
  };
  return {
    errors,
    commit: () => {
      saveContact(ctx, contact);
      markContact(contact, type === 'ACCREC', ctx.now);
      ctx.books.invoices.set(rec.invoiceId, rec);
    },
    json: () => invoiceJson(rec, ctx.books, ctx.unitdp),
  };
}

const creditNumberTaken = (ctx: BatchContext, n: string): boolean => numberTaken(ctx, 'ACCRECCREDIT', ctx.books.creditNotes.values(), (c) => c.creditNoteNumber, n);

/** One element of PUT /CreditNotes. */
export function prepareCreditNote(el: unknown, ctx: BatchContext): Prepared {
  const input = isRecord(el) ? el : {};
  const errors: string[] = [];
  const type = input.Type;
  if (type !== 'ACCRECCREDIT' && type !== 'ACCPAYCREDIT') return failed(['Credit note Type must be ACCRECCREDIT or ACCPAYCREDIT.']);
  const sales = type === 'ACCRECCREDIT';
  const h = header({ ...input, DueDate: input.DueDate ?? input.Date }, ctx, sales, errors);
  const given = str(input.CreditNoteNumber);
  if (sales && given !== undefined && creditNumberTaken(ctx, given)) errors.push('Credit Note # must be unique.');
  if (errors.length || !h.contact) return failed(errors);
  const number = given ?? (sales ? autoNumber(ctx, 'CN', (n) => creditNumberTaken(ctx, n)) : '');
  if (sales) ctx.numbers.add(`ACCRECCREDIT:${number}`);
  const contact = h.contact;
  const rec: CreditNoteRecord = {
    creditNoteId: randomUUID(), type, creditNoteNumber: number, reference: h.reference, contactId: contact.contactId,
    date: h.date, dueDate: h.dueDate, status: h.status, currencyCode: h.currencyCode,
    lineAmountTypes: h.lineAmountTypes, lines: h.lines, subTotal: h.subTotal, totalTax: h.totalTax, total: h.total,
    remainingCredit: h.total, paymentIds: [], updatedMs: ctx.now,
  };
  return {
    errors,
    commit: () => {
      saveContact(ctx, contact);
      markContact(contact, sales, ctx.now);
      ctx.books.creditNotes.set(rec.creditNoteId, rec);
    },
    json: () => creditNoteJson(rec, ctx.books, ctx.unitdp),
  };
}

/** Fields an update may carry besides the status change (anything else is refused). */
const STATUS_ONLY_FIELDS = new Set(['InvoiceID', 'InvoiceNumber', 'CreditNoteID', 'CreditNoteNumber', 'Type', 'Status']);

interface StatusTarget {
  /** "Invoice" or "Credit Note", as Xero names it in messages. */
  noun: string;
  status: DocStatus;
  date: string;
  paid: bigint;
  touch(status: DocStatus, now: number): void;
}

/** Why a status change on an existing invoice or credit note is refused, if it is. */
function statusChangeErrors(input: Record<string, unknown>, doc: StatusTarget, ctx: BatchContext): string[] {
  const extra = Object.keys(input).filter((k) => input[k] !== undefined && !STATUS_ONLY_FIELDS.has(k));
  if (extra.length) return [`The sandbox only changes the Status of an existing document; it does not update ${extra.join(', ')}.`];
  const to = str(input.Status);
  const allowed: Record<string, readonly DocStatus[]> = { VOIDED: ['AUTHORISED'], DELETED: ['DRAFT', 'SUBMITTED'], AUTHORISED: ['DRAFT', 'SUBMITTED'], SUBMITTED: ['DRAFT'] };
  const lock = ctx.books.lockViolation(doc.date);
  if (lock) return [lock];
  const errors: string[] = [];
  if (to === undefined || !(allowed[to] ?? []).includes(doc.status)) errors.push(`${doc.noun} not of valid status for modification`);
  if (doc.paid > 0n) errors.push('This document cannot be edited as it has a payment or credit note allocated to it.');
  return errors;
}

function statusChange(input: Record<string, unknown>, doc: StatusTarget, ctx: BatchContext, json: () => Record<string, unknown>): Prepared {
  const errors = statusChangeErrors(input, doc, ctx);
  if (errors.length) return failed(errors);
  return { errors, commit: () => doc.touch(str(input.Status) as DocStatus, ctx.now), json };
}

/** A new status on an invoice; a voided or deleted one has nothing left due. */
export function setInvoiceStatus(inv: InvoiceRecord, status: DocStatus, now: number): void {
  inv.status = status;
  if (status === 'VOIDED' || status === 'DELETED') inv.amountDue = 0n;
  inv.updatedMs = now;
}

/** A new status on a credit note; a voided or deleted one has no credit left. */
function setCreditNoteStatus(cn: CreditNoteRecord, status: DocStatus, now: number): void {
  cn.status = status;
  if (status === 'VOIDED' || status === 'DELETED') cn.remainingCredit = 0n;
  cn.updatedMs = now;
}

/** POST /Invoices/{InvoiceID} with a new Status (void, delete, approve). */
export function prepareInvoiceUpdate(inv: InvoiceRecord, el: unknown, ctx: BatchContext): Prepared {
  const input = isRecord(el) ? el : {};
  const target: StatusTarget = {
    noun: 'Invoice',
    status: inv.status,
    date: inv.date,
    paid: inv.amountPaid,
    touch: (status, now) => setInvoiceStatus(inv, status, now),
  };
  return statusChange(input, target, ctx, () => invoiceJson(inv, ctx.books, ctx.unitdp));
}

/** POST /CreditNotes/{CreditNoteID} with a new Status. */
export function prepareCreditNoteUpdate(cn: CreditNoteRecord, el: unknown, ctx: BatchContext): Prepared {
  const input = isRecord(el) ? el : {};
  const target: StatusTarget = {
    noun: 'Credit Note',
    status: cn.status,
    date: cn.date,
    paid: cn.total - cn.remainingCredit,
    touch: (status, now) => setCreditNoteStatus(cn, status, now),
  };
  return statusChange(input, target, ctx, () => creditNoteJson(cn, ctx.books, ctx.unitdp));
}

/** The bank account a bank transaction names (by Code or AccountID); must be of type BANK. */
function bankAccountOf(raw: unknown, ctx: BatchContext, errors: string[]): string | undefined {
  const r = isRecord(raw) ? raw : {};
  const code = str(r.Code);
  const id = str(r.AccountID);
  const account = ctx.books.accountOf(code, id);
  if (!account) errors.push('A valid BankAccount must be specified (Code or AccountID).');
  else if (account.type !== 'BANK') errors.push(`Account code '${account.code}' is not a bank account.`);
  return account?.code;
}

/** One element of PUT /BankTransactions (spend or receive money). */
export function prepareBankTransaction(el: unknown, ctx: BatchContext): Prepared {
  const input = isRecord(el) ? el : {};
  const errors: string[] = [];
  const type = input.Type;
  if (type !== 'RECEIVE' && type !== 'SPEND') return failed(['The sandbox supports bank transactions of Type RECEIVE and SPEND.']);
  const contact = resolveContact(input.Contact, ctx, errors);
  const bankAccountCode = bankAccountOf(input.BankAccount, ctx, errors);
  const date = parseWireDate(input.Date, 'Date') ?? today(ctx.now);
  const lock = ctx.books.lockViolation(date);
  if (lock) errors.push(lock);
  const lines = buildLines(input.LineItems, lineAmountTypeOf(input.LineAmountTypes), ctx, { approving: true }, errors);
  if (lines.lines.length === 0) errors.push('A bank transaction must have at least one line item.');
  if (errors.length || !contact || !bankAccountCode) return failed(errors);
  const rec: BankTransactionRecord = {
    bankTransactionId: randomUUID(), type, contactId: contact.contactId, bankAccountCode, date, reference: str(input.Reference),
    status: 'AUTHORISED', currencyCode: ctx.books.organisation.baseCurrency, updatedMs: ctx.now, ...lines,
  };
  return {
    errors,
    commit: () => {
      saveContact(ctx, contact);
      ctx.books.bankTransactions.set(rec.bankTransactionId, rec);
    },
    json: () => bankTransactionJson(rec, ctx.books, ctx.unitdp),
  };
}
