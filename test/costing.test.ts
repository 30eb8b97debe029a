import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Book } from '../src/book/book.js';
import { company, post, buy, ship, net, assertTiesOut, failCode } from './helpers/company.js';

const methods = ['fifo', 'lifo', 'fefo', 'average', 'specific'] as const;

test('each costing method prices the same issue by its own rule', () => {
  // 10 @ 1.00 (lot A, expires June), then 10 @ 2.00 (lot B, expires April); ship 5.
  const expected: Record<(typeof methods)[number], bigint> = { fifo: 500n, lifo: 1000n, fefo: 1000n, average: 750n, specific: 500n };
  for (const m of methods) {
    const book = new Book(company({ costingMethod: m }));
    post(book, buy('B1', '2026-01-01', 10, '10.00', { lot: 'A', expiry: '2026-06-30' }));
    post(book, buy('B2', '2026-01-02', 10, '20.00', { lot: 'B', expiry: '2026-04-30' }));
    const s = post(book, ship('S1', '2026-01-03', 5, m === 'specific' ? { lot: 'A' } : {}));
    assert.equal(net(s, '5000'), expected[m], m);
    assertTiesOut(book);
  }
});

test('the last unit takes the remainder: thirds of 10.00 leave exactly zero', () => {
  const book = new Book(company());
  post(book, buy('B1', '2026-01-01', 3, '10.00'));
  const costs = ['S1', 'S2', 'S3'].map((id, i) => net(post(book, ship(id, `2026-01-0${i + 2}`, 1)), '5000'));
  assert.deepEqual(costs, [333n, 334n, 333n]); // 3.333… → 3.33; 6.67/2 = 3.335 → 3.34 (half-even); rest 3.33
  assert.deepEqual([book.onHand('W', 'MAIN').qty, book.onHand('W', 'MAIN').value], [0n, 0n]);
  assertTiesOut(book);
});

test('moving average: receipts re-weight, an emptied pool is worth exactly zero', () => {
  const book = new Book(company({ costingMethod: 'average' }));
  post(book, buy('B1', '2026-01-01', 3, '10.00'));
  assert.equal(net(post(book, ship('S1', '2026-01-02', 1)), '5000'), 333n);
  post(book, buy('B2', '2026-01-03', 1, '5.00')); // 6.67 + 5.00 over 3 units
  assert.equal(net(post(book, ship('S2', '2026-01-04', 3)), '5000'), 1167n);
  assert.equal(book.onHand('W', 'MAIN').value, 0n);
  assertTiesOut(book);
});

test('standard cost: inventory at standard, the difference to purchase price variance', () => {
  const book = new Book(company({}, [{ sku: 'W', costingMethod: 'standard', standardCost: '5.00' }]));
  const b = post(book, buy('B1', '2026-01-01', 10, '55.00'));
  assert.equal(net(b, '1300'), 5000n);
  assert.equal(net(b, '5200'), 500n);
  assert.equal(net(b, '2100'), -5500n);
  assert.equal(net(post(book, ship('S1', '2026-01-02', 4)), '5000'), 2000n);
  assertTiesOut(book);
});

test('negative stock allowed: issued at the line cost (seed 003 chain), trued up when cost arrives', () => {
  const book = new Book(company({ negativeStock: 'allow' }));
  const s = post(book, ship('S1', '2026-01-01', 5, { cost: '2.00' }));
  assert.equal(net(s, '5000'), 1000n); // provisional, from the line's own cost
  assert.equal(book.onHand('W', 'MAIN').qty, -5_000_000n);
  const b = post(book, buy('B1', '2026-01-02', 10, '30.00'));
  // 5 of the 10 cover the shortage at 3.00: 15.00 actual vs 10.00 provisional → 5.00 more COGS.
  assert.equal(net(b, '5000'), 500n);
  assert.deepEqual([book.onHand('W', 'MAIN').qty, book.onHand('W', 'MAIN').value], [5_000_000n, 1500n]);
  assertTiesOut(book);
});

test('seed 003 chain without a line cost: average, then last, then standard', () => {
  const book = new Book(company({ negativeStock: 'allow' }, [{ sku: 'W', standardCost: '9.00' }]));
  assert.equal(net(post(book, ship('S0', '2026-01-01', 1)), '5000'), 900n, 'nothing known yet: standard');
  post(book, buy('B1', '2026-01-02', 3, '6.00')); // covers the short unit; 2 left at 2.00
  assert.equal(net(post(book, ship('S1', '2026-01-03', 4)), '5000'), 800n, '2 from stock at 2.00, 2 short at the last average 2.00');
});

test('FEFO takes the earliest expiry first and batches without expiry last', () => {
  const book = new Book(company({ costingMethod: 'fefo' }));
  post(book, buy('B1', '2026-01-01', 1, '1.00'));
  post(book, buy('B2', '2026-01-02', 1, '2.00', { expiry: '2026-09-01' }));
  post(book, buy('B3', '2026-01-03', 1, '3.00', { expiry: '2026-03-01' }));
  const costs = ['S1', 'S2', 'S3'].map((id, i) => net(post(book, ship(id, `2026-02-0${i + 1}`, 1)), '5000'));
  assert.deepEqual(costs, [300n, 200n, 100n]);
});

test('specific lot: issues need a lot, and only that lot', () => {
  const book = new Book(company({ costingMethod: 'specific' }));
  assert.equal(failCode(book, buy('B0', '2026-01-01', 1, '1.00')), 'LOT_REQUIRED');
  post(book, buy('B1', '2026-01-01', 2, '2.00', { lot: 'X' }));
  assert.equal(failCode(book, ship('S0', '2026-01-02', 1)), 'LOT_REQUIRED');
  assert.equal(failCode(book, ship('S1', '2026-01-02', 1, { lot: 'Y' })), 'INSUFFICIENT_STOCK');
  assert.equal(net(post(book, ship('S2', '2026-01-02', 1, { lot: 'X' })), '5000'), 100n);
});

test('a foreign-currency bill is valued in base currency at its rate, and balances', () => {
  const book = new Book(company());
  const b = post(book, { ...buy('B1', '2026-01-01', 3, '100.00'), currency: 'EUR', rate: '1.0850' });
  assert.equal(net(b, '1300'), 10850n);
  assert.equal(net(b, '2100'), -10850n);
  assert.equal(failCode(book, { ...buy('B2', '2026-01-01', 3, '100.00'), currency: 'EUR' }), 'RATE_MISSING');
  assertTiesOut(book);
});

test('a landed cost after a partial sale splits between stock on hand and COGS', () => {
  const book = new Book(company());
  post(book, buy('B1', '2026-01-01', 10, '100.00'));
  post(book, ship('S1', '2026-01-02', 4));
  const lc = post(book, { id: 'L1', type: 'landed_cost', date: '2026-01-03', amount: '10.00', purchase: 'B1' });
  assert.equal(net(lc, '1300'), 600n);
  assert.equal(net(lc, '5000'), 400n);
  assert.equal(net(lc, '6100'), -1000n);
  assert.equal(book.onHand('W', 'MAIN').value, 6600n);
  assertTiesOut(book);
});

test('warehouses on different inventory accounts: a transfer posts, on the same account it does not', () => {
  const book = new Book(company());
  post(book, buy('B1', '2026-01-01', 10, '50.00'));
  const same = post(book, { id: 'T1', type: 'transfer', date: '2026-01-02', from: 'MAIN', to: 'BACK', lines: [{ product: 'W', qty: 2 }] });
  assert.equal(same.journals.length, 0);
  const across = post(book, { id: 'T2', type: 'transfer', date: '2026-01-03', from: 'MAIN', to: 'NORTH', lines: [{ product: 'W', qty: 3 }] });
  assert.equal(net(across, '1301'), 1500n);
  assert.equal(net(across, '1300'), -1500n);
  assert.equal(book.onHand('W', 'NORTH').value, 1500n);
  assertTiesOut(book);
});

test('purchases recognised at receipt: inventory against GRNI, the bill clears it, price difference to PPV', () => {
  const book = new Book(company({ purchaseRecognition: 'receipt' }));
  const r = post(book, { id: 'R1', type: 'stock_receipt', date: '2026-01-01', lines: [{ product: 'W', warehouse: 'MAIN', qty: 10, amount: '100.00' }] });
  assert.equal(net(r, '1300'), 10000n);
  assert.equal(net(r, '2400'), -10000n);
  const b = post(book, { ...buy('B1', '2026-01-05', 10, '110.00'), receipt: 'R1' });
  assert.deepEqual([net(b, '2400'), net(b, '5200'), net(b, '2100'), net(b, '1300')], [10000n, 1000n, -11000n, 0n]);
  assertTiesOut(book);
  const billMode = new Book(company());
  assert.equal(failCode(billMode, { id: 'R1', type: 'stock_receipt', date: '2026-01-01', lines: [{ product: 'W', warehouse: 'MAIN', qty: 1, amount: '1.00' }] }), 'SETTING_MISMATCH');
});

test('a stocktake sets the counted quantity; the difference is valued at current cost', () => {
  const book = new Book(company({ costingMethod: 'average' }));
  post(book, buy('B1', '2026-01-01', 10, '20.00'));
  const c = post(book, { id: 'C1', type: 'stocktake', date: '2026-01-05', lines: [{ product: 'W', warehouse: 'MAIN', counted: 8 }] });
  assert.equal(net(c, '5100'), 400n);
  assert.equal(net(c, '1300'), -400n);
  const up = post(book, { id: 'C2', type: 'stocktake', date: '2026-01-06', lines: [{ product: 'W', warehouse: 'MAIN', counted: 9 }] });
  assert.equal(net(up, '1300'), 200n);
  assertTiesOut(book);
});
