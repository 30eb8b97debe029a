/**
 * The documented bounds (src/domain/bounds.ts, docs/design.md "Bounds") and sound text
 * (src/domain/text.ts): values beyond a bound are VALUE_OUT_OF_RANGE when an event or a
 * configuration is parsed, totals an event would leave beyond theirs are refused by the book
 * before anything is booked, and NUL or lone surrogates anywhere in an event or configuration
 * are INVALID_TEXT naming the field. The stores' sums at the bounds are test/bounds-store.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { propertyParameters } from './support/property-seed.js';
import * as B from '../src/domain/bounds.js';
import { loadConfig } from '../src/domain/config.js';
import { readSyncConfig } from '../src/sync/config.js';
import { formatDecimal } from '../src/domain/decimal.js';
import { parseEvent } from '../src/domain/events.js';
import { textFlaw } from '../src/domain/text.js';
import { Book } from '../src/book/book.js';
import { company, run } from './helpers/company.js';

const co = company({}, [{ sku: 'W' }, { sku: 'S', costingMethod: 'standard', standardCost: '10' }], {});
const usd = (minor: bigint): string => formatDecimal(minor, 2);
const journal = (id: string, date: string, amount: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  id, type: 'manual_journal', date, lines: [{ account: '6000', amount }, { account: '1100', amount: amount.startsWith('-') ? amount.slice(1) : `-${amount}` }], ...extra,
});
/** A journal of `n` lines of `each` (minor units) on 6000 and `n` lines of −`each` on 1100. */
const wide = (id: string, date: string, n: number, each: bigint): Record<string, unknown> => ({
  id, type: 'manual_journal', date,
  lines: [...Array.from({ length: n }, () => ({ account: '6000', amount: usd(each) })), ...Array.from({ length: n }, () => ({ account: '1100', amount: usd(-each) }))],
});
const buy = (id: string, date: string, qty: string, amount: string): Record<string, unknown> => ({ id, type: 'purchase_invoice', date, supplier: 'ACME', lines: [{ product: 'W', warehouse: 'MAIN', qty, amount, tax: '0.00' }] });

function refused(raw: Record<string, unknown>, code: string, record: Record<string, unknown> = {}): string {
  const r = parseEvent(raw, co);
  assert.ok(!r.ok, `${String(raw['id'])} is refused`);
  assert.equal(r.error.code, code, r.error.message);
  for (const [k, v] of Object.entries(record)) assert.equal(r.error.record[k], v, `record.${k}`);
  return r.error.message;
}
function accepted(raw: Record<string, unknown>): void {
  const r = parseEvent(raw, co);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
}

test('the bounds sit well inside a 64-bit store column, and each total has room for many of its parts', () => {
  for (const b of [B.MAX_AMOUNT, B.MAX_QTY, B.MAX_UNIT_COST, B.MAX_RATE, B.MAX_DAY_TOTAL, B.MAX_BALANCE, B.MAX_POOL_QTY, B.MAX_POOL_VALUE]) assert.ok(b * 9n <= B.STORE_INT_MAX, `${b} is at most a ninth of the column`);
  for (const total of [B.MAX_DAY_TOTAL, B.MAX_BALANCE, B.MAX_POOL_VALUE]) assert.ok(total * 90n <= B.STORE_INT_MAX, 'a total is at most 1/90 of the column');
  assert.ok(B.MAX_DAY_TOTAL >= 100n * B.MAX_AMOUNT, 'a day holds 100 amounts at the bound');
  assert.ok(B.MAX_POOL_QTY >= 100n * B.MAX_QTY, 'a pool holds 100 quantities at the bound');
  assert.equal(B.STORE_INT_MAX, 9223372036854775807n);
});

test('docs/design.md documents every bound with its value', () => {
  const md = readFileSync('docs/design.md', 'utf8');
  const section = md.slice(md.indexOf('## Bounds'), md.indexOf('## Limits'));
  const power = (b: bigint): string => `10^${b.toString().length - 1}`;
  const documented: [string, string][] = [
    ['MAX_AMOUNT', power(B.MAX_AMOUNT)], ['MAX_QTY', power(B.MAX_QTY)], ['MAX_UNIT_COST', power(B.MAX_UNIT_COST)], ['MAX_RATE', power(B.MAX_RATE)],
    ['MAX_DAY_TOTAL', power(B.MAX_DAY_TOTAL)], ['MAX_BALANCE', power(B.MAX_BALANCE)], ['MAX_POOL_QTY', power(B.MAX_POOL_QTY)], ['MAX_POOL_VALUE', power(B.MAX_POOL_VALUE)],
    ['ID_MAX_LENGTH', String(B.ID_MAX_LENGTH)], ['RECORD_ID_MAX_LENGTH', String(B.RECORD_ID_MAX_LENGTH)], ['PATH_PARAM_MAX_CHARS', String(B.PATH_PARAM_MAX_CHARS)],
  ];
  for (const [name, value] of documented) {
    const row = section.split('\n').find((l) => l.includes(`\`${name}\``));
    assert.ok(row !== undefined, `a row for ${name}`);
    assert.ok(row.split('|')[3]!.trim().startsWith(value), `${name} is documented as ${value}: ${row}`);
  }
});

test('reproduction: "99999999999999999999.99" and 60,000,000,000,000,000.00 as amounts are VALUE_OUT_OF_RANGE naming the field and the bound', () => {
  const m = refused(journal('BIG', '2026-01-05', '99999999999999999999.99'), 'VALUE_OUT_OF_RANGE', { event: 'BIG', field: 'lines[0].amount', bound: '10000000000000.00 USD' });
  assert.match(m, /99999999999999999999\.99 USD, outside the bound of ±10000000000000\.00 USD/);
  refused(journal('MJ1', '2026-01-05', '60000000000000000.00'), 'VALUE_OUT_OF_RANGE', { field: 'lines[0].amount' });
  refused({ id: 'P1', type: 'supplier_payment', date: '2026-01-05', supplier: 'ACME', amount: '99999999999999999999.99' }, 'VALUE_OUT_OF_RANGE', { field: 'amount' });
});

test('amounts: exactly the bound is accepted, a cent more is refused, in the document currency and converted', () => {
  accepted(journal('A1', '2026-01-05', usd(B.MAX_AMOUNT)));
  accepted(journal('A2', '2026-01-05', usd(-B.MAX_AMOUNT)));
  refused(journal('A3', '2026-01-05', usd(B.MAX_AMOUNT + 1n)), 'VALUE_OUT_OF_RANGE');
  refused(journal('A4', '2026-01-05', usd(-B.MAX_AMOUNT - 1n)), 'VALUE_OUT_OF_RANGE');
  // Within the bound in EUR, beyond it once converted at 1,000 USD per EUR.
  const m = refused(journal('A5', '2026-01-05', '1000000000000.00', { currency: 'EUR', rate: '1000' }), 'VALUE_OUT_OF_RANGE', { field: 'lines[0].amount (in USD)' });
  assert.match(m, /1000000000000000\.00 USD/);
  fc.assert(
    fc.property(fc.bigInt({ min: -(B.MAX_AMOUNT * 4n), max: B.MAX_AMOUNT * 4n }), (minor) => {
      const r = parseEvent({ id: 'X', type: 'supplier_payment', date: '2026-01-05', supplier: 'ACME', amount: usd(minor < 0n ? -minor : minor) }, co);
      const inside = (minor < 0n ? -minor : minor) <= B.MAX_AMOUNT;
      return r.ok === inside && (r.ok || r.error.code === 'VALUE_OUT_OF_RANGE');
    }),
    propertyParameters(300),
  );
});

test('quantities, unit costs, weights and rates have their bounds', () => {
  const qty = (q: string): Record<string, unknown> => buy('Q', '2026-01-05', q, '1.00');
  accepted(qty('1000000000'));
  refused(qty('1000000000.000001'), 'VALUE_OUT_OF_RANGE', { field: 'lines[0].qty', bound: '1000000000' });
  accepted({ id: 'ADJ1', type: 'stock_adjustment', date: '2026-01-05', lines: [{ product: 'W', warehouse: 'MAIN', qty: '-1000000000' }] });
  refused({ id: 'ADJ2', type: 'stock_adjustment', date: '2026-01-05', lines: [{ product: 'W', warehouse: 'MAIN', qty: '-1000000001' }] }, 'VALUE_OUT_OF_RANGE');
  const cost = (c: string): Record<string, unknown> => ({ id: 'SH', type: 'shipment', date: '2026-01-05', lines: [{ product: 'W', warehouse: 'MAIN', qty: 1, cost: c }] });
  accepted(cost('100000000'));
  refused(cost('100000000.0000000001'), 'VALUE_OUT_OF_RANGE', { field: 'lines[0].cost' });
  const weight = (w: string): Record<string, unknown> => ({ id: 'D', type: 'disassembly', date: '2026-01-05', product: 'W', warehouse: 'MAIN', qty: 1, outputs: [{ product: 'S', qty: 1, weight: w }] });
  accepted(weight('100000000'));
  refused(weight('100000001'), 'VALUE_OUT_OF_RANGE', { field: 'outputs[0].weight' });
  accepted(journal('R1', '2026-01-05', '1.00', { currency: 'EUR', rate: '1000000' }));
  const m = refused(journal('R2', '2026-01-05', '1.00', { currency: 'EUR', rate: '1000000.0000000001' }), 'VALUE_OUT_OF_RANGE', { field: 'rate' });
  assert.match(m, /rate is 1000000\.0000000001, outside the bound of ±1000000/);
});

test('a count export\'s category values are totals: bounded like a day total, not like one amount', () => {
  const ce = (prior: bigint): Record<string, unknown> => ({ id: 'CE', type: 'count_export', date: '2026-01-31', lines: [{ category: 'GOODS', asset: '1300', cogs: '5000', prior: usd(prior), current: '0.00' }] });
  accepted(ce(B.MAX_DAY_TOTAL));
  refused(ce(B.MAX_DAY_TOTAL + 1n), 'VALUE_OUT_OF_RANGE', { field: 'lines[0].prior' });
});

test('a configuration with a standardCost or sync.tolerance beyond its bound is refused naming it', () => {
  const base = JSON.parse(readFileSync('examples/seed-004/company.json', 'utf8')) as Record<string, unknown>;
  const products = [{ sku: 'HUGE', costingMethod: 'standard', standardCost: '100000000.0000000001' }];
  const r = loadConfig({ ...base, products });
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'INVALID_CONFIG');
  assert.match(r.error.message, /products\[0\]\.standardCost is outside the bound of ±100000000/);
  assert.ok(loadConfig({ ...base, products: [{ sku: 'OK', costingMethod: 'standard', standardCost: '100000000' }] }).ok);
  const t = readSyncConfig({ ...base, sync: { tolerance: '10000000000000.01' } }, 'USD');
  assert.ok(!t.ok && /sync\.tolerance/.test(t.error.message), 'a tolerance beyond the amount bound is refused');
  const at = readSyncConfig({ ...base, sync: { tolerance: '10000000000000.00' } }, 'USD');
  assert.ok(at.ok && at.value.settings.tolerance === B.MAX_AMOUNT, 'one at the bound is kept');
});

test('events read back from a store are not bound-checked, so a ledger written before the bounds still opens', () => {
  const raw = journal('OLD', '2026-01-05', '60000000000000000.00');
  assert.ok(!parseEvent(raw, co).ok);
  const stored = parseEvent(raw, co, 'store');
  assert.ok(stored.ok);
  const book = new Book(co);
  const applied = book.apply(stored.value, { replay: true });
  assert.ok(applied.ok, 'a replayed event is not refused by the book either');
  assert.equal(book.balances().get('6000'), 6n * 10n ** 18n);
});

test('the book refuses an event that would take an account\'s day total beyond its bound, naming account and day; nothing changes', () => {
  const book = new Book(co);
  const half = B.MAX_DAY_TOTAL / 2n / B.MAX_AMOUNT; // lines of the largest amount making half a day's bound
  const [a, b] = run(book, [wide('D1', '2026-01-05', Number(half), B.MAX_AMOUNT), wide('D2', '2026-01-05', Number(half), B.MAX_AMOUNT)]);
  assert.ok(a!.ok && b!.ok, 'two journals fill the day exactly to its bound');
  assert.equal(book.balances().get('6000'), B.MAX_DAY_TOTAL);
  const before = [...book.balances()];
  const c = run(book, [journal('D3', '2026-01-05', '0.01')])[0]!;
  assert.ok(!c.ok);
  assert.equal(c.error.code, 'VALUE_OUT_OF_RANGE');
  assert.deepEqual({ account: c.error.record['account'], date: c.error.record['date'], event: c.error.record['event'] }, { account: '6000', date: '2026-01-05', event: 'D3' });
  assert.match(c.error.message, /would take the total of account 6000 on 2026-01-05 to 1000000000000000\.01 USD, outside the bound of ±1000000000000000\.00 USD/);
  assert.deepEqual([...book.balances()], before, 'the refused event changed no balance');
  // The same journal on another day takes the balance beyond its bound instead.
  const d = run(book, [journal('D4', '2026-01-06', '0.01')])[0]!;
  assert.ok(!d.ok);
  assert.equal(d.error.code, 'VALUE_OUT_OF_RANGE');
  assert.equal(d.error.record['account'], '6000');
  assert.equal(d.error.record['date'], undefined);
  assert.match(d.error.message, /balance of account 6000/);
  // A credit the other way is fine, and frees room again.
  const [e, f] = run(book, [journal('D5', '2026-01-06', '-0.01'), journal('D6', '2026-01-07', '0.01')]);
  assert.ok(e!.ok && f!.ok);
});

test('the book refuses an event that would take a pool\'s quantity on hand beyond its bound, also when it lands early and the pool re-costs', () => {
  const book = new Book(co);
  const n = Number(B.MAX_POOL_QTY / B.MAX_QTY);
  const filled = run(book, Array.from({ length: n }, (_, i) => buy(`B${i}`, `2026-02-${String((i % 28) + 1).padStart(2, '0')}`, '1000000000', '1.00')));
  assert.ok(filled.every((r) => r.ok), 'the pool fills to its bound');
  assert.equal(book.onHand('W', 'MAIN').qty, B.MAX_POOL_QTY);
  for (const [id, date] of [['LATE', '2026-03-01'], ['EARLY', '2026-01-01']] as const) {
    const r = run(book, [buy(id, date, '0.000001', '0.01')])[0]!;
    assert.ok(!r.ok, `${id} is refused`);
    assert.equal(r.error.code, 'VALUE_OUT_OF_RANGE');
    assert.deepEqual([r.error.record['event'], r.error.record['product'], r.error.record['warehouse']], [id, 'W', 'MAIN']);
    assert.match(r.error.message, /quantity of "W" on hand in warehouse "MAIN" to 100000000000\.000001/);
  }
  assert.equal(book.onHand('W', 'MAIN').qty, B.MAX_POOL_QTY, 'nothing changed');
});

test('the book refuses an event that would take a pool\'s value beyond its bound', () => {
  const book = new Book(co);
  const n = Number(B.MAX_POOL_VALUE / B.MAX_AMOUNT);
  // Each invoice books one amount at the bound into inventory; the pool value reaches its bound on the last.
  const filled = run(book, Array.from({ length: n }, (_, i) => buy(`V${i}`, `2026-02-${String((i % 28) + 1).padStart(2, '0')}`, '1', usd(B.MAX_AMOUNT))));
  assert.ok(filled.every((r) => r.ok), 'the pool fills to its bound');
  assert.equal(book.onHand('W', 'MAIN').value, B.MAX_POOL_VALUE);
  const r = run(book, [buy('V+', '2026-03-01', '1', '0.01')])[0]!;
  assert.ok(!r.ok);
  assert.equal(r.error.code, 'VALUE_OUT_OF_RANGE');
  assert.match(r.error.message, /value of "W" on hand in warehouse "MAIN"/);
});

test('text: NUL and lone surrogates anywhere in an event are INVALID_TEXT naming the field; paired surrogates are fine', () => {
  const ok = journal('T0', '2026-01-05', '1.00', { memo: 'caf\u00e9 \u{1F600} 日本' });
  accepted(ok);
  const cases: [Record<string, unknown>, string][] = [
    [journal('a\u0000b', '2026-01-05', '1.00'), 'id'],
    [journal('T1', '2026-01-05', '1.00', { memo: 'x\u0000' }), 'memo'],
    [journal('T2', '2026-01-05', '1.00', { reference: '\ud800' }), 'reference'],
    [journal('T3', '2026-01-05', '1.00', { memo: 'tail \udc00' }), 'memo'],
    [journal('T4', '2026-01-05', '1.00', { memo: '\udc00\ud800' }), 'memo'],
    [buy('T5', '2026-01-05', '1', '1.00'), ''],
    [{ ...journal('T6', '2026-01-05', '1.00'), ['k\u0000']: 1 }, '<key>'],
  ];
  (cases[5]![0]['lines'] as Record<string, unknown>[])[0]!['product'] = 'W\u0000';
  cases[5]![1] = 'lines[0].product';
  for (const [raw, field] of cases) {
    const r = parseEvent(raw, co);
    assert.ok(!r.ok, `${field} is refused`);
    assert.equal(r.error.code, 'INVALID_TEXT', r.error.message);
    assert.equal(r.error.record['field'], field);
    assert.ok(!r.error.message.includes('\u0000'), 'the message does not repeat a NUL');
  }
  // Two ids that differ only in their lone surrogate would both be stored as U+FFFD: neither gets in.
  for (const id of ['E\ud800', 'E\ud801']) assert.equal(parseEvent(journal(id, '2026-01-05', '1.00'), co).ok, false);
});

test('text: textFlaw agrees with well-formed Unicode without NUL, for any string', () => {
  const wellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();
  fc.assert(
    fc.property(fc.string({ unit: fc.oneof(fc.constantFrom('\u0000', '\ud800', '\udbff', '\udc00', '\udfff', '\u{1F600}', 'a'), fc.string({ unit: 'binary', maxLength: 1 })), maxLength: 12 }), (s) => {
      return (textFlaw(s) === undefined) === (wellFormed(s) && !s.includes('\u0000'));
    }),
    propertyParameters(2000),
  );
});

test('text: a configuration with a NUL or lone surrogate in a name or code is INVALID_TEXT naming the field', () => {
  const base = JSON.parse(readFileSync('examples/seed-004/company.json', 'utf8')) as Record<string, unknown>;
  const named = loadConfig({ ...base, company: { ...(base['company'] as object), name: 'Acme\u0000' } });
  assert.ok(!named.ok);
  assert.equal(named.error.code, 'INVALID_TEXT');
  assert.equal(named.error.record['field'], 'company.name');
  const sku = loadConfig({ ...base, products: [{ sku: '\udfff' }] });
  assert.ok(!sku.ok);
  assert.deepEqual([sku.error.code, sku.error.record['field']], ['INVALID_TEXT', 'products[0].sku']);
});
