/**
 * The /v1/sync routes of the HTTP API against the Xero sandbox, through fastify.inject over a
 * temporary SQLite ledger: events posted through the API are synced from the same book; roles;
 * problems with sensible statuses; bigints as strings.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../src/store/open.js';
import type { LedgerStore } from '../src/store/store.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { buildServer } from '../src/api/server.js';
import { createKey, type ApiRole } from '../src/api/keys.js';
import type { XeroSandbox } from '../src/sandbox/xero/index.js';
import { EVENTS, SEED, startSandbox, syncCompany, writes } from './helpers/sync.js';

interface Res { status: number; type: string; body: Record<string, unknown> }
interface Result { record: string; status: string; version: number; ids?: Record<string, string>; warnings: { code: string }[]; error?: { code: string }; requests?: { kind: string; body: Record<string, unknown> }[] }
interface Summary { run: string; type: string; dryRun: boolean; calls: number; stopped?: { code: string }; results: Result[] }
interface Listed { id: string; type: string; kind: string; status: string; version: number; posted?: Record<string, unknown> }

const results = (r: Res): Map<string, Result> => new Map((r.body as unknown as Summary).results.map((x) => [x.record, x]));

function assertProblem(r: Res, status: number, code: string): void {
  assert.equal(r.status, status, `status ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  assert.match(r.type, /^application\/problem\+json/);
  assert.equal(r.body['code'], code);
  for (const k of ['title', 'detail', 'fix']) assert.equal(typeof r.body[k], 'string', `problem has ${k}`);
}

describe('HTTP API: /v1/sync', () => {
  let sb: XeroSandbox;
  let dir: string;
  let store: LedgerStore;
  let app: FastifyInstance;
  const keys: Record<string, string> = {};
  const key = (role: ApiRole, company = 'seed-004'): string => keys[`${company}:${role}`]!;

  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, k: string, payload?: Record<string, unknown> | Record<string, unknown>[]): Promise<Res> => {
    const r = await app.inject({ method, url, headers: { authorization: `Bearer ${k}` }, ...(payload === undefined ? {} : { payload }) });
    return { status: r.statusCode, type: String(r.headers['content-type'] ?? ''), body: r.body === '' ? {} : (JSON.parse(r.body) as Record<string, unknown>) };
  };
  const run = (type: string, role: ApiRole = 'exporter', dryRun?: boolean): Promise<Res> => call('POST', '/v1/sync/runs', key(role), { type, ...(dryRun === undefined ? {} : { dryRun }) });
  const listed = async (query = ''): Promise<{ counts: Record<string, number>; records: Listed[] }> => (await call('GET', `/v1/sync/records${query}`, key('viewer'))).body as never;

  before(async () => {
    sb = await startSandbox();
    dir = mkdtempSync(join(tmpdir(), 'stockbook-sync-api-'));
    store = await openStore({ sqlitePath: join(dir, 'ledger.sqlite') });
    for (const config of [syncCompany(sb), { ...SEED, company: { id: 'beta', name: 'No sync', baseCurrency: 'USD' } }]) {
      const co = await putCompany(store, config);
      assert.ok(!('code' in co), 'company loads');
      for (const role of ['admin', 'poster', 'viewer', 'exporter'] as ApiRole[]) keys[`${co.id}:${role}`] = (await createKey(store, co.id, role))!.key;
    }
    app = await buildServer({ store });
  });
  after(async () => {
    await app.close();
    await store.close();
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('PUT /v1/sync/connection stores the token set (admin only); before it a run is a 409 problem', async () => {
    const early = await run('invoices');
    assertProblem(early, 409, 'SYNC_NOT_CONFIGURED');
    assert.match(String((early.body['record'] as Record<string, unknown>)['run']), /^run-/);
    assertProblem(await call('PUT', '/v1/sync/connection', key('exporter'), { tokenSet: sb.issueTokenSet() as never }), 403, 'FORBIDDEN');
    assertProblem(await call('PUT', '/v1/sync/connection', key('admin'), { tokenSet: { access_token: 'x' } }), 400, 'INVALID_REQUEST');
    const put = await call('PUT', '/v1/sync/connection', key('admin'), { tokenSet: sb.issueTokenSet() as never });
    assert.equal(put.status, 204, JSON.stringify(put.body));
    assertProblem(await call('GET', '/v1/sync/records', key('viewer', 'beta')), 409, 'SYNC_NOT_CONFIGURED');
  });

  test('events posted through the API are listed unposted, with counts per type', async () => {
    const posted = await call('POST', '/v1/events', key('poster'), EVENTS);
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    const all = await listed();
    assert.deepEqual(all.counts, { invoices: 3, procurement: 1, expenses: 0, payments: 1, journals: 0 });
    assert.deepEqual(all.records.map((r) => [r.id, r.type, r.status, r.version]), [['BILL-1', 'procurement', 'unposted', 1], ['INV-1', 'invoices', 'unposted', 1], ['INV-2', 'invoices', 'unposted', 1], ['INV-3', 'invoices', 'unposted', 1], ['RCPT-1', 'payments', 'unposted', 1]]);
    assert.deepEqual((await listed('?type=payments')).records.map((r) => r.id), ['RCPT-1']);
    assertProblem(await call('GET', '/v1/sync/records?type=bogus', key('viewer')), 400, 'INVALID_REQUEST');
  });

  test('the record list pages: limit, an opaque after cursor and next, null on the last page; the counts stay whole', async () => {
    const whole = await listed();
    const ids: string[] = [];
    let after: string | null | undefined;
    let pages = 0;
    do {
      const page = (await call('GET', `/v1/sync/records?limit=2${after ? `&after=${encodeURIComponent(after)}` : ''}`, key('viewer'))).body as unknown as { counts: Record<string, number>; records: Listed[]; next: string | null };
      assert.ok(page.records.length <= 2);
      assert.deepEqual(page.counts, whole.counts);
      ids.push(...page.records.map((r) => r.id));
      after = page.next;
      pages++;
    } while (after !== null);
    assert.equal(pages, 3);
    assert.deepEqual(ids, whole.records.map((r) => r.id));
    assert.equal(((await call('GET', '/v1/sync/records', key('viewer'))).body as { next: unknown }).next, null);
    const typed = (await call('GET', '/v1/sync/records?type=invoices&limit=1', key('viewer'))).body as unknown as { records: Listed[]; next: string };
    const second = (await call('GET', `/v1/sync/records?type=invoices&limit=1&after=${encodeURIComponent(typed.next)}`, key('viewer'))).body as unknown as { records: Listed[] };
    assert.deepEqual([...typed.records, ...second.records].map((r) => r.id), ['INV-1', 'INV-2']);
    for (const q of ['limit=0', 'limit=1001', 'after=bm90LWEtY3Vyc29y']) assertProblem(await call('GET', `/v1/sync/records?${q}`, key('viewer')), 400, 'INVALID_REQUEST');
  });

  test('a dry run answers the request bodies and sends nothing; viewers and posters cannot run syncs', async () => {
    for (const role of ['viewer', 'poster'] as ApiRole[]) assertProblem(await run('invoices', role), 403, 'FORBIDDEN');
    const dry = await run('invoices', 'exporter', true);
    assert.equal(dry.status, 200, JSON.stringify(dry.body));
    const r = results(dry);
    assert.deepEqual(r.get('INV-1')!.requests!.map((q) => q.kind), ['invoice', 'journal']);
    assert.equal(r.get('INV-1')!.requests![0]!.body['InvoiceNumber'], 'INV-1');
    assert.equal(r.get('INV-2')!.error!.code, 'CONTACT_MISSING');
    assert.deepEqual(writes(sb), {});
    assert.equal((await listed()).counts['invoices'], 3);
  });

  test('runs post the bill, the invoices with IV.TRX journals and the payment; a missing contact fails alone', async () => {
    assert.equal((await run('procurement', 'admin')).status, 200, 'admin may run syncs too');
    const inv = await run('invoices');
    assert.equal(inv.status, 200);
    const r = results(inv);
    assert.deepEqual([...r].map(([id, x]) => [id, x.status, x.ids?.['journalNumber'], x.error?.code]), [
      ['INV-1', 'warnings', 'IV.TRX-1', undefined],
      ['INV-2', 'failed', undefined, 'CONTACT_MISSING'],
      ['INV-3', 'posted', 'IV.TRX-2', undefined], // the contact it shares with INV-1 is reported created once
    ]);
    assert.equal(results(await run('payments')).get('RCPT-1')!.status, 'posted');
    assert.deepEqual(sb.state.manualJournals.map((j) => j.narration.split(' · ')[0]), ['IV.TRX-1', 'IV.TRX-2']);
    assert.equal(sb.state.payments.length, 1);
  });

  test('a record with its history, recent runs; bigints are strings', async () => {
    const got = await call('GET', '/v1/sync/records/INV-1', key('viewer'));
    assert.equal(got.status, 200);
    const rec = got.body['record'] as Listed;
    assert.equal(rec.status, 'posted');
    assert.equal(rec.posted!['journalNumber'], 'IV.TRX-1');
    const history = got.body['history'] as { seq: unknown; action: string; data: Record<string, unknown> }[];
    assert.deepEqual(history.map((h) => h.action), ['claim', 'posted']);
    assert.ok(history.every((h) => typeof h.seq === 'string' && /^\d+$/.test(h.seq)));
    assert.equal(history[1]!.data['documentNumber'], 'INV-1');
    assertProblem(await call('GET', '/v1/sync/records/NOPE', key('viewer')), 404, 'NOT_FOUND');

    const runs = await call('GET', '/v1/sync/runs?limit=2', key('viewer'));
    assert.equal(runs.status, 200);
    assert.deepEqual((runs.body['runs'] as Summary[]).map((s) => s.type), ['payments', 'invoices']);
    assertProblem(await call('GET', '/v1/sync/runs?limit=0', key('viewer')), 400, 'INVALID_REQUEST');
  });

  test('a second run posts nothing more', async () => {
    const before = writes(sb);
    const again = await run('invoices');
    assert.deepEqual([...results(again).keys()], ['INV-2']);
    assert.deepEqual(writes(sb), before);
  });

  test('hold keeps a record out of runs, release lets it back; posted and unknown records answer 409 and 404', async () => {
    const held = await call('POST', '/v1/sync/records/INV-2/hold', key('exporter'));
    assert.equal(held.status, 200);
    assert.equal((held.body['record'] as Listed).status, 'held');
    assertProblem(await call('POST', '/v1/sync/records/INV-2/release', key('viewer')), 403, 'FORBIDDEN');
    assert.deepEqual((await run('invoices')).body['results'], []);
    const released = await call('POST', '/v1/sync/records/INV-2/release', key('exporter'));
    assert.equal((released.body['record'] as Listed).status, 'failed');
    assert.deepEqual([...results(await run('invoices')).keys()], ['INV-2']);
    assertProblem(await call('POST', '/v1/sync/records/INV-1/hold', key('exporter')), 409, 'RECORD_STATE');
    assertProblem(await call('POST', '/v1/sync/records/NOPE/hold', key('exporter')), 404, 'NOT_FOUND');
  });

  test('repost: refused (409) while Xero holds the invoice or its inventory journal, taken once both are voided', async () => {
    assertProblem(await call('POST', '/v1/sync/records/INV-3/repost', key('exporter')), 409, 'STILL_IN_TARGET');
    sb.voidInvoice(sb.state.invoices.find((i) => i.invoiceNumber === 'INV-3')!.invoiceId);
    assertProblem(await call('POST', '/v1/sync/records/INV-3/repost', key('exporter')), 409, 'INVENTORY_JOURNAL_EXISTS');
    sb.voidManualJournal(sb.state.manualJournals.find((j) => j.narration.startsWith('IV.TRX-2 '))!.manualJournalId);
    const rp = await call('POST', '/v1/sync/records/INV-3/repost', key('exporter'));
    assert.equal(rp.status, 200, JSON.stringify(rp.body));
    assert.deepEqual([(rp.body['record'] as Listed).status, (rp.body['record'] as Listed).version], ['unposted', 2]);
    assertProblem(await call('POST', '/v1/sync/records/INV-3/void-and-repost', key('exporter')), 409, 'RECORD_STATE');
    const r = results(await run('invoices')).get('INV-3')!;
    assert.deepEqual([r.status, r.version, r.ids?.['documentNumber'], r.ids?.['journalNumber']], ['posted', 2, 'INV-3#v2', 'IV.TRX-3']);
  });

  test('void-and-repost voids the posted version in Xero and posts it again', async () => {
    const res = await call('POST', '/v1/sync/records/INV-3/void-and-repost', key('exporter'));
    assert.equal(res.status, 200, JSON.stringify(res.body));
    const r = results(res).get('INV-3')!;
    assert.deepEqual([r.status, r.version, r.ids?.['documentNumber'], r.ids?.['journalNumber']], ['posted', 3, 'INV-3#v3', 'IV.TRX-4']);
    assert.equal(sb.state.invoices.find((i) => i.invoiceNumber === 'INV-3#v2')!.status, 'VOIDED');
    assert.equal(sb.state.manualJournals.find((j) => j.narration.startsWith('IV.TRX-3 '))!.status, 'VOIDED');
  });

  test('void-and-repost of a paid invoice: Xero refuses the void (502) and nothing is voided', async () => {
    assertProblem(await call('POST', '/v1/sync/records/INV-1/void-and-repost', key('exporter')), 502, 'TARGET_REJECTED');
    assert.equal(sb.state.manualJournals.find((j) => j.narration.startsWith('IV.TRX-1 '))!.status, 'POSTED', 'the inventory journal stands');
    const rec = (await call('GET', '/v1/sync/records/INV-1', key('viewer'))).body['record'] as Listed;
    assert.deepEqual([rec.status, rec.version], ['posted', 1]);
  });

  test('events another process posts are synced too; correction ids are URL-encoded', async () => {
    const other = await CompanyLedger.open(store, 'seed-004');
    assert.ok(other instanceof CompanyLedger);
    const cheaper = { id: 'BILL-0', type: 'purchase_invoice', date: '2026-03-01', supplier: 'ACME', reference: 'PO-0', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: 5, amount: '25.00', tax: '2.50' }] };
    assert.equal((await other.postBatch([cheaper]))[0]!.status, 'ok');
    const ids = (await listed('?type=procurement')).records.map((r) => `${r.id}:${r.kind}`);
    assert.ok(ids.includes('BILL-0:document') && ids.includes('INV-1/c1:correction'), ids.join());
    const got = await call('GET', '/v1/sync/records/INV-1%2Fc1', key('viewer'));
    assert.equal((got.body['record'] as Listed).kind, 'correction');
    const r = results(await run('procurement')).get('INV-1/c1')!;
    assert.deepEqual([r.status, r.ids?.['journalNumber']], ['posted', 'INV-1/c1']);
  });

  test('a revoked connection: a run that tries nothing is a 409 TARGET_AUTH problem; connecting again resumes', async () => {
    sb.revokeTokens();
    assertProblem(await run('invoices'), 409, 'TARGET_AUTH');
    assert.equal((await call('PUT', '/v1/sync/connection', key('admin'), { tokenSet: sb.issueTokenSet() as never })).status, 204);
    assert.equal((await run('invoices')).status, 200);
  });

  test('the OpenAPI document lists the sync routes', async () => {
    const doc = await call('GET', '/docs/json', key('viewer'));
    const paths = doc.body['paths'] as Record<string, Record<string, unknown>>;
    const expected = [['/v1/sync/records', 'get'], ['/v1/sync/records/{id}', 'get'], ['/v1/sync/records/{id}/hold', 'post'], ['/v1/sync/records/{id}/release', 'post'], ['/v1/sync/records/{id}/repost', 'post'], ['/v1/sync/records/{id}/void-and-repost', 'post'], ['/v1/sync/runs', 'post'], ['/v1/sync/runs', 'get'], ['/v1/sync/connection', 'put']];
    for (const [path, method] of expected) assert.ok(paths[path!]?.[method!], `${method!.toUpperCase()} ${path!} is documented`);
  });

  test('the sandbox saw no schema violations', () => {
    assert.deepEqual(sb.violations, []);
  });
});
