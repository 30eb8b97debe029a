/**
 * Hostile input for the fuzz suite: values no client should send (wrong types, huge strings,
 * NUL, lone surrogates, impossible dates, deep objects, huge numbers) and mutations that put one
 * of them somewhere inside an otherwise valid value (or drop a field, or add an unknown one).
 */
import fc from 'fast-check';

/** Strings a server must refuse politely; the first few double as path and query text. */
export const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  'x'.repeat(129),
  'x'.repeat(101),
  'y'.repeat(70_000),
  'a\u0000b',
  '\u0000',
  '\uD800',
  'ab\uDC00',
  '\uDFFF\uD800',
  '2026-02-30',
  '2026-02-29',
  '2026-04-31',
  '2026-13-01',
  '2026-3-5',
  '5/3/2026',
  '0000-00-00',
  '99999999999999999999.99',
  '60000000000000000.00',
  '1e400',
  '-1',
  '-0.00',
  'NaN',
  '0x10',
  '1.0000000000000000000001',
  '../../etc/passwd',
  '%',
  '%zz',
  '%E0%A4%A',
  '<script>alert(1)</script>',
  "'; DROP TABLE events; --",
  '\u202Eevil',
  '🧾'.repeat(50),
  'null',
  'true',
  '[]',
  '{}',
];

/** Numbers at and past every edge JSON can carry. */
const HOSTILE_NUMBERS: readonly number[] = [0, -1, 1.5, -0.000001, 1e-7, 2 ** 53 + 2, -(2 ** 53) - 2, 1e21, 1e308, -1e308, 6e16, 9.3e18];

/** A value nested `depth` levels deep (objects or arrays). */
export function deep(depth: number, kind: 'object' | 'array'): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = kind === 'object' ? { a: v } : [v];
  return v;
}

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...HOSTILE_STRINGS) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_NUMBERS) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, true, false, {}, [], [null], { '': '' }, { __proto__: { polluted: 1 } }, { constructor: { prototype: { polluted: 1 } } }) },
  { weight: 1, arbitrary: fc.constantFrom(deep(200, 'object'), deep(200, 'array'), deep(3000, 'array'), Array.from({ length: 2000 }, () => 'x')) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
);

type Path = readonly (string | number)[];

/** Every path inside a JSON value, the root included. */
function pathsOf(v: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (at.length > 6) return out;
  if (Array.isArray(v)) v.forEach((x, i) => pathsOf(x, [...at, i], out));
  else if (typeof v === 'object' && v !== null) for (const [k, x] of Object.entries(v)) pathsOf(x, [...at, k], out);
  return out;
}

/** A copy of `v` with the value at `path` replaced (or removed when `value` is `REMOVE`). */
function setAt(v: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value === REMOVE ? undefined : value;
  const [head, ...rest] = path;
  const copy = (Array.isArray(v) ? [...(v as unknown[])] : { ...(v as Record<string, unknown>) }) as Record<string | number, unknown>;
  const next = setAt(copy[head!], rest, value);
  if (next === undefined && value === REMOVE && rest.length === 0) {
    if (Array.isArray(copy)) (copy as unknown[]).splice(head as number, 1);
    else delete copy[head!];
  } else copy[head!] = next;
  return copy;
}
const REMOVE = Symbol('remove');

/** `v` mutated once: a hostile value somewhere, a field removed, or an unknown field added. */
export function mutated(v: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(v);
  const inner = paths.filter((p) => p.length > 0);
  const replaced = fc.tuple(fc.constantFrom(...paths), hostileValue).map(([p, h]) => setAt(v, p, h));
  const isObject = typeof v === 'object' && v !== null && !Array.isArray(v);
  const removed = inner.length > 0 ? [{ weight: 2, arbitrary: fc.constantFrom(...inner).map((p) => setAt(v, p, REMOVE)) }] : [];
  const added = isObject ? [{ weight: 1, arbitrary: hostileValue.map((h) => ({ ...(v as Record<string, unknown>), unknownField: h })) }] : [];
  return fc.oneof({ weight: 6, arbitrary: replaced }, ...removed, ...added);
}
