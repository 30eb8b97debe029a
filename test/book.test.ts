import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Book } from '../src/book/book.js';
import { company, post, buy, ship, net, assertTiesOut, failCode, run } from './helpers/company.js';

function snapshot(book: Book): string {
  return JSON.stringify({ gl: [...book.balances()].filter(([, v]) => v !== 0n).sort(), onHand: book.onHand('W', 'MAIN') }, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

test('a backdated purchase re-costs later shipments with correction journals; originals are untouched', () => {
  const book = new Book(company());
  post(book, buy('B1', '2026-02-01', 10, '20.00'));
  const s1 = post(book, ship('S1', '2026-02-10', 5));
  const original = structuredClone(s1.journals[0]!);
  const late = post(book, buy('B0', '2026-01-15', 5, '5.00')); // FIFO: S1 now takes these 5 at 1.00
  assert.deepEqual(late.journals.map((j) => [j.id, j.kind]), [['B0', 'original'], ['S1/c1', 'correction']]);
  const c = late.journals[1]!;
  assert.equal(c.cause, 'B0');
  assert.equal(c.date, '2026-02-10', 'a correction is dated at the event it corrects');
  assert.equal(net(late, '5000', 'correction'), -500n);
  assert.deepEqual(book.journals.find((j) => j.id === 'S1'), original, 'the posted journal is not edited');
  assertTiesOut(book);
});

test('voiding restores every balance and on-hand figure, through the shipments it re-costs', () => {
  const book = new Book(company());
  post(book, buy('B1', '2026-01-01', 10, '10.00'));
  const before = snapshot(book);
  post(book, buy('B2', '2026-01-02', 10, '30.00'));
  post(book, ship('S1', '2026-01-03', 5));
  const withoutB2 = new Book(company());
  post(withoutB2, buy('B1', '2026-01-01', 10, '10.00'));
  post(withoutB2, ship('S1', '2026-01-03', 5));
  const v = post(book, { id: 'V1', type: 'void', date: '2026-01-20', target: 'B2' });
  assert.equal(v.journals[0]!.kind, 'reversal');
  assert.equal(v.journals[0]!.reverses, 'B2');
  assert.equal(snapshot(book), snapshot(withoutB2));
  post(book, { id: 'V2', type: 'void', date: '2026-01-20', target: 'S1' });
  assert.equal(snapshot(book), before);
  assertTiesOut(book);
});

test('a void or backdated issue that would leave a later issue short is refused and changes nothing', () => {
  const book = new Book(company());
  post(book, buy('B1', '2026-01-01', 5, '5.00'));
  post(book, buy('B2', '2026-01-02', 5, '5.00'));
  post(book, ship('S1', '2026-01-05', 8));
  const before = snapshot(book);
  assert.equal(failCode(book, { id: 'V1', type: 'void', date: '2026-01-06', target: 'B2' }), 'INSUFFICIENT_STOCK');
  assert.equal(failCode(book, ship('S0', '2026-01-03', 3)), 'INSUFFICIENT_STOCK');
  assert.equal(snapshot(book), before);
  assert.equal(book.view('B2')!.voidedBy, undefined);
});

test('void rules: unknown, twice, a void itself, and events others depend on', () => {
  const book = new Book(company());
  post(book, buy('B1', '2026-01-01', 10, '10.00'));
  post(book, { id: 'L1', type: 'landed_cost', date: '2026-01-02', amount: '1.00', purchase: 'B1' });
  assert.equal(failCode(book, { id: 'V0', type: 'void', date: '2026-01-03', target: 'NOPE' }), 'UNKNOWN_REFERENCE');
  assert.equal(failCode(book, { id: 'V1', type: 'void', date: '2026-01-03', target: 'B1' }), 'VOID_HAS_DEPENDENTS');
  post(book, { id: 'V2', type: 'void', date: '2026-01-03', target: 'L1' });
  assert.equal(failCode(book, { id: 'V3', type: 'void', date: '2026-01-03', target: 'L1' }), 'ALREADY_VOIDED');
  assert.equal(failCode(book, { id: 'V4', type: 'void', date: '2026-01-03', target: 'V2' }), 'CANNOT_VOID');
  post(book, { id: 'V5', type: 'void', date: '2026-01-03', target: 'B1' });
  assert.deepEqual([book.onHand('W', 'MAIN').qty, book.onHand('W', 'MAIN').value], [0n, 0n]);
  assertTiesOut(book);
});

test('a re-cost follows dependencies: the credit note restocks at the re-costed shipment cost', () => {
  const book = new Book(company());
  post(book, buy('B1', '2026-02-01', 10, '10.00'));
  post(book, ship('S1', '2026-02-02', 5));
  const cn = post(book, { id: 'CN1', type: 'sale_credit_note', date: '2026-02-03', customer: 'C', lines: [{ product: 'W', qty: 2, amount: '8.00', shipment: 'S1' }] });
  assert.equal(net(cn, '1300'), 200n);
  const late = post(book, buy('B0', '2026-01-01', 5, '15.00')); // S1 now costs 15.00 → restock 2 at 3.00
  assert.deepEqual(late.journals.map((j) => j.id), ['B0', 'S1/c1', 'CN1/c1']);
  assert.equal(net(late, '1300', 'correction'), -1000n + 400n);
  assertTiesOut(book);
});

test('idempotency: same id and content returns the original; different content is a conflict', () => {
  const book = new Book(company());
  const first = post(book, buy('B1', '2026-01-01', 10, '10.00'));
  const again = post(book, buy('B1', '2026-01-01', 10, '10.00'));
  assert.equal(again.status, 'exists');
  assert.deepEqual(again.journals, first.journals);
  assert.equal(failCode(book, buy('B1', '2026-01-01', 10, '10.01')), 'DUPLICATE_EVENT_CONFLICT');
  assert.equal(book.balances().get('1300'), 1000n);
});

test('a failing event changes nothing: mapping missing after costing rolls the pool back', () => {
  const co = company({}, [{ sku: 'W' }, { sku: 'X', category: 'BARE' }], { categories: [{ code: 'BARE' }] });
  const noCogs = { ...co, mapping: { ...co.mapping, cogs: undefined } };
  const book = new Book(noCogs);
  run(book, [buy('B1', '2026-01-01', 10, '10.00')]);
  const before = snapshot(book);
  const r = run(book, [ship('S1', '2026-01-02', 4)])[0]!;
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'MAPPING_MISSING');
  assert.match(r.error.message, /role "cogs"/);
  assert.match(r.error.message, /product "W"/);
  assert.match(r.error.message, /warehouse "MAIN"/);
  assert.equal(r.error.record['role'], 'cogs');
  assert.equal(snapshot(book), before);
  assert.equal(book.onHand('W', 'MAIN').qty, 10_000_000n);
});

test('events are ordered by date, time and id, not arrival', () => {
  // Negative stock allowed, so early-arriving shipments post provisionally and are re-costed.
  const a = new Book(company({ negativeStock: 'allow' }));
  const b = new Book(company({ negativeStock: 'allow' }));
  const events = [buy('B1', '2026-01-01', 10, '10.00'), buy('B2', '2026-01-02', 10, '30.00'), { ...ship('S1', '2026-01-02', 12), time: '17:00' }, { ...ship('S2', '2026-01-02', 3), time: '09:00' }];
  run(a, events);
  const results = run(b, [events[0]!, events[2]!, events[3]!, events[1]!]);
  assert.ok(results.every((r) => r.ok));
  assert.equal(snapshot(a), snapshot(b));
  assertTiesOut(b);
});

test('manual journals must balance and may not touch inventory accounts', () => {
  const book = new Book(company());
  assert.equal(failCode(book, { id: 'M1', type: 'manual_journal', date: '2026-01-01', lines: [{ account: '6000', amount: '5.00' }, { account: '1100', amount: '-4.99' }] }), 'UNBALANCED_JOURNAL');
  assert.equal(failCode(book, { id: 'M2', type: 'manual_journal', date: '2026-01-01', lines: [{ account: '1300', amount: '5.00' }, { account: '1100', amount: '-5.00' }] }), 'INVENTORY_ACCOUNT_IN_MANUAL_JOURNAL');
  assert.equal(failCode(book, { id: 'M3', type: 'manual_journal', date: '2026-01-01', lines: [{ account: '9999', amount: '5.00' }, { account: '1100', amount: '-5.00' }] }), 'UNKNOWN_ACCOUNT');
  const ok = post(book, { id: 'M4', type: 'manual_journal', date: '2026-01-01', lines: [{ account: '6000', amount: '5.00' }, { account: '1100', amount: '-5.00' }] });
  assert.equal(net(ok, '6000'), 500n);
});

test('bad input is refused with a clear code and changes nothing', () => {
  const book = new Book(company());
  assert.equal(failCode(book, { id: 'X1', type: 'teleport', date: '2026-01-01' }), 'UNKNOWN_EVENT_TYPE');
  assert.equal(failCode(book, { id: 'X2', type: 'shipment', date: '2026-13-01', lines: [{ product: 'W', warehouse: 'MAIN', qty: 1 }] }), 'INVALID_DATE');
  assert.equal(failCode(book, { id: 'X3', type: 'shipment', date: '2026-01-01', lines: [{ product: 'W', warehouse: 'MAIN', qty: 1.5 }] }), 'INVALID_EVENT');
  assert.equal(failCode(book, { id: 'X4', type: 'shipment', date: '2026-01-01', lines: [{ product: 'NOPE', warehouse: 'MAIN', qty: 1 }] }), 'UNKNOWN_PRODUCT');
  assert.equal(failCode(book, { id: 'X5', type: 'shipment', date: '2026-01-01', lines: [{ product: 'W', warehouse: 'MARS', qty: 1 }] }), 'UNKNOWN_WAREHOUSE');
  assert.equal(failCode(book, buy('X6', '2026-01-01', 1, '1.001')), 'INVALID_EVENT');
  assert.equal(failCode(book, { ...buy('X7', '2026-01-01', 1, '1.00'), extra: true }), 'INVALID_EVENT');
  assert.equal(book.balances().size, 0);
});
