/**
 * JSON Schemas of the count routes (src/api/count-routes.ts): the inventory adjustments export
 * (seed 002). Responses are those of `stockbook counts … --format json` (src/cli/counts-format.ts):
 * money as decimal strings in the company's base currency.
 */
import { MOVEMENT_KINDS } from '../cli/counts-format.js';
import { DATE_SCHEMA } from '../domain/calendar-date.js';

const str = { type: 'string' } as const;
const date = DATE_SCHEMA;
const money = { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$', description: 'A decimal string in the base currency.' } as const;
const problem = { description: 'A coded failure (RFC 7807 problem details).', content: { 'application/problem+json': { schema: { $ref: 'Problem#' } } } } as const;
const problems = { 400: problem, 401: problem, 403: problem, 404: problem, 409: problem, 500: problem } as const;
const security = [{ apiKey: [] }];
const tags = ['counts'];

const category = {
  type: 'object',
  required: ['category', 'name', 'asset', 'cogs', 'opening', 'movements', 'prior', 'current'],
  properties: {
    category: { type: ['string', 'null'], description: 'Category code; null for stocked products without a category.' },
    name: str,
    asset: { type: 'string', description: 'Inventory asset account of the category (GL account map).' },
    cogs: { type: 'string', description: 'Cost-of-goods account of the category.' },
    opening: { ...money, description: 'Valuation at the prior count (zero without one).' },
    movements: {
      type: 'object',
      required: [...MOVEMENT_KINDS],
      description: 'Value moved into (+) or out of (−) the category since the prior count, by kind; opening + movements = current.',
      properties: Object.fromEntries(MOVEMENT_KINDS.map((k) => [k, money])),
    },
    prior: { ...money, description: 'Prior ending inventory: the balance of the asset account before this export, reversed (Dr COGS, Cr asset).' },
    current: { ...money, description: "The count's valuation, posted (Dr asset, Cr COGS)." },
  },
} as const;

const entry = { type: 'object', required: ['debit', 'credit', 'amount', 'memo'], properties: { debit: str, credit: str, amount: money, memo: str } } as const;

export const CountPreviewSchema = {
  $id: 'CountPreview',
  title: 'CountPreview',
  description: 'The journal adjustment report of a count.',
  type: 'object',
  required: ['company', 'currency', 'count', 'priorCount', 'inventorySystem', 'exportedBy', 'categories', 'entries', 'totals', 'balanced'],
  properties: {
    company: str,
    currency: str,
    count: date,
    priorCount: { type: ['string', 'null'], description: 'The count before this one, or null.' },
    inventorySystem: { type: 'string', enum: ['perpetual', 'periodic'] },
    exportedBy: { type: ['string', 'null'], description: 'The live count_export event of this count, or null.' },
    categories: { type: 'array', items: category },
    entries: { type: 'array', items: entry },
    totals: { type: 'object', required: ['debit', 'credit'], properties: { debit: money, credit: money } },
    balanced: { type: 'boolean' },
  },
} as const;

export const countSchemas = {
  list: {
    summary: 'Every count with the export that exported it, and the default count to export (exporter)',
    description: 'A count is a date with a live stocktake. next is the count an export takes by default: the latest not exported (null when every count is exported).',
    tags, security,
    response: {
      200: {
        type: 'object',
        required: ['counts', 'next'],
        properties: { counts: { type: 'array', items: { type: 'object', required: ['date', 'exportedBy', 'superseded'], properties: { date, exportedBy: { type: ['string', 'null'] }, superseded: { type: 'boolean', description: 'Not exported and dated before the latest export: it cannot be exported until the later exports are voided.' } } } }, next: { type: ['string', 'null'] } },
      },
      ...problems,
    },
  },
  adjustments: {
    summary: 'The journal adjustment report of a count: what its export posts (exporter)',
    description: 'Per inventory category the prior ending inventory reversed and the count valuation posted, the entries, their totals and whether they balance. NO_COUNT (404) without a count on the date; MAPPING_MISSING (409) when a category has no GL account.',
    tags, security,
    querystring: { type: 'object', additionalProperties: false, properties: { count: { ...date, description: 'Count date (default: the latest count not exported).' } } },
    response: { 200: { $ref: 'CountPreview#' }, ...problems },
  },
  export: {
    summary: "Export a count: post its adjustment journal, a count_export event dated at the count (exporter)",
    description: 'A count is exported once: ALREADY_EXPORTED (409) until its export is voided (POST /v1/events with a void). NO_COUNT (404), MAPPING_MISSING (409).',
    tags, security,
    body: { type: 'object', additionalProperties: false, properties: { count: { ...date, description: 'Count date (default: the latest count not exported).' } } },
    response: {
      201: { type: 'object', required: ['event', 'preview', 'journals'], properties: { event: { type: 'string', description: 'The count_export event: CX-<date>, CX-<date>-<n> after voided exports.' }, preview: { $ref: 'CountPreview#' }, journals: { type: 'array', items: { $ref: 'Journal#' } } } },
      ...problems,
      422: problem,
    },
  },
} as const;
