/**
 * The dual-book property (issue 11): random streams — late events, voids, every costing method,
 * every rounding mode, negative stock blocked and allowed, purchases at the bill or at a
 * receipt — posted in random batches through two durable ledgers on one store (as two
 * processes would, alternating), and applied to one in-memory book in the same order — on
 * SQLite in memory, and on PostgreSQL (a fresh schema per case, the two ledgers on two pools;
 * fewer cases; skipped loudly without PostgreSQL, a failure under CI). The
 * persistent path loads only what each event touches, through a cache kept tiny (a few events
 * and pools) and checkpoints every 2 entries, so every load, eviction, checkpoint restart and
 * cross-process invalidation is taken. Required:
 *
 * - every event gets the same outcome and the same journals (ids, dates, lines) on both paths;
 * - the stored costing state equals a rebuild from the events (verifyCosting: no differences);
 * - the reports agree: on-hand as of every date, the value per inventory account, the GL.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { propertyParameters } from './support/property-seed.js';
import { COSTING_METHODS, type CostingMethod } from '../src/index.js';
import { Book } from '../src/book/book.js';
import { costingOrder, orderable } from '../src/book/batch-order.js';
import { parseEvent, type BookEvent } from '../src/domain/events.js';
import type { Result } from '../src/domain/errors.js';
import { CompanyLedger, putCompany, type PostOutcome } from '../src/ledger/service.js';
import { MemoryReader, type BookReader } from '../src/ledger/costing-reader.js';
import { verifyCosting } from '../src/ledger/verify.js';
import { pgUnavailable, postgres, sqliteMemory, type Harness } from './store-support/harness.js';
import type { Journal } from '../src/posting/journal.js';
import type { LedgerStore } from '../src/store/store.js';
import { buildStream, companyJson, specsArb, type Mode, type Recognition, type RawEvent } from './support/gen.js';

const ROUNDINGS = ['half-even', 'half-up', 'half-down', 'half-odd', 'half-away-from-zero', 'half-towards-zero', 'up', 'down', 'away-from-zero', 'towards-zero'] as const;
const setupArb = fc.record({
  mode: fc.constantFrom<Mode>('block', 'allow'),
  recognition: fc.constantFrom<Recognition>('bill', 'bill', 'receipt'),
  rounding: fc.constantFrom(...ROUNDINGS),
  /** Sizes of the batches the stream is cut into (each posted through ledger A or B in turn). */
  cuts: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 1, maxLength: 12 }),
});

const text = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
const journalText = (js: readonly Journal[]): string => text(js.map((j) => ({ id: j.id, kind: j.kind, date: j.date, event: j.event, cause: j.cause, reverses: j.reverses, lines: j.lines })));

/** The in-memory book's outcome of a batch, applied in the ledger's costing order. */
function applyBatch(book: Book, raws: readonly RawEvent[]): { status: string; journals: string }[] {
  const parsed: Result<BookEvent>[] = raws.map((r) => parseEvent(r, book.co));
  const out: { status: string; journals: string }[] = raws.map(() => ({ status: 'unparsed', journals: '[]' }));
  for (const i of costingOrder(parsed.map((p) => (p.ok ? orderable(p.value) : undefined)))) {
    const p = parsed[i]!;
    if (!p.ok) continue;
    const r = book.apply(p.value);
    out[i] = r.ok ? { status: r.value.status, journals: r.value.status === 'ok' ? journalText(r.value.journals) : '[]' } : { status: r.error.code, journals: '[]' };
  }
  parsed.forEach((p, i) => {
    if (!p.ok) out[i] = { status: p.error.code, journals: '[]' };
  });
  return out;
}

function outcomeOf(o: PostOutcome): { status: string; journals: string } {
  if (o.status === 'ok') return { status: 'ok', journals: journalText(o.journals) };
  if (o.status === 'exists') return { status: 'exists', journals: '[]' };
  return { status: o.error.code, journals: '[]' };
}

async function reportsOf(r: BookReader, dates: readonly string[]): Promise<string> {
  const onHand: unknown[] = [];
  for (const d of dates) onHand.push((await r.onHandAsOf(d)).sort((a, b) => (a.product + a.warehouse < b.product + b.warehouse ? -1 : 1)));
  return text({ onHand, byAccount: [...(await r.inventoryValueByAccount())].sort() });
}

interface Setup { mode: Mode; recognition: Recognition; rounding: (typeof ROUNDINGS)[number]; cuts: number[] }

/** One case on a fresh database of `h`: ledger A on its store, B on another store of the same database where there is one (PostgreSQL: its own pool). */
async function run(h: Harness, method: CostingMethod, setup: Setup, raws: RawEvent[]): Promise<void> {
  const db = await h.fresh();
  const store = db.store;
  const other = db.another?.();
  try {
    await store.migrate();
    const config = companyJson(method, setup.mode, setup.recognition, setup.rounding);
    const co = await putCompany(store, config);
    assert.ok(!('code' in co), 'the company loads');
    const options = { checkpointEvery: 2, cache: { events: 3, pools: 2, entries: 2 } };
    const a = await CompanyLedger.open(store, co.id, options);
    const b = await CompanyLedger.open(other ?? store, co.id, options);
    assert.ok(a instanceof CompanyLedger && b instanceof CompanyLedger);
    const book = new Book(co, { checkpointEvery: 2 });
    let at = 0;
    for (let k = 0; at < raws.length; k++) {
      const batch = raws.slice(at, at + setup.cuts[k % setup.cuts.length]!);
      at += batch.length;
      const ledger: CompanyLedger = k % 2 === 0 ? a : b;
      const got = (await ledger.postBatch(batch)).map(outcomeOf);
      assert.deepEqual(got, applyBatch(book, batch), `batch ${k} (${batch.map((e) => e.id).join(' ')}) through ledger ${k % 2 === 0 ? 'A' : 'B'}`);
    }
    const v = await verifyCosting(store, co.id);
    assert.ok(!('code' in v));
    assert.deepEqual(v.differences, [], 'the stored costing state equals a rebuild from the events');
    const dates = [...new Set(raws.map((e) => e.date))].sort();
    assert.equal(await reportsOf(a.current, dates), await reportsOf(new MemoryReader(book), dates));
    const tb = (await store.trialBalance(co.id)).filter((x) => x.balance !== 0n).map((x) => [x.account, x.balance]).sort();
    assert.deepEqual(tb, [...book.balances()].filter(([, x]) => x !== 0n).sort(), 'the stored GL is the in-memory book\'s');
    await trialBalancesAsOf(store, co.id, dates);
  } finally {
    await other?.close();
    await store.close();
  }
}

/** The trial balance as of each date (and a day before the first) equals the journals' lines summed up to it, whichever side of the date the store reads. */
async function trialBalancesAsOf(store: LedgerStore, company: string, dates: readonly string[]): Promise<void> {
  const journals = await store.journals(company);
  for (const asOf of ['2000-01-01', ...dates, '9999-12-31']) {
    const want = new Map<string, bigint>();
    for (const j of journals) if (j.date <= asOf) for (const l of j.lines) want.set(l.account, (want.get(l.account) ?? 0n) + l.amount);
    const got = (await store.trialBalance(company, asOf)).map((b) => [b.account, b.balance]);
    assert.deepEqual(got, [...want].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)), `trial balance as of ${asOf}`);
  }
}

/** The property for every costing method, `runs` cases each, on fresh databases of the harness. */
function dualBookSuite(name: string, makeHarness: () => Harness, runs: number, skip?: string): void {
  describe(name, { skip }, () => {
    const h = skip ? undefined : makeHarness();
    after(() => h?.teardown());
    for (const method of COSTING_METHODS) {
      test(`${method}: a durable ledger (two of them, on one database) books what the in-memory book books, and its stored state is a rebuild's`, async () => {
        await fc.assert(
          fc.asyncProperty(setupArb, specsArb(5, 25), async (setup, specs) => run(h!, method, setup, buildStream(method, specs, setup.recognition))),
          propertyParameters(runs),
        );
      });
    }
  });
}

dualBookSuite('dual book: SQLite (in memory)', sqliteMemory, 40);
// Fewer cases on PostgreSQL: each is a fresh schema, migrated, and every statement a round trip.
dualBookSuite('dual book: PostgreSQL (a schema per case)', postgres, 10, await pgUnavailable());
