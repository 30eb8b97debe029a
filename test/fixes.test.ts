/** Regression tests for behaviour found wrong in review; each names what was wrong. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Book } from '../src/book/book.js';
import { loadConfig } from '../src/domain/config.js';
import { company, post, buy, ship, net, assertTiesOut, failCode, run } from './helpers/company.js';

test('a foreign manual journal that balances in its own currency posts, the conversion rounding to the rounding role', () => {
  const co = company();
  const book = new Book({ ...co, mapping: { ...co.mapping, rounding: '6000' } });
  // 0.01 + 0.01 − 0.02 EUR at 0.5: each line converts to 0.01 (half-even of 0.005 → 0.00? no: 0.5 → 0) — whatever
  // the per-line rounding gives, the journal must balance and the difference must sit on the rounding account.
  const r = post(book, { id: 'M1', type: 'manual_journal', date: '2026-01-01', currency: 'EUR', rate: '0.5', lines: [{ account: '6100', amount: '0.01' }, { account: '6200', amount: '0.01' }, { account: '1100', amount: '-0.02' }] });
  const lines = r.journals[0]!.lines;
  assert.equal(lines.reduce((a, l) => a + l.amount, 0n), 0n);
  assert.equal(net(r, '1100'), -1n);
  assert.equal(net(r, '6100') + net(r, '6200') + net(r, '6000'), 1n);
  assert.equal(failCode(book, { id: 'M2', type: 'manual_journal', date: '2026-01-01', currency: 'EUR', rate: '0.5', lines: [{ account: '6100', amount: '0.02' }, { account: '1100', amount: '-0.01' }] }), 'UNBALANCED_JOURNAL');
});

test('disassembly: an output without a weight counts as weight 1, on the same scale as given weights', () => {
  const book = new Book(company({}, [{ sku: 'W' }, { sku: 'A' }, { sku: 'B' }]));
  post(book, buy('B1', '2026-01-01', 1, '100.00'));
  const d = post(book, { id: 'D1', type: 'disassembly', date: '2026-01-02', product: 'W', warehouse: 'MAIN', qty: 1, outputs: [{ product: 'A', qty: 1 }, { product: 'B', qty: 1, weight: '3' }] });
  assert.equal(d.journals.length, 1);
  assert.equal(book.onHand('A', 'MAIN').value, 2500n);
  assert.equal(book.onHand('B', 'MAIN').value, 7500n);
  assertTiesOut(book);
});

test('a landed cost on standard-cost stock goes to price variance, not COGS', () => {
  const book = new Book(company({}, [{ sku: 'W', costingMethod: 'standard', standardCost: '5.00' }]));
  post(book, buy('B1', '2026-01-01', 10, '50.00'));
  const lc = post(book, { id: 'L1', type: 'landed_cost', date: '2026-01-02', amount: '4.00', purchase: 'B1' });
  assert.deepEqual([net(lc, '5200'), net(lc, '5000'), net(lc, '1300')], [400n, 0n, 0n]);
  assertTiesOut(book);
});

test('a backdated issue that starves a later one names the refused event and the one it would starve', () => {
  const book = new Book(company());
  post(book, buy('B1', '2026-01-01', 5, '5.00'));
  post(book, ship('S1', '2026-01-05', 5));
  const r = run(book, [ship('S0', '2026-01-03', 1)])[0]!;
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'INSUFFICIENT_STOCK');
  assert.equal(r.error.record['event'], 'S0');
  assert.equal(r.error.record['blocked'], 'S1');
  assert.match(r.error.message, /^Event S0, dated 2026-01-03, would leave too little stock for later event S1/);
});

test('config: "stocked" must be a boolean', () => {
  const r = loadConfig({ company: { id: 'x', baseCurrency: 'USD' }, products: [{ sku: 'W', stocked: 'yes' }] });
  assert.ok(!r.ok);
  assert.match(r.error.message, /stocked must be true or false/);
});

test('invoice COGS timing: an invoice that would never issue its stock is refused', () => {
  const book = new Book(company({ cogsTiming: 'invoice' }));
  assert.equal(failCode(book, { id: 'I1', type: 'sale_invoice', date: '2026-01-01', customer: 'C', issuesStock: false, lines: [{ product: 'W', warehouse: 'MAIN', qty: 1, amount: '5.00' }] }), 'SETTING_MISMATCH');
});

test('foreign unit costs convert with the company rounding, not truncation', () => {
  const book = new Book(company({ negativeStock: 'allow' }));
  // 0.0000000003 EUR × 0.5 = 0.00000000015 USD: half-even gives 0.0000000002, truncation gave 0.0000000001.
  // Over 100,000,000 units that is 0.02 USD against 0.01 USD of COGS.
  const s = post(book, { id: 'S1', type: 'shipment', date: '2026-01-01', currency: 'EUR', rate: '0.5', lines: [{ product: 'W', warehouse: 'MAIN', qty: '100000000', cost: '0.0000000003' }] });
  assert.equal(net(s, '5000'), 2n);
});
