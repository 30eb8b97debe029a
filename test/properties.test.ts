/**
 * Property tests (fast-check): random event streams — purchases, shipments, adjustments ±,
 * stocktakes, transfers, write-offs, credit notes with restock, assemblies, landed costs and
 * voids, with random dates so many arrive late — for every costing method, with negative
 * stock blocked and allowed. Events are raw JSON passed through parseEvent.
 *
 *  1. every journal balances;
 *  2. sub-ledger value per inventory account = its GL balance, after every event;
 *  3. zero on-hand quantity ⇒ zero value, per pool, after every event;
 *  4. final pools (quantity, value, layers) and every GL account equal an independent reference
 *     model (test/support/reference.ts) replaying the final live events in (date, time, id) order;
 *  5. applying E then void(E) leaves the book as if E had never been applied;
 *  6. any (reference-respecting) arrival order of the same events gives the same book;
 *  7. resubmitting an accepted event is 'exists' and changes nothing; changed content is
 *     DUPLICATE_EVENT_CONFLICT.
 * A rejected event must carry an expected code and change nothing.
 *
 * The seed and run count come from test/support/property-seed.ts (STOCKBOOK_PROPERTY_SEED / _RUNS).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParameters } from './support/property-seed.js';
import { COSTING_METHODS, type Book, type Company, type CostingMethod, type ErrorCode } from '../src/index.js';
import { company, buildStream, specsArb, dependencyOrder, compareKey, PRODUCTS, WAREHOUSES, STANDARD_COSTS, COGS_ACCOUNT, INVENTORY_ACCOUNTS, type Mode, type Recognition, type RawEvent } from './support/gen.js';
import { run, snapshot, liveEvents, apply, assertInvariants, assertJournalsBalance, type Snapshot } from './support/harness.js';
import { referenceReplay, type Rounding } from './support/reference.js';

const params = (numRuns: number): fc.Parameters<unknown> => propertyParameters(numRuns, { includeErrorInReport: true });
/** Runs per property (1,000 unless STOCKBOOK_PROPERTY_RUNS says otherwise); the coverage minimums scale with it. */
const RUNS = params(1000).numRuns ?? 1000;

const REFERENCE_CODES: ErrorCode[] = ['UNKNOWN_REFERENCE', 'ALREADY_VOIDED', 'CANNOT_VOID', 'VOID_HAS_DEPENDENTS'];
const ALLOWED: Record<Mode, ReadonlySet<ErrorCode>> = {
  allow: new Set(REFERENCE_CODES),
  block: new Set<ErrorCode>([...REFERENCE_CODES, 'INSUFFICIENT_STOCK']),
};

/** A credit note dated before the shipment it restocks from is refused (the generator makes a few). */
function expected(mode: Mode): (e: RawEvent, code: ErrorCode) => boolean {
  return (e, code) => ALLOWED[mode].has(code) || (code === 'INVALID_EVENT' && e.type === 'sale_credit_note');
}

const companies = new Map<string, Company>();
function co(method: CostingMethod, setup: Setup): Company {
  const k = `${method}/${setup.mode}/${setup.recognition}/${setup.rounding}`;
  let c = companies.get(k);
  if (!c) {
    c = company(method, setup.mode, setup.recognition, setup.rounding);
    companies.set(k, c);
  }
  return c;
}

/**
 * Negative stock blocked or allowed; purchases in stock at the bill, or (a third of runs) at a
 * stock receipt; rounding half-even, or (a quarter of runs) another of the company's modes.
 */
interface Setup { mode: Mode; recognition: Recognition; rounding: Rounding }
const setupArb: fc.Arbitrary<Setup> = fc.record({
  mode: fc.constantFrom<Mode>('block', 'allow'),
  recognition: fc.constantFrom<Recognition>('bill', 'bill', 'receipt'),
  rounding: fc.oneof({ weight: 3, arbitrary: fc.constant<Rounding>('half-even') }, { weight: 1, arbitrary: fc.constantFrom<Rounding>('half-up', 'half-down', 'half-odd', 'half-away-from-zero', 'half-towards-zero', 'up', 'down', 'away-from-zero', 'towards-zero') }),
});

for (const method of COSTING_METHODS) {
  test(`${method}: journals balance, sub-ledger = GL, empty pools are worth zero, resubmission is idempotent, costs match the reference (properties 1–4, 7)`, () => {
    const seen = new Map<string, number>();
    const count = (k: string): void => void seen.set(k, (seen.get(k) ?? 0) + 1);
    fc.assert(
      fc.property(setupArb, specsArb(5, 25), (setup, specs) => {
        const c = co(method, setup);
        const raws = buildStream(method, specs, setup.recognition);
        const res = run(c, raws, { check: true, resubmit: true, allowed: expected(setup.mode) });
        let latest: RawEvent | undefined;
        for (const e of res.accepted) {
          count(e.type);
          if (e.receipt !== undefined) count('bill clearing a receipt');
          if (e.dropship === true) count('dropship');
          if (e.currency !== undefined) count('foreign currency');
          if (e.time !== undefined) count('time of day');
          if (latest !== undefined && compareKey(e, latest) < 0) count('late');
          if (latest === undefined || compareKey(e, latest) > 0) latest = e;
        }
        for (const r of res.rejected) count(r.code);
        assertJournalsBalance(res.book.journals);

        // Property 4: the independent reference, replaying the final live events in (date, id) order.
        const ref = referenceReplay(liveEvents(res.accepted), { method, standard: STANDARD_COSTS, rounding: setup.rounding });
        for (const p of PRODUCTS) {
          for (const w of WAREHOUSES) {
            const got = res.book.onHand(p, w);
            const want = ref.pools.get(`${p}/${w}`) ?? { qty: 0n, value: 0n, layers: [] };
            assert.deepEqual(
              { qty: got.qty, value: got.value, layers: got.layers.map((l) => ({ qty: l.qty, value: l.value, lot: l.lot, expiry: l.expiry })) },
              want,
              `pool ${p}/${w} differs from the reference model`,
            );
          }
        }
        // ...and every other account (AP, AR, tax, revenue, GRNI, COGS, PPV, discrepancy, write-offs,
        // labour and overheads; WIP must be back to zero). Inventory is the pools', compared above.
        const nonInventory = (m: ReadonlyMap<string, bigint>): [string, bigint][] =>
          [...m].filter(([a, v]) => v !== 0n && !(INVENTORY_ACCOUNTS as readonly string[]).includes(a)).sort((x, y) => (x[0] < y[0] ? -1 : 1));
        assert.deepEqual(nonInventory(res.book.balances()), nonInventory(ref.gl), 'GL differs from the reference model');
        assert.equal(res.book.balances().get(COGS_ACCOUNT) ?? 0n, ref.cogs);
      }),
      params(RUNS),
    );
    // The streams must exercise every event type, late arrivals and refusals, or the properties say little.
    const types = ['purchase_invoice', 'stock_receipt', 'shipment', 'sale_invoice', 'stock_adjustment', 'stocktake', 'transfer', 'write_off', 'sale_credit_note', 'purchase_credit_note', 'assembly', 'disassembly', 'landed_cost', 'void'];
    const refusals = ['UNKNOWN_REFERENCE', 'ALREADY_VOIDED', 'CANNOT_VOID', 'VOID_HAS_DEPENDENTS', 'INVALID_EVENT'];
    const minimum: [string, number][] = [...types.map((t): [string, number] => [t, RUNS / 20]), ['late', RUNS], ...['bill clearing a receipt', 'dropship', 'foreign currency', 'time of day'].map((k): [string, number] => [k, RUNS / 50]), ['INSUFFICIENT_STOCK', RUNS / 2], ...refusals.map((c): [string, number] => [c, RUNS / 200])];
    for (const [k, min] of minimum) assert.ok((seen.get(k) ?? 0) >= min, `the streams exercised "${k}" only ${seen.get(k) ?? 0} times: ${JSON.stringify([...seen])}`);
  });

  test(`${method}: applying E then void(E) restores GL and on-hand (property 5)`, () => {
    let compared = 0;
    fc.assert(
      fc.property(setupArb, specsArb(3, 16), fc.nat(), (setup, specs, pick) => {
        const c = co(method, setup);
        const raws = buildStream(method, specs, setup.recognition);
        const candidates = raws.filter((e) => e.type !== 'void');
        const target = candidates[pick % candidates.length]!;
        const without = run(c, raws.filter((e) => e !== target));
        const withE = run(c, raws, { check: true });
        if (!withE.accepted.includes(target)) return;
        const v = apply(withE.book, { id: 'zz-void', type: 'void', date: '2026-03-20', target: target.id });
        const ids = (xs: RawEvent[]): string[] => xs.filter((e) => e !== target).map((e) => e.id);
        if (!v.ok) {
          // Only dependents (or an earlier void of E) may stop the void.
          assert.ok(['VOID_HAS_DEPENDENTS', 'ALREADY_VOIDED'].includes(v.error.code) || !sameList(ids(withE.accepted), ids(without.accepted)), `void of ${target.id} failed: ${v.error.code} ${v.error.message}`);
          return;
        }
        assertJournalsBalance(v.value.journals);
        assertInvariants(withE.book, 'after the void');
        if (!sameList(ids(withE.accepted), ids(without.accepted))) return;
        compared++;
        assert.deepEqual(snapshot(withE.book), snapshot(without.book), `void(${target.id}) did not restore the book`);
      }),
      params(RUNS),
    );
    assert.ok(compared > RUNS / 3, `too few comparisons (${compared})`);
  });

  test(`${method}: any arrival order of the same events gives the same book (property 6)`, () => {
    let compared = 0;
    const arb = fc
      .tuple(setupArb, specsArb(3, 16))
      .chain(([setup, specs]) => fc.tuple(fc.constant(setup), fc.constant(specs), fc.shuffledSubarray([...specs.keys()], { minLength: specs.length, maxLength: specs.length })));
    fc.assert(
      fc.property(arb, ([setup, specs, perm]) => {
        const c = co(method, setup);
        const raws = buildStream(method, specs, setup.recognition);
        // Baseline: date order (references first); keep the events it accepts — a rejection changes nothing.
        const sorted = dependencyOrder(raws, raws.map((_, i) => i).sort((a, b) => compareKey(raws[a]!, raws[b]!)));
        const base = run(c, sorted, { check: true });
        const events = base.accepted;
        const baseSnap = snapshot(base.book);
        // Another arrival order; events rejected for lack of (not yet arrived) stock are retried at the end.
        const order = dependencyOrder(events, perm.filter((i) => i < events.length));
        const other = runWithRetries(c, order);
        if (other === undefined) return;
        compared++;
        assertInvariants(other, 'after the permuted replay');
        assert.deepEqual(snapshot(other), baseSnap, 'arrival order changed the book');
      }),
      params(RUNS),
    );
    assert.ok(compared > RUNS / 2, `too few comparisons (${compared})`);
  });
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Applies events in order, retrying rejected ones until all are in; undefined if some never go in. */
function runWithRetries(c: Company, order: RawEvent[]): Book | undefined {
  let pending = order;
  let book: Book | undefined;
  for (let round = 0; round < 4 && pending.length > 0; round++) {
    const r: ReturnType<typeof run> = book === undefined ? run(c, pending, { check: true }) : continueRun(book, pending);
    book = r.book;
    const next = r.rejected.map((x) => x.event);
    if (next.length === pending.length) return undefined;
    pending = next;
  }
  return pending.length === 0 ? book : undefined;
}

function continueRun(book: Book, events: RawEvent[]): ReturnType<typeof run> {
  const accepted: RawEvent[] = [];
  const rejected: ReturnType<typeof run>['rejected'] = [];
  for (const e of events) {
    const before: Snapshot = snapshot(book);
    const r = apply(book, e);
    if (r.ok) accepted.push(e);
    else {
      rejected.push({ event: e, code: r.error.code });
      assert.deepEqual(snapshot(book), before, `rejected ${e.id} changed the book`);
    }
  }
  return { book, accepted, rejected };
}
