/**
 * Hostile suite: the sync through a fault-injecting proxy (test/support/fault-proxy.ts) to the
 * Xero sandbox. A few hundred records of every kind (bills, stock and service sales with
 * rounding lines, credit notes, payments both ways, expense bills, deposits, prepayments,
 * stock and manual journals, voids of posted and unposted invoices) are synced by repeated runs
 * while the proxy answers 429s and 503s, resets connections before and after forwarding, and
 * holds answers past the client's timeout. Once every record is posted, every one of them is
 * in the sandbox exactly once and Xero's general ledger ties out with ours exactly.
 *
 * Bounded (caps per fault kind, a round limit) and seeded (STOCKBOOK_PROPERTY_SEED, see
 * test/support/property-seed.ts), so a failure reproduces.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { XeroSandbox } from '../src/sandbox/xero/index.js';
import { formatMoney } from '../src/domain/money.js';
import { divRound } from '../src/domain/rounding.js';
import type { RecordType } from '../src/posting/types.js';
import { fixture, open, post, xeroGl } from './sync-support/fixture.js';
import { apiThrough, FAULT_KINDS, proxyOptions, startFaultProxy, type FaultKind, type FaultProxy } from './support/fault-proxy.js';
import { PROPERTY_SEED } from './support/property-seed.js';

/** The client gives up on an answer after this long; the proxy holds its held answers longer. */
const TIMEOUT_MS = 400;
const HOLD_MS = 600;
const CAPS: Record<FaultKind, number> = { throttle: 60, unavailable: 60, resetBefore: 60, lostAfterWrite: 60, held: 10 };
const ORDER: readonly RecordType[] = ['payments', 'procurement', 'expenses', 'invoices', 'journals', 'payments'];
const MAX_ROUNDS = 12;

/** A small seeded generator (mulberry32), so the events follow the seed too. */
function random(seed: number): (n: number) => number {
  let a = seed >>> 0;
  return (n) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n);
  };
}

const money = (cents: bigint): string => formatMoney(cents, 'USD');
const tax10 = (cents: bigint): bigint => divRound(cents, 10n, 'half-up');

/** Events of every kind the mapping posts; voids pick invoices nothing depends on. */
class Events {
  private n = 0;
  private readonly sales: { id: string; ref: string; total: bigint; stock: boolean }[] = [];
  private readonly bills: { id: string; ref: string; total: bigint }[] = [];
  private readonly taken = new Set<string>();
  constructor(private readonly pick: (n: number) => number) {}

  /** Dates never go back and ids sort in order, so what an event names always comes first. */
  private date(): string {
    return `2026-05-${String(1 + Math.floor(this.n / 12)).padStart(2, '0')}`;
  }

  next(voids: boolean): Record<string, unknown> {
    const id = `F${String(++this.n).padStart(4, '0')}`;
    const date = this.date();
    const cents = BigInt(100 + this.pick(9000));
    const kind = this.pick(voids ? 12 : 11);
    if (kind === 0 || (kind === 8 && this.bills.length === 0)) {
      this.bills.push({ id, ref: `PO-${id}`, total: cents + tax10(cents) });
      return { id, type: 'purchase_invoice', date, supplier: 'ACME', reference: `PO-${id}`, lines: [{ product: this.pick(2) === 0 ? 'W' : 'G', warehouse: 'MAIN', qty: 1 + this.pick(5), amount: money(cents), tax: money(tax10(cents)) }] };
    }
    if (kind === 1 || kind === 2) return this.sale(id, date, [{ product: 'W', warehouse: 'MAIN', qty: 1, amount: money(cents), tax: money(tax10(cents)) }], cents + tax10(cents), true);
    if (kind === 3) {
      // Tax 1 cent off Xero's per-line rounding: a rounding line and a variance.
      const lines = [cents, cents + 7n].map((c, i) => ({ account: '4000', amount: money(c), tax: money(tax10(c) + (i === 0 ? 1n : 0n)) }));
      return this.sale(id, date, lines, 2n * cents + 7n + tax10(cents) + 1n + tax10(cents + 7n), false);
    }
    if (kind === 4) return this.paySale(id, date) ?? this.next(voids);
    if (kind === 5) return { id, type: 'expense_bill', date, supplier: 'ACME', reference: `EX-${id}`, lines: [{ account: '6000', amount: money(cents), tax: money(tax10(cents)) }] };
    if (kind === 6) return this.pick(2) === 0 ? { id, type: 'supplier_deposit', date, supplier: 'ACME', amount: money(cents) } : { id, type: 'customer_prepayment', date, customer: 'BAYSIDE', amount: money(cents) };
    if (kind === 7) return this.credit(id, date, cents) ?? this.next(voids);
    if (kind === 8) return this.payBill(id, date);
    if (kind === 9) return { id, type: 'stock_adjustment', date, lines: [{ product: 'G', warehouse: 'MAIN', qty: this.pick(2) === 0 ? '-1' : '2' }] };
    if (kind === 10) return { id, type: 'manual_journal', date, lines: [{ account: '6000', amount: money(cents) }, { account: '6900', amount: money(-cents) }] };
    return this.voidOne(id, date) ?? this.next(voids);
  }

  private sale(id: string, date: string, lines: Record<string, unknown>[], total: bigint, stock: boolean): Record<string, unknown> {
    this.sales.push({ id, ref: `SO-${id}`, total, stock });
    return { id, type: 'sale_invoice', date, customer: 'BAYSIDE', reference: `SO-${id}`, lines };
  }

  private free<T extends { id: string }>(list: readonly T[], ok: (x: T) => boolean = () => true): T | undefined {
    const open = list.filter((x) => !this.taken.has(x.id) && ok(x));
    const x = open.length === 0 ? undefined : open[this.pick(open.length)];
    if (x) this.taken.add(x.id);
    return x;
  }

  private paySale(id: string, date: string): Record<string, unknown> | undefined {
    const s = this.free(this.sales);
    return s && { id, type: 'customer_payment', date, customer: 'BAYSIDE', reference: s.ref, amount: money(s.total) };
  }

  private payBill(id: string, date: string): Record<string, unknown> {
    const b = this.free(this.bills);
    if (!b) return { id, type: 'manual_journal', date, lines: [{ account: '6000', amount: '1.00' }, { account: '6900', amount: '-1.00' }] };
    return { id, type: 'supplier_payment', date, supplier: 'ACME', reference: b.ref, amount: money(b.total) };
  }

  private credit(id: string, date: string, cents: bigint): Record<string, unknown> | undefined {
    const s = this.free(this.sales, (x) => x.stock);
    const c = cents % 1000n + 1n;
    return s && { id, type: 'sale_credit_note', date, customer: 'BAYSIDE', invoice: s.id, lines: [{ product: 'W', warehouse: 'MAIN', qty: 1, amount: money(c), tax: money(tax10(c)), restock: true, shipment: s.id }] };
  }

  private voidOne(id: string, date: string): Record<string, unknown> | undefined {
    const s = this.free(this.sales);
    return s && { id, type: 'void', date, target: s.id };
  }
}

/** Ids of every document and journal in the sandbox, and the numbers or references they go by. */
function sandboxDocuments(sb: XeroSandbox): { ids: string[]; journals: string[]; numbers: string[] } {
  const st = sb.state;
  return {
    ids: [...st.invoices.map((i) => i.invoiceId), ...st.creditNotes.map((c) => c.creditNoteId), ...st.payments.map((p) => p.paymentId), ...st.bankTransactions.map((b) => b.bankTransactionId)],
    journals: st.manualJournals.map((j) => j.manualJournalId),
    numbers: [
      ...st.invoices.map((i) => `${i.type} ${i.invoiceNumber}`), ...st.creditNotes.map((c) => `${c.type} ${c.creditNoteNumber}`),
      ...st.payments.map((p) => `payment ${p.reference ?? ''}`), ...st.bankTransactions.map((b) => `bank ${b.reference ?? ''}`),
      ...st.manualJournals.map((j) => `journal ${j.narration.split(' · ')[0]!}`),
    ],
  };
}

test('through a proxy injecting 429s, 503s, resets and held answers, every record posts exactly once and Xero ties out', { timeout: 180_000 }, async () => {
  const started = Date.now();
  const proxies: FaultProxy[] = [];
  const f = await fixture({
    config: { settings: { costingMethod: 'fifo', cogsTiming: 'invoice', negativeStock: 'allow' } },
    // Tokens that outlive the run: a refresh's timing would shift which request meets which fault.
    sandbox: { tokenTtlSeconds: 100_000_000 },
    xero: async (sb) => {
      const proxy = await startFaultProxy(proxyOptions(sb, { seed: PROPERTY_SEED, rate: 0.3, caps: CAPS, holdMs: HOLD_MS }));
      proxies.push(proxy);
      return { apiUrl: apiThrough(proxy, sb), timeoutMs: TIMEOUT_MS };
    },
  });
  const { sb, store } = f;
  const proxy = proxies[0]!;
  try {
    const events = new Events(random(PROPERTY_SEED));
    let rounds = 0;
    let found = 0;
    const syncRound = async (): Promise<number> => {
      rounds++;
      const s = await open(store, { chunk: 40 });
      for (const type of ORDER) {
        const r = await s.engine.run({ type });
        found += r.results.filter((x) => x.warnings.some((w) => w.code === 'FOUND_IN_TARGET')).length;
      }
      return (await s.engine.list()).records.length;
    };
    // Six waves of 50 events, a sync round after each (so a retried record meets new ones in
    // its batch), voids of posted and unposted invoices from the third wave on; then rounds
    // until everything is posted.
    await post(store, [{ id: 'OPEN', type: 'purchase_invoice', date: '2026-04-02', supplier: 'ACME', reference: 'PO-OPEN', lines: [{ product: 'W', warehouse: 'MAIN', qty: 500, amount: '5000.00', tax: '0.00' }, { product: 'G', warehouse: 'MAIN', qty: 500, amount: '2500.00', tax: '0.00' }] }]);
    for (let wave = 0; wave < 6; wave++) {
      await post(store, Array.from({ length: 50 }, () => events.next(wave >= 2)));
      await syncRound();
    }
    for (let round = 0; round < MAX_ROUNDS && (await syncRound()) > 0; round++);

    const s = await open(store);
    const left = await s.engine.list();
    assert.deepEqual(left.records.map((r) => `${r.id}: ${r.error?.code ?? r.status} ${r.error?.message ?? ''}`), [], 'every record posted');
    const all = (await s.engine.list({ all: true })).records;
    const posted = all.filter((r) => r.status === 'posted');

    // Exactly once: the sandbox holds exactly the documents and journals the sync log names, each once.
    const docs = sandboxDocuments(sb);
    const ourDocs = posted.map((r) => r.posted?.documentId).filter((x): x is string => x !== undefined);
    const ourJournals = posted.map((r) => r.posted?.journalId).filter((x): x is string => x !== undefined);
    assert.deepEqual([...ourDocs].sort(), [...docs.ids].sort(), 'documents in Xero = documents recorded, one each');
    assert.deepEqual([...ourJournals].sort(), [...docs.journals].sort(), 'journals in Xero = journals recorded, one each');
    assert.equal(new Set(docs.numbers).size, docs.numbers.length, `no number or reference twice: ${docs.numbers.filter((n, i) => docs.numbers.indexOf(n) !== i).join(', ')}`);
    assert.equal(new Set(sb.state.contacts.map((c) => c.name)).size, sb.state.contacts.length, 'each contact created once');

    // The tie-out: our trial balance plus the recorded variances = Xero's general ledger.
    const expected = new Map((await store.trialBalance('syncco')).map((b) => [b.account, b.balance]));
    for (const r of posted) for (const [a, v] of Object.entries(r.posted?.variance ?? {})) expected.set(a, (expected.get(a) ?? 0n) + BigInt(v));
    for (const [k, v] of expected) if (v === 0n) expected.delete(k);
    assert.deepEqual(Object.fromEntries([...xeroGl(sb)].sort()), Object.fromEntries([...expected].sort()));
    assert.deepEqual(sb.violations, []);

    const faults = proxy.faults();
    const byType = Object.fromEntries(['invoices', 'procurement', 'expenses', 'payments', 'journals'].map((t) => [t, all.filter((r) => r.type === t).length]));
    console.log(`fault proxy: seed ${PROPERTY_SEED}; ${all.length} records (${posted.length} posted, ${all.length - posted.length} cancelled; ${JSON.stringify(byType)}); ` +
      `faults ${JSON.stringify(faults)} = ${FAULT_KINDS.reduce((a, k) => a + faults[k], 0)}; ${proxy.requests()} requests through the proxy, ${sb.stats().calls} reached the sandbox; ` +
      `${found} records recovered from Xero (FOUND_IN_TARGET); ${rounds} rounds; ${Date.now() - started} ms`);
    for (const k of FAULT_KINDS) assert.ok(faults[k] > 0, `the proxy injected ${k}`);
  } finally {
    await proxy.close();
    await f.close();
  }
});
