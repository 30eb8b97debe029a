/**
 * The Accounting API routes the sandbox serves, each named by its path in Xero's OpenAPI
 * document (so its request and response schemas are found there) and handled synchronously
 * over the Books. Auth, limits, idempotency and schema checks wrap these in server.ts.
 */
import { isRecord } from '../../domain/values.js';
import type { Books } from './books.js';
import { batchContext, notFound, ok, runBatch, validationException, type ApiResult, type BatchContext, type Prepared } from './batch.js';
import { prepareContact } from './contacts.js';
import { prepareBankTransaction, prepareCreditNote, prepareCreditNoteUpdate, prepareInvoice, prepareInvoiceUpdate } from './documents.js';
import { prepareManualJournal, prepareManualJournalUpdate } from './journals.js';
import { preparePayment, preparePaymentDelete } from './payments.js';
import { schemaHasPath } from './schema.js';
import { accountJson, bankTransactionJson, contactJson, creditNoteJson, invoiceJson, manualJournalJson, organisationJson, paymentJson, taxRateJson, type JsonObject } from './views.js';
import { compileWhere, WhereError } from './where.js';
import { msOfMsDate, unitsOfText } from './wire.js';

export interface Call {
  params: Record<string, string>;
  query: Record<string, string | undefined>;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
  books: Books;
  tenantId: string;
  /** Real epoch ms of the request. */
  now: number;
}

export interface RouteDef {
  method: 'GET' | 'PUT' | 'POST';
  /** The path in Xero's OpenAPI document, e.g. /Invoices/{InvoiceID}. */
  specPath: string;
  handle(call: Call): ApiResult;
}

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

const queryParseError = (message: string): ApiResult => ({ status: 400, body: { ErrorNumber: 16, Type: 'QueryParseException', Message: message } });

const ctxOf = (call: Call): BatchContext => batchContext(call.books, call.now, call.query.unitdp === '4' ? 4 : 2);
const summarize = (call: Call): boolean => call.query.summarizeErrors?.toLowerCase() !== 'false';
const csv = (v: string | undefined): Set<string> | undefined => (v ? new Set(v.split(',').map((s) => s.trim().replace(/^"|"$/g, ''))) : undefined);

function elementsOf(call: Call, collection: string): unknown[] {
  const list = isRecord(call.body) ? call.body[collection] : undefined;
  return Array.isArray(list) ? list : [];
}

/** Sorts by an `order` clause ("InvoiceNumber DESC"); field paths as in `where`. */
function sortBy(items: JsonObject[], order: string): JsonObject[] {
  const m = /^\s*([A-Za-z][A-Za-z0-9.]*)\s*(ASC|DESC)?\s*$/i.exec(order);
  if (!m?.[1]) throw new WhereError(`Cannot order by "${order}"`);
  const path = m[1].split('.');
  const dir = m[2]?.toUpperCase() === 'DESC' ? -1 : 1;
  const value = (o: JsonObject): unknown => path.reduce<unknown>((x, k) => (isRecord(x) ? x[k] : undefined), o);
  return [...items].sort((a, b) => dir * compareValues(value(a), value(b)));
}

/** Numbers compare exactly as decimals (10 after 9), everything else as text. */
function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') {
    const x = unitsOfText(String(a), 10, 'order');
    const y = unitsOfText(String(b), 10, 'order');
    return x < y ? -1 : x > y ? 1 : 0;
  }
  const x = typeof a === 'string' ? a : JSON.stringify(a ?? '');
  const y = typeof b === 'string' ? b : JSON.stringify(b ?? '');
  return x < y ? -1 : x > y ? 1 : 0;
}

/** GET of a collection: where, If-Modified-Since, order and paging, as Xero applies them. */
function list(call: Call, collection: string, schemaName: string, items: JsonObject[]): ApiResult {
  let out = items;
  try {
    if (call.query.where) {
      const pred = compileWhere(call.query.where, (p) => schemaHasPath(schemaName, p));
      out = out.filter(pred);
    }
    if (call.query.order) out = sortBy(out, call.query.order);
  } catch (e) {
    if (e instanceof WhereError) return queryParseError(e.message);
    throw e;
  }
  const since = call.headers['if-modified-since'];
  const sinceMs = typeof since === 'string' ? Date.parse(since) : NaN;
  if (Number.isFinite(sinceMs)) out = out.filter((o) => (typeof o.UpdatedDateUTC === 'string' ? (msOfMsDate(o.UpdatedDateUTC) ?? 0) : 0) > sinceMs);
  if (call.query.page === undefined) return ok(call.now, collection, out);
  const page = Math.max(1, Number.parseInt(call.query.page, 10) || 1);
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Number.parseInt(call.query.pageSize ?? '', 10) || DEFAULT_PAGE_SIZE));
  const slice = out.slice((page - 1) * pageSize, page * pageSize);
  const pagination = { page, pageSize, pageCount: Math.ceil(out.length / pageSize), itemCount: out.length };
  return ok(call.now, collection, slice, { pagination });
}

/** A single POST on an existing record: the first element of the body's collection. */
function single(call: Call, collection: string, idField: string, prepare: (el: unknown, ctx: BatchContext) => Prepared): ApiResult {
  const el = elementsOf(call, collection)[0];
  if (el === undefined) return validationException([{ ValidationErrors: [{ Message: `No ${collection} were provided in the request.` }] }]);
  return runBatch([el], ctxOf(call), prepare, { collection, idField, summarize: true, hasErrorsField: collection !== 'ManualJournals' });
}

function byIdOrNumber<T>(records: Map<string, T>, key: string, numberOf: (r: T) => string): T | undefined {
  return records.get(key) ?? [...records.values()].find((r) => numberOf(r) === key);
}

const inSet = (set: Set<string> | undefined, v: string | undefined): boolean => !set || (v !== undefined && set.has(v));

function getInvoices(call: Call): ApiResult {
  const ids = csv(call.query.IDs);
  const numbers = csv(call.query.InvoiceNumbers);
  const contacts = csv(call.query.ContactIDs);
  const statuses = csv(call.query.Statuses);
  const unitdp = call.query.unitdp === '4' ? 4 : 2;
  const items = [...call.books.invoices.values()]
    .filter((i) => inSet(ids, i.invoiceId) && inSet(numbers, i.invoiceNumber) && inSet(contacts, i.contactId) && inSet(statuses, i.status))
    .map((i) => invoiceJson(i, call.books, unitdp));
  return list(call, 'Invoices', 'Invoice', items);
}

function getContacts(call: Call): ApiResult {
  const ids = csv(call.query.IDs);
  const archived = call.query.includeArchived === 'true';
  const items = [...call.books.contacts.values()].filter((c) => inSet(ids, c.contactId) && (archived || c.status === 'ACTIVE')).map(contactJson);
  return list(call, 'Contacts', 'Contact', items);
}

const unitdpOf = (call: Call): number => (call.query.unitdp === '4' ? 4 : 2);
const param = (call: Call, name: string): string => call.params[name] ?? '';

export const ROUTES: readonly RouteDef[] = [
  { method: 'GET', specPath: '/Organisation', handle: (c) => ok(c.now, 'Organisations', [organisationJson(c.books, c.tenantId)]) },
  { method: 'GET', specPath: '/Accounts', handle: (c) => list(c, 'Accounts', 'Account', [...c.books.accounts.values()].map((a) => accountJson(a, c.books))) },
  { method: 'GET', specPath: '/TaxRates', handle: (c) => list(c, 'TaxRates', 'TaxRate', [...c.books.taxRates.values()].map(taxRateJson)) },
  { method: 'GET', specPath: '/Contacts', handle: getContacts },
  {
    method: 'GET',
    specPath: '/Contacts/{ContactID}',
    handle: (c) => {
      const rec = byIdOrNumber(c.books.contacts, param(c, 'ContactID'), (r) => r.contactNumber ?? '');
      return rec ? ok(c.now, 'Contacts', [contactJson(rec)]) : notFound();
    },
  },
  { method: 'PUT', specPath: '/Contacts', handle: (c) => runBatch(elementsOf(c, 'Contacts'), ctxOf(c), prepareContact, { collection: 'Contacts', idField: 'ContactID', summarize: summarize(c), hasErrorsField: false }) },
  { method: 'GET', specPath: '/Invoices', handle: getInvoices },
  { method: 'PUT', specPath: '/Invoices', handle: (c) => runBatch(elementsOf(c, 'Invoices'), ctxOf(c), prepareInvoice, { collection: 'Invoices', idField: 'InvoiceID', summarize: summarize(c), hasErrorsField: true }) },
  {
    method: 'GET',
    specPath: '/Invoices/{InvoiceID}',
    handle: (c) => {
      const inv = byIdOrNumber(c.books.invoices, param(c, 'InvoiceID'), (r) => r.invoiceNumber);
      return inv ? ok(c.now, 'Invoices', [invoiceJson(inv, c.books, unitdpOf(c))]) : notFound();
    },
  },
  {
    method: 'POST',
    specPath: '/Invoices/{InvoiceID}',
    handle: (c) => {
      const inv = byIdOrNumber(c.books.invoices, param(c, 'InvoiceID'), (r) => r.invoiceNumber);
      return inv ? single(c, 'Invoices', 'InvoiceID', (el, ctx) => prepareInvoiceUpdate(inv, el, ctx)) : notFound();
    },
  },
  { method: 'GET', specPath: '/CreditNotes', handle: (c) => list(c, 'CreditNotes', 'CreditNote', [...c.books.creditNotes.values()].map((r) => creditNoteJson(r, c.books, unitdpOf(c)))) },
  { method: 'PUT', specPath: '/CreditNotes', handle: (c) => runBatch(elementsOf(c, 'CreditNotes'), ctxOf(c), prepareCreditNote, { collection: 'CreditNotes', idField: 'CreditNoteID', summarize: summarize(c), hasErrorsField: true }) },
  {
    method: 'GET',
    specPath: '/CreditNotes/{CreditNoteID}',
    handle: (c) => {
      const cn = byIdOrNumber(c.books.creditNotes, param(c, 'CreditNoteID'), (r) => r.creditNoteNumber);
      return cn ? ok(c.now, 'CreditNotes', [creditNoteJson(cn, c.books, unitdpOf(c))]) : notFound();
    },
  },
  {
    method: 'POST',
    specPath: '/CreditNotes/{CreditNoteID}',
    handle: (c) => {
      const cn = byIdOrNumber(c.books.creditNotes, param(c, 'CreditNoteID'), (r) => r.creditNoteNumber);
      return cn ? single(c, 'CreditNotes', 'CreditNoteID', (el, ctx) => prepareCreditNoteUpdate(cn, el, ctx)) : notFound();
    },
  },
  { method: 'GET', specPath: '/ManualJournals', handle: (c) => list(c, 'ManualJournals', 'ManualJournal', [...c.books.manualJournals.values()].map((r) => manualJournalJson(r, c.books))) },
  { method: 'PUT', specPath: '/ManualJournals', handle: (c) => runBatch(elementsOf(c, 'ManualJournals'), ctxOf(c), prepareManualJournal, { collection: 'ManualJournals', idField: 'ManualJournalID', summarize: summarize(c), hasErrorsField: false }) },
  {
    method: 'GET',
    specPath: '/ManualJournals/{ManualJournalID}',
    handle: (c) => {
      const mj = c.books.manualJournals.get(param(c, 'ManualJournalID'));
      return mj ? ok(c.now, 'ManualJournals', [manualJournalJson(mj, c.books)]) : notFound();
    },
  },
  {
    method: 'POST',
    specPath: '/ManualJournals/{ManualJournalID}',
    handle: (c) => {
      const mj = c.books.manualJournals.get(param(c, 'ManualJournalID'));
      return mj ? single(c, 'ManualJournals', 'ManualJournalID', (el, ctx) => prepareManualJournalUpdate(mj, el, ctx)) : notFound();
    },
  },
  { method: 'GET', specPath: '/Payments', handle: (c) => list(c, 'Payments', 'Payment', [...c.books.payments.values()].map((p) => paymentJson(p, c.books))) },
  { method: 'PUT', specPath: '/Payments', handle: (c) => runBatch(elementsOf(c, 'Payments'), ctxOf(c), preparePayment, { collection: 'Payments', idField: 'PaymentID', summarize: summarize(c), hasErrorsField: false }) },
  { method: 'POST', specPath: '/Payments', handle: (c) => runBatch([c.body], ctxOf(c), preparePayment, { collection: 'Payments', idField: 'PaymentID', summarize: true, hasErrorsField: false }) },
  {
    method: 'GET',
    specPath: '/Payments/{PaymentID}',
    handle: (c) => {
      const p = c.books.payments.get(param(c, 'PaymentID'));
      return p ? ok(c.now, 'Payments', [paymentJson(p, c.books)]) : notFound();
    },
  },
  {
    method: 'POST',
    specPath: '/Payments/{PaymentID}',
    handle: (c) => {
      const p = c.books.payments.get(param(c, 'PaymentID'));
      return p ? runBatch([c.body], ctxOf(c), (el, ctx) => preparePaymentDelete(p, el, ctx), { collection: 'Payments', idField: 'PaymentID', summarize: true, hasErrorsField: false }) : notFound();
    },
  },
  { method: 'GET', specPath: '/BankTransactions', handle: (c) => list(c, 'BankTransactions', 'BankTransaction', [...c.books.bankTransactions.values()].map((r) => bankTransactionJson(r, c.books, unitdpOf(c)))) },
  { method: 'PUT', specPath: '/BankTransactions', handle: (c) => runBatch(elementsOf(c, 'BankTransactions'), ctxOf(c), prepareBankTransaction, { collection: 'BankTransactions', idField: 'BankTransactionID', summarize: summarize(c), hasErrorsField: false }) },
  {
    method: 'GET',
    specPath: '/BankTransactions/{BankTransactionID}',
    handle: (c) => {
      const bt = c.books.bankTransactions.get(param(c, 'BankTransactionID'));
      return bt ? ok(c.now, 'BankTransactions', [bankTransactionJson(bt, c.books, unitdpOf(c))]) : notFound();
    },
  },
];

/** A spec path as a fastify route ("/Invoices/{InvoiceID}" → "/Invoices/:InvoiceID"). */
export const fastifyPath = (specPath: string): string => specPath.replace(/\{(\w+)\}/g, ':$1');

/** The name a route goes by in stats and violations ("PUT /Invoices"). */
export const routeName = (r: Pick<RouteDef, 'method' | 'specPath'>): string => `${r.method} ${r.specPath}`;
