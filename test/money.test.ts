import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParameters } from './support/property-seed.js';
import { divRound, ROUNDING_MODES } from '../src/domain/rounding.js';
import { allocate, convert, share, parseMoney, formatMoney, currencyExponent, extend } from '../src/domain/money.js';
import { parseDecimal, formatDecimal, QTY_SCALE, UNIT_COST_SCALE } from '../src/domain/decimal.js';

test('divRound: every named mode on ties and non-ties, both signs', () => {
  // value: [n, d] → expected per mode
  const cases: [bigint, bigint, Record<string, bigint>][] = [
    [5n, 2n, { 'half-even': 2n, 'half-odd': 3n, 'half-up': 3n, 'half-down': 2n, 'half-away-from-zero': 3n, 'half-towards-zero': 2n, up: 3n, down: 2n, 'away-from-zero': 3n, 'towards-zero': 2n }],
    [-5n, 2n, { 'half-even': -2n, 'half-odd': -3n, 'half-up': -2n, 'half-down': -3n, 'half-away-from-zero': -3n, 'half-towards-zero': -2n, up: -2n, down: -3n, 'away-from-zero': -3n, 'towards-zero': -2n }],
    [7n, 2n, { 'half-even': 4n, 'half-odd': 3n, 'half-up': 4n, 'half-down': 3n, 'half-away-from-zero': 4n, 'half-towards-zero': 3n, up: 4n, down: 3n, 'away-from-zero': 4n, 'towards-zero': 3n }],
    [10n, 3n, { 'half-even': 3n, 'half-odd': 3n, 'half-up': 3n, 'half-down': 3n, 'half-away-from-zero': 3n, 'half-towards-zero': 3n, up: 4n, down: 3n, 'away-from-zero': 4n, 'towards-zero': 3n }],
    [-11n, 3n, { 'half-even': -4n, 'half-odd': -4n, 'half-up': -4n, 'half-down': -4n, 'half-away-from-zero': -4n, 'half-towards-zero': -4n, up: -3n, down: -4n, 'away-from-zero': -4n, 'towards-zero': -3n }],
    [6n, -4n, { 'half-even': -2n, 'half-odd': -1n, 'half-up': -1n, 'half-down': -2n, 'half-away-from-zero': -2n, 'half-towards-zero': -1n, up: -1n, down: -2n, 'away-from-zero': -2n, 'towards-zero': -1n }],
  ];
  for (const [n, d, expected] of cases) {
    for (const mode of ROUNDING_MODES) assert.equal(divRound(n, d, mode), expected[mode], `${n}/${d} ${mode}`);
  }
  assert.equal(divRound(8n, 4n, 'up'), 2n);
  assert.throws(() => divRound(1n, 0n), /division by zero/);
});

test('divRound result is within one unit of the true quotient and exact when divisible', () => {
  fc.assert(fc.property(fc.bigInt(-(10n ** 20n), 10n ** 20n), fc.bigInt(1n, 10n ** 12n), fc.constantFrom(...ROUNDING_MODES), (n, d, mode) => {
    const q = divRound(n, d, mode);
    const diff = q * d - n;
    assert.ok((diff < 0n ? -diff : diff) < d);
    if (n % d === 0n) assert.equal(q, n / d);
  }), propertyParameters(2000));
});

test('allocate never loses or invents a unit and is deterministic', () => {
  assert.deepEqual(allocate(100n, [1n, 1n, 1n]), [34n, 33n, 33n]);
  assert.deepEqual(allocate(-100n, [1n, 1n, 1n]), [-34n, -33n, -33n]);
  assert.deepEqual(allocate(5n, [0n, 0n]), [3n, 2n]);
  assert.deepEqual(allocate(10n, [0n, 3n, 7n]), [0n, 3n, 7n]);
  fc.assert(fc.property(fc.bigInt(-(10n ** 15n), 10n ** 15n), fc.array(fc.bigInt(0n, 10n ** 9n), { minLength: 1, maxLength: 12 }), (total, weights) => {
    const parts = allocate(total, weights);
    assert.equal(parts.reduce((a, b) => a + b, 0n), total);
    assert.deepEqual(allocate(total, weights), parts);
    const sum = weights.reduce((a, b) => a + b, 0n);
    if (sum > 0n) weights.forEach((w, i) => {
      const exact = (total * w) / sum; // truncated ideal share
      const d = parts[i]! - exact;
      assert.ok(d >= -1n && d <= 1n, 'each part is within one unit of its ideal share');
    });
  }), propertyParameters(2000));
});

test('share: the last unit takes the remainder, so shares of a whole add back exactly', () => {
  assert.equal(share(1000n, 3n, 3n, 'half-even'), 1000n);
  fc.assert(fc.property(fc.bigInt(0n, 10n ** 12n), fc.array(fc.bigInt(1n, 10n ** 6n), { minLength: 1, maxLength: 20 }), (value, pieces) => {
    let qty = pieces.reduce((a, b) => a + b, 0n);
    let left = value;
    let taken = 0n;
    for (const p of pieces) {
      const v = share(left, p, qty, 'half-even');
      left -= v;
      qty -= p;
      taken += v;
    }
    assert.equal(qty, 0n);
    assert.equal(left, 0n, 'nothing left when nothing is on hand');
    assert.equal(taken, value);
  }), propertyParameters(1000));
});

test('parsing never rounds silently; formatting round-trips', () => {
  assert.deepEqual(parseMoney('100.00', 'USD'), { ok: true, value: 10000n });
  assert.deepEqual(parseMoney('-0.5', 'USD'), { ok: true, value: -50n });
  assert.equal(parseMoney('100.005', 'USD').ok, false);
  assert.equal(parseMoney('1e3', 'USD').ok, false);
  assert.equal(parseMoney('12', 'JPY').ok, true);
  assert.equal(parseMoney('12.5', 'JPY').ok, false);
  assert.equal(currencyExponent('KWD'), 3);
  assert.equal(formatMoney(-5n, 'USD'), '-0.05');
  assert.equal(formatMoney(1234567n, 'KWD'), '1234.567');
  assert.equal(formatMoney(42n, 'JPY'), '42');
  assert.equal(formatDecimal(1500000n, QTY_SCALE), '1.500000');
  fc.assert(fc.property(fc.bigInt(-(10n ** 18n), 10n ** 18n), (v) => {
    const r = parseDecimal(formatDecimal(v, 4), 4);
    assert.ok(r.ok && r.value === v);
  }), propertyParameters(100));
});

test('convert and extend round once, with the named mode', () => {
  // 100.00 EUR at 1.0850000000 USD per EUR = 108.50 USD
  assert.equal(convert(10000n, 'EUR', 'USD', 10_850_000_000n, 'half-even'), 10850n);
  // 0.125 * 1 = 0.125 USD → 0.12 (half-even), 0.13 (half-up)
  const oneEighth = 1_250_000_000n; // 0.125 at UNIT_COST_SCALE 10
  assert.equal(UNIT_COST_SCALE, 10);
  assert.equal(extend(10n ** BigInt(QTY_SCALE), oneEighth, 'USD', 'half-even'), 12n);
  assert.equal(extend(10n ** BigInt(QTY_SCALE), oneEighth, 'USD', 'half-up'), 13n);
  // 1,000 JPY at 0.0067 USD per JPY = 6.70 USD
  assert.equal(convert(1000n, 'JPY', 'USD', 67_000_000n, 'half-even'), 670n);
});
