/** The costing codec: what an event's stored costs and links encode to decodes back to the same, in the text written today and in the older all-strings text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSaved, encodeSaved, type Saved } from '../src/ledger/costing-codec.js';
import { keyColumn, keyFromColumn } from '../src/store/costing.js';

const big = 2n ** 80n + 7n;
const cases: Saved[] = [
  { results: [], pools: [], voidedBy: undefined, dependents: undefined, corrections: 0 },
  {
    results: [
      { qty: 10_000_000n, value: 1053n, takes: undefined, variance: 0n, trueUp: 0n, toCogs: 0n, shortQty: 0n },
      { qty: -13n, value: -big, takes: [{ source: 'E1#0', lot: undefined, expiry: undefined, qty: 3n, value: 311n }, { source: 'a "quoted" \\ source\u0000', lot: 'L-1', expiry: '2027-01-31', qty: big, value: -(2n ** 53n) }], variance: -5n, trueUp: 2n ** 53n - 1n, toCogs: 1n - 2n ** 53n, shortQty: 9n },
    ],
    pools: ['P0\u0000W0', 'P\u00e91\u0000W\u00001'],
    voidedBy: 'V-1',
    dependents: new Set(['D1', 'D"2']),
    corrections: 3,
  },
  { results: [{ qty: 0n, value: 0n, takes: [], variance: 0n, trueUp: 0n, toCogs: 0n, shortQty: 0n }], pools: ['P\u0000W'], voidedBy: undefined, dependents: new Set(), corrections: 0 },
];

/** The same value, with an empty dependents set read as none (the codec writes it so). */
function normal(s: Saved): Saved {
  return { ...s, dependents: s.dependents && s.dependents.size > 0 ? s.dependents : undefined, results: s.results.map((r) => ({ ...r, takes: r.takes?.map((t) => ({ ...t })) })) };
}

test('costing text round-trips: numbers beyond 53 bits, negative values, escapes, lots and expiries, links', () => {
  for (const s of cases) {
    const text = encodeSaved(s);
    assert.doesNotThrow(() => JSON.parse(text));
    const back = decodeSaved(text);
    assert.deepEqual(normal(back), normal(s));
    assert.equal(encodeSaved(back), text, 'encoding is stable');
  }
});

test('the older text (every integer a string) decodes to the same value', () => {
  const old = '{"r":[["13000000","1348","0","0","0","0",[["E000004982#0",null,null,"3000000","311"],["E000004984#0","L",null,"10000000","1037"]]]],"p":["P0\\u0000W0"],"v":null,"d":["X"],"c":2}';
  const s = decodeSaved(old);
  assert.deepEqual(s.results[0]!.takes?.map((t) => [t.source, t.lot, t.qty, t.value]), [['E000004982#0', undefined, 3_000_000n, 311n], ['E000004984#0', 'L', 10_000_000n, 1037n]]);
  assert.equal(s.results[0]!.qty, 13_000_000n);
  assert.deepEqual([...(s.dependents ?? [])], ['X']);
  assert.equal(s.corrections, 2);
  assert.deepEqual(normal(decodeSaved(encodeSaved(s))), normal(s));
});

test('order keys as stored: back to the same key, in the same order (code units below 0x20 and from 0x7F up escaped)', () => {
  let seed = 7;
  const rnd = (n: number): number => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) % n);
  const units = [0, 1, 0x1f, 0x20, 0x41, 0x7e, 0x7f, 0x80, 0xe9, 0xd83d, 0xde00, 0xffff];
  const keys = ['', '2020-01-01T\u000000E000000001', 'plain'];
  for (let k = 0; k < 500; k++) keys.push(Array.from({ length: rnd(12) }, () => String.fromCharCode(units[rnd(units.length)]!)).join(''));
  for (const key of keys) {
    const column = keyColumn(key);
    assert.ok(!column.includes('\u0000') && [...column].every((c) => c.charCodeAt(0) < 0x80), 'ASCII without NUL');
    assert.equal(keyFromColumn(column), key);
  }
  const byKey = [...keys].sort();
  const byColumn = [...keys].sort((a, b) => (keyColumn(a) < keyColumn(b) ? -1 : keyColumn(a) > keyColumn(b) ? 1 : 0));
  assert.deepEqual(byColumn, byKey);
});
