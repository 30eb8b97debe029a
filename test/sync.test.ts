/**
 * Sync to Xero (issue 4) end to end: the engine, the xero-node connection and the mapping,
 * against the Xero sandbox. The tie-out check is the point: once records are posted, Xero's
 * general ledger (computed from the sandbox's documents) equals ours, account by account,
 * apart from the variance each rounding line is recorded with.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { crashAfterSend, fixture, open, post, xeroGl, type Fixture } from './sync-support/fixture.js';
import type { RunSummary } from '../src/sync/engine.js';
import { pgUnavailable, postgres, sqliteFile } from './store-support/harness.js';
import { apiThrough, proxyOptions, startFaultProxy, type FaultProxy } from './support/fault-proxy.js';

const BILL = { id: 'BILL-1', type: 'purchase_invoice', date: '2026-03-02', supplier: 'ACME', reference: 'PO-1', lines: [{ product: 'W', warehouse: 'MAIN', qty: 10, amount: '100.00', tax: '10.00' }] };
const INV1 = { id: 'INV-1', type: 'sale_invoice', date: '2026-03-05', customer: 'BAYSIDE', reference: 'SO-1', lines: [{ product: 'W', warehouse: 'MAIN', qty: 2, amount: '50.00', tax: '5.00' }] };
/** Tax worked out on the total by the source (9.99 × 10% = 1.00); Xero rounds per line (3 × 0.33). */
const INV2 = { id: 'INV-2', type: 'sale_invoice', date: '2026-03-06', customer: 'BAYSIDE', reference: 'SO-2', lines: [1, 2, 3].map((n) => ({ account: '4000', amount: '3.33', tax: n === 3 ? '0.34' : '0.33', description: `Service ${n}` })) };
const PAY1 = { id: 'CP-1', type: 'customer_payment', date: '2026-03-20', customer: 'BAYSIDE', reference: 'SO-1', amount: '55.00' };

/** Our trial balance (non-zero accounts) as a map. */
async function ourGl(f: Fixture): Promise<Map<string, bigint>> {
  return new Map((await f.store.trialBalance('syncco')).filter((b) => b.balance !== 0n).map((b) => [b.account, b.balance]));
}

/** Ours plus the recorded variance of every posted record = Xero's. */
async function assertTiesOut(f: Fixture): Promise<void> {
  const s = await open(f.store);
  const expected = await ourGl(f);
  for (const r of (await s.engine.list({ all: true })).records) {
    for (const [a, v] of Object.entries(r.posted?.variance ?? {})) expected.set(a, (expected.get(a) ?? 0n) + BigInt(v));
  }
  for (const [k, v] of expected) if (v === 0n) expected.delete(k);
  assert.deepEqual(Object.fromEntries([...xeroGl(f.sb)].sort()), Object.fromEntries([...expected].sort()));
}

function byRecord(s: RunSummary, id: string): RunSummary['results'][number] {
  const r = s.results.find((x) => x.record === id);
  assert.ok(r, `result for ${id}`);
  return r;
}

describe('sync to the Xero sandbox', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture();
    await post(f.store, [BILL, INV1, INV2, PAY1]);
  });
  after(async () => f.close());

  test('lists unposted records by type with counts', async () => {
    const s = await open(f.store);
    const l = await s.engine.list();
    assert.deepEqual(l.counts, { invoices: 2, procurement: 1, expenses: 0, payments: 1, journals: 0 });
    assert.deepEqual(l.records.map((r) => [r.id, r.type, r.status]), [['BILL-1', 'procurement', 'unposted'], ['INV-1', 'invoices', 'unposted'], ['INV-2', 'invoices', 'unposted'], ['CP-1', 'payments', 'unposted']]);
  });

  test('a dry run shows the request bodies and sends nothing', async () => {
    const s = await open(f.store);
    const before = f.sb.stats().byRoute;
    const r = await s.engine.run({ type: 'invoices', dryRun: true });
    assert.deepEqual(r.results.map((x) => x.status), ['would-post', 'would-post']);
    const inv = byRecord(r, 'INV-1').requests!;
    assert.deepEqual(inv.map((q) => q.kind), ['invoice', 'journal']);
    assert.equal((inv[0]!.body as { Type: string }).Type, 'ACCREC');
    assert.equal((inv[0]!.body as { InvoiceNumber: string }).InvoiceNumber, 'INV-1');
    assert.match((inv[1]!.body as { Narration: string }).Narration, /^IV\.TRX-\? · Inventory journal for invoice INV-1/);
    // A token refresh (tokens live 1.8 s at this time scale, so a slow machine sees one) is not a write to the books.
    const writes = Object.entries(f.sb.stats().byRoute).filter(([k, v]) => /^(PUT|POST) \//.test(k) && !k.startsWith('POST /connect') && v !== (before[k] ?? 0));
    assert.deepEqual(writes, []);
    assert.equal((await s.engine.list()).counts.invoices, 2);
    assert.deepEqual(await s.engine.runs(), [], 'a dry run stores no run');
  });

  test('payments wait for the invoice they pay', async () => {
    const s = await open(f.store);
    const r = await s.engine.run({ type: 'payments' });
    assert.equal(byRecord(r, 'CP-1').error?.code, 'DEPENDENCY_NOT_POSTED');
  });

  test('invoices post with their IV.TRX inventory journal; a tax rounding difference adds a rounding line and a warning', async () => {
    const s = await open(f.store);
    const r = await s.engine.run({ type: 'invoices' });
    assert.deepEqual(r.counts, { posted: 2, warnings: 1, failed: 0, aborted: 0 });
    const one = byRecord(r, 'INV-1');
    assert.equal(one.status, 'posted');
    assert.equal(one.ids?.documentNumber, 'INV-1');
    assert.equal(one.ids?.journalNumber, 'IV.TRX-1');
    const mj = f.sb.state.manualJournals.find((j) => j.manualJournalId === one.ids?.journalId)!;
    assert.deepEqual(mj.lines.map((l) => [l.accountCode, l.lineAmount]), [['5000', 2000n], ['1300', -2000n]]);
    const two = byRecord(r, 'INV-2');
    assert.equal(two.status, 'warnings');
    assert.deepEqual(two.warnings.map((w) => w.code), ['ROUNDING_LINE_ADDED']);
    const xinv = f.sb.state.invoices.find((i) => i.invoiceNumber === 'INV-2')!;
    assert.equal(xinv.total, 1099n, 'Xero total equals ours (9.99 + 1.00)');
    assert.equal(xinv.totalTax, 99n);
    assert.equal(two.ids?.journalId, undefined, 'a service invoice has no inventory journal');
  });

  test('a second run sends nothing: posted records are never posted again', async () => {
    const s = await open(f.store);
    const before = f.sb.state.invoices.length;
    const r = await s.engine.run({ type: 'invoices' });
    assert.equal(r.results.length, 0);
    assert.equal(f.sb.state.invoices.length, before);
  });

  test('payments then apply to the posted invoice; bills post; Xero ties out with our GL', async () => {
    const s = await open(f.store);
    const p = await s.engine.run({ type: 'payments' });
    assert.equal(byRecord(p, 'CP-1').status, 'posted');
    const inv = f.sb.state.invoices.find((i) => i.invoiceNumber === 'INV-1')!;
    assert.equal(inv.amountDue, 0n);
    const b = await s.engine.run({ type: 'procurement' });
    assert.deepEqual(byRecord(b, 'BILL-1').warnings.map((w) => w.code), ['CONTACT_CREATED'], 'ACME was new to Xero');
    assert.ok(f.sb.state.contacts.some((c) => c.name === 'Acme Supplies' && c.contactNumber === 'S-1'));
    await assertTiesOut(f);
    assert.deepEqual(f.sb.violations, []);
  });

  test('hold keeps a record out of syncs until released', async () => {
    await post(f.store, [{ id: 'INV-3', type: 'sale_invoice', date: '2026-03-09', customer: 'BAYSIDE', lines: [{ product: 'W', warehouse: 'MAIN', qty: 1, amount: '25.00', tax: '2.50' }] }]);
    const s = await open(f.store);
    assert.equal(await s.engine.hold(['INV-3']), undefined);
    assert.equal((await s.engine.list({ type: 'invoices' })).records[0]!.status, 'held');
    assert.equal((await s.engine.run({ type: 'invoices' })).results.length, 0);
    assert.equal((await s.engine.hold(['INV-1']))?.code, 'RECORD_STATE', 'a posted record cannot be held');
    assert.equal(await s.engine.release(['INV-3']), undefined);
    const r = await s.engine.run({ type: 'invoices' });
    assert.equal(byRecord(r, 'INV-3').ids?.journalNumber, 'IV.TRX-2');
  });

  test('re-posting an invoice Xero still holds is refused, naming what to void; once voided in Xero it posts again (seed 000)', async () => {
    const s = await open(f.store);
    const held = await s.engine.repost('INV-3');
    assert.equal(held?.code, 'STILL_IN_TARGET');
    assert.equal(held.message, 'Record INV-3 is still in the accounting system: invoice INV-3 and journal IV.TRX-2 are not voided there, so re-posting it would book it twice.');
    assert.match(held.fix, /stockbook sync void-and-repost INV-3/);
    assert.equal((await s.engine.list({ all: true })).records.find((r) => r.id === 'INV-3')!.version, 1, 'nothing changed');
    // The user voids the invoice in Xero but not its journal: seed 000's refusal.
    f.sb.voidInvoice(f.sb.state.invoices.find((i) => i.invoiceNumber === 'INV-3')!.invoiceId);
    const journal = await s.engine.repost('INV-3');
    assert.equal(journal?.code, 'INVENTORY_JOURNAL_EXISTS');
    assert.equal(journal.message, "An inventory journal already exists for invoice 'INV-3' (IV.TRX-2); void it to re-post this invoice.");
    // And the journal too: the re-post is taken and the next sync posts a new version.
    f.sb.voidManualJournal(f.sb.state.manualJournals.find((j) => j.narration.startsWith('IV.TRX-2 '))!.manualJournalId);
    assert.equal(await s.engine.repost('INV-3'), undefined);
    const again = await s.engine.run({ type: 'invoices' });
    const ok = byRecord(again, 'INV-3');
    assert.equal(ok.status, 'posted');
    assert.equal(ok.ids?.journalNumber, 'IV.TRX-3');
    assert.equal(ok.ids?.documentNumber, 'INV-3#v2');
    assert.equal((await s.engine.repost('INV-4'))?.code, 'NOT_FOUND');
  });

  test('re-posting an invoice without an inventory journal (COGS at shipment) is refused while Xero holds it: no second copy', async () => {
    await post(f.store, [{ id: 'SI-10002', type: 'sale_invoice', date: '2026-03-09', customer: 'BAYSIDE', lines: [{ account: '4000', amount: '40.00', tax: '4.00' }] }]);
    const s = await open(f.store);
    const first = byRecord(await s.engine.run({ type: 'invoices', only: ['SI-10002'] }), 'SI-10002');
    assert.equal(first.ids?.journalId, undefined, 'a document without an IV.TRX journal');
    const refused = await s.engine.repost('SI-10002');
    assert.equal(refused?.code, 'STILL_IN_TARGET');
    assert.match(refused.message, /invoice SI-10002 is not voided there/);
    await s.engine.run({ type: 'invoices' });
    assert.deepEqual(f.sb.state.invoices.filter((i) => i.invoiceNumber.startsWith('SI-10002')).map((i) => i.invoiceNumber), ['SI-10002'], 'no SI-10002#v2 beside it');
    await assertTiesOut(f);
  });

  test('void-and-repost voids the invoice and its journal in Xero, then posts a new version', async () => {
    const s = await open(f.store);
    const r = await s.engine.voidAndRepost('INV-3');
    assert.ok(!('code' in r), JSON.stringify(r));
    const res = byRecord(r, 'INV-3');
    assert.equal(res.status, 'posted');
    assert.equal(res.ids?.journalNumber, 'IV.TRX-4');
    assert.equal(res.ids?.documentNumber, 'INV-3#v3');
    assert.equal(f.sb.state.manualJournals.find((j) => j.narration.startsWith('IV.TRX-3 '))!.status, 'VOIDED');
    assert.equal(f.sb.state.invoices.find((i) => i.invoiceNumber === 'INV-3#v2')!.status, 'VOIDED');
    await assertTiesOut(f);
  });

  test('a void of a posted invoice voids it and its journal in Xero; the books still tie out', async () => {
    await post(f.store, [{ id: 'INV-4', type: 'sale_invoice', date: '2026-03-10', customer: 'BAYSIDE', lines: [{ product: 'W', warehouse: 'MAIN', qty: 1, amount: '30.00', tax: '3.00' }] }]);
    await (await open(f.store)).engine.run({ type: 'invoices' });
    await post(f.store, [{ id: 'VOID-4', type: 'void', date: '2026-03-11', target: 'INV-4' }]);
    const r = await (await open(f.store)).engine.run({ type: 'invoices' });
    assert.equal(byRecord(r, 'VOID-4').status, 'posted');
    const inv = f.sb.state.invoices.find((i) => i.invoiceNumber === 'INV-4')!;
    assert.equal(inv.status, 'VOIDED');
    await assertTiesOut(f);
  });

  test('a late bill re-costs a posted sale: its correction posts as a stock journal and Xero still ties out', async () => {
    await post(f.store, [{ id: 'BILL-0', type: 'purchase_invoice', date: '2026-03-01', supplier: 'ACME', lines: [{ product: 'G', warehouse: 'MAIN', qty: 1, amount: '7.00', tax: '0.70' }] },
      { id: 'INV-G', type: 'sale_invoice', date: '2026-03-13', customer: 'BAYSIDE', lines: [{ product: 'G', warehouse: 'MAIN', qty: 1, amount: '20.00', tax: '2.00' }] }]);
    const s = await open(f.store);
    await s.engine.run({ type: 'procurement' });
    await s.engine.run({ type: 'invoices' });
    // A cheaper bill dated before the sale arrives late: FIFO now issues it, so the sale's COGS changes.
    await post(f.store, [{ id: 'BILL-LATE', type: 'purchase_invoice', date: '2026-02-27', supplier: 'ACME', lines: [{ product: 'G', warehouse: 'MAIN', qty: 1, amount: '5.00', tax: '0.50' }] }]);
    const s2 = await open(f.store);
    const listed = (await s2.engine.list({ type: 'procurement' })).records.map((x) => [x.id, x.kind]);
    assert.deepEqual(listed, [['BILL-LATE', 'document'], ['INV-G/c1', 'correction']]);
    const r = await s2.engine.run({ type: 'procurement' });
    assert.equal(byRecord(r, 'INV-G/c1').status, 'posted');
    await assertTiesOut(f);
  });

  test('a customer without a contact stops only that record, with the fix', async () => {
    await post(f.store, [
      { id: 'INV-5', type: 'sale_invoice', date: '2026-03-12', customer: 'NOBODY', lines: [{ account: '4000', amount: '10.00', tax: '1.00' }] },
      { id: 'INV-6', type: 'sale_invoice', date: '2026-03-12', customer: 'BAYSIDE', lines: [{ account: '4000', amount: '10.00', tax: '1.00' }] },
    ]);
    const s = await open(f.store);
    const r = await s.engine.run({ type: 'invoices' });
    assert.equal(byRecord(r, 'INV-5').error?.code, 'CONTACT_MISSING');
    assert.match(byRecord(r, 'INV-5').error!.fix, /Add \{"code": "NOBODY"/);
    assert.equal(byRecord(r, 'INV-6').status, 'posted');
    const shown = await s.engine.record('INV-5');
    assert.ok(!('code' in shown));
    assert.equal(shown.record.status, 'failed');
  });
});

describe('exactly once', () => {
  test('a crash between sending and storing: the next run finds the invoice in Xero instead of posting it again', async () => {
    const f = await fixture();
    try {
      await post(f.store, [BILL, INV1]);
      const s = await open(f.store);
      crashAfterSend(s.engine.target, (kind) => kind === 'journal');
      await assert.rejects(s.engine.run({ type: 'invoices' }), /simulated crash/);
      assert.equal(f.sb.state.invoices.length, 1);
      assert.equal((await s.engine.list()).records.find((r) => r.id === 'INV-1')!.status, 'in-progress');
      const later = await open(f.store, { leaseMs: 0 });
      const r = await later.engine.run({ type: 'invoices' });
      const res = byRecord(r, 'INV-1');
      assert.equal(res.status, 'warnings');
      assert.deepEqual(res.warnings.map((w) => w.code), ['FOUND_IN_TARGET']);
      assert.equal(f.sb.state.invoices.length, 1, 'the invoice was not posted twice');
      assert.equal(f.sb.state.manualJournals.length, 1, 'nor its inventory journal');
      assert.equal(res.ids?.journalNumber, 'IV.TRX-1', 'the reserved number is kept');
    } finally {
      await f.close();
    }
  });

  test('a held answer times out as TARGET_UNAVAILABLE at once; the record waits in doubt and the next run finds it instead of posting it again', async () => {
    const proxies: FaultProxy[] = [];
    const f = await fixture({
      xero: async (sb) => {
        // The first batch of invoices reaches Xero, but its answer is held for 20 s.
        const proxy = await startFaultProxy(proxyOptions(sb, { holdMs: 20_000, script: (route, n) => (route === 'PUT /Invoices' && n === 1 ? 'held' : undefined) }));
        proxies.push(proxy);
        return { apiUrl: apiThrough(proxy, sb), timeoutMs: 300 };
      },
    });
    try {
      await post(f.store, [BILL, INV1, INV2]);
      const s = await open(f.store);
      const t0 = Date.now();
      const r = await s.engine.run({ type: 'invoices' });
      assert.ok(Date.now() - t0 < 5_000, `the run did not wait for the held answer (${Date.now() - t0} ms)`);
      for (const id of ['INV-1', 'INV-2']) {
        assert.equal(byRecord(r, id).error?.code, 'TARGET_UNAVAILABLE');
        assert.match(byRecord(r, id).error!.message, /did not answer within 300 ms/);
      }
      assert.equal(f.sb.state.invoices.length, 2, 'Xero did create them');
      const failed = (await f.store.syncEntries('syncco', s.engine.target.name, { actions: ['failed'] })).map((e) => JSON.parse(e.data!) as { inDoubt?: boolean });
      assert.deepEqual(failed.map((d) => d.inDoubt), [true, true], 'stored in doubt');
      const again = await (await open(f.store)).engine.run({ type: 'invoices' });
      for (const id of ['INV-1', 'INV-2']) assert.deepEqual([byRecord(again, id).status, byRecord(again, id).warnings.map((w) => w.code)], ['warnings', id === 'INV-2' ? ['ROUNDING_LINE_ADDED', 'FOUND_IN_TARGET'] : ['FOUND_IN_TARGET']]);
      assert.equal(f.sb.state.invoices.length, 2, 'not posted twice');
      assert.equal(f.sb.state.manualJournals.length, 1, "INV-1's inventory journal, once");
      assert.equal(proxies[0]!.faults().held, 1);
      await (await open(f.store)).engine.run({ type: 'procurement' });
      await assertTiesOut(f);
    } finally {
      await proxies[0]?.close();
      await f.close();
    }
  });

  test('re-post asks Xero first: when Xero does not answer, it is refused with TARGET_UNAVAILABLE and nothing changes', async () => {
    const proxies: FaultProxy[] = [];
    const f = await fixture({
      xero: async (sb) => {
        const proxy = await startFaultProxy(proxyOptions(sb, { holdMs: 0, script: (route) => (route === 'GET /Invoices/:id' ? 'unavailable' : undefined) }));
        proxies.push(proxy);
        return { apiUrl: apiThrough(proxy, sb) };
      },
    });
    try {
      await post(f.store, [{ id: 'S-1', type: 'sale_invoice', date: '2026-03-06', customer: 'BAYSIDE', lines: [{ account: '4000', amount: '10.00', tax: '1.00' }] }]);
      const s = await open(f.store);
      assert.equal(byRecord(await s.engine.run({ type: 'invoices' }), 'S-1').error, undefined);
      assert.equal((await s.engine.repost('S-1'))?.code, 'TARGET_UNAVAILABLE');
      const shown = await s.engine.record('S-1');
      assert.ok(!('code' in shown));
      assert.deepEqual([shown.record.status, shown.record.version], ['posted', 1]);
      assert.ok(proxies[0]!.faults().unavailable > 1, 'retried before giving up');
    } finally {
      await proxies[0]?.close();
      await f.close();
    }
  });

  test('in-doubt recovery looks parts up in batches: 60 invoices and their journals in 3 + 3 lookups, not 120', async () => {
    const f = await fixture();
    try {
      const sales = Array.from({ length: 60 }, (_, i) => ({ id: `D-${String(i).padStart(2, '0')}`, type: 'sale_invoice', date: '2026-03-06', customer: 'BAYSIDE', lines: [{ product: 'W', warehouse: 'MAIN', qty: 1, amount: `${i + 1}.00`, tax: '0.00' }] }));
      await post(f.store, [{ ...BILL, lines: [{ ...BILL.lines[0]!, qty: 100 }] }, ...sales]);
      const s = await open(f.store);
      crashAfterSend(s.engine.target, (kind) => kind === 'journal');
      await assert.rejects(s.engine.run({ type: 'invoices' }), /simulated crash/);
      const before = f.sb.stats().byRoute;
      const r = await (await open(f.store, { leaseMs: 0 })).engine.run({ type: 'invoices' });
      assert.equal(r.results.filter((x) => x.warnings.some((w) => w.code === 'FOUND_IN_TARGET')).length, 60);
      const after = f.sb.stats().byRoute;
      const calls = (route: string): number => (after[route] ?? 0) - (before[route] ?? 0);
      assert.deepEqual([calls('GET /Invoices'), calls('GET /ManualJournals'), calls('PUT /Invoices'), calls('PUT /ManualJournals')], [3, 3, 0, 0], 'ceil(60 / 25) lookups per kind, nothing sent again');
      assert.equal(f.sb.state.invoices.length, 60);
      assert.equal(f.sb.state.manualJournals.length, 60);
      await (await open(f.store)).engine.run({ type: 'procurement' });
      await assertTiesOut(f);
    } finally {
      await f.close();
    }
  });

  test('two workers syncing one company at once post every record exactly once', async () => {
    const f = await fixture({ sandbox: { latencyMs: 5 } });
    try {
      const events = Array.from({ length: 40 }, (_, i) => ({ id: `S-${i}`, type: 'sale_invoice', date: '2026-04-01', customer: 'BAYSIDE', lines: [{ account: '4000', amount: `${i + 1}.00`, tax: '0.00' }] }));
      await post(f.store, events);
      const [a, b] = await Promise.all([open(f.store, { chunk: 5 }), open(f.store, { chunk: 5 })]);
      const [ra, rb] = await Promise.all([a.engine.run({ type: 'invoices' }), b.engine.run({ type: 'invoices' })]);
      assert.equal(ra.results.length + rb.results.length, 40);
      assert.equal(f.sb.state.invoices.length, 40);
      assert.equal(new Set(f.sb.state.invoices.map((i) => i.invoiceNumber)).size, 40);
    } finally {
      await f.close();
    }
  });
});

/** Two workers, each with its own store connections, on the file and server databases. */
const pgDown = await pgUnavailable();
for (const [name, harness, skip] of [['SQLite file', sqliteFile, undefined], ['PostgreSQL', postgres, pgDown]] as const) {
  describe(`two sync workers in separate connections (${name})`, { skip }, () => {
    const h = skip ? undefined : harness();
    after(() => h?.teardown());
    test('every record is posted exactly once; both see the same final state', async () => {
      const db = await h!.fresh();
      const f = await fixture({ store: db.store, sandbox: { latencyMs: 3 } });
      try {
        const events = Array.from({ length: 30 }, (_, i) => ({ id: `S-${i}`, type: 'sale_invoice', date: '2026-04-01', customer: 'BAYSIDE', lines: [{ account: '4000', amount: `${i + 1}.00`, tax: '0.00' }] }));
        await post(f.store, events);
        const other = db.another!();
        const [a, b] = await Promise.all([open(f.store, { chunk: 4 }), open(other, { chunk: 4 })]);
        const [ra, rb] = await Promise.all([a.engine.run({ type: 'invoices' }), b.engine.run({ type: 'invoices' })]);
        assert.equal(ra.results.length + rb.results.length, 30);
        assert.equal(f.sb.state.invoices.length, 30);
        assert.equal((await a.engine.list()).counts.invoices, 0);
        assert.equal((await b.engine.list()).counts.invoices, 0);
      } finally {
        await f.sb.close();
      }
    });
  });
}

describe('the Xero connection', () => {
  test('an expired access token is refreshed once, stored, and the sync goes on', async () => {
    // Tokens live 2000 Xero seconds = 2 s at this time scale.
    const f = await fixture({ sandbox: { tokenTtlSeconds: 2000 } });
    try {
      await post(f.store, [BILL, INV1]);
      await new Promise((r) => setTimeout(r, 2100));
      const s = await open(f.store);
      const r = await s.engine.run({ type: 'invoices' });
      assert.equal(byRecord(r, 'INV-1').ids?.documentNumber, 'INV-1');
      const tokens = await f.store.syncEntries('syncco', s.engine.target.name, { actions: ['token'] });
      assert.ok(tokens.length >= 2, 'the refreshed token set was stored');
    } finally {
      await f.close();
    }
  });

  test('two workers finding the token expired refresh it once: the second uses the first one\'s new set', async () => {
    const f = await fixture({ sandbox: { tokenTtlSeconds: 2000 } });
    try {
      await post(f.store, [BILL, INV1, INV2]);
      await new Promise((r) => setTimeout(r, 2100));
      const [a, b] = await Promise.all([open(f.store), open(f.store)]);
      const [ra, rb] = await Promise.all([a.engine.run({ type: 'invoices' }), b.engine.run({ type: 'procurement' })]);
      assert.equal(ra.stopped, undefined);
      assert.equal(rb.stopped, undefined, 'a second refresh with the rotated refresh token would have been refused');
      const tokens = await f.store.syncEntries('syncco', a.engine.target.name, { actions: ['token'] });
      assert.equal(tokens.length, 2, 'the connect, then exactly one refresh');
    } finally {
      await f.close();
    }
  });

  test('a revoked connection stops the run, leaves the records unposted and says how to reconnect', async () => {
    const f = await fixture();
    try {
      await post(f.store, [BILL, INV1]);
      f.sb.revokeTokens();
      const s = await open(f.store);
      const r = await s.engine.run({ type: 'invoices' });
      assert.equal(r.stopped?.code, 'TARGET_AUTH');
      assert.match(r.stopped!.fix, /stockbook sync connect/);
      assert.equal(f.sb.state.invoices.length, 0);
      assert.equal((await s.engine.list()).records.find((x) => x.id === 'INV-1')!.status, 'unposted');
    } finally {
      await f.close();
    }
  });
});

describe('what Xero would compute differently', () => {
  let f: Fixture;
  before(async () => {
    f = await fixture({ sandbox: { contacts: [{ name: 'Bayside Ltd', contactNumber: 'C-1', salesTermsDays: 7 }] } });
  });
  after(async () => f.close());

  test('quantity × unit price rounding within tolerance: an adjustment line and a warning; beyond it: OUT_OF_BALANCE; a wrong tax rate too', async () => {
    await post(f.store, [
      // 300 × 0.0033 (4 dp) = 0.99 in Xero; 1.00 here.
      { id: 'Q-1', type: 'sale_invoice', date: '2026-05-01', customer: 'BAYSIDE', lines: [{ account: '4000', qty: 300, amount: '1.00', tax: '0.10', description: 'Labels' }] },
      // 3000 × 0.0033 = 9.90 in Xero (+ 0.99 tax + a 0.01 rounding line); 10.00 + 1.00 here: 0.10 is beyond the 0.05 tolerance.
      { id: 'Q-2', type: 'sale_invoice', date: '2026-05-01', customer: 'BAYSIDE', lines: [{ account: '4000', qty: 3000, amount: '10.00', tax: '1.00', description: 'Labels' }] },
      // Tax at 20% where Xero's OUTPUT rate is 10%.
      { id: 'Q-3', type: 'sale_invoice', date: '2026-05-01', customer: 'BAYSIDE', lines: [{ account: '4000', amount: '100.00', tax: '20.00' }] },
    ]);
    const s = await open(f.store);
    const r = await s.engine.run({ type: 'invoices' });
    const q1 = byRecord(r, 'Q-1');
    assert.deepEqual(q1.warnings.map((w) => w.code).sort(), ['ADJUSTMENT_LINE_ADDED', 'TERMS_MISMATCH']);
    assert.equal(f.sb.state.invoices.find((i) => i.invoiceNumber === 'Q-1')!.total, 110n);
    assert.equal(byRecord(r, 'Q-2').error?.code, 'OUT_OF_BALANCE');
    assert.match(byRecord(r, 'Q-2').error!.message, /Xero would total 10\.90 but stockbook has 11\.00 \(difference 0\.10, tolerance 0\.05\)/);
    assert.equal(byRecord(r, 'Q-3').error?.code, 'OUT_OF_BALANCE');
    assert.match(q1.warnings.find((w) => w.code === 'TERMS_MISMATCH')!.message, /sales terms of 7 days; stockbook has 30/);
    assert.equal(f.sb.state.invoices.find((i) => i.invoiceNumber === 'Q-1')!.dueDate, '2026-05-31', 'due date from our terms');
  });

  test("a record dated in Xero's locked period is stopped with Xero's own message; the rest post", async () => {
    f.sb.setPeriodLockDate('2026-05-31');
    await post(f.store, [
      { id: 'L-1', type: 'sale_invoice', date: '2026-05-20', customer: 'BAYSIDE', lines: [{ account: '4000', amount: '10.00', tax: '1.00' }] },
      { id: 'L-2', type: 'sale_invoice', date: '2026-06-02', customer: 'BAYSIDE', lines: [{ account: '4000', amount: '10.00', tax: '1.00' }] },
    ]);
    const r = await (await open(f.store)).engine.run({ type: 'invoices', only: ['L-1', 'L-2'] });
    const e = byRecord(r, 'L-1').error!;
    assert.equal(e.code, 'TARGET_REJECTED');
    assert.match(e.message, /^Xero refused L-1: .*lock/i);
    assert.equal(byRecord(r, 'L-2').status, 'warnings');
    assert.deepEqual(f.sb.violations, []);
  });
});

describe('every kind of record', () => {
  test('prepayments, deposits, bills with deposits, expense bills, credit notes both ways, stock and manual journals all post and tie out', async () => {
    const f = await fixture();
    try {
      await post(f.store, [
        { id: 'DEP-1', type: 'supplier_deposit', date: '2026-06-01', supplier: 'ACME', amount: '30.00' },
        { id: 'PRE-1', type: 'customer_prepayment', date: '2026-06-01', customer: 'BAYSIDE', amount: '20.00' },
        { id: 'B-1', type: 'purchase_invoice', date: '2026-06-02', supplier: 'ACME', reference: 'AC-77', depositApplied: '30.00', lines: [{ product: 'W', warehouse: 'MAIN', qty: 10, amount: '80.00', tax: '8.00' }, { account: '6000', amount: '12.00', tax: '1.20', description: 'Freight' }] },
        { id: 'X-1', type: 'expense_bill', date: '2026-06-03', supplier: 'ACME', reference: 'AC-78', lines: [{ account: '6000', amount: '45.00', tax: '4.50', description: 'Cleaning' }] },
        { id: 'I-1', type: 'sale_invoice', date: '2026-06-04', customer: 'BAYSIDE', reference: 'SO-9', prepaymentApplied: '20.00', lines: [{ product: 'W', warehouse: 'MAIN', qty: 4, amount: '60.00', tax: '6.00' }] },
        { id: 'CN-1', type: 'sale_credit_note', date: '2026-06-05', customer: 'BAYSIDE', invoice: 'I-1', lines: [{ product: 'W', warehouse: 'MAIN', qty: 1, amount: '15.00', tax: '1.50', restock: true, shipment: 'I-1' }] },
        { id: 'PCN-1', type: 'purchase_credit_note', date: '2026-06-06', supplier: 'ACME', bill: 'B-1', lines: [{ product: 'W', warehouse: 'MAIN', qty: 2, amount: '17.00', tax: '1.70' }] },
        { id: 'ADJ-1', type: 'stock_adjustment', date: '2026-06-07', lines: [{ product: 'W', warehouse: 'MAIN', qty: '-1' }] },
        { id: 'MJ-1', type: 'manual_journal', date: '2026-06-08', lines: [{ account: '6000', amount: '5.00' }, { account: '6900', amount: '-5.00' }] },
      ]);
      const s = await open(f.store);
      const results = [];
      for (const type of ['payments', 'procurement', 'expenses', 'invoices', 'journals'] as const) results.push(...(await s.engine.run({ type })).results);
      assert.deepEqual(results.filter((r) => r.error).map((r) => `${r.record}: ${r.error!.message}`), []);
      const kinds = Object.fromEntries(results.map((r) => [r.record, [r.ids?.documentKind ?? '-', r.ids?.journalNumber === undefined ? '-' : r.ids.journalNumber.replace(/\d+$/, 'n')]]));
      assert.deepEqual(kinds, {
        'DEP-1': ['bankTransaction', '-'], 'PRE-1': ['bankTransaction', '-'],
        'B-1': ['invoice', 'B-1/adj'], 'PCN-1': ['creditNote', 'PCN-1/adj'], 'ADJ-1': ['-', 'ADJ-n'],
        'X-1': ['invoice', '-'], 'I-1': ['invoice', 'IV.TRX-n'], 'CN-1': ['creditNote', 'IV.TRX-n'], 'MJ-1': ['-', 'MJ-n'],
      });
      await assertTiesOut(f);
      assert.deepEqual(f.sb.violations, []);
    } finally {
      await f.close();
    }
  });

  test("Xero's 429s are obeyed: the client waits Retry-After and every record still posts once", async () => {
    // The sandbox allows 2 calls a (2 s) minute; the client is told Xero allows 60, so its 6 calls
    // run into 429s. (A 60 ms minute let a loaded machine send the calls slower than the limit: no 429.)
    const f = await fixture({ sandbox: { timeScale: 30, limits: { perMinute: 2 } } });
    try {
      await post(f.store, Array.from({ length: 12 }, (_, i) => ({ id: `R-${i}`, type: 'sale_invoice', date: '2026-06-10', customer: 'BAYSIDE', lines: [{ account: '4000', amount: '1.00', tax: '0.10' }] })));
      const s = await open(f.store, { chunk: 2 });
      const r = await s.engine.run({ type: 'invoices' });
      assert.equal(r.counts.posted, 12);
      assert.ok(f.sb.stats().throttled > 0, 'the sandbox did answer 429');
      assert.equal(f.sb.state.invoices.length, 12);
    } finally {
      await f.close();
    }
  });
});

test('a stopped run marks every record it did not reach aborted, however many: 300,000 (spread into a push, a 1M-event history overflowed the stack and a dry run answered 500)', async () => {
  const { abortRest } = await import('../src/sync/engine.js');
  const { failure } = await import('../src/domain/errors.js');
  const n = 300_000;
  const candidates = Array.from({ length: n }, (_, i) => ({ rec: { id: `R${i}` }, state: { version: 1 } })) as unknown as Parameters<typeof abortRest>[0];
  const stopped = failure('SYNC_NOT_CONFIGURED', 'not connected', 'connect');
  const results: Parameters<typeof abortRest>[1] = [{ record: 'R0', status: 'ok', version: 1, warnings: [] } as unknown as Parameters<typeof abortRest>[1][number]];
  abortRest(candidates, results, stopped);
  assert.equal(results.length, n);
  assert.equal(results.filter((r) => r.status === 'aborted').length, n - 1);
  assert.equal(results[n - 1]!.record, `R${n - 1}`);
});
