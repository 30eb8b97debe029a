/**
 * JSON Schemas of the sync routes (src/api/sync-routes.ts): requests are validated with them,
 * responses serialised with them, and /docs publishes them. Shapes are those of the sync
 * engine (src/sync/engine.ts); the CLI's `stockbook sync … --format json` prints the same.
 */
import { ERROR_CODES } from '../domain/errors.js';
import { RECORD_ID_MAX_LENGTH } from '../domain/bounds.js';
import { RECORD_TYPES } from '../sync/records.js';
import { PART_KINDS } from '../sync/target.js';
import { SYNC_PAGE_DEFAULT, SYNC_PAGE_MAX } from '../sync/engine.js';

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const problem = { description: 'A coded failure (RFC 7807 problem details).', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } } as const;
const problems = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 500: problem } as const;
const security = [{ apiKey: [] }];
const tags = ['sync'];

const recordType = { type: 'string', enum: [...RECORD_TYPES], description: 'The record type (a posting rule\'s record type).' } as const;

const failure = {
  type: 'object',
  required: ['code', 'message', 'fix', 'record'],
  properties: { code: { type: 'string', enum: Object.keys(ERROR_CODES) }, message: str, fix: str, record: { type: 'object', additionalProperties: true } },
} as const;

const warning = { type: 'object', required: ['code', 'message'], properties: { code: str, message: str } } as const;

const targetIds = {
  documentId: { type: 'string', description: 'The invoice, credit note, payment or bank transaction in the target.' },
  documentNumber: str,
  documentKind: str,
  journalId: { type: 'string', description: 'The manual journal (IV.TRX inventory journal, stock journal, correction).' },
  journalNumber: { type: 'string', description: 'E.g. IV.TRX-1.' },
} as const;

const ids = { type: 'object', additionalProperties: true, properties: targetIds } as const;

const listedRecord = {
  type: 'object',
  required: ['id', 'type', 'kind', 'eventType', 'event', 'date', 'status', 'version'],
  properties: {
    id: { type: 'string', description: 'Record id: the event id; corrections <event>/c<n>; voids the void event id.' },
    type: recordType,
    kind: { type: 'string', enum: ['document', 'correction', 'void'] },
    eventType: str,
    event: str,
    date: str,
    reference: str,
    status: { type: 'string', enum: ['unposted', 'held', 'in-progress', 'failed', 'posted', 'cancelled'] },
    version: { ...int, description: '1, then +1 at each re-post.' },
    error: { ...failure, description: 'The last failure of the current version.' },
    posted: {
      type: 'object',
      additionalProperties: true,
      description: 'What the target holds: its ids, warnings, and the per-account variance (target GL − ours, minor units as strings).',
      properties: { ...targetIds, warnings: { type: 'array', items: warning }, variance: { type: 'object', additionalProperties: { type: 'string' } } },
    },
  },
} as const;

const counts = { type: 'object', required: [...RECORD_TYPES], properties: Object.fromEntries(RECORD_TYPES.map((t) => [t, int])), description: 'Unposted records (unposted, failed, held, in progress) per type.' };

const historyRow = {
  type: 'object',
  required: ['seq', 'target', 'record', 'version', 'action', 'run', 'at', 'data'],
  properties: {
    seq: { type: 'string', pattern: '^\\d+$', description: 'Position in the sync log, a decimal string.' },
    target: str,
    record: str,
    version: int,
    action: str,
    run: { type: ['string', 'null'] },
    at: str,
    data: { description: 'The row\'s payload (target ids, failure, claim…), or null.' },
  },
} as const;

const recordResult = {
  type: 'object',
  required: ['record', 'status', 'version', 'warnings'],
  properties: {
    record: str,
    status: { type: 'string', enum: ['posted', 'warnings', 'failed', 'aborted', 'would-post', 'would-fail'], description: 'warnings: posted with warnings; would-*: a dry run.' },
    version: int,
    ids,
    warnings: { type: 'array', items: warning },
    error: failure,
    requests: { type: 'array', description: 'Dry run: the request elements exactly as they would be sent.', items: { type: 'object', required: ['kind', 'body'], properties: { kind: { type: 'string', enum: [...PART_KINDS] }, body: { type: 'object', additionalProperties: true } } } },
  },
} as const;

export const RunSummarySchema = {
  $id: 'SyncRunSummary',
  title: 'SyncRunSummary',
  type: 'object',
  required: ['run', 'company', 'target', 'type', 'dryRun', 'startedAt', 'finishedAt', 'counts', 'calls', 'results'],
  properties: {
    run: str,
    company: str,
    target: str,
    type: recordType,
    dryRun: { type: 'boolean' },
    startedAt: str,
    finishedAt: str,
    counts: { type: 'object', required: ['posted', 'warnings', 'failed', 'aborted'], properties: { posted: int, warnings: int, failed: int, aborted: int } },
    stopped: { ...failure, description: 'Set when the run stopped early (authentication): what to do.' },
    calls: { ...int, description: 'Calls made to the target.' },
    results: { type: 'array', items: recordResult },
  },
} as const;

const idParams = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: RECORD_ID_MAX_LENGTH, description: 'Record id (URL-encode the / of correction ids).' } } } as const;
const recordBody = { type: 'object', required: ['record'], properties: { record: listedRecord } } as const;

const markRoute = (summary: string): Record<string, unknown> => ({ summary, tags, security, params: idParams, response: { 200: recordBody, ...problems } });

export const syncSchemas = {
  listRecords: {
    summary: 'Sync records: unposted counts per type, then the records (viewer)',
    description: `By default the unposted records (unposted, failed, held, in progress); all=true lists posted and cancelled ones too. One page of at most \`limit\` records (default ${SYNC_PAGE_DEFAULT}, at most ${SYNC_PAGE_MAX}) in ledger order; pass \`next\` as \`after\` for the following page (\`next\` is null on the last). The counts are always the whole company's.`,
    tags, security,
    querystring: {
      type: 'object', additionalProperties: false,
      properties: {
        type: recordType, all: { type: 'boolean', default: false },
        limit: { type: 'integer', minimum: 1, maximum: SYNC_PAGE_MAX, default: SYNC_PAGE_DEFAULT, description: `Records per page (at most ${SYNC_PAGE_MAX}).` },
        after: { type: 'string', minLength: 1, maxLength: 200, description: 'The previous page\'s `next` cursor (opaque); leave it out for the first page.' },
      },
    },
    response: { 200: { type: 'object', required: ['counts', 'records', 'next'], properties: { counts, records: { type: 'array', items: listedRecord }, next: { type: ['string', 'null'], description: 'Cursor of the next page, or null on the last page.' } } }, ...problems },
  },
  getRecord: {
    summary: "A sync record's state and its sync log rows (viewer)",
    tags, security, params: idParams,
    response: { 200: { type: 'object', required: ['record', 'history'], properties: { record: listedRecord, history: { type: 'array', items: historyRow } } }, ...problems },
  },
  hold: markRoute('Hold a record: kept out of syncs until released (exporter)'),
  release: markRoute('Release a held record (exporter)'),
  repost: {
    ...markRoute('Re-post a posted record: unposted again under a new version (exporter)'),
    description: 'Refused (409 STILL_IN_TARGET, or INVENTORY_JOURNAL_EXISTS for an IV.TRX journal) while Xero still holds the posted version unvoided; use void-and-repost for both steps. Xero is asked first: 503 TARGET_UNAVAILABLE when it does not answer.',
    response: { 200: recordBody, ...problems, 502: problem, 503: problem },
  },
  voidAndRepost: {
    summary: "Void a posted record's documents in the target, then post it again (exporter)",
    tags, security, params: idParams,
    response: { 200: { $ref: 'SyncRunSummary#' }, ...problems, 422: problem, 502: problem, 503: problem },
  },
  postRun: {
    summary: 'Run a sync of one record type (exporter)',
    description:
      'Posts the unposted records of the type, each on its own: a failing record is stored with its coded failure and does not stop the others (200, see results). ' +
      'dryRun plans every record and answers the request bodies, sending and storing nothing. A run that stops before any record was tried (no token set, the target refused the connection) is a problem: ' +
      'SYNC_NOT_CONFIGURED or TARGET_AUTH (409), TARGET_UNAVAILABLE (503).',
    tags, security,
    body: { type: 'object', required: ['type'], additionalProperties: false, properties: { type: recordType, dryRun: { type: 'boolean', default: false } } },
    response: { 200: { $ref: 'SyncRunSummary#' }, ...problems, 503: problem },
  },
  listRuns: {
    summary: 'Recent sync runs, newest first (viewer)',
    tags, security,
    querystring: { type: 'object', additionalProperties: false, properties: { limit: { type: 'integer', minimum: 1, maximum: 1000, default: 20 } } },
    response: { 200: { type: 'object', required: ['runs'], properties: { runs: { type: 'array', items: { $ref: 'SyncRunSummary#' } } } }, ...problems },
  },
  putConnection: {
    summary: "Store the OAuth2 token set of the company's Xero connection (admin)",
    description: 'The token set from Xero\'s consent flow; stockbook refreshes it when needed and keeps the rotated set.',
    tags, security,
    body: {
      type: 'object', required: ['tokenSet'], additionalProperties: false,
      properties: { tokenSet: { type: 'object', required: ['access_token', 'refresh_token', 'expires_at'], additionalProperties: true, properties: { access_token: { type: 'string', minLength: 1 }, refresh_token: { type: 'string', minLength: 1 }, expires_at: { type: 'number', description: 'Unix seconds.' }, token_type: str, scope: str } } },
    },
    response: { 204: { description: 'Stored.', type: 'null' }, ...problems },
  },
} as const;
