/**
 * The /v1/counts routes (inventory adjustments export, seed 002) through fastify.inject over a
 * temporary SQLite ledger: the counts, the journal adjustment report, the export and its
 * journal, ALREADY_EXPORTED until the export is voided, NO_COUNT, MAPPING_MISSING; only
 * exporter and admin keys see any of it.
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
import { COUNT_EVENTS, countsCompany, unmappedCompany, voidOf, type PreviewJson } from './helpers/counts.js';

interface Res { status: number; type: string; body: Record<string, unknown> }
interface Line { account: string; amount: string; memo?: string }
interface JournalJson { id: string; event: string; eventType: string; kind: string; date: string; lines: Line[] }

function assertProblem(r: Res, status: number, code: string): void {
  assert.equal(r.status, status, `status ${status}, got ${r.status}: ${JSON.stringify(r.body)}`);
  assert.match(r.type, /^application\/problem\+json/);
  assert.equal(r.body['code'], code);
  for (const k of ['title', 'detail', 'fix']) assert.equal(typeof r.body[k], 'string', `problem has ${k}`);
}

const perCategory = (p: PreviewJson): Record<string, [string, string]> => Object.fromEntries(p.categories.map((c) => [c.category ?? '', [c.prior, c.current]]));

describe('HTTP API: /v1/counts', () => {
  let dir: string;
  let store: LedgerStore;
  let app: FastifyInstance;
  const keys: Record<string, string> = {};
  const key = (role: ApiRole, company = 'cx'): string => keys[`${company}:${role}`]!;

  const call = async (method: 'GET' | 'POST', url: string, k: string, payload?: object): Promise<Res> => {
    const r = await app.inject({ method, url, headers: { authorization: `Bearer ${k}` }, ...(payload === undefined ? {} : { payload }) });
    return { status: r.statusCode, type: String(r.headers['content-type'] ?? ''), body: r.body === '' ? {} : (JSON.parse(r.body) as Record<string, unknown>) };
  };
  const adjustments = (query = '', role: ApiRole = 'exporter', company = 'cx'): Promise<Res> => call('GET', `/v1/counts/adjustments${query}`, key(role, company));
  const exportCount = (body: object = {}, role: ApiRole = 'exporter', company = 'cx'): Promise<Res> => call('POST', '/v1/counts/export', key(role, company), body);
  const listed = async (): Promise<{ counts: { date: string; exportedBy: string | null }[]; next: string | null }> => (await call('GET', '/v1/counts', key('exporter'))).body as never;
  const journalsOf = async (event: string): Promise<JournalJson[]> => (await call('GET', `/v1/journals?event=${event}`, key('viewer'))).body['journals'] as JournalJson[];
  const balanceOf = async (account: string, asOf: string): Promise<string> => {
    const tb = (await call('GET', `/v1/reports/trial-balance?asOf=${asOf}`, key('viewer'))).body['accounts'] as { account: string; debit: string; credit: string }[];
    const row = tb.find((a) => a.account === account);
    return row === undefined ? '0.00' : row.debit !== '' && row.debit !== '0.00' ? row.debit : `-${row.credit}`;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stockbook-counts-api-'));
    store = await openStore({ sqlitePath: join(dir, 'ledger.sqlite') });
    for (const config of [countsCompany(), unmappedCompany()]) {
      const co = await putCompany(store, config);
      assert.ok(!('code' in co), `company loads: ${JSON.stringify(co)}`);
      for (const role of ['admin', 'poster', 'viewer', 'exporter'] as ApiRole[]) keys[`${co.id}:${role}`] = (await createKey(store, co.id, role))!.key;
    }
    app = await buildServer({ store });
    const posted = await call('POST', '/v1/events', key('poster'), COUNT_EVENTS);
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('viewer and poster keys get 403 on every count route; no key gets 401', async () => {
    for (const role of ['viewer', 'poster'] as ApiRole[]) {
      assertProblem(await call('GET', '/v1/counts', key(role)), 403, 'FORBIDDEN');
      assertProblem(await adjustments('', role), 403, 'FORBIDDEN');
      assertProblem(await exportCount({}, role), 403, 'FORBIDDEN');
    }
    const anonymous = await app.inject({ method: 'GET', url: '/v1/counts' });
    assert.equal(anonymous.statusCode, 401);
    assert.deepEqual((await listed()).counts.map((c) => c.exportedBy), [null, null], 'nothing was exported');
  });

  test('GET /v1/counts: both counts, none exported, the latest is the default', async () => {
    assert.deepEqual(await listed(), { counts: [{ date: '2026-01-31', exportedBy: null, superseded: false }, { date: '2026-02-28', exportedBy: null, superseded: false }], next: '2026-02-28' });
    const admin = await call('GET', '/v1/counts', key('admin'));
    assert.equal(admin.status, 200, 'admins may see the counts');
  });

  test('the adjustments of 2026-01-31: per category the count value, the entries, balanced', async () => {
    const r = await adjustments('?count=2026-01-31');
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const p = r.body as unknown as PreviewJson;
    assert.deepEqual([p.count, p.priorCount, p.inventorySystem, p.exportedBy, p.balanced], ['2026-01-31', null, 'periodic', null, true]);
    assert.deepEqual(p.categories.map((c) => [c.category, c.name, c.asset, c.cogs, c.opening, c.prior, c.current]), [
      ['BEV', 'Beverages', '1200', '5000', '0.00', '0.00', '136.00'],
      ['HOME', 'Home goods', '1210', '5010', '0.00', '0.00', '75.00'],
    ]);
    assert.deepEqual(p.categories[0]!.movements, { receipts: '200.00', sales: '-60.00', transfers: '0.00', production: '0.00', adjustments: '-4.00', other: '0.00' });
    assert.deepEqual(p.categories[1]!.movements, { receipts: '100.00', sales: '-25.00', transfers: '0.00', production: '0.00', adjustments: '0.00', other: '0.00' });
    assert.deepEqual(p.entries.map((e) => [e.debit, e.credit, e.amount]), [['1200', '5000', '136.00'], ['1210', '5010', '75.00']]);
    assert.deepEqual(p.totals, { debit: '211.00', credit: '211.00' });
  });

  test('the default report is the latest count, 2026-02-28, after 2026-01-31', async () => {
    const p = (await adjustments()).body as unknown as PreviewJson;
    assert.deepEqual([p.count, p.priorCount], ['2026-02-28', '2026-01-31']);
    assert.deepEqual(p.categories.map((c) => [c.category, c.opening, c.movements['transfers'], c.movements['adjustments'], c.current]), [['BEV', '136.00', '0.00', '-2.00', '134.00'], ['HOME', '75.00', '0.00', '-5.00', '70.00']]);
  });

  test('NO_COUNT (404) for a date without a stocktake; a malformed or impossible date is 400 INVALID_DATE', async () => {
    assertProblem(await adjustments('?count=2026-01-15'), 404, 'NO_COUNT');
    assertProblem(await exportCount({ count: '2026-01-15' }), 404, 'NO_COUNT');
    assertProblem(await adjustments('?count=31.01.2026'), 400, 'INVALID_DATE');
    assertProblem(await exportCount({ count: '2026-02-30' }), 400, 'INVALID_DATE');
    assertProblem(await exportCount({ count: '2026-01-31', extra: 1 }), 400, 'INVALID_REQUEST');
    assert.deepEqual((await listed()).counts.map((c) => c.exportedBy), [null, null]);
  });

  test('POST /v1/counts/export posts CX-2026-01-31: its journal lands and the count is marked exported', async () => {
    const r = await exportCount({ count: '2026-01-31' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body['event'], 'CX-2026-01-31');
    assert.equal((r.body['preview'] as PreviewJson).exportedBy, 'CX-2026-01-31');
    const stored = await journalsOf('CX-2026-01-31');
    assert.equal(stored.length, 1);
    assert.deepEqual([stored[0]!.eventType, stored[0]!.kind, stored[0]!.date], ['count_export', 'original', '2026-01-31']);
    assert.deepEqual(stored[0]!.lines.map((l) => [l.account, l.amount]), [['1200', '136.00'], ['5000', '-136.00'], ['1210', '75.00'], ['5010', '-75.00']]);
    assert.deepEqual((r.body['journals'] as JournalJson[]).map((j) => j.id), stored.map((j) => j.id));
    assert.deepEqual(await listed(), { counts: [{ date: '2026-01-31', exportedBy: 'CX-2026-01-31', superseded: false }, { date: '2026-02-28', exportedBy: null, superseded: false }], next: '2026-02-28' });
    assert.equal(((await adjustments('?count=2026-01-31')).body as unknown as PreviewJson).exportedBy, 'CX-2026-01-31');
    assert.deepEqual([await balanceOf('1200', '2026-01-31'), await balanceOf('1210', '2026-01-31')], ['136.00', '75.00']);
  });

  test('exporting it again is 409 ALREADY_EXPORTED; after a void it exports again as CX-2026-01-31-2', async () => {
    const again = await exportCount({ count: '2026-01-31' });
    assertProblem(again, 409, 'ALREADY_EXPORTED');
    assert.equal((again.body['record'] as Record<string, unknown>)['event'], 'CX-2026-01-31');
    const voided = await call('POST', '/v1/events', key('poster'), voidOf('VOID-CX-1', 'CX-2026-01-31', '2026-01-31'));
    assert.equal(voided.status, 200, JSON.stringify(voided.body));
    assert.deepEqual((await listed()).counts[0], { date: '2026-01-31', exportedBy: null, superseded: false });
    assert.equal(await balanceOf('1200', '2026-01-31'), '0.00', 'the void reversed the export');
    const r = await exportCount({ count: '2026-01-31' }, 'admin');
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.body['event'], 'CX-2026-01-31-2');
    assert.equal((await journalsOf('CX-2026-01-31-2')).length, 1);
    assert.equal((await listed()).counts[0]!.exportedBy, 'CX-2026-01-31-2');
    assert.equal(await balanceOf('1200', '2026-01-31'), '136.00');
  });

  test('the next export (no body: the default count) reverses the prior ending inventory; then no count is left', async () => {
    const p = (await adjustments()).body as unknown as PreviewJson;
    assert.deepEqual(perCategory(p), { BEV: ['136.00', '134.00'], HOME: ['75.00', '70.00'] });
    assert.deepEqual(p.entries.map((e) => [e.debit, e.credit, e.amount]), [['5000', '1200', '136.00'], ['1200', '5000', '134.00'], ['5010', '1210', '75.00'], ['1210', '5010', '70.00']]);
    assert.deepEqual([p.totals.debit, p.totals.credit, p.balanced], ['415.00', '415.00', true]);
    const res = await app.inject({ method: 'POST', url: '/v1/counts/export', headers: { authorization: `Bearer ${key('exporter')}` } });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal((JSON.parse(res.body) as { event: string }).event, 'CX-2026-02-28');
    assert.deepEqual([await balanceOf('1200', '2026-02-28'), await balanceOf('1210', '2026-02-28')], ['134.00', '70.00']);
    assert.equal((await listed()).next, null);
    assertProblem(await exportCount(), 404, 'NO_COUNT');
    assertProblem(await adjustments(), 404, 'NO_COUNT');
  });

  test('a count another process records is seen at once', async () => {
    const other = await CompanyLedger.open(store, 'cx');
    assert.ok(other instanceof CompanyLedger);
    const posted = await other.post({ id: 'ST-3', type: 'stocktake', date: '2026-03-31', lines: [{ product: 'MUG', warehouse: 'MAIN', counted: 14 }] });
    assert.equal(posted.status, 'ok');
    assert.equal((await listed()).next, '2026-03-31');
    const p = (await adjustments()).body as unknown as PreviewJson;
    assert.deepEqual(perCategory(p), { BEV: ['134.00', '134.00'], HOME: ['70.00', '70.00'] });
  });

  test('MAPPING_MISSING (409) names the category without GL accounts', async () => {
    const posted = await call('POST', '/v1/events', key('poster', 'nomap'), COUNT_EVENTS);
    assert.equal(posted.status, 200, JSON.stringify(posted.body));
    for (const r of [await adjustments('?count=2026-01-31', 'exporter', 'nomap'), await exportCount({ count: '2026-01-31' }, 'exporter', 'nomap')]) {
      assertProblem(r, 409, 'MAPPING_MISSING');
      assert.match(String(r.body['detail']), /MISC \(inventory\)/);
      assert.doesNotMatch(String(r.body['detail']), /BEV|HOME/);
    }
    assert.deepEqual((await call('GET', '/v1/counts', key('exporter', 'nomap'))).body['counts'], [{ date: '2026-01-31', exportedBy: null, superseded: false }, { date: '2026-02-28', exportedBy: null, superseded: false }]);
  });

  test('the OpenAPI document lists the count routes under the counts tag', async () => {
    const doc = JSON.parse((await app.inject({ method: 'GET', url: '/docs/json' })).body) as { tags: { name: string }[]; paths: Record<string, Record<string, { tags?: string[] }>> };
    assert.ok(doc.tags.some((t) => t.name === 'counts'));
    for (const [path, method] of [['/v1/counts', 'get'], ['/v1/counts/adjustments', 'get'], ['/v1/counts/export', 'post']] as const) {
      assert.deepEqual(doc.paths[path]?.[method]?.tags, ['counts'], `${method.toUpperCase()} ${path} is documented`);
    }
  });
});
