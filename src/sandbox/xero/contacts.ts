/**
 * Contacts: PUT /Contacts, and the Contact element of documents, which Xero resolves by
 * ContactID (must exist), then ContactNumber, then exact Name (creating a new contact with that
 * name when none matches). Names are unique among active contacts.
 */
import { randomUUID } from 'node:crypto';
import { isRecord } from '../../domain/values.js';
import type { ContactRecord, Terms, TermsType } from './books.js';
import { type BatchContext, type Prepared } from './batch.js';
import { contactJson } from './views.js';
import { str } from './wire.js';

const TERMS_TYPES: readonly TermsType[] = ['DAYSAFTERBILLDATE', 'DAYSAFTERBILLMONTH', 'OFCURRENTMONTH', 'OFFOLLOWINGMONTH'];

export const duplicateNameMessage = (name: string): string =>
  `The contact name ${name} is already assigned to another contact. The contact name must be unique across all active contacts.`;

function termsOf(v: unknown, errors: string[]): Terms | undefined {
  if (!isRecord(v) || v.Day === undefined) return undefined;
  const type = v.Type ?? 'DAYSAFTERBILLDATE';
  if (typeof v.Day !== 'number' || !Number.isInteger(v.Day) || v.Day < 0) errors.push('Payment terms Day must be a whole number of days.');
  else if (!TERMS_TYPES.includes(type as TermsType)) errors.push(`Payment terms Type ${String(type)} is not valid.`);
  else return { day: v.Day, type: type as TermsType };
  return undefined;
}

/** Whether an active contact (saved, or new in this batch) already has this name. */
const nameTaken = (ctx: BatchContext, name: string): boolean => ctx.books.contactByName(name) !== undefined || ctx.newContacts.has(name);

/** Saves a contact created by this batch (once, however many elements share it). */
export function saveContact(ctx: BatchContext, c: ContactRecord): void {
  if (!ctx.books.contacts.has(c.contactId)) ctx.books.contacts.set(c.contactId, c);
}

function newContact(ctx: BatchContext, name: string, el: Record<string, unknown>, errors: string[]): ContactRecord {
  const terms = isRecord(el.PaymentTerms) ? el.PaymentTerms : {};
  return {
    contactId: randomUUID(),
    name,
    contactNumber: str(el.ContactNumber),
    accountNumber: str(el.AccountNumber),
    emailAddress: str(el.EmailAddress),
    firstName: str(el.FirstName),
    lastName: str(el.LastName),
    status: 'ACTIVE',
    sales: termsOf(terms.Sales, errors),
    bills: termsOf(terms.Bills, errors),
    isCustomer: false,
    isSupplier: false,
    updatedMs: ctx.now,
  };
}

/** One element of PUT /Contacts. */
export function prepareContact(el: unknown, ctx: BatchContext): Prepared {
  const input = isRecord(el) ? el : {};
  const name = str(input.Name)?.trim();
  const errors: string[] = [];
  if (name === undefined) errors.push('The contact name must be specified.');
  else if (nameTaken(ctx, name)) errors.push(duplicateNameMessage(name));
  const rec = newContact(ctx, name ?? '', input, errors);
  if (!errors.length) ctx.newContacts.set(rec.name, rec);
  return { errors, commit: () => saveContact(ctx, rec), json: () => contactJson(rec) };
}

/**
 * The contact a document names, or undefined with a message in `errors`. A contact created by
 * name here is only saved when the document is (see saveContact).
 */
export function resolveContact(raw: unknown, ctx: BatchContext, errors: string[]): ContactRecord | undefined {
  if (!isRecord(raw)) {
    errors.push('Contact cannot be empty.');
    return undefined;
  }
  const id = str(raw.ContactID);
  if (id !== undefined) {
    const c = ctx.books.contacts.get(id);
    if (!c) errors.push(`The contact with ContactID ${id} could not be found.`);
    return c;
  }
  const number = str(raw.ContactNumber);
  const byNumber = number === undefined ? undefined : ctx.books.contactByNumber(number);
  if (byNumber) return byNumber;
  const name = str(raw.Name)?.trim();
  if (name === undefined) {
    errors.push('Contact cannot be empty.');
    return undefined;
  }
  const existing = ctx.books.contactByName(name) ?? ctx.newContacts.get(name);
  if (existing) return existing;
  const created = newContact(ctx, name, raw, errors);
  ctx.newContacts.set(name, created);
  return created;
}
