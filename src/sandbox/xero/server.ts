/**
 * The sandbox's HTTP server (fastify on 127.0.0.1): the Accounting API under /api.xro/2.0, the
 * connections endpoint, and the identity server's token endpoint.
 *
 * Every API call goes through the same steps, in Xero's order:
 *   Bearer token → xero-tenant-id → rate limits (429) → latency → Idempotency-Key (PUT/POST)
 *   → request schema → the route → response schema (a mismatch is recorded, not refused).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { isRecord } from '../../domain/values.js';
import { basicCredentials, bearer, type TokenStore } from './auth.js';
import type { ApiResult } from './batch.js';
import type { Books } from './books.js';
import { MAX_KEY_LENGTH, type IdempotencyStore } from './idempotency.js';
import type { RateLimiter } from './limits.js';
import { fastifyPath, routeName, ROUTES, type Call, type RouteDef } from './routes.js';
import { errorsText, validatorFor, warmUp } from './schema.js';

export const API_PREFIX = '/api.xro/2.0';
/** Real Xero's app-wide minute limit, reported as X-AppMinLimit-Remaining (not enforced). */
const APP_MINUTE_LIMIT = 10_000;

export interface Violation {
  route: string;
  direction: 'request' | 'response';
  errors: string;
}

export interface Core {
  books: Books;
  tenantId: string;
  tokens: TokenStore;
  limiter: RateLimiter;
  idempotency: IdempotencyStore;
  clientId: string;
  clientSecret: string;
  latencyMs: number;
  connection: { id: string; authEventId: string; createdMs: number };
  stats: { calls: number; byRoute: Record<string, number>; throttled: number };
  violations: Violation[];
  now(): number;
}

function count(core: Core, name: string): void {
  core.stats.calls++;
  core.stats.byRoute[name] = (core.stats.byRoute[name] ?? 0) + 1;
}

/** Xero's problem body for 401/403 (with a fresh Instance id, as Xero sends). */
const problem = (status: number, title: string, detail: string): Record<string, unknown> => ({ Type: null, Title: title, Status: status, Detail: detail, Instance: randomUUID(), Extensions: {} });

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};

/** 401 unless the request carries a live access token of ours. */
function authFailure(core: Core, req: FastifyRequest): ApiResult | undefined {
  const check = core.tokens.check(bearer(header(req, 'authorization')));
  return check.ok ? undefined : { status: 401, body: problem(401, 'Unauthorized', check.detail) };
}

function rateHeaders(core: Core, reply: FastifyReply): void {
  const left = core.limiter.remaining(core.now());
  reply.header('X-MinLimit-Remaining', String(left.minute));
  reply.header('X-DayLimit-Remaining', String(left.day));
  reply.header('X-AppMinLimit-Remaining', String(APP_MINUTE_LIMIT));
}

function requestViolation(core: Core, route: RouteDef, body: unknown): ApiResult | undefined {
  const validate = validatorFor(route.method, route.specPath, 'request');
  if (!validate || validate(body)) return undefined;
  const errors = errorsText(validate.errors);
  core.violations.push({ route: routeName(route), direction: 'request', errors });
  return { status: 400, body: { ErrorNumber: 14, Type: 'SchemaViolation', Message: errors } };
}

function checkResponse(core: Core, route: RouteDef, result: ApiResult): void {
  if (result.status !== 200) return;
  const validate = validatorFor(route.method, route.specPath, 'response');
  if (validate && !validate(result.body)) core.violations.push({ route: routeName(route), direction: 'response', errors: errorsText(validate.errors) });
}

function run(core: Core, route: RouteDef, req: FastifyRequest): ApiResult {
  if (route.method !== 'GET') {
    const refused = requestViolation(core, route, req.body);
    if (refused) return refused;
  }
  const call: Call = {
    params: req.params as Record<string, string>,
    query: req.query as Record<string, string | undefined>,
    headers: req.headers,
    body: req.body,
    books: core.books,
    tenantId: core.tenantId,
    now: core.now(),
  };
  const result = route.handle(call);
  checkResponse(core, route, result);
  return result;
}

const idempotencyError = (message: string, status = 400): ApiResult => ({ status, body: { ErrorNumber: 10, Type: 'ValidationException', Message: message } });

/** Runs a write at most once per Idempotency-Key; a retry gets the first answer back. */
function runOnce(core: Core, route: RouteDef, req: FastifyRequest): ApiResult {
  const key = header(req, 'idempotency-key');
  if (route.method === 'GET' || key === undefined || key === '') return run(core, route, req);
  if (key.length > MAX_KEY_LENGTH) return idempotencyError(`Idempotency-Key must be at most ${MAX_KEY_LENGTH} characters (got ${key.length}).`);
  const request = `${route.method} ${req.url}`;
  const seen = core.idempotency.begin(key, request, req.body);
  if (seen.kind === 'replay') return seen.response;
  if (seen.kind === 'pending') return idempotencyError(`A request with Idempotency-Key '${key}' is still being processed; retry it later.`, 409);
  if (seen.kind === 'mismatch') {
    return idempotencyError(`Idempotency-Key '${key}' was already used for a different request (${seen.firstRequest} with another body or query); use a new key for a new request.`);
  }
  try {
    const result = run(core, route, req);
    core.idempotency.finish(key, result);
    return result;
  } catch (e) {
    core.idempotency.abort(key);
    throw e;
  }
}

async function apiCall(core: Core, route: RouteDef, req: FastifyRequest, reply: FastifyReply): Promise<unknown> {
  count(core, routeName(route));
  rateHeaders(core, reply);
  const denied = authFailure(core, req);
  if (denied) return reply.code(denied.status).send(denied.body);
  if (header(req, 'xero-tenant-id') !== core.tenantId) return reply.code(403).send(problem(403, 'Forbidden', 'AuthenticationUnsuccessful'));
  const admission = core.limiter.acquire(core.now());
  rateHeaders(core, reply); // again: an admitted call has used one up
  if (!admission.ok) {
    core.stats.throttled++;
    reply.header('Retry-After', String(admission.retryAfter)).header('X-Rate-Limit-Problem', admission.problem);
    return reply.code(429).send({ Title: 'Too Many Requests', Status: 429, Detail: `Rate limit exceeded: ${admission.problem} limit` });
  }
  try {
    if (core.latencyMs > 0) await sleep(core.latencyMs);
    const result = runOnce(core, route, req);
    return reply.code(result.status).send(result.body);
  } finally {
    core.limiter.release();
  }
}

function connectionsRoutes(app: FastifyInstance, core: Core): void {
  app.get('/connections', async (req, reply) => {
    count(core, 'GET /connections');
    const denied = authFailure(core, req);
    if (denied) return reply.code(denied.status).send(denied.body);
    const c = core.connection;
    const stamp = new Date(c.createdMs).toISOString();
    return [{ id: c.id, authEventId: c.authEventId, tenantId: core.tenantId, tenantType: 'ORGANISATION', tenantName: core.books.organisation.name, createdDateUtc: stamp, updatedDateUtc: stamp }];
  });
  app.delete('/connections/:id', async (req, reply) => {
    count(core, 'DELETE /connections/{id}');
    const denied = authFailure(core, req);
    if (denied) return reply.code(denied.status).send(denied.body);
    if ((req.params as { id: string }).id !== core.connection.id) return reply.code(404).send(problem(404, 'NotFound', 'Connection not found'));
    core.tokens.revokeAll();
    return reply.code(204).send();
  });
}

/** The client's credentials: HTTP Basic (what xero-node sends) or client_secret_post. */
function clientOk(core: Core, req: FastifyRequest, form: Record<string, unknown>): boolean {
  const basic = basicCredentials(header(req, 'authorization'));
  const id = basic?.id ?? form.client_id;
  const secret = basic?.secret ?? form.client_secret;
  return id === core.clientId && secret === core.clientSecret;
}

function identityRoutes(app: FastifyInstance, core: Core): void {
  app.post('/connect/token', async (req, reply) => {
    count(core, 'POST /connect/token');
    const form = isRecord(req.body) ? req.body : {};
    if (!clientOk(core, req, form)) return reply.code(400).send({ error: 'invalid_client' });
    if (form.grant_type !== 'refresh_token') return reply.code(400).send({ error: 'unsupported_grant_type' });
    const set = typeof form.refresh_token === 'string' ? core.tokens.rotate(form.refresh_token) : undefined;
    if (!set) return reply.code(400).send({ error: 'invalid_grant' });
    const { access_token, expires_in, token_type, refresh_token, scope } = set;
    return { access_token, expires_in, token_type, refresh_token, scope };
  });
  app.post('/connect/revocation', async (req, reply) => {
    count(core, 'POST /connect/revocation');
    const form = isRecord(req.body) ? req.body : {};
    if (!clientOk(core, req, form)) return reply.code(400).send({ error: 'invalid_client' });
    core.tokens.revokeAll();
    return reply.code(200).send();
  });
}

function apiRoutes(app: FastifyInstance, core: Core): void {
  warmUp(ROUTES);
  for (const route of ROUTES) {
    app.route({ method: route.method, url: API_PREFIX + fastifyPath(route.specPath), handler: (req, reply) => apiCall(core, route, req, reply) });
  }
}

/** Form bodies for the token endpoint (fastify parses JSON only by itself). */
function formParser(app: FastifyInstance): void {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
}

/** Bodies fastify cannot parse get Xero's PostDataInvalidException, not fastify's own error shape. */
function errorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    const status = err.statusCode ?? 500;
    if (status >= 500) return reply.code(500).send({ ErrorNumber: 500, Type: 'InternalError', Message: err.message });
    return reply.code(status).send({ ErrorNumber: 17, Type: 'PostDataInvalidException', Message: err.message });
  });
}

export function buildApp(core: Core, logger: boolean): FastifyInstance {
  const app = Fastify({ logger, bodyLimit: 32 * 1024 * 1024 });
  formParser(app);
  errorHandler(app);
  apiRoutes(app, core);
  connectionsRoutes(app, core);
  identityRoutes(app, core);
  return app;
}
