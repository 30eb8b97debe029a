/**
 * The Accounting API routes the sandbox serves, each named by its path in Xero's OpenAPI
 * document (so its request and response schemas are found there) and handled synchronously
 * over the Books. Auth, limits, idempotency and schema checks wrap these in server.ts.
 */
import { byCodePoint, isRecord } from '../../domain/values.js';
import type { Books, CreditNoteRecord, InvoiceRecord, ManualJournalRecord } from './books.js';
import { batchContext, notFound, ok, runBatch, validationException, type ApiResult, type BatchContext, type Prepared } from './batch.js';
import { prepareContact } from './contacts.js';
import { prepareBankTransaction, prepareCreditNote, prepareCreditNoteUpdate, prepareInvoice, prepareInvoiceUpdate } from './documents.js';
import { prepareManualJournal, prepareManualJournalUpdate } from './journals.js';
import { preparePayment, preparePaymentDelete } from './payments.js';
import { schemaHasPath } from './schema.js';
import { accountJson, bankTransactionJson, contactJson, creditNoteJson, invoiceJson, manualJournalJson, organisationJson, paymentJson, taxRateJson, type JsonObject } from './views.js';
import { compileWhere, WhereError } from './where.js';
import { compareDecimals, msOfMsDate } from './wire.js';

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

const unitdpOf = (call: Call): number => (call.query.unitdp === '4' ? 4 : 2);
const ctxOf = (call: Call): BatchContext => batchContext(call.books, call.now, unitdpOf(call));
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
  if (typeof a === 'number' && typeof b === 'number') return compareDecimals(a, b, 'order');
  const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v ?? ''));
  return byCodePoint(text(a), text(b));
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
  const unitdp = unitdpOf(call);
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

const param = (call: Call, name: string): string => call.params[name] ?? '';

/** PUT of a collection: a batch of new records. */
function put(collection: string, idField: string, prepare: (el: unknown, ctx: BatchContext) => Prepared, hasErrorsField: boolean): RouteDef {
  return {
    method: 'PUT',
    specPath: `/${collection}`,
    handle: (c) => runBatch(elementsOf(c, collection), ctxOf(c), prepare, { collection, idField, summarize: summarize(c), hasErrorsField }),
  };
}

/** GET /{collection}/{idField}: one record, or 404. */
function getOne<T>(collection: string, idField: string, find: (c: Call, key: string) => T | undefined, json: (rec: T, c: Call) => JsonObject): RouteDef {
  return {
    method: 'GET',
    specPath: `/${collection}/{${idField}}`,
    handle: (c) => {
      const rec = find(c, param(c, idField));
      return rec ? ok(c.now, collection, [json(rec, c)]) : notFound();
    },
  };
}

/** POST /{collection}/{idField}: a status change on one record (the body's first element), or 404. */
function postOne<T>(collection: string, idField: string, find: (c: Call, key: string) => T | undefined, prepare: (rec: T, el: unknown, ctx: BatchContext) => Prepared): RouteDef {
  return {
    method: 'POST',
    specPath: `/${collection}/{${idField}}`,
    handle: (c) => {
      const rec = find(c, param(c, idField));
      return rec ? single(c, collection, idField, (el, ctx) => prepare(rec, el, ctx)) : notFound();
    },
  };
}

const invoiceOf = (c: Call, key: string): InvoiceRecord | undefined => byIdOrNumber(c.books.invoices, key, (r) => r.invoiceNumber);
const creditNoteOf = (c: Call, key: string): CreditNoteRecord | undefined => byIdOrNumber(c.books.creditNotes, key, (r) => r.creditNoteNumber);
const manualJournalOf = (c: Call, key: string): ManualJournalRecord | undefined => c.books.manualJournals.get(key);

export const ROUTES: readonly RouteDef[] = [
  { method: 'GET', specPath: '/Organisation', handle: (c) => ok(c.now, 'Organisations', [organisationJson(c.books, c.tenantId)]) },
  { method: 'GET', specPath: '/Accounts', handle: (c) => list(c, 'Accounts', 'Account', [...c.books.accounts.values()].map((a) => accountJson(a, c.books))) },
  { method: 'GET', specPath: '/TaxRates', handle: (c) => list(c, 'TaxRates', 'TaxRate', [...c.books.taxRates.values()].map(taxRateJson)) },
  { method: 'GET', specPath: '/Contacts', handle: getContacts },
  getOne('Contacts', 'ContactID', (c, key) => byIdOrNumber(c.books.contacts, key, (r) => r.contactNumber ?? ''), (rec) => contactJson(rec)),
  put('Contacts', 'ContactID', prepareContact, false),
  { method: 'GET', specPath: '/Invoices', handle: getInvoices },
  put('Invoices', 'InvoiceID', prepareInvoice, true),
  getOne('Invoices', 'InvoiceID', invoiceOf, (rec, c) => invoiceJson(rec, c.books, unitdpOf(c))),
  postOne('Invoices', 'InvoiceID', invoiceOf, prepareInvoiceUpdate),
  { method: 'GET', specPath: '/CreditNotes', handle: (c) => list(c, 'CreditNotes', 'CreditNote', [...c.books.creditNotes.values()].map((r) => creditNoteJson(r, c.books, unitdpOf(c)))) },
  put('CreditNotes', 'CreditNoteID', prepareCreditNote, true),
  getOne('CreditNotes', 'CreditNoteID', creditNoteOf, (rec, c) => creditNoteJson(rec, c.books, unitdpOf(c))),
  postOne('CreditNotes', 'CreditNoteID', creditNoteOf, prepareCreditNoteUpdate),
  { method: 'GET', specPath: '/ManualJournals', handle: (c) => list(c, 'ManualJournals', 'ManualJournal', [...c.books.manualJournals.values()].map((r) => manualJournalJson(r, c.books))) },
  put('ManualJournals', 'ManualJournalID', prepareManualJournal, false),
  getOne('ManualJournals', 'ManualJournalID', manualJournalOf, (rec, c) => manualJournalJson(rec, c.books)),
  postOne('ManualJournals', 'ManualJournalID', manualJournalOf, prepareManualJournalUpdate),
  { method: 'GET', specPath: '/Payments', handle: (c) => list(c, 'Payments', 'Payment', [...c.books.payments.values()].map((p) => paymentJson(p, c.books))) },
  put('Payments', 'PaymentID', preparePayment, false),
  { method: 'POST', specPath: '/Payments', handle: (c) => runBatch([c.body], ctxOf(c), preparePayment, { collection: 'Payments', idField: 'PaymentID', summarize: true, hasErrorsField: false }) },
  getOne('Payments', 'PaymentID', (c, key) => c.books.payments.get(key), (rec, c) => paymentJson(rec, c.books)),
  {
    method: 'POST',
    specPath: '/Payments/{PaymentID}',
    handle: (c) => {
      const p = c.books.payments.get(param(c, 'PaymentID'));
      return p ? runBatch([c.body], ctxOf(c), (el, ctx) => preparePaymentDelete(p, el, ctx), { collection: 'Payments', idField: 'PaymentID', summarize: true, hasErrorsField: false }) : notFound();
    },
  },
  { method: 'GET', specPath: '/BankTransactions', handle: (c) => list(c, 'BankTransactions', 'BankTransaction', [...c.books.bankTransactions.values()].map((r) => bankTransactionJson(r, c.books, unitdpOf(c)))) },
  put('BankTransactions', 'BankTransactionID', prepareBankTransaction, false),
  getOne('BankTransactions', 'BankTransactionID', (c, key) => c.books.bankTransactions.get(key), (rec, c) => bankTransactionJson(rec, c.books, unitdpOf(c))),
];

/** A spec path as a fastify route ("/Invoices/{InvoiceID}" → "/Invoices/:InvoiceID"). */
export const fastifyPath = (specPath: string): string => specPath.replace(/\{(\w+)\}/g, ':$1');

/** The name a route goes by in stats and violations ("PUT /Invoices"). */
export const routeName = (r: Pick<RouteDef, 'method' | 'specPath'>): string => `${r.method} ${r.specPath}`;
