/**
 * JSON Schemas of the HTTP API: fastify validates requests with them (and serialises responses)
 * and @fastify/swagger publishes them as the OpenAPI document. Events reuse the per-type
 * schemas of src/domain/event-schema.ts, so the API accepts exactly what `stockbook post` does.
 * Money is always a decimal string.
 */
import { EVENT_SCHEMAS_BY_TYPE, EVENT_TYPES } from '../domain/event-schema.js';
import { ERROR_CODES } from '../domain/errors.js';
import { DATE_SCHEMA } from '../domain/calendar-date.js';
import { MAX_BATCH } from '../ledger/service.js';
import { ROLES } from './keys.js';
import { ID_MAX_LENGTH } from '../domain/bounds.js';

const decimal = { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$' } as const;
const money = { ...decimal, description: 'Signed decimal string in the base currency (debit positive).' } as const;
const date = DATE_SCHEMA;
const seq = { type: 'string', pattern: '^\\d+$', description: 'Append position, a decimal string.' } as const;
const str = { type: 'string' } as const;

/** One event: a discriminated union of the event types (docs/events.md). */
export const EventSchema = {
  $id: 'Event',
  title: 'Event',
  description: 'One stockbook event (docs/events.md); `type` selects its fields. Unknown fields are rejected.',
  type: 'object',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: EVENT_TYPES.map((t) => ({ title: t, ...EVENT_SCHEMAS_BY_TYPE[t] })),
} as const;

export const ProblemSchema = {
  $id: 'Problem',
  title: 'Problem',
  description: 'RFC 7807 problem details of a coded failure (docs/errors.md). Content type application/problem+json.',
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'detail', 'fix', 'record'],
  properties: {
    type: { type: 'string', description: 'https://stockbook.dev/errors/<code>' },
    title: str,
    status: { type: 'integer' },
    code: { type: 'string', enum: Object.keys(ERROR_CODES) },
    detail: { type: 'string', description: 'What went wrong, naming the record.' },
    fix: { type: 'string', description: 'How to fix it.' },
    record: { type: 'object', additionalProperties: true, description: 'The record concerned: event id, product, warehouse, field, …' },
  },
} as const;

export const JournalSchema = {
  $id: 'Journal',
  title: 'Journal',
  description: 'A journal as `stockbook post` writes it (docs/events.md#output-of-stockbook-post).',
  type: 'object',
  required: ['id', 'event', 'eventType', 'kind', 'date', 'currency', 'lines'],
  properties: {
    id: str,
    event: str,
    eventType: str,
    kind: { type: 'string', enum: ['original', 'correction', 'reversal'] },
    date,
    currency: str,
    lines: {
      type: 'array',
      items: {
        type: 'object',
        required: ['account', 'accountName', 'amount'],
        properties: { account: str, accountName: str, amount: money, product: str, warehouse: str, memo: str },
      },
    },
    cause: str,
    reverses: str,
    reference: str,
    memo: str,
    shiftedFrom: date,
    seq: { ...seq, description: 'Append position of the journal (stored journals only).' },
  },
} as const;

const failureSchema = {
  type: 'object',
  required: ['code', 'message', 'fix', 'record'],
  properties: { code: { type: 'string', enum: Object.keys(ERROR_CODES) }, message: str, fix: str, record: { type: 'object', additionalProperties: true } },
} as const;

export const PostResultSchema = {
  $id: 'PostResult',
  title: 'PostResult',
  type: 'object',
  required: ['event', 'status'],
  properties: {
    event: { type: 'string', description: 'The event id ("?" when it had none).' },
    status: { type: 'string', enum: ['ok', 'exists', 'conflict', 'error'], description: 'ok: posted now; exists: the same event was posted before (its journals then); conflict: the id was posted with other content; error: refused, nothing changed.' },
    seq: seq,
    journals: { type: 'array', items: { $ref: 'Journal#' } },
    error: failureSchema,
    refusedEarlier: {
      type: 'object',
      required: ['code', 'at'],
      description: 'Only on "ok": the same event (id and content) was refused before, with this code, and is posted now.',
      properties: { code: { type: 'string' }, at: { type: 'string', description: 'When it was first refused (ISO 8601).' } },
    },
  },
} as const;

export const SHARED_SCHEMAS = [EventSchema, ProblemSchema, JournalSchema, PostResultSchema] as const;

const problem = { description: 'A coded failure (RFC 7807 problem details).', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } } as const;
/** Problems every authenticated route may answer. */
const authProblems = { 400: problem, 401: problem, 403: problem, 404: problem, 500: problem } as const;

const nullableStr = { type: ['string', 'null'] };
const keyView = {
  type: 'object',
  required: ['id', 'name', 'role', 'createdAt', 'lastUsedAt', 'revokedAt'],
  properties: { id: str, name: str, role: str, createdAt: str, lastUsedAt: { ...nullableStr, description: 'Last request made with the key, to the minute; null if never used.' }, revokedAt: { ...nullableStr, description: 'When the key was revoked; null while it is live.' } },
};

const companyBody = {
  type: 'object',
  description: 'A company configuration as docs/config.md describes it (the file `stockbook import --config` reads). API keys are not part of it.',
  required: ['company'],
  properties: {
    company: { type: 'object', required: ['id'], properties: { id: str, name: str, baseCurrency: str } },
    settings: { type: 'object', additionalProperties: true },
    accounts: { type: 'array', items: { type: 'object', additionalProperties: true } },
    mapping: { type: 'object', additionalProperties: { type: 'string' } },
    warehouses: { type: 'array', items: { type: 'object', additionalProperties: true } },
    categories: { type: 'array', items: { type: 'object', additionalProperties: true } },
    products: { type: 'array', items: { type: 'object', additionalProperties: true } },
  },
} as const;

const companyView = {
  type: 'object',
  required: ['id', 'name', 'baseCurrency', 'settings', 'accounts', 'mapping'],
  properties: {
    id: str,
    name: str,
    baseCurrency: str,
    settings: { type: 'object', additionalProperties: true, description: 'Effective settings (defaults filled in).' },
    accounts: { type: 'array', items: { type: 'object', additionalProperties: true } },
    mapping: { type: 'object', additionalProperties: { type: 'string' } },
    warehouses: { type: 'array', items: { type: 'object', additionalProperties: true } },
    categories: { type: 'array', items: { type: 'object', additionalProperties: true } },
    products: { type: 'array', items: { type: 'object', additionalProperties: true } },
    config: { type: 'object', additionalProperties: true, description: 'The stored configuration, without API keys: what PUT /v1/company takes.' },
  },
} as const;

const tags = {
  company: ['company'],
  keys: ['keys'],
  events: ['events'],
  journals: ['journals'],
  reports: ['reports'],
} as const;

const security = [{ apiKey: [] }];

export const routes = {
  getCompany: {
    summary: 'The company of the API key: its configuration without API keys',
    tags: tags.company,
    security,
    response: { 200: companyView, ...authProblems },
  },
  putCompany: {
    summary: 'Replace the company configuration (admin); API keys are kept',
    description: 'The configuration must load (INVALID_CONFIG otherwise), keep the company id, and every stored event must still post under it.',
    tags: tags.company,
    security,
    body: companyBody,
    response: { 200: companyView, ...authProblems },
  },
  createKey: {
    summary: 'Create an API key (admin); the key is shown only in this response',
    tags: tags.keys,
    security,
    body: { type: 'object', required: ['role'], additionalProperties: false, properties: { role: { type: 'string', enum: [...ROLES] }, name: { type: 'string', minLength: 1, maxLength: 100, description: 'What the key is for, e.g. "warehouse scanner" (default: "<role> key").' } } },
    response: {
      201: { type: 'object', required: ['id', 'name', 'role', 'key', 'createdAt'], properties: { id: str, name: str, role: str, key: { type: 'string', description: 'sbk_<company>_<32 hex>; store it now, it cannot be shown again.' }, createdAt: str } },
      ...authProblems,
    },
  },
  listKeys: {
    summary: 'The API keys of the company (admin): id, name, role, created, last used (to the minute) and revoked; never the keys',
    tags: tags.keys,
    security,
    response: {
      200: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: keyView } } },
      ...authProblems,
    },
  },
  revokeKey: {
    summary: 'Revoke an API key (admin): from now on it answers 401, in every server process; revoking it again changes nothing',
    tags: tags.keys,
    security,
    params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 100, description: 'Key id (k_…), as GET /v1/keys lists it.' } } },
    response: { 200: keyView, ...authProblems },
  },
  postEvents: {
    summary: `Post one event or a batch of up to ${MAX_BATCH} (poster)`,
    description:
      'Events are posted in order, in one transaction; each gets a result. A refused event changes nothing and does not stop the others. ' +
      'Resending an event with the same content answers `exists` with its journals; other content under the same id is a `conflict`. ' +
      `200 when every event is ok or exists, 207 when any failed. A body that does not match the event schema is refused whole (INVALID_EVENT; INVALID_DATE for a date that is not a real day, naming the event and field); more than ${MAX_BATCH} events is BATCH_TOO_LARGE (413).`,
    tags: tags.events,
    security,
    body: { anyOf: [{ $ref: 'Event#' }, { type: 'array', maxItems: MAX_BATCH, items: { $ref: 'Event#' } }] },
    response: {
      200: { type: 'object', required: ['results'], properties: { results: { type: 'array', items: { $ref: 'PostResult#' } } } },
      207: { type: 'object', required: ['results'], properties: { results: { type: 'array', items: { $ref: 'PostResult#' } } } },
      413: problem,
      ...authProblems,
    },
  },
  journals: {
    summary: 'Stored journals, in append order, with paging (viewer)',
    description: 'Pass `next` from a page as `afterSeq` to get the following page; `next` is null on the last page.',
    tags: tags.journals,
    security,
    querystring: {
      type: 'object',
      additionalProperties: false,
      properties: {
        from: { ...date, description: 'First journal date (inclusive).' },
        to: { ...date, description: 'Last journal date (inclusive).' },
        account: { type: 'string', minLength: 1, maxLength: 64, description: 'Only journals with a line on this account.' },
        event: { type: 'string', minLength: 1, maxLength: ID_MAX_LENGTH, description: 'Only journals booking this event (original, corrections, reversal).' },
        afterSeq: { type: 'string', pattern: '^\\d{1,19}$', description: 'Journals after this append position (the previous page\'s `next`).' },
        limit: { type: 'integer', minimum: 1, maximum: 5000, default: 500 },
      },
    },
    response: {
      200: { type: 'object', required: ['journals', 'next'], properties: { journals: { type: 'array', items: { $ref: 'Journal#' } }, next: { type: ['string', 'null'], description: 'Cursor for the next page (the last journal\'s seq), or null.' } } },
      ...authProblems,
    },
  },
  getEvent: {
    summary: 'A stored event, its journals, and its stock moves with their current costs (viewer)',
    tags: tags.events,
    security,
    params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: ID_MAX_LENGTH } } },
    response: {
      200: {
        type: 'object',
        required: ['id', 'type', 'seq', 'event', 'journals', 'written', 'moves'],
        properties: {
          id: str,
          type: str,
          seq,
          voidedBy: { type: ['string', 'null'] },
          event: { type: 'object', additionalProperties: true, description: 'The event as accepted.' },
          journals: { type: 'array', items: { $ref: 'Journal#' }, description: 'Journals booking this event: its original, corrections and reversal.' },
          written: { type: 'array', items: { $ref: 'Journal#' }, description: 'Journals written when this event was posted (its own, and corrections of others it caused).' },
          moves: {
            type: 'array',
            description: 'The stock moves the event makes, with their current costs (after any re-costing).',
            items: { type: 'object', additionalProperties: true },
          },
        },
      },
      ...authProblems,
    },
  },
  trialBalance: {
    summary: 'Balance per account as of a date (viewer)',
    tags: tags.reports,
    security,
    querystring: { type: 'object', additionalProperties: false, properties: { asOf: { ...date, description: 'Include journals dated on or before this date.' }, format: { type: 'string', enum: ['json', 'csv'], default: 'json', description: 'csv: the rows `stockbook report trial-balance --format csv` prints.' } } },
    response: {
      200: {
        type: 'object',
        required: ['company', 'asOf', 'currency', 'accounts', 'totalDebit', 'totalCredit', 'balanced'],
        properties: {
          company: str,
          asOf: { type: ['string', 'null'] },
          currency: str,
          accounts: { type: 'array', items: { type: 'object', required: ['account', 'name', 'debit', 'credit', 'balance'], properties: { account: str, name: str, debit: str, credit: str, balance: money } } },
          totalDebit: decimal,
          totalCredit: decimal,
          balanced: { type: 'boolean' },
        },
      },
      ...authProblems,
    },
  },
} as const;

/** A report: one JSON object of decimal strings, as `stockbook report <name> --format json` prints. */
export function reportRoute(summary: string, query: Record<string, unknown>, required: string[] = []): Record<string, unknown> {
  return {
    summary,
    tags: tags.reports,
    security,
    querystring: { type: 'object', additionalProperties: false, required, properties: { ...query, format: { type: 'string', enum: ['json', 'csv'], default: 'json', description: 'json (default), or csv: the rows `stockbook report … --format csv` prints (text/csv).' } } },
    response: { 200: { description: 'The report as JSON, or as CSV with format=csv.', type: ['object', 'string'], additionalProperties: true }, ...authProblems },
  };
}

export const q = { date, str: (description: string) => ({ type: 'string', minLength: 1, maxLength: 128, description }) };
