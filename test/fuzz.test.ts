/**
 * Fuzz: about 2,000 generated requests over every operation of the OpenAPI document
 * (GET /docs/json of the server src/api/server.ts builds), sent with fastify.inject over a
 * temporary SQLite ledger whose company syncs to the Xero sandbox. Requests are valid (from the
 * route's schemas, with the company's own SKUs, accounts and event ids) or hostile (wrong
 * types, huge strings, NUL, lone surrogates, impossible dates, deep objects, huge numbers, a
 * missing or forged key, a role without the permission).
 *
 * Every answer must be: not a 5xx; a 4xx as an RFC 7807 problem with a code of docs/errors.md;
 * and a refused request (4xx) leaves the ledger as it was (event count and trial balance). A
 * 2xx POST /v1/events adds exactly the events it reports "ok".
 *
 * Seeded: STOCKBOOK_FUZZ_SEED=<integer> replays a run (the seed is in the test's name),
 * STOCKBOOK_FUZZ_SEED=random draws one, STOCKBOOK_FUZZ_RUNS sets the number of requests.
 * Every failure is reported by class (rule, status, code, route) with a count and a replayable
 * example, and any failure class fails the test.
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../src/store/open.js';
import type { LedgerStore } from '../src/store/store.js';
import { putCompany } from '../src/ledger/service.js';
import { buildServer } from '../src/api/server.js';
import { createKey, type ApiRole } from '../src/api/keys.js';
import type { XeroSandbox } from '../src/sandbox/xero/index.js';
import { CONTACTS, EVENTS, SEED as SEED_CONFIG, startSandbox, syncCompany } from './helpers/sync.js';
import { fuzzRequest, operationsOf, type FuzzRequest, type Operation } from './support/fuzz-requests.js';
import { fuzzVerdict, type Answer, type Verdict } from './support/fuzz-rules.js';

const SEED = seedOf(process.env['STOCKBOOK_FUZZ_SEED']);
const RUNS = Number(process.env['STOCKBOOK_FUZZ_RUNS'] ?? 2000);
const COMPANY = 'fuzz';

function seedOf(v: string | undefined): number {
  if (v === 'random') return Math.floor(Math.random() * 2 ** 31);
  return v === undefined ? 20261210 : Number(v);
}

/** Codes docs/errors.md documents (its "## CODE" headings). */
const DOCUMENTED = new Set([...readFileSync('docs/errors.md', 'utf8').matchAll(/^## ([A-Z_]+)$/gm)].map((m) => m[1]!));

const snap = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

let sb: XeroSandbox;
let dir: string;
let store: LedgerStore;
let app: FastifyInstance;
const keys: Partial<Record<ApiRole, string>> = {};

before(async () => {
  sb = await startSandbox();
  dir = mkdtempSync(join(tmpdir(), 'stockbook-fuzz-'));
  store = await openStore({ sqlitePath: join(dir, 'ledger.sqlite') });
  assert.ok(!('code' in (await putCompany(store, syncCompany(sb, COMPANY, 'Fuzz company')))), 'company loads');
  for (const role of ['admin', 'poster', 'viewer', 'exporter'] as ApiRole[]) keys[role] = (await createKey(store, COMPANY, role))!.key;
  app = await buildServer({ store, logger: process.env['FZLOG'] ? { level: 'error' } : false });
  const auth = { authorization: `Bearer ${keys.admin!}` };
  assert.equal((await app.inject({ method: 'POST', url: '/v1/events', headers: auth, payload: EVENTS })).statusCode, 200);
  assert.equal((await app.inject({ method: 'PUT', url: '/v1/sync/connection', headers: auth, payload: { tokenSet: sb.issueTokenSet() as never } })).statusCode, 204);
});
after(async () => {
  await app.close();
  await store.close();
  await sb.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Event count and trial balance: what a refused request must leave as it was. */
async function ledgerState(): Promise<{ events: bigint; tb: string }> {
  const events = await store.countEvents(COMPANY);
  const tb = await store.trialBalance(COMPANY).then(snap, (e: unknown) => `trial balance fails: ${e instanceof Error ? e.message : String(e)}`);
  return { events, tb };
}

const line = (product: string, qty: number, amount: string): Record<string, unknown> => ({ product, warehouse: 'MAIN', qty, amount, tax: '0.00' });
/** Events that post (or are refused for a business reason), so valid requests reach the rules. */
function eventExamples(): unknown[] {
  const out: unknown[] = [...EVENTS];
  for (let i = 1; i <= 30; i++) {
    const day = `2026-04-${String((i % 28) + 1).padStart(2, '0')}`;
    out.push({ id: `FZ-BILL-${i}`, type: 'purchase_invoice', date: day, supplier: 'ACME', lines: [line(i % 2 ? 'WIDGET' : 'PART', i, `${i * 7}.00`)] });
    out.push({ id: `FZ-SHIP-${i}`, type: 'shipment', date: day, lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: (i % 3) + 1 }] });
    out.push({ id: `FZ-INV-${i}`, type: 'sale_invoice', date: day, customer: 'BAYSIDE', reference: `SO-F${i}`, issuesStock: true, lines: [{ ...line('WIDGET', 1, `${i * 3}.50`), tax: '0.35' }] });
  }
  out.push([...out.slice(5, 12)]);
  return out;
}

function vocabulary(): Record<string, readonly string[]> {
  const cfg = SEED_CONFIG as { accounts: { code: string }[]; products: { sku: string }[] };
  const eventIds = eventExamples().flatMap((e) => (Array.isArray(e) ? [] : [(e as { id: string }).id]));
  const dates = ['2026-03-01', '2026-03-31', '2026-04-15', '2026-12-31', '2025-01-01'];
  return {
    product: cfg.products.map((p) => p.sku),
    warehouse: ['MAIN'],
    supplier: ['ACME'],
    customer: CONTACTS.map((c) => c.code),
    account: cfg.accounts.map((a) => a.code),
    category: ['GOODS'],
    currency: ['USD'],
    bankAccount: ['1100'],
    amount: ['10.00', '100.00', '0.01', '2.50'],
    tax: ['0.00', '1.00'],
    date: dates,
    asOf: dates,
    from: dates,
    to: dates,
    event: eventIds,
    invoice: eventIds,
    shipment: eventIds,
    purchase: eventIds,
    sale: eventIds,
    journal: eventIds.map((id) => `${id}:1`),
    '/v1/events/{id}:id': eventIds,
    '/v1/sync/records/{id}:id': eventIds,
    ...Object.fromEntries(['/hold', '/release', '/repost', '/void-and-repost'].map((a) => [`/v1/sync/records/{id}${a}:id`, eventIds])),
  };
}

function headersOf(r: FuzzRequest): Record<string, string> {
  const h: Record<string, string> = r.contentType === undefined ? {} : { 'content-type': r.contentType };
  const secret = keys.admin!.slice(-32);
  const authorization = {
    none: undefined,
    malformed: 'Bearer sbk_nope',
    forged: `Bearer sbk_other_${secret}`,
    'not-bearer': `Basic ${keys.admin!}`,
  }[r.key as 'none'] ?? `Bearer ${keys[r.key as ApiRole]!}`;
  if (authorization !== undefined && r.key !== 'none') h['authorization'] = authorization;
  return h;
}

async function send(r: FuzzRequest): Promise<Answer> {
  const payload = r.body === undefined ? undefined : 'raw' in r.body ? r.body.raw : JSON.stringify(r.body.json);
  const res = await app.inject({ method: r.op.method, url: r.url, headers: headersOf(r), ...(payload === undefined ? {} : { payload }) });
  return { status: res.statusCode, type: String(res.headers['content-type'] ?? ''), body: res.body };
}

const preview = (s: string): string => (s.length > 300 ? `${s.slice(0, 300)}… (${s.length} chars)` : s);

test('void-and-repost over a connection Xero refuses is a 409 TARGET_AUTH problem (was a 500: prepare threw)', async () => {
  const as = (key: string): Record<string, string> => ({ authorization: `Bearer ${key}` });
  const run = await app.inject({ method: 'POST', url: '/v1/sync/runs', headers: as(keys.exporter!), payload: { type: 'invoices' } });
  assert.equal(run.statusCode, 200, run.body);
  const bad = await app.inject({ method: 'PUT', url: '/v1/sync/connection', headers: as(keys.admin!), payload: { tokenSet: { access_token: 'x', refresh_token: 'y', expires_at: 1 } } });
  assert.equal(bad.statusCode, 204);
  const before = await ledgerState();
  const r = await app.inject({ method: 'POST', url: '/v1/sync/records/INV-1/void-and-repost', headers: as(keys.exporter!) });
  assert.equal(r.statusCode, 409, r.body);
  assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
  assert.equal((JSON.parse(r.body) as { code: string }).code, 'TARGET_AUTH');
  assert.deepEqual(await ledgerState(), before);
  const good = await app.inject({ method: 'PUT', url: '/v1/sync/connection', headers: as(keys.admin!), payload: { tokenSet: sb.issueTokenSet() as never } });
  assert.equal(good.statusCode, 204);
});

interface RouteTally { sent: number; pastAuth: number; ok: number; ms: number }
interface FuzzRun {
  classes: Map<string, { verdict: Verdict; count: number; example: string }>;
  perRoute: Map<string, RouteTally>;
  checkingMs: number;
  byStatus: Map<number, number>;
}

const exampleOf = (i: number, r: FuzzRequest, a: Answer): string => `#${i} ${r.op.method} ${preview(r.url)} key=${r.key} body=${preview(JSON.stringify(r.body) ?? '')} → ${a.status} ${a.type} ${preview(a.body)}`;

/** Sends every request in order, checking each answer and the ledger after it. */
async function fuzzAll(requests: readonly FuzzRequest[], ops: readonly Operation[]): Promise<FuzzRun> {
  const run: FuzzRun = { classes: new Map(), perRoute: new Map(ops.map((o) => [`${o.method} ${o.route}`, { sent: 0, pastAuth: 0, ok: 0, ms: 0 }])), checkingMs: 0, byStatus: new Map() };
  let state = await ledgerState();
  for (const [i, r] of requests.entries()) {
    const started = performance.now();
    const answer = await send(r);
    const took = performance.now() - started;
    const next = await ledgerState();
    run.checkingMs += performance.now() - started - took;
    for (const v of fuzzVerdict({ request: r, answer, before: state, after: next, documented: DOCUMENTED })) {
      const c = run.classes.get(v.key) ?? { verdict: v, count: 0, example: exampleOf(i, r, answer) };
      c.count++;
      run.classes.set(v.key, c);
    }
    const tally = run.perRoute.get(`${r.op.method} ${r.op.route}`)!;
    tally.sent++;
    tally.ms += took;
    if (answer.status !== 401 && answer.status !== 403) tally.pastAuth++;
    if (answer.status < 300) tally.ok++;
    run.byStatus.set(answer.status, (run.byStatus.get(answer.status) ?? 0) + 1);
    state = next;
  }
  return run;
}

const total = (run: FuzzRun, f: (x: RouteTally) => number): number => [...run.perRoute.values()].reduce((n, x) => n + f(x), 0);

/** The run's counts, timings and failure classes, as test diagnostics. */
function report(t: TestContext, run: FuzzRun, requests: number): void {
  t.diagnostic(`seed ${SEED}: ${requests} requests over ${total(run, (x) => (x.sent > 0 ? 1 : 0))}/${run.perRoute.size} routes; ${total(run, (x) => x.ok)} answered 2xx`);
  t.diagnostic(`by status: ${[...run.byStatus].sort((a, b) => a[0] - b[0]).map(([status, n]) => `${status}×${n}`).join(' ')}`);
  t.diagnostic(`requests took ${Math.trunc(total(run, (x) => x.ms))} ms, ledger checks ${Math.trunc(run.checkingMs)} ms`);
  const slowest = [...run.perRoute].sort((a, b) => b[1].ms - a[1].ms).slice(0, 3);
  t.diagnostic(`slowest routes: ${slowest.map(([route, x]) => `${route} ${Math.trunc(x.ms)} ms over ${x.sent}`).join('; ')}`);
  for (const c of run.classes.values()) {
    t.diagnostic(`FAILURE: ${c.count} × ${c.verdict.key}`);
    t.diagnostic(`    e.g. ${c.example}`);
  }
}

test(`fuzz: ${RUNS} generated requests over every route of the OpenAPI document (seed ${SEED}; replay with STOCKBOOK_FUZZ_SEED=${SEED})`, { timeout: 180_000 }, async (t) => {
  const doc = JSON.parse((await app.inject({ method: 'GET', url: '/docs/json' })).body) as Record<string, unknown>;
  const ops = operationsOf(doc);
  assert.ok(ops.length >= 25, `the OpenAPI document lists the routes (${ops.length})`);
  const config = syncCompany(sb, COMPANY, 'Fuzz company');
  const bodies = {
    'POST /v1/events': eventExamples(),
    'PUT /v1/company': [config, { ...config, company: { id: COMPANY, name: 'Renamed' } }],
    'PUT /v1/sync/connection': [{ tokenSet: sb.issueTokenSet() }],
  };
  const requests = fc.sample(fuzzRequest(ops, { root: doc, vocabulary: vocabulary() }, bodies), { seed: SEED, numRuns: RUNS });
  const run = await fuzzAll(requests, ops);
  report(t, run, requests.length);

  for (const [route, x] of run.perRoute) assert.ok(x.pastAuth > 0, `${route}: at least one request got past authentication (sent ${x.sent})`);
  assert.ok(total(run, (x) => x.ok) > requests.length / 6, 'a good share of the requests is answered 2xx (the generator reaches the handlers)');
  const failures = [...run.classes.values()].map((c) => `${c.count} × ${c.verdict.key} — e.g. ${c.example}`);
  assert.deepEqual(failures, [], `failure classes (seed ${SEED}; replay with STOCKBOOK_FUZZ_SEED=${SEED})`);
});
