/**
 * Property: whatever the stream of events (purchases, stocked and service sales with tax
 * worked out either way, late purchases that re-cost posted sales, voids, payments) and
 * however syncs interleave with it — including syncs that crash between sending to Xero and
 * recording the outcome — once everything is synced Xero's general ledger equals ours account
 * by account (plus the recorded rounding variance), nothing is left unposted, nothing is
 * posted twice, and every request matched Xero's schema.
 *
 * Counterexamples the property found are kept below as fixed regression tests.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { crashAfterSend, fixture, listOracle, open, post, xeroGl, type Fixture } from './sync-support/fixture.js';
import type { RecordType } from '../src/posting/types.js';
import { parseSyncCursor } from '../src/sync/engine.js';
import { formatMoney } from '../src/domain/money.js';
import { divRound } from '../src/domain/rounding.js';
import { propertyParameters } from './support/property-seed.js';

type Step =
  | { kind: 'bill'; qty: number; cents: bigint; late: boolean }
  | { kind: 'sale'; qty: number; cents: bigint }
  | { kind: 'service'; lines: { cents: bigint; taxDelta: bigint }[] }
  | { kind: 'void'; pick: number }
  | { kind: 'pay'; pick: number }
  | { kind: 'credit'; pick: number; cents: bigint }
  | { kind: 'expense'; cents: bigint }
  | { kind: 'deposit'; cents: bigint }
  | { kind: 'sync'; type: RecordType }
  /** A sync that dies after its `after`+1-th call to Xero returned, before any outcome is stored. */
  | { kind: 'crash'; type: RecordType; after: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ kind: fc.constant('bill' as const), qty: fc.integer({ min: 1, max: 5 }), cents: fc.bigInt({ min: 100n, max: 5000n }), late: fc.boolean() }),
  fc.record({ kind: fc.constant('sale' as const), qty: fc.integer({ min: 1, max: 3 }), cents: fc.bigInt({ min: 100n, max: 9000n }) }),
  fc.record({ kind: fc.constant('service' as const), lines: fc.array(fc.record({ cents: fc.bigInt({ min: 1n, max: 2000n }), taxDelta: fc.bigInt({ min: -1n, max: 1n }) }), { minLength: 1, maxLength: 4 }) }),
  fc.record({ kind: fc.constant('void' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('pay' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('credit' as const), pick: fc.nat(), cents: fc.bigInt({ min: 1n, max: 3000n }) }),
  fc.record({ kind: fc.constant('expense' as const), cents: fc.bigInt({ min: 1n, max: 9000n }) }),
  fc.record({ kind: fc.constant('deposit' as const), cents: fc.bigInt({ min: 100n, max: 3000n }) }),
  fc.record({ kind: fc.constant('sync' as const), type: fc.constantFrom<RecordType>('invoices', 'procurement', 'payments', 'expenses') }),
  fc.record({ kind: fc.constant('crash' as const), type: fc.constantFrom<RecordType>('invoices', 'procurement', 'payments', 'expenses'), after: fc.nat({ max: 2 }) }),
);

const money = (cents: bigint): string => formatMoney(cents, 'USD');
/** 10% tax, worked out per line (the property adds ±1 cent to some lines, as a source rounding on the total would). */
const tax10 = (cents: bigint): bigint => divRound(cents, 10n, 'half-up');
const nonNegative = (x: bigint): bigint => (x < 0n ? 0n : x);

/**
 * Turns steps into events. Voids pick live documents nothing else depends on (unpaid, not
 * credited); payments pick live unvoided invoices; credit notes restock one unit of a live
 * stock sale; bills take what is left of the supplier deposits.
 */
class Stream {
  n = 0;
  day = 10;
  deposits = 0n;
  readonly invoices: { id: string; ref: string; total: bigint; stock: boolean }[] = [];
  readonly credited = new Set<string>();
  readonly voidable: string[] = [];
  readonly paid = new Set<string>();
  readonly voided = new Set<string>();

  next(s: Exclude<Step, { kind: 'sync' | 'crash' }>): Record<string, unknown> | undefined {
    const id = `E${++this.n}`;
    // Two events a day: a late bill then corrects two events of one date in one grouped journal.
    const date = `2026-05-${String(Math.min(28, (Math.floor(this.day++ / 2) % 28) + 1)).padStart(2, '0')}`;
    if (s.kind === 'bill') return this.bill(id, s.late ? '2026-04-01' : date, s.qty, s.cents);
    if (s.kind === 'sale') return this.invoice(id, date, [{ product: 'W', warehouse: 'MAIN', qty: s.qty, amount: money(s.cents), tax: money(tax10(s.cents)) }], s.cents + tax10(s.cents), true);
    if (s.kind === 'expense') return { id, type: 'expense_bill', date, supplier: 'ACME', lines: [{ account: '6000', amount: money(s.cents), tax: money(tax10(s.cents)) }] };
    if (s.kind === 'deposit') {
      this.deposits += s.cents;
      return { id, type: 'supplier_deposit', date, supplier: 'ACME', amount: money(s.cents) };
    }
    if (s.kind === 'credit') return this.credit(id, date, s.pick, s.cents);
    if (s.kind === 'service') {
      const lines = s.lines.map((l) => ({ account: '4000', amount: money(l.cents), tax: money(nonNegative(tax10(l.cents) + l.taxDelta)) }));
      return this.invoice(id, date, lines, s.lines.reduce((a, l) => a + l.cents + nonNegative(tax10(l.cents) + l.taxDelta), 0n));
    }
    if (s.kind === 'void') {
      const live = this.voidable.filter((v) => !this.paid.has(v) && !this.voided.has(v) && !this.credited.has(v));
      if (live.length === 0) return undefined;
      const target = live[s.pick % live.length]!;
      this.voided.add(target);
      return { id, type: 'void', date, target };
    }
    const open = this.invoices.filter((i) => !this.paid.has(i.id) && !this.voided.has(i.id));
    if (open.length === 0) return undefined;
    const inv = open[s.pick % open.length]!;
    this.paid.add(inv.id);
    return { id, type: 'customer_payment', date, customer: 'BAYSIDE', reference: inv.ref, amount: money(inv.total) };
  }

  private bill(id: string, date: string, qty: number, cents: bigint): Record<string, unknown> {
    const applied = this.deposits < cents ? this.deposits : cents;
    this.deposits -= applied;
    return { id, type: 'purchase_invoice', date, supplier: 'ACME', reference: `PO-${id}`, depositApplied: money(applied), lines: [{ product: 'W', warehouse: 'MAIN', qty, amount: money(cents), tax: '0.00' }] };
  }

  private credit(id: string, date: string, pick: number, cents: bigint): Record<string, unknown> | undefined {
    const open = this.invoices.filter((i) => i.stock && !this.voided.has(i.id) && !this.credited.has(i.id));
    if (open.length === 0) return undefined;
    const inv = open[pick % open.length]!;
    this.credited.add(inv.id);
    return { id, type: 'sale_credit_note', date, customer: 'BAYSIDE', invoice: inv.id, lines: [{ product: 'W', warehouse: 'MAIN', qty: 1, amount: money(cents), tax: money(tax10(cents)), restock: true, shipment: inv.id }] };
  }

  private invoice(id: string, date: string, lines: Record<string, unknown>[], total: bigint, stock = false): Record<string, unknown> {
    this.invoices.push({ id, ref: `SO-${id}`, total, stock });
    this.voidable.push(id);
    return { id, type: 'sale_invoice', date, customer: 'BAYSIDE', reference: `SO-${id}`, lines };
  }
}

/** Claims left by a crash are in doubt at once (no lease to wait out). */
const openNow = (f: Fixture): ReturnType<typeof open> => open(f.store, { leaseMs: 0 });

async function syncAll(f: Fixture): Promise<void> {
  for (let round = 0; round < 3; round++) {
    const s = await openNow(f);
    for (const type of ['payments', 'procurement', 'expenses', 'invoices', 'payments'] as const) await s.engine.run({ type });
  }
}

/** A sync of `type` whose process dies once Xero has answered `after` + 1 sends: nothing of the run is recorded. */
async function crashingSync(f: Fixture, type: RecordType, after: number): Promise<void> {
  const s = await openNow(f);
  crashAfterSend(s.engine.target, (_kind, call) => call === after);
  await s.engine.run({ type }).catch((e: unknown) => {
    if (!(e instanceof Error && e.message.startsWith('simulated crash'))) throw e;
  });
}

/** The paged sync list (its counts, every page of 3, and `all`) lists what deriving every record lists. */
async function listIsTheOracles(f: Fixture): Promise<void> {
  const s = await openNow(f);
  for (const all of [false, true]) {
    const oracle = await listOracle(f.store, s.engine, { all });
    const whole = await s.engine.list({ all });
    assert.deepEqual(whole.counts, oracle.counts);
    assert.deepEqual(whole.records, oracle.records);
    const paged = [];
    for (let afterSeq: bigint | undefined, n = 0; ; n++) {
      assert.ok(n <= oracle.records.length, 'the pages end');
      const page = await s.engine.list({ all, limit: 3, afterSeq });
      assert.deepEqual(page.counts, oracle.counts);
      paged.push(...page.records);
      if (page.next === undefined) break;
      afterSeq = parseSyncCursor(page.next);
    }
    assert.deepEqual(paged, oracle.records);
    for (const r of oracle.records.slice(0, 5)) assert.deepEqual((await s.engine.record(r.id) as { record: unknown }).record, r);
  }
}

/** Posts the steps' events, syncing (or crashing) where they say, then syncs everything and checks the tie-out. */
async function syncedStreamTiesOut(steps: readonly Step[]): Promise<void> {
  const f = await fixture({ config: { settings: { costingMethod: 'fifo', cogsTiming: 'invoice', negativeStock: 'allow' } } });
  try {
    const stream = new Stream();
    await post(f.store, [{ id: 'OPEN', type: 'purchase_invoice', date: '2026-04-02', supplier: 'ACME', lines: [{ product: 'W', warehouse: 'MAIN', qty: 50, amount: '500.00', tax: '0.00' }] }]);
    for (const s of steps) {
      if (s.kind === 'sync') await (await openNow(f)).engine.run({ type: s.type });
      else if (s.kind === 'crash') await crashingSync(f, s.type, s.after);
      else {
        const ev = stream.next(s);
        if (ev) await post(f.store, [ev]);
      }
    }
    await listIsTheOracles(f);
    await syncAll(f);
    await listIsTheOracles(f);
    const s = await open(f.store);
    const left = await s.engine.list();
    assert.deepEqual(left.records.map((r) => `${r.id}: ${r.error?.code ?? r.status} ${r.error?.message ?? ''}`), []);
    const expected = new Map((await f.store.trialBalance('syncco')).map((b) => [b.account, b.balance]));
    for (const r of (await s.engine.list({ all: true })).records) {
      for (const [a, v] of Object.entries(r.posted?.variance ?? {})) expected.set(a, (expected.get(a) ?? 0n) + BigInt(v));
    }
    for (const [k, v] of expected) if (v === 0n) expected.delete(k);
    assert.deepEqual(Object.fromEntries([...xeroGl(f.sb)].sort()), Object.fromEntries([...expected].sort()));
    const numbers = f.sb.state.invoices.map((i) => i.invoiceNumber);
    assert.equal(new Set(numbers).size, numbers.length, 'no invoice posted twice');
    const journals = f.sb.state.manualJournals.map((j) => j.narration.split(' ')[0]);
    assert.equal(new Set(journals).size, journals.length, 'no journal posted twice');
    assert.deepEqual(f.sb.violations, []);
  } finally {
    await f.close();
  }
}

test('synced to Xero, every stream of events ties out account by account', async () => {
  await fc.assert(fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 18 }), syncedStreamTiesOut), propertyParameters(25));
});

/** A service line whose source tax is 1 cent off Xero's per-line rounding: Xero gets a rounding line. */
const roundedService: Step = { kind: 'service', lines: [{ cents: 100n, taxDelta: 1n }] };

test('regression (seed -92444778): a voided invoice with a rounding line takes its variance with it', async () => {
  // Shrunk counterexample: Xero's GL was 2200: -10 against our -11 and 6900: 0 against 1.
  await syncedStreamTiesOut([roundedService, { kind: 'sync', type: 'invoices' }, { kind: 'void', pick: 0 }, { kind: 'sale', qty: 1, cents: 100n }]);
});

test('regression: an invoice with a rounding line recovered after a crash keeps its variance', async () => {
  // Recovered (FOUND_IN_TARGET) records lost their variance: the tie-out was off on tax and rounding.
  await syncedStreamTiesOut([roundedService, { kind: 'crash', type: 'invoices', after: 0 }]);
  await syncedStreamTiesOut([roundedService, { kind: 'sale', qty: 1, cents: 100n }, { kind: 'crash', type: 'invoices', after: 0 }]);
});
