/**
 * Regressions for bugs the property tests (test/properties.test.ts) found, one focused case
 * each, with the amounts worked out by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Book, type CostingMethod } from '../src/index.js';
import { company, type Mode, type RawEvent } from './support/gen.js';
import { apply, assertInvariants, snapshot } from './support/harness.js';

function book(method: CostingMethod, mode: Mode): Book {
  return new Book(company(method, mode));
}

function post(b: Book, raw: RawEvent): void {
  const r = apply(b, raw);
  if (!r.ok) assert.fail(`${raw.id} was rejected: ${r.error.code} ${r.error.message}`);
  assertInvariants(b, `after ${raw.id}`);
}

function gl(b: Book, account: string): bigint {
  return b.balances().get(account) ?? 0n;
}

// Bug 1: a standard-cost receipt that is not a purchase booked inventory at standard AND moved
// the variance out of inventory again, so the inventory GL drifted from the sub-ledger by the
// variance. The counter account must take the received value, inventory the standard value.

test('standard cost: a stock adjustment at a given unit cost books inventory at standard, the difference to PPV', () => {
  const b = book('standard', 'block'); // A: standard 2.50
  post(b, { id: 'adj', type: 'stock_adjustment', date: '2026-03-01', lines: [{ product: 'A', warehouse: 'W1', qty: 1, unitCost: '2.00' }] });
  assert.equal(gl(b, '1300'), 250n); // was 300: 250 at standard plus the 50 variance moved "out" the wrong way
  assert.equal(gl(b, '5100'), -200n); // discrepancy at the given cost
  assert.equal(gl(b, '5200'), -50n); // favourable variance
  assert.deepEqual(b.onHand('A', 'W1').value, 250n);
});

test('standard cost: a stocktake count-up valued at average books the rounding variance to PPV', () => {
  const b = book('standard', 'block'); // B: standard 1.3333333333
  post(b, { id: 'p', type: 'purchase_invoice', date: '2026-03-01', supplier: 'S', lines: [{ product: 'B', warehouse: 'W1', qty: 3, amount: '4.00' }] });
  post(b, { id: 's', type: 'shipment', date: '2026-03-02', lines: [{ product: 'B', warehouse: 'W1', qty: 1 }] }); // 400 * 1/3 = 133
  // Count back to 3: one unit at the pool average 267/2 = 133.5 → 134; standard says 133.
  post(b, { id: 'c', type: 'stocktake', date: '2026-03-03', lines: [{ product: 'B', warehouse: 'W1', counted: 3 }] });
  assert.equal(b.onHand('B', 'W1').value, 400n);
  assert.equal(gl(b, '1300'), 400n); // was 399
  assert.equal(gl(b, '5100'), -134n);
});

test('standard cost: a credit note restocks at the shipment cost against COGS, inventory at standard', () => {
  const b = book('standard', 'block');
  post(b, { id: 'p', type: 'purchase_invoice', date: '2026-03-01', supplier: 'S', lines: [{ product: 'B', warehouse: 'W1', qty: 3, amount: '4.00' }] });
  post(b, { id: 's', type: 'shipment', date: '2026-03-02', lines: [{ product: 'B', warehouse: 'W1', qty: 2 }] }); // 400 * 2/3 = 267
  post(b, { id: 'cn', type: 'sale_credit_note', date: '2026-03-03', customer: 'C', invoice: 's', lines: [{ product: 'B', qty: 1, amount: '5.00' }] });
  // Restocked at 267/2 = 133.5 → 134 against COGS; the pool holds it at standard, 133.
  assert.equal(gl(b, '5000'), 267n - 134n);
  assert.equal(gl(b, '5200'), 1n);
  assert.equal(gl(b, '1300'), b.onHand('B', 'W1').value); // was off by the 1 variance
  assert.equal(b.onHand('B', 'W1').value, 133n + 133n);
});

// Bug 2: a re-cost compared move results by totals only. When a late event or a void changed
// which layers a transfer's issue took but not their total, the destination pool kept the
// layers recreated from the old pieces.

test('re-costing follows a change in the layers a transfer took, even at the same total value', () => {
  const b = book('fifo', 'allow');
  post(b, { id: 'p', type: 'purchase_invoice', date: '2026-03-01', supplier: 'S', lines: [{ product: 'A', warehouse: 'W1', qty: '0.25', amount: '0.01' }] });
  post(b, { id: 'count', type: 'stocktake', date: '2026-03-02', lines: [{ product: 'A', warehouse: 'W1', counted: 0 }] });
  // W1 is empty: the whole transfer goes short, at the last average 0.04/unit → one layer 1 @ 0.04.
  post(b, { id: 't', type: 'transfer', date: '2026-03-03', from: 'W1', to: 'W2', lines: [{ product: 'A', qty: 1 }] });
  assert.deepEqual(b.onHand('A', 'W2').layers.map((l) => [l.qty, l.value]), [[1_000_000n, 4n]]);
  // Without the count the transfer takes the 0.25 on hand (0.01) and 0.75 short (0.03): same total.
  post(b, { id: 'v', type: 'void', date: '2026-03-04', target: 'count' });
  assert.deepEqual(b.onHand('A', 'W2').layers.map((l) => [l.qty, l.value]), [[250_000n, 1n], [750_000n, 3n]]);
});

// Bug 3: a landed cost on a layered (FIFO/LIFO/FEFO/specific) pool did not update the pool's
// last average, as it does for moving average; units issued short after the pool ran out were
// then priced at the average from before the landed cost.

test('a landed cost raises the average that prices a later short issue, for layered pools as for average', () => {
  for (const method of ['fifo', 'average'] as const) {
    const b = book(method, 'allow');
    post(b, { id: 'p', type: 'purchase_invoice', date: '2026-03-01', supplier: 'S', lines: [{ product: 'A', warehouse: 'W1', qty: 1, amount: '10.00' }] });
    post(b, { id: 'lc', type: 'landed_cost', date: '2026-03-02', amount: '2.00', purchase: 'p' });
    post(b, { id: 's', type: 'shipment', date: '2026-03-03', lines: [{ product: 'A', warehouse: 'W1', qty: 3 }] });
    // 1 on hand at 12.00, 2 short at the average 12.00 (was 10.00 for FIFO).
    assert.equal(gl(b, '5000'), 3600n, method);
    assert.deepEqual({ qty: b.onHand('A', 'W1').qty, value: b.onHand('A', 'W1').value }, { qty: -2_000_000n, value: -2400n }, method);
  }
});

// Bug 4: with negative stock allowed, issuing more of a named lot than the lot holds left the
// pool's other lots in stock AND a deficit, so a pool with nothing on hand could still carry
// value (in the GL too). The shortfall now comes from the pool's other units first.

test('specific lot, negative stock allowed: a lot shortfall takes the other lots before the pool goes negative', () => {
  const b = book('specific', 'allow');
  post(b, { id: 'p', type: 'purchase_invoice', date: '2026-03-01', supplier: 'S', lines: [{ product: 'A', warehouse: 'W1', qty: 3, lot: 'L1', amount: '1.00' }] });
  for (const id of ['s1', 's2', 's3']) post(b, { id, type: 'shipment', date: '2026-03-02', lines: [{ product: 'A', warehouse: 'W1', qty: 1, lot: 'L2' }] });
  // Was: three units short at 100/3 → 33 each, stock 3 @ 100 left beside a deficit 3 @ 99 → 0 units worth 1.
  assert.deepEqual({ qty: b.onHand('A', 'W1').qty, value: b.onHand('A', 'W1').value }, { qty: 0n, value: 0n });
  assert.equal(gl(b, '5000'), 100n);
  assert.equal(gl(b, '1300'), 0n);
  // Beyond all stock the pool goes negative as before, and the next receipt trues it up.
  post(b, { id: 's4', type: 'shipment', date: '2026-03-03', lines: [{ product: 'A', warehouse: 'W1', qty: 1, lot: 'L1' }] });
  assert.equal(b.onHand('A', 'W1').qty, -1_000_000n);
});

// Bug 5: a late event moving stock between pools (a transfer) crashed with a TypeError when the
// re-cost reached its receiving pool before its issuing pool — here because the late transfer
// changed a purchase's true-up, which re-costs its landed cost's pools from an earlier date.

test('a late transfer whose receiving pool is re-costed before its issuing pool posts (no crash)', () => {
  const events: RawEvent[] = [
    { id: 'stock', type: 'purchase_invoice', date: '2026-03-01', supplier: 'S', lines: [{ product: 'A', warehouse: 'W3', qty: 1, amount: '3.00' }, { product: 'K', warehouse: 'W3', qty: 1, amount: '5.00' }] },
    { id: 'p', type: 'purchase_invoice', date: '2026-03-03', supplier: 'S', lines: [{ product: 'A', warehouse: 'W1', qty: 1, amount: '1.00' }, { product: 'K', warehouse: 'W1', qty: 1, amount: '1.00' }] },
    { id: 'lc', type: 'landed_cost', date: '2026-03-01', amount: '0.50', purchase: 'p' },
    { id: 'x', type: 'stock_adjustment', date: '2026-03-01', lines: [{ product: 'A', warehouse: 'W1', qty: -1 }] },
    { id: 't', type: 'transfer', date: '2026-03-02', from: 'W3', to: 'W1', lines: [{ product: 'A', qty: 1 }, { product: 'K', qty: 1 }] },
  ];
  const late = book('average', 'allow');
  for (const e of events) post(late, e); // the transfer arrives last, behind the 03-03 purchase
  const inOrder = book('average', 'allow');
  for (const id of ['stock', 'x', 't', 'p', 'lc']) post(inOrder, events.find((e) => e.id === id)!); // the transfer in time
  assert.deepEqual(snapshot(late), snapshot(inOrder));
  assert.deepEqual({ qty: late.onHand('K', 'W1').qty, value: late.onHand('K', 'W1').value }, { qty: 2_000_000n, value: 600n });
});

// Bug 6: a credit note restocks at the cost its goods left at, read live from the shipment. One
// ordered before that shipment (an earlier date, or the same date and an id that sorts first)
// made the two costs depend on each other: re-costing oscillated (until the convergence
// assertion fired), and the final book depended on arrival order. It is now refused.

test('a credit note ordered before the shipment it restocks from is refused and changes nothing', () => {
  const b = book('fifo', 'allow');
  post(b, { id: 'p', type: 'purchase_invoice', date: '2026-03-01', supplier: 'S', lines: [{ product: 'A', warehouse: 'W1', qty: 2, amount: '3.00' }] });
  post(b, { id: 'SHP-1', type: 'shipment', date: '2026-03-05', lines: [{ product: 'A', warehouse: 'W1', qty: 1 }] });
  const before = snapshot(b);
  for (const date of ['2026-03-04', '2026-03-05']) {
    // 'CN-1' < 'SHP-1': on the same date the credit note would still come first.
    const r = apply(b, { id: 'CN-1', type: 'sale_credit_note', date, customer: 'C', invoice: 'SHP-1', lines: [{ product: 'A', warehouse: 'W1', qty: 1, amount: '2.00' }] });
    assert.ok(!r.ok && r.error.code === 'INVALID_EVENT', `credit note dated ${date} was not refused`);
    assert.match(r.error.message, /comes after it/);
    assert.deepEqual(snapshot(b), before);
  }
  // After the shipment (a later date, or a later time on the same date) it posts at the shipment's cost.
  post(b, { id: 'CN-2', type: 'sale_credit_note', date: '2026-03-06', customer: 'C', invoice: 'SHP-1', lines: [{ product: 'A', warehouse: 'W1', qty: 1, amount: '2.00' }] });
  assert.equal(gl(b, '5000'), 0n);
});

// Bug 7: a disassembly with two or more services valued its outputs with the services' total
// split once, while its journal split each service separately; the roundings differ, so the
// inventory GL and the sub-ledger disagreed by a cent.

test('disassembly with several services: output values equal what the journal books, to the cent', () => {
  const b = book('average', 'block');
  post(b, { id: 'p', type: 'purchase_invoice', date: '2026-03-01', supplier: 'S', lines: [{ product: 'K', warehouse: 'W1', qty: 1, amount: '7.10' }] });
  post(b, {
    id: 'd', type: 'disassembly', date: '2026-03-02', product: 'K', warehouse: 'W1', qty: 1,
    outputs: [{ product: 'A', qty: 1 }, { product: 'B', qty: 7, warehouse: 'W3' }],
    services: [{ role: 'labour', amount: '3.62' }, { role: 'overheads', amount: '6.82', account: '6100' }],
  });
  // Cost 710 → 88.75 / 621.25; labour 362 → 45.25 / 316.75; overheads 682 → 85.25 / 596.75.
  assert.equal(b.onHand('A', 'W1').value, 89n + 45n + 85n); // was 220: 1044 split at once gives 131
  assert.equal(b.onHand('B', 'W3').value, 621n + 317n + 597n);
  assert.equal(gl(b, '1320'), 1535n);
});

// Bug 8: a disassembly output could not name a lot (the schema refused "lot" on outputs), so a
// product costed by specific lot could never be an output: LOT_REQUIRED asked for a lot the
// format did not allow.

test('disassembly outputs may name a lot, as a product costed by specific lot requires', () => {
  const b = book('specific', 'block');
  post(b, { id: 'p', type: 'purchase_invoice', date: '2026-03-01', supplier: 'S', lines: [{ product: 'K', warehouse: 'W1', qty: 1, lot: 'K1', amount: '9.00' }] });
  post(b, { id: 'd', type: 'disassembly', date: '2026-03-02', product: 'K', warehouse: 'W1', qty: 1, lot: 'K1', outputs: [{ product: 'A', qty: 1, lot: 'A1' }, { product: 'B', qty: 2, lot: 'B1', weight: '1' }] });
  assert.deepEqual(b.onHand('A', 'W1').layers.map((l) => [l.lot, l.qty, l.value]), [['A1', 1_000_000n, 300n]]);
  assert.deepEqual(b.onHand('B', 'W1').layers.map((l) => [l.lot, l.qty, l.value]), [['B1', 2_000_000n, 600n]]);
});
