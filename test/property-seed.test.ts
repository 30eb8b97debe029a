/**
 * Every fast-check property in test/ runs with the shared, printed seed
 * (test/support/property-seed.ts): each `fc.assert(...)` call passes propertyParameters(...)
 * (or a local wrapper of it), so `npm test` is deterministic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FIXED_SEED, propertyParameters } from './support/property-seed.js';

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? testFiles(join(dir, d.name)) : d.name.endsWith('.ts') ? [join(dir, d.name)] : []));
}

/** The text of the call that opens at `open` (the index of its "("), skipping strings and comments. */
function callText(src: string, open: number): string {
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i]!;
    if (c === '"' || c === "'" || c === '`') {
      for (i++; i < src.length && src[i] !== c; i++) if (src[i] === '\\') i++;
    } else if (c === '/' && src[i + 1] === '/') {
      i = src.indexOf('\n', i);
    } else if (c === '(') {
      depth++;
    } else if (c === ')' && --depth === 0) {
      return src.slice(open, i + 1);
    }
  }
  throw new Error(`unbalanced call at ${open}`);
}

test('every fc.assert in test/ takes the shared seed', () => {
  const unseeded: string[] = [];
  let calls = 0;
  for (const file of testFiles('test').filter((f) => !f.endsWith('property-seed.test.ts'))) {
    const src = readFileSync(file, 'utf8');
    // A local wrapper counts when it is defined through the helper (test/properties.test.ts's params).
    const wrappers = [...src.matchAll(/const (\w+) = \([^)]*\)[^=]*=> propertyParameters\(/g)].map((m) => m[1]!);
    for (const m of src.matchAll(/fc\.assert\(/g)) {
      calls++;
      const text = callText(src, m.index + 'fc.assert'.length);
      if (!['propertyParameters', ...wrappers].some((w) => text.includes(`${w}(`))) unseeded.push(`${file}:${src.slice(0, m.index).split('\n').length}`);
    }
  }
  assert.ok(calls >= 10, `found the properties (${calls})`);
  assert.deepEqual(unseeded, []);
});

test('the seed is the fixed one unless STOCKBOOK_PROPERTY_SEED says otherwise; STOCKBOOK_PROPERTY_RUNS overrides the run count', () => {
  const p = propertyParameters(7);
  if (process.env['STOCKBOOK_PROPERTY_SEED'] === undefined) assert.equal(p.seed, FIXED_SEED);
  assert.equal(p.numRuns, process.env['STOCKBOOK_PROPERTY_RUNS'] === undefined ? 7 : Number(process.env['STOCKBOOK_PROPERTY_RUNS']));
});
