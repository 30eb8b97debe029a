/**
 * Bounds at the sync boundary: Xero's wire carries amounts as JSON numbers, exact to 15
 * significant digits. An amount within stockbook's bounds but beyond that (or a unit price that
 * is) makes its record fail with VALUE_OUT_OF_RANGE, naming the record, instead of an assertion
 * that failed the whole run with a 500; the other records of the run still post.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { openStore } from '../src/store/open.js';
import type { LedgerStore } from '../src/store/store.js';
import { putCompany } from '../src/ledger/service.js';
import { buildServer } from '../src/api/server.js';
import { createKey } from '../src/api/keys.js';
import { FailureError } from '../src/domain/errors.js';
import { MAX_AMOUNT } from '../src/domain/bounds.js';
import { formatDecimal } from '../src/domain/decimal.js';
import { decimalToWire, toWire } from '../src/sync/xero/wire.js';
import type { XeroSandbox } from '../src/sandbox/xero/index.js';
import { startSandbox, syncCompany } from './helpers/sync.js';

function refusedOnTheWire(f: () => unknown): FailureError {
  try {
    f();
  } catch (e) {
    if (e instanceof FailureError) return e;
    throw e;
  }
  return assert.fail('expected VALUE_OUT_OF_RANGE');
}

test('toWire and decimalToWire refuse what a JSON number would not carry exactly, with VALUE_OUT_OF_RANGE', () => {
  assert.equal(toWire(MAX_AMOUNT - 1n, 'USD'), 9999999999999.99);
  assert.equal(refusedOnTheWire(() => toWire(MAX_AMOUNT, 'USD')).failure.code, 'VALUE_OUT_OF_RANGE');
  assert.equal(refusedOnTheWire(() => toWire(-MAX_AMOUNT, 'USD')).failure.record['amount'], '-10000000000000.00');
  assert.equal(decimalToWire(123456789012345n, 4, 4), 12345678901.2345);
  assert.equal(refusedOnTheWire(() => decimalToWire(12345678901234567n, 4, 4)).failure.code, 'VALUE_OUT_OF_RANGE');
});

let sb: XeroSandbox;
let store: LedgerStore;
let app: FastifyInstance;
const keys: Record<string, string> = {};

before(async () => {
  sb = await startSandbox();
  store = await openStore({ sqlitePath: ':memory:' });
  await putCompany(store, syncCompany(sb));
  for (const role of ['admin', 'poster', 'exporter'] as const) keys[role] = (await createKey(store, 'seed-004', role))!.key;
  app = await buildServer({ store });
  const put = await app.inject({ method: 'PUT', url: '/v1/sync/connection', headers: { authorization: `Bearer ${keys['admin']}` }, payload: { tokenSet: sb.issueTokenSet() as never } });
  assert.equal(put.statusCode, 204, put.body);
});
after(async () => {
  await app.close();
  await store.close();
  await sb.close();
});

test('a bill at the amount bound whose unit price Xero cannot carry fails its record with VALUE_OUT_OF_RANGE; the run answers 200 and the other bill posts', async () => {
  const bill = (id: string, qty: number, amount: string): Record<string, unknown> => ({ id, type: 'purchase_invoice', date: '2026-03-05', supplier: 'ACME', reference: id, lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty, amount, tax: '0.00' }] });
  // 10,000,000,000,000.00 for 7: a unit price of 1428571428571.4286 (17 significant digits).
  const posted = await app.inject({ method: 'POST', url: '/v1/events', headers: { authorization: `Bearer ${keys['poster']}` }, payload: [bill('HUGE', 7, formatDecimal(MAX_AMOUNT, 2)), bill('SMALL', 1, '100.00')] });
  assert.equal(posted.statusCode, 200, posted.body);
  const r = await app.inject({ method: 'POST', url: '/v1/sync/runs', headers: { authorization: `Bearer ${keys['exporter']}` }, payload: { type: 'procurement' } });
  assert.ok(r.statusCode < 500, `the run answers: ${r.statusCode} ${r.body.slice(0, 300)}`);
  const results = new Map((JSON.parse(r.body) as { results: { record: string; status: string; error?: { code: string; record: Record<string, unknown> } }[] }).results.map((x) => [x.record, x]));
  assert.equal(results.get('HUGE')?.error?.code, 'VALUE_OUT_OF_RANGE', JSON.stringify(results.get('HUGE')));
  assert.equal(results.get('HUGE')?.error?.record['record'], 'HUGE');
  assert.ok(['posted', 'warnings'].includes(String(results.get('SMALL')?.status)), JSON.stringify(results.get('SMALL')));
});
