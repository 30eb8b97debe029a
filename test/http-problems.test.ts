/**
 * Framework errors are problems: every refusal fastify or Node's HTTP parser makes before a
 * route runs — a URL that does not decode, a path parameter too long, a body too large, a wrong
 * media type, malformed or empty JSON, an unknown route or method, an unreadable request line,
 * headers too large — answers an RFC 7807 problem (`application/problem+json`) with a code from
 * docs/errors.md, and so does unsound text in a parameter or body (INVALID_TEXT).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { openStore } from '../src/store/open.js';
import type { LedgerStore } from '../src/store/store.js';
import { putCompany } from '../src/ledger/service.js';
import { buildServer } from '../src/api/server.js';
import { createKey } from '../src/api/keys.js';
import { ERROR_CODES } from '../src/domain/errors.js';
import { PATH_PARAM_MAX_CHARS } from '../src/domain/bounds.js';

const SEED = JSON.parse(readFileSync('examples/seed-004/company.json', 'utf8')) as Record<string, unknown>;
let store: LedgerStore;
let app: FastifyInstance;
let key: string;
let port: number;

before(async () => {
  store = await openStore({ sqlitePath: ':memory:' });
  await putCompany(store, SEED);
  key = (await createKey(store, 'seed-004', 'admin'))!.key;
  app = await buildServer({ store });
  await app.listen({ port: 0, host: '127.0.0.1' });
  port = (app.server.address() as AddressInfo).port;
});
after(async () => {
  await app.close();
  await store.close();
});

interface Problem { status: number; body: Record<string, unknown> }

/** `code` undefined: any documented code will do (a route may give its own, e.g. a size limit of its own). */
function assertProblem(status: number, contentType: string, text: string, want: { status: number; code: string | undefined }): Record<string, unknown> {
  assert.equal(status, want.status, `status ${want.status}, got ${status}: ${text.slice(0, 300)}`);
  assert.match(contentType, /^application\/problem\+json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  if (want.code !== undefined) assert.equal(body['code'], want.code);
  assert.ok(Object.hasOwn(ERROR_CODES, String(body['code'])), 'a documented code');
  assert.equal(body['status'], want.status);
  assert.equal(body['type'], `https://stockbook.dev/errors/${String(body['code'])}`);
  for (const k of ['title', 'detail', 'fix']) assert.equal(typeof body[k], 'string', `problem has ${k}`);
  assert.equal(typeof body['record'], 'object');
  return body;
}

async function inject(opts: InjectOptions, want: { status: number; code: string | undefined }): Promise<Problem> {
  const r = await app.inject({ ...opts, headers: { authorization: `Bearer ${key}`, ...(opts.headers ?? {}) } });
  return { status: r.statusCode, body: assertProblem(r.statusCode, String(r.headers['content-type'] ?? ''), r.body, want) };
}

/** Sends raw bytes to the listener and parses the one HTTP answer. */
function raw(request: string): Promise<{ status: number; contentType: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.on('data', (b) => (data += b.toString('utf8')));
    socket.on('error', reject);
    socket.on('close', () => {
      const [head, ...rest] = data.split('\r\n\r\n');
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(head ?? '')?.[1]);
      const contentType = /content-type: *([^\r\n]+)/i.exec(head ?? '')?.[1] ?? '';
      resolve({ status, contentType, body: rest.join('\r\n\r\n') });
    });
    socket.write(request);
  });
}

const json = { 'content-type': 'application/json' };

test('a URL path that is not valid percent-encoded UTF-8 is a 400 INVALID_REQUEST problem (fastify used to answer its own 400)', async () => {
  for (const url of ['/v1/events/%E0%A4%A', '/v1/events/%ZZ', '/v1/sync/records/%ED%A0%80', '/v1/events/%']) {
    const p = await inject({ method: 'GET', url }, { status: 400, code: 'INVALID_REQUEST' });
    assert.equal(p.body['record'] && (p.body['record'] as Record<string, unknown>)['field'], 'url');
  }
});

test(`a path parameter longer than ${PATH_PARAM_MAX_CHARS} characters is a 414 INVALID_REQUEST problem (fastify used to answer its own 414)`, async () => {
  await inject({ method: 'GET', url: `/v1/events/${'a'.repeat(PATH_PARAM_MAX_CHARS + 1)}` }, { status: 414, code: 'INVALID_REQUEST' });
  // Just within the router's limit: the route's schema answers instead.
  await inject({ method: 'GET', url: `/v1/events/${'a'.repeat(PATH_PARAM_MAX_CHARS)}` }, { status: 400, code: 'INVALID_REQUEST' });
});

test('a body larger than the route takes is a 413 problem', async () => {
  const big = JSON.stringify({ company: { id: 'seed-004', name: 'x'.repeat(4_300_000) } }); // past the configuration's 4 MiB
  await inject({ method: 'PUT', url: '/v1/company', headers: json, payload: big }, { status: 413, code: undefined });
  await inject({ method: 'POST', url: '/v1/keys', headers: json, payload: JSON.stringify({ role: 'viewer', pad: 'x'.repeat(1_100_000) }) }, { status: 413, code: undefined });
});

test('a wrong media type is a 415 INVALID_REQUEST problem', async () => {
  for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
    await inject({ method: 'POST', url: '/v1/events', headers: { 'content-type': type }, payload: 'a=1' }, { status: 415, code: 'INVALID_REQUEST' });
  }
});

test('malformed JSON, an empty JSON body and a prototype-poisoning body are 400 INVALID_REQUEST problems', async () => {
  for (const payload of ['{"a":', '[1,', '{"id": "x" "type": 1}', '\u0000']) {
    await inject({ method: 'POST', url: '/v1/events', headers: json, payload }, { status: 400, code: 'INVALID_REQUEST' });
  }
  await inject({ method: 'POST', url: '/v1/events', headers: json, payload: '' }, { status: 400, code: 'INVALID_REQUEST' });
  await inject({ method: 'PUT', url: '/v1/company', headers: json, payload: '{"__proto__":{"admin":true}}' }, { status: 400, code: 'INVALID_REQUEST' });
});

test('an unknown route, or a method a route does not take, is a 404 NOT_FOUND problem', async () => {
  for (const [method, url] of [['DELETE', '/v1/events'], ['PATCH', '/v1/company'], ['OPTIONS', '/v1/events'], ['PROPFIND', '/v1/events'], ['GET', '/v2/nothing']] as const) {
    await inject({ method, url }, { status: 404, code: 'NOT_FOUND' });
  }
});

test('NUL or a lone surrogate in a path parameter, a query parameter or a JSON body is a 400 INVALID_TEXT problem naming it', async () => {
  const cases: [InjectOptions, string][] = [
    [{ method: 'GET', url: '/v1/events/a%00b' }, 'params.id'],
    [{ method: 'GET', url: '/v1/sync/records/r%00' }, 'params.id'],
    [{ method: 'GET', url: '/v1/journals?account=12%0000' }, 'query.account'],
    [{ method: 'GET', url: '/v1/reports/gl?account=%00' }, 'query.account'],
    [{ method: 'PUT', url: '/v1/company', headers: json, payload: '{"company":{"id":"seed-004","name":"\\ud800"}}' }, 'body.company.name'],
    [{ method: 'POST', url: '/v1/keys', headers: json, payload: '{"role":"viewer\\u0000"}' }, 'body.role'],
  ];
  for (const [opts, field] of cases) {
    const p = await inject(opts, { status: 400, code: 'INVALID_TEXT' });
    assert.equal((p.body['record'] as Record<string, unknown>)['field'], field);
  }
  const rec = await store.getCompany('seed-004');
  assert.equal((rec!.config as { company: { name: string } }).company.name, (SEED['company'] as { name: string }).name, 'nothing changed');
});

test('a request Node cannot parse (unknown method, broken request line) is a 400 problem; headers too large a 431 problem', async () => {
  for (const request of ['FOO /v1/events HTTP/1.1\r\nHost: x\r\n\r\n', 'GET /v1/events HTTP/9\r\n\r\n', 'this is not http\r\n\r\n']) {
    const r = await raw(request);
    assertProblem(r.status, r.contentType, r.body, { status: 400, code: 'INVALID_REQUEST' });
  }
  const r = await raw(`GET /v1/company HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  assertProblem(r.status, r.contentType, r.body, { status: 431, code: 'INVALID_REQUEST' });
});

test('over a real connection too, the router\'s refusals are problems', async () => {
  const r = await raw(`GET /v1/events/%E0%A4%A HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\nConnection: close\r\n\r\n`);
  assertProblem(r.status, r.contentType, r.body, { status: 400, code: 'INVALID_REQUEST' });
});
