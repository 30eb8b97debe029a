/**
 * The HTTP API: a fastify server over a LedgerStore, for many companies at once.
 *
 * - Every /v1 route needs `Authorization: Bearer sbk_<company>_<hex>`; the key names its
 *   company, and only that company's data is ever read or written with it. Keys are checked
 *   against the SHA-256 hashes kept in the store's api_keys table on every request, so a
 *   revoked key answers 401 at once, in every process (src/api/keys.ts).
 * - Roles: viewer reads; poster also posts events; exporter reads and exports; admin does
 *   everything (configuration, keys).
 * - Requests and responses are declared as JSON Schemas: fastify validates input with them and
 *   @fastify/swagger publishes the OpenAPI document (/docs, /docs/json).
 * - Every failure is an RFC 7807 problem with a code from docs/errors.md.
 * - One CompanyLedger per company per process, opened on first use. Writes bring it up to the
 *   store under the company's lock (a configuration changed through another process governs
 *   them); reads first catch it up on what other processes wrote (CompanyLedger.refresh).
 */
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, type FastifyServerOptions } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { loadConfig, type Company } from '../domain/config.js';
import { failure, type Failure } from '../domain/errors.js';
import { parseEvent } from '../domain/events.js';
import { DATE_FORMAT, dateSchemaFailure, isDateSchemaError, rangeFailure, type CalendarDate } from '../domain/calendar-date.js';
import { formatDecimal, formatQty, UNIT_COST_SCALE } from '../domain/decimal.js';
import { formatMoney } from '../domain/money.js';
import { Book } from '../book/book.js';
import { movedQty, type Move, type MoveResult } from '../posting/types.js';
import { CompanyLedger, MAX_BATCH, POST_SLICE, putCompany, type PostOutcome } from '../ledger/service.js';
import { ConfigCache } from '../ledger/config-cache.js';
import { eventPages } from '../store/pages.js';
import type { CompanyRecord, LedgerStore, StoredJournal } from '../store/store.js';
import { csv } from '../reports/csv.js';
import { trialBalance, trialBalanceJson, trialBalanceRows } from '../reports/trial-balance.js';
import { journalJson } from '../cli/format.js';
import { valuation, valuationJson, valuationRows, VALUATION_GROUPS, type ValuationBy } from '../reports/valuation.js';
import { stockLedger, stockLedgerJson, stockLedgerRows } from '../reports/stock-ledger.js';
import { glDetail, glDetailJson, glDetailRows, GL_PAGE_DEFAULT, GL_PAGE_MAX } from '../reports/gl-detail.js';
import { grossProfit, grossProfitJson, grossProfitRows, GROSS_PROFIT_GROUPS, type GrossProfitBy } from '../reports/gross-profit.js';
import { reconciliation, reconciliationJson, reconciliationRows } from '../reports/reconciliation.js';
import { drill, drillJson, drillRows } from '../reports/drill.js';
import { companyOfKey, createKey, isRole, keyJson, keyNameProblem, markUsed, PERMISSIONS, rolesWith, storedKey, withoutKeys, type ApiRole, type Permission } from './keys.js';
import { problem, problemOf, ProblemError, PROBLEM_CONTENT_TYPE } from './problems.js';
import { reportRoute, routes, SHARED_SCHEMAS, q } from './schemas.js';
import { registerSyncRoutes } from './sync-routes.js';
import { registerCountRoutes } from './count-routes.js';
import { registerWebRoutes } from './web-routes.js';
import { freshLedger } from './ledgers.js';
import { authOf } from './request.js';
import { clientErrorHandler, frameworkErrors } from './framework-errors.js';
import { PATH_PARAM_MAX_CHARS, RECORD_ID_MAX_LENGTH } from '../domain/bounds.js';
import { findTextFlaw, invalidText } from '../domain/text.js';
import { configFieldsFailure } from '../domain/config-fields.js';

export const API_VERSION = '0.1.0';
/** Largest POST /v1/events body, in bytes (10,000 events of a few hundred bytes fit easily). */
export const EVENTS_BODY_LIMIT = 64 * 1024 * 1024;
/** Largest PUT /v1/company body, in bytes (some 50,000 short product entries); larger configurations load through the CLI. */
export const CONFIG_BODY_LIMIT = 4 * 1024 * 1024;

export interface Auth {
  company: string;
  role: ApiRole;
  keyId: string;
  record: CompanyRecord;
  co: Company;
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: Auth | null;
  }
  interface FastifyContextConfig {
    /** What the route needs; routes without one are public (the OpenAPI document). */
    permission?: Permission;
  }
}

export interface ServerOptions {
  store: LedgerStore;
  /** fastify's logger (pino): false (default) or true / pino options. */
  logger?: FastifyServerOptions['logger'];
  /** Ledgers already open over this store (e.g. by `serve --demo`): used instead of opening them again. */
  ledgers?: readonly CompanyLedger[] | undefined;
  /** Parsed configurations by version (default: a cache of this server's own). */
  configs?: ConfigCache | undefined;
}

/** The part of a request a validation error is about (the document its JSON pointer points into). */
function partOf(req: FastifyRequest, context: string | undefined): unknown {
  switch (context) {
    case 'body': return req.body;
    case 'params': return req.params;
    case 'headers': return req.headers;
    default: return req.query;
  }
}

const isFailure = (x: unknown): x is Failure => typeof x === 'object' && x !== null && 'code' in x && 'fix' in x && 'record' in x;


const money = (co: Company, v: bigint): string => formatMoney(v, co.baseCurrency);

/** A costed stock move: bigint fields as decimal strings (money in the base currency, quantities trimmed). */
function moveJson(co: Company, m: Move, r: MoveResult | undefined, index: number): Record<string, unknown> {
  const out: Record<string, unknown> = { index, kind: m.kind, product: m.product, warehouse: m.warehouse, qty: formatQty(movedQty(m)) };
  const put = (k: string, v: unknown): void => {
    if (v !== undefined) out[k] = v;
  };
  switch (m.kind) {
    case 'in':
      put('lot', m.lot);
      put('expiry', m.expiry);
      put('value', m.value === undefined ? undefined : money(co, m.value));
      put('valuation', m.valuation);
      put('source', m.source);
      put('piecesFrom', m.piecesFrom);
      break;
    case 'out':
      put('lot', m.lot);
      put('lineCost', m.lineCost === undefined ? undefined : formatDecimal(m.lineCost, UNIT_COST_SCALE));
      break;
    case 'count':
      put('valuation', m.valuation);
      break;
    case 'revalue':
      put('amount', money(co, m.amount));
      put('source', m.source);
      put('received', formatQty(m.received));
      break;
  }
  out['result'] =
    r === undefined
      ? null
      : {
          qty: formatQty(r.qty),
          value: money(co, r.value),
          variance: money(co, r.variance),
          trueUp: money(co, r.trueUp),
          toCogs: money(co, r.toCogs),
          shortQty: formatQty(r.shortQty),
          takes: (r.takes ?? []).map((t) => ({ source: t.source, ...(t.lot === undefined ? {} : { lot: t.lot }), ...(t.expiry === undefined ? {} : { expiry: t.expiry }), qty: formatQty(t.qty), value: money(co, t.value) })),
        };
  return out;
}

function storedJournalJson(j: StoredJournal, co: Company): Record<string, unknown> {
  return { ...journalJson(j, co), seq: j.seq.toString() };
}

function resultJson(o: PostOutcome, co: Company): Record<string, unknown> {
  if (o.status === 'ok' || o.status === 'exists') {
    const earlier = o.status === 'ok' && o.refusedEarlier !== undefined ? { refusedEarlier: { code: o.refusedEarlier.code, at: o.refusedEarlier.at } } : {};
    return { event: o.event, status: o.status, seq: o.seq.toString(), journals: o.journals.map((j) => journalJson(j, co)), ...earlier };
  }
  return { event: o.event, status: o.status, error: { code: o.error.code, message: o.error.message, fix: o.error.fix, record: o.error.record } };
}

/** `{"results":[…]}` in slices of POST_SLICE results, yielding to other requests between them. */
async function* resultsJson(outcomes: readonly PostOutcome[], co: Company): AsyncGenerator<string> {
  yield '{"results":[';
  for (let i = 0; i < outcomes.length; i += POST_SLICE) {
    if (i > 0) await nextTurn();
    yield (i > 0 ? ',' : '') + outcomes.slice(i, i + POST_SLICE).map((o) => JSON.stringify(resultJson(o, co))).join(',');
  }
  yield ']}';
}

function dropUndefined(o: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** The company as GET /v1/company shows it: the stored configuration without API keys, and its effective settings. */
function companyView(rec: CompanyRecord, co: Company): Record<string, unknown> {
  const config = withoutKeys(rec.config);
  return {
    id: co.id,
    name: co.name,
    baseCurrency: co.baseCurrency,
    settings: dropUndefined(co.settings),
    accounts: Array.isArray(config['accounts']) ? config['accounts'] : [],
    mapping: typeof config['mapping'] === 'object' && config['mapping'] !== null ? config['mapping'] : {},
    warehouses: Array.isArray(config['warehouses']) ? config['warehouses'] : [],
    categories: Array.isArray(config['categories']) ? config['categories'] : [],
    products: Array.isArray(config['products']) ? config['products'] : [],
    config,
  };
}

const UNAUTHORIZED_FIX = 'Send "Authorization: Bearer <key>" with a key of the company (sbk_<company>_<32 hex digits>). A lost key cannot be shown again: have an admin create a new one.';

export async function buildServer(opts: ServerOptions): Promise<FastifyInstance> {
  const { store } = opts;
  const app = Fastify({
    logger: opts.logger ?? false,
    // Every id a route takes in its path fits, even percent-encoded (docs/design.md, "Bounds").
    routerOptions: { maxParamLength: PATH_PARAM_MAX_CHARS },
    frameworkErrors,
    clientErrorHandler,
  });
  app.decorateRequest('auth', null);
  // JSON only: a text/plain body is 415, not a string to validate.
  app.removeContentTypeParser('text/plain');

  // Bodies are validated as sent: no type coercion (a JSON number is not money), nothing
  // removed, no defaults. Query strings and path parameters are text, so they are coerced.
  // `format: "date"` is a real calendar day (src/domain/calendar-date.ts); a refused one is INVALID_DATE.
  const formats = { date: DATE_FORMAT };
  const bodyAjv = new Ajv2020({ strict: false, allErrors: false, discriminator: true, coerceTypes: false, useDefaults: false, removeAdditional: false, formats });
  const paramAjv = new Ajv2020({ strict: false, allErrors: false, coerceTypes: true, useDefaults: true, removeAdditional: false, formats });
  for (const s of SHARED_SCHEMAS) {
    app.addSchema(s);
    bodyAjv.addSchema(s);
    paramAjv.addSchema(s);
  }
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodyAjv : paramAjv).compile(schema));
  const validEvent = bodyAjv.getSchema('Event')!;

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'stockbook API',
        version: API_VERSION,
        description:
          'The stockbook inventory sub-ledger over HTTP: post events, read journals, events and reports. ' +
          'Authenticate with `Authorization: Bearer sbk_<company>_<32 hex>`; a key opens its own company only. ' +
          'Money is always a decimal string. Failures are RFC 7807 problems (`application/problem+json`) with a code from docs/errors.md.',
      },
      components: { securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'An API key: sbk_<company>_<32 hex digits>.' } } },
      tags: [
        { name: 'company', description: 'The company of the API key' },
        { name: 'keys', description: 'API keys (admin)' },
        { name: 'events', description: 'Posting and reading events' },
        { name: 'journals', description: 'Stored journals' },
        { name: 'reports', description: 'Reports over the ledger' },
        { name: 'sync', description: 'Unposted records, holds, sync runs and their results (accounting target: Xero)' },
        { name: 'counts', description: 'Inventory adjustments export of counts: the journal adjustment report and the export (exporter)' },
      ],
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json['$id'] === 'string' ? json['$id'] : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  // ---- companies' ledgers, one per company per process ------------------------------------

  const ledgers = new Map<string, Promise<CompanyLedger>>((opts.ledgers ?? []).map((l) => [l.id, Promise.resolve(l)]));
  const configs = opts.configs ?? new ConfigCache(store);
  const ledgerOf = (company: string): Promise<CompanyLedger> => {
    let p = ledgers.get(company);
    if (p === undefined) {
      p = CompanyLedger.open(store, company).then((l) => {
        if (isFailure(l)) throw new ProblemError(l);
        return l;
      });
      ledgers.set(company, p);
      p.catch(() => {
        if (ledgers.get(company) === p) ledgers.delete(company);
      });
    }
    return p;
  };
  const deps = { store, ledgerOf };

  // ---- authentication and roles -------------------------------------------------------------

  app.addHook('onRequest', async (req) => {
    const permission = req.routeOptions.config.permission;
    if (permission === undefined) return;
    const header = req.headers.authorization;
    const m = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header);
    if (m === null) throw problem('UNAUTHORIZED', header === undefined ? 'The request carries no API key.' : 'The Authorization header is not "Bearer <key>".', UNAUTHORIZED_FIX);
    const key = m[1]!;
    const company = companyOfKey(key);
    if (company === undefined) throw problem('UNAUTHORIZED', 'The API key is malformed.', UNAUTHORIZED_FIX);
    const stored = await storedKey(store, key);
    if (stored?.revokedAt !== undefined) throw problem('UNAUTHORIZED', `The API key ${stored.id} ("${stored.name}") was revoked at ${stored.revokedAt}.`, UNAUTHORIZED_FIX);
    const cached = stored === undefined ? undefined : await configs.get(company);
    const record = cached?.record;
    // An unknown company and a wrong key answer alike: a key reveals no other company.
    if (record === undefined || stored === undefined) throw problem('UNAUTHORIZED', 'The API key is not valid.', UNAUTHORIZED_FIX);
    if (!PERMISSIONS[stored.role].has(permission)) {
      const what = { read: 'read the ledger', post: 'post events', export: 'export', admin: 'change the configuration or manage keys' }[permission];
      throw problem('FORBIDDEN', `An API key with role "${stored.role}" cannot ${what} (needs role ${rolesWith(permission).join(' or ')}).`, 'Use a key with a role that allows it, or have an admin create one (POST /v1/keys).', { company, role: stored.role, key: stored.id });
    }
    markUsed(store, stored)?.catch((e: unknown) => req.log.warn({ err: e, key: stored.id }, 'could not record the API key\'s last use'));
    const co = cached!.co;
    if (!co.ok) throw new ProblemError(co.error, 500);
    req.auth = { company, role: stored.role, keyId: stored.id, record, co: co.value };
  });

  // ---- failures as problems -----------------------------------------------------------------

  /** Why events[i] of a body does not match the event schema, with the event parser's own message where it has one. */
  const eventProblem = (body: unknown, i: number, co: Company | undefined): ProblemError => {
    const item = Array.isArray(body) ? (body as unknown[])[i] : body;
    const where = Array.isArray(body) ? `events[${i}]: ` : '';
    const parsed = co === undefined ? undefined : parseEvent(item, co);
    if (parsed !== undefined && !parsed.ok) {
      const f = parsed.error;
      return new ProblemError({ ...f, message: `${where}${f.message}`, record: { ...f.record, ...(Array.isArray(body) ? { index: i } : {}) } }, 400);
    }
    const e = validEvent.errors?.[0];
    return problem('INVALID_EVENT', `${where}The event does not match the event schema: ${e?.instancePath || '/'} ${e?.message ?? 'is invalid'}.`, 'Correct the event; docs/events.md and docs/events.schema.json describe every field.', { index: i });
  };

  /**
   * Checks a POST /v1/events body against the event schema, event by event, letting other
   * requests run between slices (a 10,000-event body validated in one go holds the loop for
   * over 100 ms). A body that does not match is refused whole, naming its first bad event.
   */
  const checkEvents = async (body: unknown, co: Company): Promise<void> => {
    if (typeof body !== 'object' || body === null) {
      throw problem('INVALID_EVENT', 'The body must be one event (a JSON object) or an array of events.', `Send an event object, or an array of at most ${MAX_BATCH} events; docs/events.md describes them.`);
    }
    const items = Array.isArray(body) ? (body as unknown[]) : [body];
    for (let i = 0; i < items.length; i++) {
      if (!validEvent(items[i])) throw eventProblem(body, i, co);
      if ((i + 1) % POST_SLICE === 0) await nextTurn();
    }
  };

  const toProblem = (err: FastifyError | Error, req: FastifyRequest): ProblemError => {
    if (err instanceof ProblemError) return err;
    const fe = err as FastifyError;
    if (fe.validation !== undefined) {
      const first = fe.validation[0];
      if (first !== undefined && isDateSchemaError(first)) return new ProblemError(dateSchemaFailure(partOf(req, fe.validationContext), first.instancePath));
      const field = `${fe.validationContext ?? 'request'}${first?.instancePath ?? ''}`;
      if (fe.validationContext === 'body' && req.routeOptions.url === '/v1/company') {
        return problem('INVALID_CONFIG', `The configuration is invalid: ${fe.message}.`, 'Correct the configuration; docs/config.md describes every field.', { field });
      }
      return problem('INVALID_REQUEST', `The request is invalid: ${fe.message}.`, 'Send the parameters and body the OpenAPI document (/docs) describes.', { field });
    }
    switch (fe.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        if (req.routeOptions.url === '/v1/company') {
          return problem('CONFIG_TOO_LARGE', `The configuration is larger than PUT /v1/company accepts (${CONFIG_BODY_LIMIT} bytes).`, 'Load a configuration this large with the CLI (stockbook import --config company.json, which has no size limit), or leave out what it does not need (products never used).', {}, 413);
        }
        return problem('BATCH_TOO_LARGE', `The request body is larger than the server accepts (${fe.message}).`, `Send at most ${MAX_BATCH} events per request, in several requests.`, {}, 413);
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return problem('INVALID_REQUEST', `Unsupported content type "${String(req.headers['content-type'] ?? '')}".`, 'Send the body as JSON with "Content-Type: application/json".', {}, 415);
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return problem('INVALID_REQUEST', 'The request body is empty.', 'Send a JSON body, or no Content-Type header when there is no body.');
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return problem('INVALID_REQUEST', 'The request body is not valid JSON.', 'Send the body as valid JSON.');
    }
    if (err instanceof SyntaxError) return problem('INVALID_REQUEST', `The request body is not valid JSON: ${err.message}.`, 'Send the body as valid JSON.');
    if (fe.statusCode !== undefined && fe.statusCode >= 400 && fe.statusCode < 500) {
      return problem('INVALID_REQUEST', `The request was refused: ${fe.message}.`, 'Send the request the OpenAPI document (/docs) describes.', {}, fe.statusCode);
    }
    return problem('INTERNAL_ERROR', 'The server failed to handle the request.', 'Retry the request (posting is idempotent); if it keeps failing, report it with the server log.', {}, 500);
  };

  const sendProblem = (reply: FastifyReply, pe: ProblemError): FastifyReply => {
    if (pe.status === 401) void reply.header('www-authenticate', 'Bearer realm="stockbook"');
    return reply.code(pe.status).type(PROBLEM_CONTENT_TYPE).send(problemOf(pe.failure, pe.status));
  };

  app.setErrorHandler((err: FastifyError | Error, req, reply) => {
    const pe = toProblem(err, req);
    if (pe.status >= 500) req.log.error({ err }, 'request failed');
    else req.log.info({ code: pe.failure.code, status: pe.status }, pe.failure.message);
    return sendProblem(reply, pe);
  });

  // A range whose from comes after its to is refused on every route that takes one.
  app.addHook('preHandler', async (req) => {
    const qs = req.query as { from?: CalendarDate; to?: CalendarDate } | undefined;
    const f = qs === undefined ? undefined : rangeFailure({ field: 'from', value: qs.from }, { field: 'to', value: qs.to });
    if (f !== undefined) throw new ProblemError(f);
  });

  // Text comes in sound or not at all: a NUL or a lone surrogate in a path or query parameter
  // or a body is INVALID_TEXT (events are checked one by one by the event parser instead).
  app.addHook('preValidation', async (req) => {
    const parts = { params: req.params, query: req.query, ...(req.routeOptions.url === '/v1/events' ? {} : { body: req.body }) };
    const flaw = findTextFlaw(parts, '');
    if (flaw) throw new ProblemError(invalidText('The request', flaw));
  });

  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem('NOT_FOUND', `There is no route ${req.method} ${req.url.split('?')[0] ?? ''}.`, 'See the OpenAPI document at /docs for the routes.')));

  // ---- routes -------------------------------------------------------------------------------

  app.get('/v1/company', { schema: routes.getCompany, config: { permission: 'read' } }, async (req) => {
    const a = authOf(req);
    return companyView(a.record, a.co);
  });

  app.put('/v1/company', { schema: routes.putCompany, bodyLimit: CONFIG_BODY_LIMIT, config: { permission: 'admin' } }, async (req) => {
    const a = authOf(req);
    const body = req.body as Record<string, unknown>;
    const fix = 'Correct the configuration; docs/config.md describes every field.';
    const unknown = configFieldsFailure(body, a.company, 'API keys are not part of the configuration: create them with POST /v1/keys.');
    if (unknown !== undefined) throw new ProblemError(unknown);
    const loaded = loadConfig(body);
    if (!loaded.ok) throw new ProblemError(loaded.error);
    const co = loaded.value;
    if (co.id !== a.company) throw problem('INVALID_CONFIG', `The configuration names company "${co.id}", but the API key is for "${a.company}".`, `Keep company.id "${a.company}".`, { company: a.company, field: 'company.id' });
    // The stored history must still post under the new configuration, or the company could not be opened again.
    const book = new Book(co, { keepJournals: false });
    for await (const page of eventPages((after, limit) => store.eventsAfter(a.company, after, limit))) {
      for (const e of page) {
        const parsed = parseEvent(JSON.parse(e.body), co, 'store');
        const applied = parsed.ok ? book.apply(parsed.value, { replay: true }) : parsed;
        if (!applied.ok) throw problem('INVALID_CONFIG', `Stored event ${e.id} does not post under the new configuration: ${applied.error.message}`, `${fix} Stored events stay: the configuration must keep what they use (${applied.error.code}).`, { company: a.company, event: e.id });
      }
    }
    // The company's ledger sees the new version at its next read or write, and is rebuilt under it.
    const saved = await putCompany(store, body);
    if (isFailure(saved)) throw new ProblemError(saved);
    const rec = await store.getCompany(a.company);
    return companyView(rec!, saved);
  });

  app.post('/v1/keys', { schema: routes.createKey, config: { permission: 'admin' } }, async (req, reply) => {
    const a = authOf(req);
    const { role, name } = req.body as { role: unknown; name?: string };
    if (!isRole(role)) throw problem('INVALID_REQUEST', 'Unknown role.', 'Use viewer, poster, exporter or admin.', { field: 'role' });
    const bad = name === undefined ? undefined : keyNameProblem(name);
    if (bad !== undefined) throw problem('INVALID_REQUEST', bad, 'Name the key with 1 to 100 printable characters, e.g. "warehouse scanner".', { field: 'name' });
    const k = await createKey(store, a.company, role, { name });
    if (k === undefined) throw new ProblemError(failure('UNKNOWN_COMPANY', `Company "${a.company}" does not exist.`, 'Create it first.', { company: a.company }));
    req.log.info({ company: a.company, key: k.id, role, by: a.keyId }, 'API key created');
    return reply.code(201).send(k);
  });

  app.get('/v1/keys', { schema: routes.listKeys, config: { permission: 'admin' } }, async (req) => {
    const a = authOf(req);
    return { keys: (await store.apiKeys(a.company)).map(keyJson) };
  });

  app.delete('/v1/keys/:id', { schema: routes.revokeKey, config: { permission: 'admin' } }, async (req) => {
    const a = authOf(req);
    const { id } = req.params as { id: string };
    const k = await store.revokeApiKey(a.company, id, new Date().toISOString());
    if (k === undefined) throw problem('NOT_FOUND', `Company "${a.company}" has no API key "${id}".`, 'List the keys with GET /v1/keys and use one of their ids.', { company: a.company, key: id });
    req.log.info({ company: a.company, key: id, by: a.keyId }, 'API key revoked');
    return keyJson(k);
  });

  app.post(
    '/v1/events',
    {
      schema: routes.postEvents,
      bodyLimit: EVENTS_BODY_LIMIT,
      config: { permission: 'post' },
      // The body schema documents the route; checkEvents applies it in slices.
      validatorCompiler: ({ schema, httpPart }) => (httpPart === 'body' ? () => true : paramAjv.compile(schema)),
      preValidation: async (req) => {
        if (Array.isArray(req.body) && req.body.length > MAX_BATCH) {
          throw problem('BATCH_TOO_LARGE', `The request carries ${req.body.length} events; one batch holds at most ${MAX_BATCH}.`, `Split the events into batches of at most ${MAX_BATCH} and send them in order.`, { events: req.body.length }, 413);
        }
      },
    },
    async (req, reply) => {
      const a = authOf(req);
      await checkEvents(req.body, a.co);
      const raws: unknown[] = Array.isArray(req.body) ? (req.body as unknown[]) : [req.body];
      const ledger = await ledgerOf(a.company);
      const outcomes = await ledger.postBatch(raws);
      const failed = outcomes.filter((o) => o.status === 'conflict' || o.status === 'error').length;
      if (outcomes.length > 0) req.log.info({ company: a.company, events: outcomes.length, failed }, 'events posted');
      // Written in slices, so a 10,000-result answer does not hold the loop while it is serialised.
      return reply.code(failed > 0 ? 207 : 200).type('application/json; charset=utf-8').send(Readable.from(resultsJson(outcomes, ledger.co)));
    },
  );

  app.get('/v1/journals', { schema: routes.journals, config: { permission: 'read' } }, async (req) => {
    const a = authOf(req);
    const qs = req.query as { from?: CalendarDate; to?: CalendarDate; account?: string; event?: string; afterSeq?: string; limit: number };
    const list = await store.journals(a.company, { from: qs.from, to: qs.to, account: qs.account, event: qs.event, afterSeq: qs.afterSeq === undefined ? undefined : BigInt(qs.afterSeq), limit: qs.limit + 1 });
    const page = list.slice(0, qs.limit);
    return { journals: page.map((j) => storedJournalJson(j, a.co)), next: list.length > qs.limit ? page[page.length - 1]!.seq.toString() : null };
  });

  app.get('/v1/events/:id', { schema: routes.getEvent, config: { permission: 'read' } }, async (req) => {
    const a = authOf(req);
    const { id } = req.params as { id: string };
    const stored = await store.findEvent(a.company, id);
    if (stored === undefined) throw problem('NOT_FOUND', `Event "${id}" is not in the ledger of company "${a.company}".`, 'Check the id (ids are case-sensitive) and that the key belongs to the company that holds the event.', { event: id, company: a.company });
    // Stored by another process since this one opened the company: the ledger catches up on it.
    const ledger = await freshLedger(deps, a.company);
    const view = await ledger.current.view(id);
    const [journals, written] = await Promise.all([store.journals(a.company, { event: id }), store.journalsOfEvent(a.company, stored.seq)]);
    return {
      id: stored.id,
      type: stored.type,
      seq: stored.seq.toString(),
      voidedBy: view?.voidedBy ?? null,
      event: JSON.parse(stored.body) as unknown,
      journals: journals.map((j) => storedJournalJson(j, ledger.co)),
      written: written.map((j) => storedJournalJson(j, ledger.co)),
      moves: view === undefined ? [] : view.moves.map((m, i) => moveJson(ledger.co, m, view.results[i], i)),
    };
  });

  app.get('/v1/reports/trial-balance', { schema: routes.trialBalance, config: { permission: 'read' } }, async (req, reply) => {
    const a = authOf(req);
    const { asOf, format } = req.query as { asOf?: CalendarDate; format?: string };
    const tb = await trialBalance(store, a.co, asOf);
    if (format === 'csv') return reply.type('text/csv; charset=utf-8').send(csv(trialBalanceRows(tb, a.co)) + '\n');
    return trialBalanceJson(tb, a.co);
  });

  // Reports of src/reports, as `stockbook report <name> --format json` prints them.
  // Each answers JSON, or with ?format=csv the rows the CLI's --format csv prints.
  type Out = { json: Record<string, unknown>; rows: string[][] } | Failure;
  const report = <Q>(path: string, schema: Record<string, unknown>, run: (ledger: CompanyLedger, query: Q) => Promise<Out>): void => {
    app.get(path, { schema, config: { permission: 'read' } }, async (req, reply) => {
      const a = authOf(req);
      const out = await run(await freshLedger(deps, a.company), req.query as Q);
      if (isFailure(out)) throw new ProblemError(out);
      if ((req.query as { format?: string }).format === 'csv') return reply.type('text/csv; charset=utf-8').send(csv(out.rows) + '\n');
      return out.json;
    });
  };
  const both = <R>(r: R | Failure, json: (r: R, co: Company) => Record<string, unknown>, rows: (r: R, co: Company) => string[][], co: Company): Out =>
    isFailure(r) ? r : { json: json(r as R, co), rows: rows(r as R, co) };
  report<{ asOf?: CalendarDate; by?: ValuationBy }>(
    '/v1/reports/valuation',
    reportRoute('Stock valuation as of a date, per pool, product, warehouse or category, checked against the GL (viewer)', { asOf: q.date, by: { type: 'string', enum: [...VALUATION_GROUPS], default: 'pool' } }),
    async (l, qs) => both(await valuation(l, { asOf: qs.asOf, by: qs.by }), valuationJson, valuationRows, l.co),
  );
  report<{ product: string; warehouse?: string; from?: CalendarDate; to?: CalendarDate }>(
    '/v1/reports/stock-ledger',
    reportRoute('A product\'s stock movements with running quantity and value (viewer)', { product: q.str('Product SKU.'), warehouse: q.str('One warehouse (default: all).'), from: q.date, to: q.date }, ['product']),
    async (l, qs) => both(await stockLedger(l, { product: qs.product, warehouse: qs.warehouse, from: qs.from, to: qs.to }), stockLedgerJson, stockLedgerRows, l.co),
  );
  report<{ account: string; from?: CalendarDate; to?: CalendarDate; after?: string; limit?: number }>(
    '/v1/reports/gl',
    reportRoute('GL detail of one account with a running balance, a page at a time (viewer)', {
      account: q.str('Account code.'), from: q.date, to: q.date,
      after: { type: 'string', minLength: 1, maxLength: 200, description: 'The previous page\'s `next` cursor (opaque); leave it out for the first page.' },
      limit: { type: 'integer', minimum: 1, maximum: GL_PAGE_MAX, default: GL_PAGE_DEFAULT, description: `Lines per page (at most ${GL_PAGE_MAX}). The page's opening balance continues the previous page's running balance; its totals are the page's own.` },
    }, ['account']),
    async (l, qs) => both(await glDetail(l, { account: qs.account, from: qs.from, to: qs.to, after: qs.after, limit: qs.limit }), glDetailJson, glDetailRows, l.co),
  );
  report<{ from?: CalendarDate; to?: CalendarDate; by?: GrossProfitBy }>(
    '/v1/reports/gross-profit',
    reportRoute('Revenue, COGS and margin per product or customer (viewer)', { from: q.date, to: q.date, by: { type: 'string', enum: [...GROSS_PROFIT_GROUPS], default: 'product' } }),
    async (l, qs) => both(await grossProfit(l, { from: qs.from, to: qs.to, by: qs.by }), grossProfitJson, grossProfitRows, l.co),
  );
  report<{ asOf?: CalendarDate }>(
    '/v1/reports/reconciliation',
    reportRoute('Sub-ledger against GL per inventory account, with reconciling items (viewer)', { asOf: q.date }),
    async (l, qs) => both(await reconciliation(l, { asOf: qs.asOf }), reconciliationJson, reconciliationRows, l.co),
  );
  report<{ journal: string; line?: number }>(
    '/v1/reports/drill',
    reportRoute('From a journal (line) to its event and the cost layers its moves consumed (viewer)', { journal: { ...q.str('Journal id: an event id, or "<event>/c<n>" for a correction.'), maxLength: RECORD_ID_MAX_LENGTH }, line: { type: 'integer', minimum: 1, description: 'Journal line, 1-based.' } }, ['journal']),
    async (l, qs) => both(await drill(l, { journal: qs.journal, line: qs.line }), drillJson, drillRows, l.co),
  );

  registerSyncRoutes(app, deps);
  registerCountRoutes(app, deps);
  await registerWebRoutes(app, deps);
  return app;
}
