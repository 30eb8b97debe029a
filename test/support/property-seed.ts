/**
 * The seed and run count of every fast-check property in test/: one fixed seed by default, so
 * `npm test` and CI check the same cases on every run, printed once per test file so a failure
 * can be replayed.
 *
 *   STOCKBOOK_PROPERTY_SEED   unset: the fixed seed; an integer: that seed; `random`: a fresh
 *                             seed (printed), to explore new cases
 *   STOCKBOOK_PROPERTY_RUNS   runs of every property instead of each one's default
 *   STOCKBOOK_PROPERTY_PATH   fast-check's counterexample path (with the seed and a
 *                             --test-name-pattern naming the one failing property)
 *
 * A failure found while exploring becomes a regression test with its shrunk counterexample.
 */
import type fc from 'fast-check';

/** The seed `npm test` runs with. */
export const FIXED_SEED = 20261002;

function chosenSeed(): { seed: number; how: string } {
  const raw = process.env['STOCKBOOK_PROPERTY_SEED']?.trim();
  if (raw === undefined || raw === '') return { seed: FIXED_SEED, how: 'fixed' };
  if (raw === 'random') return { seed: (Date.now() ^ Math.floor(Math.random() * 0x7fffffff)) | 0, how: 'random' };
  const n = Number(raw);
  if (!Number.isSafeInteger(n)) throw new Error(`STOCKBOOK_PROPERTY_SEED must be an integer or "random", not "${raw}"`);
  return { seed: n | 0, how: 'given' };
}

function chosenRuns(): number | undefined {
  const raw = process.env['STOCKBOOK_PROPERTY_RUNS']?.trim();
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`STOCKBOOK_PROPERTY_RUNS must be a positive integer, not "${raw}"`);
  return n;
}

const chosen = chosenSeed();
/** The seed of this run, for seeded suites that are not fast-check properties (the fault proxy). */
export const PROPERTY_SEED = chosen.seed;
const runs = chosenRuns();
const path = process.env['STOCKBOOK_PROPERTY_PATH']?.trim() || undefined;
let printed = false;

/**
 * fast-check parameters for one property: the chosen seed, `numRuns` unless
 * STOCKBOOK_PROPERTY_RUNS overrides it, and the given extras.
 */
export function propertyParameters<T>(numRuns: number, extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  if (!printed) {
    printed = true;
    console.log(`property tests: seed ${chosen.seed} (${chosen.how}); STOCKBOOK_PROPERTY_SEED=random explores new seeds, STOCKBOOK_PROPERTY_RUNS=N changes the run count`);
  }
  return { ...extra, seed: chosen.seed, numRuns: runs ?? numRuns, ...(path === undefined ? {} : { path }) };
}
