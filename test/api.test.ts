/**
 * The HTTP API (src/api) over a temporary SQLite ledger, through fastify.inject (and one real
 * listener on 127.0.0.1 for `serve --demo`): company isolation, roles, idempotency, batches,
 * refused input changing nothing, coded problems, the OpenAPI document, and the demo year.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../src/store/open.js';
import type { LedgerStore } from '../src/store/store.js';
import { putCompany } from '../src/ledger/service.js';
import { parseMoney } from '../src/domain/money.js';
import { buildServer } from '../src/api/server.js';
import { createKey, type ApiRole } from '../src/api/keys.js';
import { serve, setupDemo } from '../src/api/serve.js';
import { demoYear, demoCompanyConfig, DEMO_COMPANY_ID } from '../src/demo/generator.js';
import { stockbook } from './helpers/cli.js';

const SEED = JSON.parse(readFileSync('examples/seed-004/company.json', 'utf8')) as Record<string, unknown>;
/** Company A is seed-004; company B is the same chart under another id. */
const configOf = (id: string, name: string): Record<string, unknown> => ({ ...SEED, company: { id, name, baseCurrency: 'USD' } });

const buy = (id: string, date: string, qty: number, amount: string, supplier = 'ACME'): Record<string, unknown> => ({ id, type: 'purchase_invoice', date, supplier, lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty, amount, tax: '0.00' }] });
const ship = (id: string, date: string, qty: number): Record<string, unknown> => ({ id, type: 'shipment', date, lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty }] });

/** JSON with bigints as strings, to compare store snapshots. */
const snap = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

interface Res { status: number; type: string; body: Record<string, unknown>; headers: Record<string, unknown> }

const dirs: string[] = [];
function tempDb(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-api-'));
  dirs.push(dir);
  return join(dir, 'ledger.sqlite');
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function call(app: FastifyInstance, method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, key?: string, payload?: unknown, headers: Record<string, string> = {}): Promise<Res> {
  const r = await app.inject({
    method,
    url,
    headers: { ...(key === undefined ? {} : { authorization: `Bearer ${key}` }), ...headers },
    ...(payload === undefined ? {} : typeof payload === 'string' ? { payload } : { payload: payload as Record<string, unknown> }),
  });
  return { status: r.statusCode, type: String(r.headers['content-type'] ?? ''), body: r.body === '' ? {} : (JSON.parse(r.body) as Record<string, unknown>), headers: r.headers };
}

function assertProblem(r: Res, status: number, code: string): void {
  assert.equal(r.status, status, `status ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  assert.match(r.type, /^application\/problem\+json/);
  assert.equal(r.body['code'], code);
  assert.equal(r.body['type'], `https://stockbook.dev/errors/${code}`);
  assert.equal(r.body['status'], status);
  for (const k of ['title', 'detail', 'fix']) assert.equal(typeof r.body[k], 'string', `problem has ${k}`);
  assert.equal(typeof r.body['record'], 'object');
}

type Result = { event: string; status: string; seq?: string; journals?: Record<string, unknown>[]; error?: { code: string; message: string; fix: string; record: Record<string, unknown> } };
const results = (r: Res): Result[] => r.body['results'] as Result[];

/** Money-named fields anywhere in a response are decimal strings, never JSON numbers. */
const MONEY_KEYS = new Set(['amount', 'debit', 'credit', 'balance', 'value', 'totalDebit', 'totalCredit', 'variance', 'trueUp', 'toCogs']);
function assertMoneyStrings(x: unknown, path = '$'): void {
  if (Array.isArray(x)) x.forEach((v, i) => assertMoneyStrings(v, `${path}[${i}]`));
  else if (typeof x === 'object' && x !== null) {
    for (const [k, v] of Object.entries(x)) {
      if (MONEY_KEYS.has(k)) assert.equal(typeof v, 'string', `${path}.${k} is a decimal string`);
      assertMoneyStrings(v, `${path}.${k}`);
    }
  }
}

describe('HTTP API', () => {
  let store: LedgerStore;
  let app: FastifyInstance;
  const keys: Record<string, string> = {};

  let dbPath = '';
  before(async () => {
    dbPath = tempDb();
    store = await openStore({ sqlitePath: dbPath });
    for (const [id, name] of [['seed-004', 'Company A'], ['beta', 'Company B']] as const) {
      const co = await putCompany(store, configOf(id, name));
      assert.ok(!('code' in co), 'company loads');
      for (const role of ['admin', 'poster', 'viewer', 'exporter'] as ApiRole[]) keys[`${id}:${role}`] = (await createKey(store, id, role))!.key;
    }
    app = await buildServer({ store });
  });
  after(async () => {
    await app.close();
    await store.close();
  });

  const A = (role: ApiRole): string => keys[`seed-004:${role}`]!;
  const B = (role: ApiRole): string => keys[`beta:${role}`]!;
  const count = (company: string): Promise<bigint> => store.countEvents(company);

  test('keys look like sbk_<company>_<32 hex> and only their SHA-256 hashes are stored, in api_keys (not in the configuration)', async () => {
    assert.match(A('admin'), /^sbk_seed-004_[0-9a-f]{32}$/);
    const rec = await store.getCompany('seed-004');
    const text = JSON.stringify(rec!.config);
    const stored = JSON.stringify(await store.apiKeys('seed-004'));
    for (const role of ['admin', 'poster', 'viewer', 'exporter'] as ApiRole[]) {
      assert.ok(!text.includes(A(role)) && !stored.includes(A(role)), 'the plaintext key is not stored');
      const hash = createHash('sha256').update(A(role)).digest('hex');
      assert.ok(stored.includes(hash), 'its hash is, in api_keys');
      assert.ok(!text.includes(hash), 'the configuration holds no key');
    }
  });

  test('no key, a malformed key or a wrong key: 401 UNAUTHORIZED problems', async () => {
    const none = await call(app, 'GET', '/v1/company');
    assertProblem(none, 401, 'UNAUTHORIZED');
    assert.match(String(none.headers['www-authenticate']), /^Bearer/);
    assertProblem(await call(app, 'GET', '/v1/company', 'not-a-key'), 401, 'UNAUTHORIZED');
    assertProblem(await call(app, 'GET', '/v1/company', `sbk_seed-004_${'0'.repeat(32)}`), 401, 'UNAUTHORIZED');
    assertProblem(await call(app, 'GET', '/v1/company', `sbk_nobody_${'0'.repeat(32)}`), 401, 'UNAUTHORIZED');
  });

  test('company isolation: a key of A can neither read nor write B, and B is unchanged', async () => {
    const posted = await call(app, 'POST', '/v1/events', B('poster'), [buy('B-BILL-1', '2026-03-01', 10, '100.00', 'BETA-SUPPLIER'), ship('B-SHP-1', '2026-03-02', 4)]);
    assert.equal(posted.status, 200);
    const before = { count: await count('beta'), journals: snap(await store.journals('beta')), tb: snap(await store.trialBalance('beta')), config: JSON.stringify((await store.getCompany('beta'))!.config) };

    // A's key sees A only: B's event is not found, and nothing of B's comes back.
    const read = await call(app, 'GET', '/v1/events/B-BILL-1', A('admin'));
    assertProblem(read, 404, 'NOT_FOUND');
    assert.ok(!JSON.stringify(read.body).includes('BETA-SUPPLIER'));
    const company = await call(app, 'GET', '/v1/company', A('admin'));
    assert.equal(company.body['id'], 'seed-004');
    const journals = await call(app, 'GET', '/v1/journals', A('admin'));
    assert.ok(!(journals.body['journals'] as { event: string }[]).some((j) => j.event.startsWith('B-')), 'no journal of B');

    // A's secret under B's name is no key of B's.
    const forged = `sbk_beta_${A('admin').slice(-32)}`;
    assertProblem(await call(app, 'GET', '/v1/events/B-BILL-1', forged), 401, 'UNAUTHORIZED');
    assertProblem(await call(app, 'POST', '/v1/events', forged, buy('B-BILL-2', '2026-03-03', 1, '10.00')), 401, 'UNAUTHORIZED');
    assertProblem(await call(app, 'PUT', '/v1/company', forged, configOf('beta', 'Hijacked')), 401, 'UNAUTHORIZED');
    assertProblem(await call(app, 'POST', '/v1/keys', forged, { role: 'admin' }), 401, 'UNAUTHORIZED');

    // Posting with A's key writes to A, even under B's event ids; A cannot rename itself to B.
    const same = await call(app, 'POST', '/v1/events', A('poster'), buy('B-BILL-1', '2026-03-01', 1, '1.00', 'A-SUPPLIER'));
    assert.equal(same.status, 200);
    assert.equal(results(same)[0]!.status, 'ok', 'a new event in A, not a conflict with B');
    assertProblem(await call(app, 'PUT', '/v1/company', A('admin'), configOf('beta', 'Hijacked')), 400, 'INVALID_CONFIG');

    assert.equal(await count('beta'), before.count);
    assert.equal(snap(await store.journals('beta')), before.journals);
    assert.equal(snap(await store.trialBalance('beta')), before.tb);
    assert.equal(JSON.stringify((await store.getCompany('beta'))!.config), before.config);
    assert.equal((await store.findEvent('beta', 'B-BILL-1'))!.body.includes('BETA-SUPPLIER'), true);
  });

  test('roles: viewer cannot post, poster cannot replace the configuration or manage keys, exporter cannot post, admin can create keys', async () => {
    const n = await count('seed-004');
    assertProblem(await call(app, 'POST', '/v1/events', A('viewer'), buy('R-1', '2026-03-01', 1, '10.00')), 403, 'FORBIDDEN');
    assertProblem(await call(app, 'POST', '/v1/events', A('exporter'), buy('R-1', '2026-03-01', 1, '10.00')), 403, 'FORBIDDEN');
    assert.equal(await count('seed-004'), n, 'nothing posted');
    assertProblem(await call(app, 'PUT', '/v1/company', A('poster'), configOf('seed-004', 'Renamed')), 403, 'FORBIDDEN');
    assertProblem(await call(app, 'POST', '/v1/keys', A('poster'), { role: 'admin' }), 403, 'FORBIDDEN');
    assertProblem(await call(app, 'GET', '/v1/keys', A('viewer'), undefined), 403, 'FORBIDDEN');
    assert.equal((await store.getCompany('seed-004'))!.name, 'Company A');

    for (const role of ['viewer', 'poster', 'exporter', 'admin'] as ApiRole[]) assert.equal((await call(app, 'GET', '/v1/company', A(role))).status, 200, `${role} reads`);

    const created = await call(app, 'POST', '/v1/keys', A('admin'), { role: 'viewer' });
    assert.equal(created.status, 201);
    assert.equal(created.body['role'], 'viewer');
    const key = String(created.body['key']);
    assert.match(key, /^sbk_seed-004_[0-9a-f]{32}$/);
    assert.equal((await call(app, 'GET', '/v1/company', key)).status, 200, 'the new key works');
    assertProblem(await call(app, 'POST', '/v1/events', key, buy('R-2', '2026-03-01', 1, '10.00')), 403, 'FORBIDDEN');
    assertProblem(await call(app, 'POST', '/v1/keys', A('admin'), { role: 'owner' }), 400, 'INVALID_REQUEST');

    const list = await call(app, 'GET', '/v1/keys', A('admin'));
    assert.equal(list.status, 200);
    const listed = list.body['keys'] as Record<string, unknown>[];
    assert.ok(listed.some((k) => k['id'] === created.body['id'] && k['role'] === 'viewer'));
    assert.ok(listed.every((k) => Object.keys(k).sort().join() === 'createdAt,id,lastUsedAt,name,revokedAt,role'), 'id, name, role, created, last used, revoked; no hashes');
    assert.ok(!JSON.stringify(list.body).includes(key));
  });

  test('keys have names and their last use; a revoked key answers 401 at once, also when another process revokes it', async () => {
    const created = await call(app, 'POST', '/v1/keys', A('admin'), { role: 'viewer', name: 'warehouse scanner' });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body['name'], 'warehouse scanner');
    const key = String(created.body['key']);
    const id = String(created.body['id']);
    assertProblem(await call(app, 'POST', '/v1/keys', A('admin'), { role: 'viewer', name: '' }), 400, 'INVALID_REQUEST');
    assertProblem(await call(app, 'POST', '/v1/keys', A('admin'), { role: 'viewer', name: 'tab\there' }), 400, 'INVALID_REQUEST');
    const listed = async (): Promise<Record<string, unknown>> => ((await call(app, 'GET', '/v1/keys', A('admin'))).body['keys'] as Record<string, unknown>[]).find((k) => k['id'] === id)!;
    assert.deepEqual([(await listed())['name'], (await listed())['lastUsedAt'], (await listed())['revokedAt']], ['warehouse scanner', null, null]);

    // Last use: written once, not on every request (at most once a minute per key and process).
    const marks: string[] = [];
    const real = store.markApiKeyUsed.bind(store);
    store.markApiKeyUsed = async (company, keyId, at, since) => (marks.push(keyId), real(company, keyId, at, since));
    try {
      for (let i = 0; i < 5; i++) assert.equal((await call(app, 'GET', '/v1/company', key)).status, 200);
      await new Promise((r) => setTimeout(r, 50));
    } finally {
      store.markApiKeyUsed = real;
    }
    assert.deepEqual(marks.filter((m) => m === id), [id], 'one write for five requests');
    assert.match(String((await listed())['lastUsedAt']), /^\d{4}-\d{2}-\d{2}T/);

    // Revoked through the API: the next request is refused.
    const revoked = await call(app, 'DELETE', `/v1/keys/${id}`, A('admin'));
    assert.equal(revoked.status, 200, JSON.stringify(revoked.body));
    assert.match(String(revoked.body['revokedAt']), /^\d{4}-/);
    const refused = await call(app, 'GET', '/v1/company', key);
    assertProblem(refused, 401, 'UNAUTHORIZED');
    assert.match(String(refused.body['detail']), /revoked/);
    assert.equal((await call(app, 'DELETE', `/v1/keys/${id}`, A('admin'))).body['revokedAt'], revoked.body['revokedAt'], 'revoking again changes nothing');
    assertProblem(await call(app, 'DELETE', '/v1/keys/k_nope', A('admin')), 404, 'NOT_FOUND');
    assertProblem(await call(app, 'DELETE', `/v1/keys/${id}`, A('viewer')), 403, 'FORBIDDEN');
  });

  test('a key revoked by another process (stockbook api-key revoke) answers 401 on this already serving one', async () => {
    const k = (await createKey(store, 'beta', 'viewer', { name: 'elsewhere' }))!;
    assert.equal((await call(app, 'GET', '/v1/company', k.key)).status, 200);
    const r = await stockbook(['api-key', 'revoke', k.id, '--company', 'beta', '--db', dbPath]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(JSON.parse(r.stdout).revokedAt as string, /^\d{4}-/);
    assertProblem(await call(app, 'GET', '/v1/company', k.key), 401, 'UNAUTHORIZED');
    const listed = await stockbook(['api-key', 'list', '--company', 'beta', '--db', dbPath]);
    assert.ok((JSON.parse(listed.stdout) as { keys: { id: string; name: string; revokedAt: string | null }[] }).keys.some((x) => x.id === k.id && x.name === 'elsewhere' && x.revokedAt !== null));
  });

  test('PUT /v1/company: a configuration over the size limit is CONFIG_TOO_LARGE (413), not BATCH_TOO_LARGE', async () => {
    const products = Array.from({ length: 100_000 }, (_, i) => ({ sku: `SKU-${i}`, name: `Product number ${i} with a long name` }));
    const big = await call(app, 'PUT', '/v1/company', A('admin'), { ...configOf('seed-004', 'Big'), products });
    assertProblem(big, 413, 'CONFIG_TOO_LARGE');
    assert.match(String(big.body['fix']), /stockbook import --config/);
    assert.equal((await store.getCompany('seed-004'))!.name !== 'Big', true);
  });

  test('GET /v1/company shows the configuration without keys; PUT replaces it (admin), keeps the keys and refuses what would break stored events', async () => {
    const got = await call(app, 'GET', '/v1/company', A('viewer'));
    assert.equal(got.body['id'], 'seed-004');
    assert.equal(got.body['baseCurrency'], 'USD');
    assert.equal((got.body['settings'] as Record<string, unknown>)['costingMethod'], 'fifo');
    assert.ok(Array.isArray(got.body['accounts']) && typeof got.body['mapping'] === 'object');
    assert.ok(!JSON.stringify(got.body).includes('apiKeys') && !JSON.stringify(got.body).includes('hash'));

    const renamed = await call(app, 'PUT', '/v1/company', A('admin'), configOf('seed-004', 'Company A, renamed'));
    assert.equal(renamed.status, 200, JSON.stringify(renamed.body));
    assert.equal(renamed.body['name'], 'Company A, renamed');
    assert.equal((await call(app, 'GET', '/v1/company', A('viewer'))).body['name'], 'Company A, renamed', 'old keys still work');

    const before = JSON.stringify((await store.getCompany('seed-004'))!.config);
    const bad = await call(app, 'PUT', '/v1/company', A('admin'), { ...configOf('seed-004', 'x'), settings: { costingMethod: 'random' } });
    assertProblem(bad, 400, 'INVALID_CONFIG');
    // WIDGET is used by stored events: a configuration without it is refused.
    const noWidget = { ...configOf('seed-004', 'x'), products: (SEED['products'] as { sku: string }[]).filter((p) => p.sku !== 'WIDGET') };
    const broken = await call(app, 'PUT', '/v1/company', A('admin'), noWidget);
    assertProblem(broken, 400, 'INVALID_CONFIG');
    assert.match(String(broken.body['detail']), /does not post under the new configuration/);
    assertProblem(await call(app, 'PUT', '/v1/company', A('admin'), { ...configOf('seed-004', 'x'), apiKeys: [] }), 400, 'INVALID_CONFIG');
    // Unknown fields, top-level or nested, are refused by name (they used to be stored).
    const extra = await call(app, 'PUT', '/v1/company', A('admin'), { ...configOf('seed-004', 'x'), colour: 'blue' });
    assertProblem(extra, 400, 'INVALID_CONFIG');
    assert.equal((extra.body['record'] as Record<string, unknown>)['field'], 'colour');
    assert.match(String(extra.body['detail']), /colour/);
    const nested = await call(app, 'PUT', '/v1/company', A('admin'), { ...configOf('seed-004', 'x'), settings: { costingMethod: 'fifo', costingMethd: 'lifo' }, products: [{ sku: 'WIDGET', colour: 'red' }] });
    assertProblem(nested, 400, 'INVALID_CONFIG');
    assert.match(String(nested.body['detail']), /settings\.costingMethd, products\[0\]\.colour/);
    assertProblem(await call(app, 'PUT', '/v1/company', A('admin'), { settings: {} }), 400, 'INVALID_CONFIG');
    assert.equal(JSON.stringify((await store.getCompany('seed-004'))!.config), before, 'refused configurations change nothing');
  });

  test('idempotency: the same event twice is ok then exists with the same journals; other content under its id is a conflict', async () => {
    const ev = buy('IDEM-1', '2026-04-01', 5, '55.00');
    const first = await call(app, 'POST', '/v1/events', A('poster'), ev);
    assert.equal(first.status, 200);
    const r1 = results(first)[0]!;
    assert.equal(r1.status, 'ok');
    assert.ok(r1.journals!.length > 0);
    assertMoneyStrings(first.body);
    const n = await count('seed-004');

    const again = await call(app, 'POST', '/v1/events', A('poster'), ev);
    assert.equal(again.status, 200);
    const r2 = results(again)[0]!;
    assert.equal(r2.status, 'exists');
    assert.equal(r2.seq, r1.seq);
    assert.deepEqual(r2.journals, r1.journals);

    const changed = await call(app, 'POST', '/v1/events', A('poster'), { ...ev, memo: 'changed' });
    assert.equal(changed.status, 207);
    const r3 = results(changed)[0]!;
    assert.equal(r3.status, 'conflict');
    assert.equal(r3.error!.code, 'DUPLICATE_EVENT_CONFLICT');
    assert.equal(await count('seed-004'), n, 'neither resubmission stored anything');
  });

  test('an event refused before and posted now says so: refusedEarlier on its ok result', async () => {
    assert.ok(!('code' in (await putCompany(store, configOf('gamma', 'Company C')))));
    const key = (await createKey(store, 'gamma', 'poster'))!.key;
    const voidBuy = { id: 'V-G1', type: 'void', date: '2026-03-10', target: 'G1' };
    const first = await call(app, 'POST', '/v1/events', key, [buy('G1', '2026-03-01', 5, '50.00'), ship('GS1', '2026-03-05', 5), voidBuy]);
    assert.deepEqual(results(first).map((r) => r.status), ['ok', 'ok', 'error']);
    assert.equal(results(first)[2]!.error!.code, 'INSUFFICIENT_STOCK');
    assert.equal(results(first)[0]!['refusedEarlier' as keyof Result], undefined, 'a new event carries no refusedEarlier');
    const second = await call(app, 'POST', '/v1/events', key, [{ id: 'V-GS1', type: 'void', date: '2026-03-11', target: 'GS1' }, voidBuy]);
    assert.deepEqual(results(second).map((r) => r.status), ['ok', 'ok']);
    const earlier = (results(second)[1] as Record<string, unknown>)['refusedEarlier'] as Record<string, unknown>;
    assert.equal(earlier['code'], 'INSUFFICIENT_STOCK');
    assert.match(String(earlier['at']), /^\d{4}-\d{2}-\d{2}T/);
    assert.equal((results(second)[0] as Record<string, unknown>)['refusedEarlier'], undefined);
  });

  test('a batch with one failing event answers 207; the others are stored', async () => {
    const n = await count('seed-004');
    const r = await call(app, 'POST', '/v1/events', A('poster'), [buy('BATCH-1', '2026-05-01', 3, '30.00'), ship('BATCH-2', '2026-05-02', 100000), ship('BATCH-3', '2026-05-03', 1)]);
    assert.equal(r.status, 207);
    assert.deepEqual(results(r).map((x) => x.status), ['ok', 'error', 'ok']);
    const failed = results(r)[1]!;
    assert.equal(failed.event, 'BATCH-2');
    assert.equal(failed.error!.code, 'INSUFFICIENT_STOCK');
    for (const k of ['message', 'fix']) assert.equal(typeof (failed.error as Record<string, unknown>)[k], 'string');
    assert.equal(await count('seed-004'), n + 2n);
    assert.ok(await store.findEvent('seed-004', 'BATCH-1'));
    assert.ok(await store.findEvent('seed-004', 'BATCH-3'));
    assert.equal(await store.findEvent('seed-004', 'BATCH-2'), undefined);
  });

  test('bad input changes nothing: each is a coded failure and the event count is unchanged', async () => {
    const n = await count('seed-004');
    const tb = snap(await store.trialBalance('seed-004'));

    assertProblem(await call(app, 'POST', '/v1/events', A('poster'), '{"id": "X", "type": ', { 'content-type': 'application/json' }), 400, 'INVALID_REQUEST');
    assertProblem(await call(app, 'POST', '/v1/events', A('poster'), '', { 'content-type': 'application/json' }), 400, 'INVALID_REQUEST');
    assertProblem(await call(app, 'POST', '/v1/events', A('poster'), 'id=X', { 'content-type': 'text/plain' }), 415, 'INVALID_REQUEST');

    // Wrong types: money as a JSON number, a quantity as a boolean — refused whole, even in a batch.
    const numberMoney = await call(app, 'POST', '/v1/events', A('poster'), { ...buy('BAD-1', '2026-06-01', 1, '1.00'), lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: 1, amount: 10 }] });
    assertProblem(numberMoney, 400, 'INVALID_EVENT');
    assert.match(String(numberMoney.body['detail']), /amount must be string/);
    assert.equal((numberMoney.body['record'] as Record<string, unknown>)['event'], 'BAD-1');
    const inBatch = await call(app, 'POST', '/v1/events', A('poster'), [buy('BAD-2', '2026-06-01', 1, '1.00'), { ...ship('BAD-3', '2026-06-02', 1), lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: true }] }]);
    assertProblem(inBatch, 400, 'INVALID_EVENT');
    assert.equal((inBatch.body['record'] as Record<string, unknown>)['index'], 1);
    assertProblem(await call(app, 'POST', '/v1/events', A('poster'), { id: 'BAD-4', type: 'teleport', date: '2026-06-01' }), 400, 'UNKNOWN_EVENT_TYPE');
    assertProblem(await call(app, 'POST', '/v1/events', A('poster'), { ...buy('BAD-5', '2026-06-01', 1, '1.00'), colour: 'red' }), 400, 'INVALID_EVENT');
    assertProblem(await call(app, 'POST', '/v1/events', A('poster'), '"just a string"', { 'content-type': 'application/json' }), 400, 'INVALID_EVENT');

    // Well-formed but refused by the ledger: a coded error in the event's result.
    const unknownProduct = await call(app, 'POST', '/v1/events', A('poster'), { ...buy('BAD-6', '2026-06-01', 1, '1.00'), lines: [{ product: 'GADGET', warehouse: 'MAIN', qty: 1, amount: '1.00' }] });
    assert.equal(unknownProduct.status, 207);
    assert.equal(results(unknownProduct)[0]!.error!.code, 'UNKNOWN_PRODUCT');
    const unbalanced = await call(app, 'POST', '/v1/events', A('poster'), { id: 'BAD-7', type: 'manual_journal', date: '2026-06-01', lines: [{ account: '6000', amount: '10.00' }, { account: '6100', amount: '-9.00' }] });
    assert.equal(unbalanced.status, 207);
    assert.equal(results(unbalanced)[0]!.error!.code, 'UNBALANCED_JOURNAL');

    // More than 10,000 events.
    const tooMany = Array.from({ length: 10_001 }, (_, i) => ({ id: `P-${i}`, type: 'customer_payment', date: '2026-06-01', customer: 'C', amount: '1.00' }));
    const big = await call(app, 'POST', '/v1/events', A('poster'), tooMany);
    assertProblem(big, 413, 'BATCH_TOO_LARGE');

    assert.equal(await count('seed-004'), n, 'no event stored');
    assert.equal(snap(await store.trialBalance('seed-004')), tb, 'no balance changed');
  });

  test('query parameters are checked; unknown routes and events are NOT_FOUND problems', async () => {
    assertProblem(await call(app, 'GET', '/v1/journals?limit=0', A('viewer')), 400, 'INVALID_REQUEST');
    assertProblem(await call(app, 'GET', '/v1/journals?limit=5001', A('viewer')), 400, 'INVALID_REQUEST');
    assertProblem(await call(app, 'GET', '/v1/journals?from=2026-3-1', A('viewer')), 400, 'INVALID_DATE');
    assertProblem(await call(app, 'GET', '/v1/journals?colour=red', A('viewer')), 400, 'INVALID_REQUEST');
    assertProblem(await call(app, 'GET', '/v1/reports/trial-balance?asOf=yesterday', A('viewer')), 400, 'INVALID_DATE');
    assertProblem(await call(app, 'GET', '/v1/journals?from=2026-03-02&to=2026-03-01', A('viewer')), 400, 'INVALID_RANGE');
    assertProblem(await call(app, 'GET', '/v1/nothing-here', A('viewer')), 404, 'NOT_FOUND');
    assertProblem(await call(app, 'GET', '/v1/events/NO-SUCH-EVENT', A('viewer')), 404, 'NOT_FOUND');
  });

  test('journals page by seq: next is the last seq as a decimal string, null on the last page', async () => {
    const all = await call(app, 'GET', '/v1/journals?limit=5000', A('viewer'));
    const full = all.body['journals'] as { id: string; seq: string }[];
    assert.ok(full.length >= 4);
    assert.equal(all.body['next'], null);
    const seen: string[] = [];
    let after: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const page: Res = await call(app, 'GET', `/v1/journals?limit=3${after === null ? '' : `&afterSeq=${after}`}`, A('viewer'));
      const js = page.body['journals'] as { id: string; seq: string }[];
      assert.ok(js.length <= 3);
      seen.push(...js.map((j) => j.id));
      after = page.body['next'] as string | null;
      if (after === null) break;
      assert.equal(after, js[js.length - 1]!.seq);
      assert.match(after, /^\d+$/);
    }
    assert.deepEqual(seen, full.map((j) => j.id));
    const byAccount = await call(app, 'GET', '/v1/journals?account=1300&from=2026-03-01&to=2026-05-31', A('viewer'));
    const js = byAccount.body['journals'] as { date: string; lines: { account: string; amount: string }[] }[];
    assert.ok(js.length > 0);
    for (const j of js) {
      assert.ok(j.date >= '2026-03-01' && j.date <= '2026-05-31');
      assert.ok(j.lines.some((l) => l.account === '1300'));
      let sum = 0n;
      for (const l of j.lines) {
        const m = parseMoney(l.amount, 'USD');
        assert.ok(m.ok);
        sum += m.value;
      }
      assert.equal(sum, 0n, 'every journal balances');
    }
    assertMoneyStrings(byAccount.body);
    // By account, in pages: the same journals as one page, each once, in seq order.
    const whole = ((await call(app, 'GET', '/v1/journals?account=1300&limit=5000', A('viewer'))).body['journals'] as { id: string }[]).map((j) => j.id);
    const paged: string[] = [];
    for (let next: string | null = null, pages = 0; pages === 0 || next !== null; pages++) {
      const page: Res = await call(app, 'GET', `/v1/journals?account=1300&limit=2${next === null ? '' : `&afterSeq=${next}`}`, A('viewer'));
      paged.push(...(page.body['journals'] as { id: string }[]).map((j) => j.id));
      next = page.body['next'] as string | null;
    }
    assert.ok(whole.length > 2);
    assert.deepEqual(paged, whole);
  });

  test('GL detail pages by an opaque cursor; the running balance carries across pages; bad cursors and limits are problems', async () => {
    const whole = await call(app, 'GET', '/v1/reports/gl?account=1300&limit=5000', A('viewer'));
    assert.equal(whole.status, 200);
    assert.equal(whole.body['next'], null);
    const rows: unknown[] = [];
    let opening = whole.body['opening'];
    for (let next: string | null = null, pages = 0; pages === 0 || next !== null; pages++) {
      const page: Res = await call(app, 'GET', `/v1/reports/gl?account=1300&limit=2${next === null ? '' : `&after=${next}`}`, A('viewer'));
      assert.equal(page.status, 200);
      assert.equal(page.body['opening'], opening, 'a page opens at the balance the previous one closed at');
      opening = page.body['closing'];
      rows.push(...(page.body['rows'] as unknown[]));
      next = page.body['next'] as string | null;
    }
    assert.deepEqual(rows, whole.body['rows']);
    assert.equal(opening, whole.body['closing']);
    assertProblem(await call(app, 'GET', '/v1/reports/gl?account=1300&after=bogus', A('viewer')), 400, 'INVALID_REQUEST');
    assertProblem(await call(app, 'GET', '/v1/reports/gl?account=1300&limit=5001', A('viewer')), 400, 'INVALID_REQUEST');
    assertProblem(await call(app, 'GET', '/v1/reports/gl?account=1300&limit=0', A('viewer')), 400, 'INVALID_REQUEST');
  });

  test('GET /v1/events/:id: the stored event, its journals and its costed moves as decimal strings', async () => {
    const r = await call(app, 'GET', '/v1/events/BATCH-3', A('viewer'));
    assert.equal(r.status, 200);
    assert.equal(r.body['id'], 'BATCH-3');
    assert.equal(r.body['type'], 'shipment');
    assert.match(String(r.body['seq']), /^\d+$/);
    assert.deepEqual(r.body['event'], ship('BATCH-3', '2026-05-03', 1));
    assert.ok((r.body['journals'] as { kind: string }[]).some((j) => j.kind === 'original'));
    const moves = r.body['moves'] as { kind: string; product: string; qty: string; result: { value: string; qty: string; takes: { qty: string; value: string }[] } }[];
    assert.equal(moves.length, 1);
    assert.equal(moves[0]!.kind, 'out');
    assert.equal(moves[0]!.qty, '1');
    assert.match(moves[0]!.result.value, /^\d+\.\d{2}$/);
    assert.ok(moves[0]!.result.takes.length > 0);
    assertMoneyStrings(r.body);
  });

  test('the OpenAPI document lists the routes; the explorer is at /docs', async () => {
    const doc = await call(app, 'GET', '/docs/json');
    assert.equal(doc.status, 200);
    assert.match(String(doc.body['openapi']), /^3\./);
    const paths = doc.body['paths'] as Record<string, Record<string, unknown>>;
    const expected: [string, string][] = [
      ['/v1/company', 'get'], ['/v1/company', 'put'], ['/v1/keys', 'get'], ['/v1/keys', 'post'], ['/v1/events', 'post'], ['/v1/events/{id}', 'get'],
      ['/v1/journals', 'get'], ['/v1/reports/trial-balance', 'get'], ['/v1/reports/valuation', 'get'], ['/v1/reports/reconciliation', 'get'],
    ];
    for (const [path, method] of expected) assert.ok(paths[path]?.[method], `${method.toUpperCase()} ${path} is documented`);
    const schemas = (doc.body['components'] as { schemas: Record<string, unknown> }).schemas;
    for (const s of ['Event', 'Journal', 'Problem', 'PostResult']) assert.ok(schemas[s], `component ${s}`);
    const ui = await app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(ui.statusCode, 200);
    assert.match(ui.body, /swagger/i);
  });
});

describe('the demo year over HTTP', () => {
  test('posts with no refusals, and the trial balance balances', async () => {
    const store = await openStore({ sqlitePath: tempDb() });
    const app = await buildServer({ store });
    try {
      assert.ok(!('code' in (await putCompany(store, demoCompanyConfig()))));
      const key = (await createKey(store, DEMO_COMPANY_ID, 'poster'))!.key;
      const events = demoYear();
      assert.ok(events.length > 2000 && events.length <= 10_000, `a few thousand events (${events.length})`);
      assert.deepEqual(demoYear(), events, 'deterministic');
      // The backdated bill comes in a batch of its own: a batch is costed in date order, so only across batches is it late.
      const r0 = await call(app, 'POST', '/v1/events', key, events.filter((e) => e.id !== 'PI-0999'));
      const r1 = await call(app, 'POST', '/v1/events', key, events.filter((e) => e.id === 'PI-0999'));
      const r = { status: r0.status === 200 ? r1.status : r0.status, body: { results: [...results(r0), ...results(r1)] } } as unknown as typeof r0;
      const refused = results(r).filter((x) => x.status !== 'ok');
      assert.deepEqual(refused.map((x) => `${x.event}: ${x.error?.code} ${x.error?.message}`), [], 'no refusals');
      assert.equal(r.status, 200);
      assert.equal(await store.countEvents(DEMO_COMPANY_ID), BigInt(events.length));

      const types = new Set(events.map((e) => e.type));
      for (const t of ['purchase_invoice', 'sale_invoice', 'shipment', 'customer_payment', 'supplier_payment', 'sale_credit_note', 'stocktake', 'assembly', 'write_off', 'transfer', 'void', 'landed_cost']) assert.ok(types.has(t), `the demo has a ${t}`);
      // The backdated bill comes last and re-costs the shipments since its date.
      const late = results(r).find((x) => x.event === 'PI-0999')!;
      assert.ok(late.journals!.some((j) => j['kind'] === 'correction' && j['eventType'] === 'shipment'), 'the backdated bill corrects shipments');

      const tb = await call(app, 'GET', '/v1/reports/trial-balance', key);
      assert.equal(tb.status, 200);
      assertMoneyStrings(tb.body);
      assert.equal(tb.body['balanced'], true);
      assert.equal(tb.body['totalDebit'], tb.body['totalCredit']);
      let sum = 0n;
      for (const a of tb.body['accounts'] as { balance: string }[]) {
        const m = parseMoney(a.balance, 'USD');
        assert.ok(m.ok);
        sum += m.value;
      }
      assert.equal(sum, 0n, 'debits = credits');
      const mid = await call(app, 'GET', '/v1/reports/trial-balance?asOf=2026-06-30', key);
      assert.equal(mid.body['totalDebit'], mid.body['totalCredit']);

      const valuation = await call(app, 'GET', '/v1/reports/valuation', key);
      assert.equal(valuation.status, 200);
      assertMoneyStrings(valuation.body);
      // The same report as CSV: the rows the CLI prints, one per line, as text/csv.
      const asCsv = await app.inject({ method: 'GET', url: '/v1/reports/valuation?format=csv', headers: { authorization: `Bearer ${key}` } });
      assert.equal(asCsv.statusCode, 200);
      assert.match(String(asCsv.headers['content-type']), /^text\/csv/);
      const rows = asCsv.body.trim().split('\n');
      assert.ok(rows.length > 3);
      assert.match(rows[0]!, /^[a-z_]+(,[a-z_]+)+$/, 'a header row');
      const recon = await app.inject({ method: 'GET', url: '/v1/reports/reconciliation?format=csv', headers: { authorization: `Bearer ${key}` } });
      assert.equal(recon.statusCode, 200);
      assert.match(recon.body, /^[^\n]+\n[\s\S]*1200/);
      const bad = await call(app, 'GET', '/v1/reports/valuation?format=xml', key);
      assertProblem(bad, 400, bad.body['code'] as string);
    } finally {
      await app.close();
      await store.close();
    }
  });

  test('serve --demo sets up the demo company once, prints an admin key once, and listens on 127.0.0.1', async () => {
    const store = await openStore({ sqlitePath: tempDb() });
    const lines: string[] = [];
    const app = await serve(store, { port: 0, host: '127.0.0.1', demo: true, logger: false }, (s) => lines.push(s));
    try {
      const key = lines.join('\n').match(/sbk_harbourline_[0-9a-f]{32}/)?.[0];
      assert.ok(key, 'the admin key is printed');
      assert.ok(lines.some((l) => /http:\/\/127\.0\.0\.1:\d+\/docs/.test(l)), 'the docs URL is printed');
      const address = app.server.address();
      assert.ok(typeof address === 'object' && address !== null);
      const res = await fetch(`http://127.0.0.1:${address.port}/v1/reports/trial-balance`, { headers: { authorization: `Bearer ${key}` } });
      assert.equal(res.status, 200);
      const body = (await res.json()) as Record<string, unknown>;
      assert.equal(body['balanced'], true);
      const n = await store.countEvents(DEMO_COMPANY_ID);
      assert.equal(n, BigInt(demoYear().length));

      // A second start: nothing posted again, no new key.
      const again: string[] = [];
      assert.deepEqual(await setupDemo(store, (s) => again.push(s)), { key: undefined, ledger: undefined });
      assert.deepEqual(again, []);
      assert.equal(await store.countEvents(DEMO_COMPANY_ID), n);
    } finally {
      await app.close();
      await store.close();
    }
  });
});

describe('secrets stay on the server', () => {
  test('GET /v1/company never shows the Xero client secret; a configuration sent back without it keeps the stored one', async () => {
    const { SqliteStore } = await import('../src/store/sqlite.js');
    const { buildServer } = await import('../src/api/server.js');
    const { createKey } = await import('../src/api/keys.js');
    const store = new SqliteStore(':memory:');
    await store.migrate();
    const config = { ...demoCompanyConfig(), sync: { xero: { clientId: 'app-1', clientSecret: 'very-secret', tenantId: 't-1' } } };
    assert.ok(!('code' in (await putCompany(store, config))));
    const k = (await createKey(store, DEMO_COMPANY_ID, 'admin'))!.key;
    const app = await buildServer({ store });
    try {
      const got = await app.inject({ method: 'GET', url: '/v1/company', headers: { authorization: `Bearer ${k}` } });
      assert.doesNotMatch(got.body, /very-secret/);
      const shown = (got.json() as { config: Record<string, unknown> }).config;
      const put = await app.inject({ method: 'PUT', url: '/v1/company', headers: { authorization: `Bearer ${k}`, 'content-type': 'application/json' }, payload: shown });
      assert.ok(put.statusCode < 300, put.body);
      const stored = (await store.getCompany(DEMO_COMPANY_ID))!.config as { sync: { xero: { clientSecret: string } } };
      assert.equal(stored.sync.xero.clientSecret, 'very-secret');
      const tb = await app.inject({ method: 'GET', url: '/v1/reports/trial-balance?format=csv', headers: { authorization: `Bearer ${k}` } });
      assert.equal(tb.statusCode, 200);
      assert.match(String(tb.headers['content-type']), /^text\/csv/);
      assert.match(tb.body.split('\n')[0]!, /account/i);
    } finally {
      await app.close();
      await store.close();
    }
  });
});
