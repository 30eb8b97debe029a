/**
 * Xero's batch semantics for PUT/POST of a collection, and its response envelopes.
 *
 * Each element is prepared (checked, and built as a record) without touching the books; then:
 * - summarizeErrors true (the default): one bad element fails the whole request with HTTP 400
 *   (ValidationException listing the bad elements) and nothing is saved;
 * - summarizeErrors=false: HTTP 200, the good elements are saved, and every element comes back
 *   with StatusAttributeString "OK" or "ERROR" (with HasErrors and ValidationErrors).
 * Elements of one batch see each other (a second new invoice with the first's number fails;
 * two invoices for one new contact name create one contact).
 */
import { randomUUID } from 'node:crypto';
import type { Books, ContactRecord } from './books.js';
import type { JsonObject } from './views.js';
import { WireError } from './wire.js';

export interface ApiResult {
  status: number;
  body: unknown;
}

export const PROVIDER_NAME = 'stockbook Xero sandbox';
export const ZERO_GUID = '00000000-0000-0000-0000-000000000000';

/** Xero's 200 envelope: { Id, Status, ProviderName, DateTimeUTC, <Collection>: [...] }. */
export function envelope(now: number, collection: string, items: unknown[], extra: JsonObject = {}): JsonObject {
  return { Id: randomUUID(), Status: 'OK', ProviderName: PROVIDER_NAME, DateTimeUTC: `/Date(${now})/`, ...extra, [collection]: items };
}

export function ok(now: number, collection: string, items: unknown[], extra?: JsonObject): ApiResult {
  return { status: 200, body: envelope(now, collection, items, extra) };
}

export function validationException(elements: unknown[]): ApiResult {
  return { status: 400, body: { ErrorNumber: 10, Type: 'ValidationException', Message: 'A validation exception occurred', Elements: elements } };
}

export function notFound(): ApiResult {
  return { status: 404, body: { Type: null, Title: 'NotFound', Status: 404, Detail: "The resource you're looking for cannot be found" } };
}

export interface BatchContext {
  books: Books;
  /** Real epoch ms of the request (UpdatedDateUTC; "today" for defaulted dates). */
  now: number;
  /** 4 when the request has unitdp=4, else 2. */
  unitdp: number;
  /** Contacts this batch creates by name, shared by its elements. */
  newContacts: Map<string, ContactRecord>;
  /** Document numbers taken by earlier elements of this batch ("ACCREC:INV-0001"). */
  numbers: Set<string>;
  /** Amounts earlier elements of this batch will pay against a document (by its id), in cents. */
  pendingPaid: Map<string, bigint>;
}

export function batchContext(books: Books, now: number, unitdp: number): BatchContext {
  return { books, now, unitdp, newContacts: new Map(), numbers: new Set(), pendingPaid: new Map() };
}

export interface Prepared {
  errors: string[];
  /** Saves the record (and any contact it creates). Only called when errors is empty. */
  commit(): void;
  /** The saved record as the API returns it. */
  json(): JsonObject;
}

/** A prepared element that failed before a record could be built. */
export const failed = (errors: string[]): Prepared => ({
  errors,
  commit: () => {
    throw new Error('assertion: a failed element is never committed');
  },
  json: () => ({}),
});

/** Runs `fn`, turning a WireError (a value Xero would refuse) into a failed element. */
export function guarded(fn: () => Prepared): Prepared {
  try {
    return fn();
  } catch (e) {
    if (e instanceof WireError) return failed([e.message]);
    throw e;
  }
}

/** The element as sent, marked with its errors (Xero echoes what it could not save). */
function errorElement(input: unknown, idField: string, errors: string[]): JsonObject {
  const base = typeof input === 'object' && input !== null ? (input as JsonObject) : {};
  return { ...base, [idField]: ZERO_GUID, HasErrors: true, StatusAttributeString: 'ERROR', ValidationErrors: errors.map((Message) => ({ Message })) };
}

export interface BatchOptions {
  collection: string;
  idField: string;
  summarize: boolean;
  /** Whether this collection's elements carry HasErrors (invoices and credit notes do). */
  hasErrorsField: boolean;
}

export function runBatch(elements: readonly unknown[], ctx: BatchContext, prepare: (el: unknown, ctx: BatchContext) => Prepared, opts: BatchOptions): ApiResult {
  const prepared = elements.map((el) => guarded(() => prepare(el, ctx)));
  const bad = prepared.flatMap((p, i) => (p.errors.length ? [errorElement(elements[i], opts.idField, p.errors)] : []));
  if (opts.summarize && bad.length) return validationException(bad);
  const items = prepared.map((p, i) => {
    if (p.errors.length) return errorElement(elements[i], opts.idField, p.errors);
    p.commit();
    const json = p.json();
    if (opts.summarize) return json;
    return { ...json, ...(opts.hasErrorsField ? { HasErrors: false } : {}), StatusAttributeString: 'OK' };
  });
  return ok(ctx.now, opts.collection, items);
}
