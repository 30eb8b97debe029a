/**
 * Reports over a durable ledger (a temporary SQLite store): the demo wholesaler, and small
 * scenarios whose figures are worked out by hand in the comments. Quantities and money are
 * strings or bigint throughout.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryReader } from '../src/ledger/costing-reader.js';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open.js';
import type { AccountLine, AccountLinesQuery, LedgerStore, LinePosition, StoredJournal } from '../src/store/store.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { isFailure } from '../src/cli/input.js';
import type { Journal } from '../src/posting/journal.js';
import type { Failure } from '../src/domain/errors.js';
import { formatMoney } from '../src/domain/money.js';
import { formatQty } from '../src/domain/decimal.js';
import fc from 'fast-check';
import { propertyParameters } from './support/property-seed.js';
import { grossProfitOracle } from './report-support/gross-profit-oracle.js';
import type { DatedEvent, DatedEventType, DatedQuery } from '../src/store/dated-events.js';
import { Book } from '../src/book/book.js';
import { parseEvent } from '../src/domain/events.js';
import { COSTING_METHODS } from '../src/domain/config.js';
import { today } from '../src/cli/db.js';
import { company as propCompany, buildStream, specsArb, COGS_ACCOUNT, type Mode, type Recognition } from './support/gen.js';
import {
  valuation, valuationJson, valuationRows, stockLedger, stockLedgerJson, stockLedgerRows, glDetail, glDetailAll, glDetailJson, grossProfit, grossProfitJson, grossProfitRows,
  reconciliation, reconciliationJson, drill, drillJson, drillRows, dayBefore, isDate, poolValues, type ReportSource,
} from '../src/reports/index.js';

const DEMO_CONFIG = JSON.parse(readFileSync('examples/demo/company.json', 'utf8')) as Record<string, unknown>;
const DEMO_EVENTS = readFileSync('examples/demo/events.jsonl', 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
const SEED = JSON.parse(readFileSync('examples/seed-004/company.json', 'utf8')) as Record<string, unknown>;

/** The seed-004 company with settings (and, optionally, warehouses) changed. */
function seed(settings: Record<string, unknown> = {}, warehouses?: Record<string, unknown>[]): Record<string, unknown> {
  const c = structuredClone(SEED);
  c['settings'] = { ...(c['settings'] as Record<string, unknown>), ...settings };
  if (warehouses) c['warehouses'] = warehouses;
  return c;
}

type Raw = Record<string, unknown>;
const buy = (id: string, date: string, qty: string, amount: string, more: Raw = {}): Raw => ({ id, type: 'purchase_invoice', date, supplier: 'ACME', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty, amount, ...more }] });
const ship = (id: string, date: string, qty: string, more: Raw = {}, head: Raw = {}): Raw => ({ id, type: 'shipment', date, ...head, lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty, ...more }] });

const stores: LedgerStore[] = [];
after(async () => {
  for (const s of stores) await s.close();
});

interface Ledger { ledger: CompanyLedger; store: LedgerStore; journals: Journal[]; post(events: Raw[]): Promise<void> }

async function ledgerOf(config: unknown, events: Raw[]): Promise<Ledger> {
  const store = await openStore({ sqlitePath: join(mkdtempSync(join(tmpdir(), 'stockbook-reports-')), 'ledger.sqlite') });
  stores.push(store);
  const co = await putCompany(store, config);
  assert.ok(!isFailure(co), 'company loads');
  const ledger = await CompanyLedger.open(store, co.id);
  assert.ok(!isFailure(ledger), 'ledger opens');
  const journals: Journal[] = [];
  const post = async (evs: Raw[]): Promise<void> => {
    for (const o of await ledger.postBatch(evs)) {
      assert.equal(o.status, 'ok', `${o.event}: ${o.status === 'error' || o.status === 'conflict' ? o.error.message : o.status}`);
      if (o.status === 'ok') journals.push(...o.journals);
    }
  };
  await post(events);
  return { ledger, store, journals, post };
}

const usd = (minor: bigint): string => formatMoney(minor, 'USD');

async function glAt(src: ReportSource, asOf: string | undefined): Promise<Map<string, bigint>> {
  return new Map((await src.store.trialBalance(src.co.id, asOf)).map((b) => [b.account, b.balance]));
}

function ok<T>(r: T): Exclude<T, Failure> {
  assert.ok(!isFailure(r), isFailure(r) ? `${r.code}: ${r.message}` : '');
  return r as Exclude<T, Failure>;
}

describe('demo wholesaler', () => {
  let demo: Ledger;
  before(async () => {
    demo = await ledgerOf(DEMO_CONFIG, []);
    // One batch per event, as an integration sends them: the demo's late events stay late (a batch is costed in date order).
    for (const e of DEMO_EVENTS) await demo.post([e]);
  });

  test('valuation ties to the GL per inventory account on every date that matters', async () => {
    const src = demo.ledger;
    const dates = new Set<string>();
    for (const e of DEMO_EVENTS) {
      const d = String(e['date']);
      dates.add(d);
      dates.add(dayBefore(d));
    }
    dates.add('2026-03-10').add('2026-02-12').add('2026-12-31'); // a shipment dated at its last line date
    for (const asOf of [...dates].sort()) {
      const r = await valuation(src, { asOf });
      const gl = await glAt(src, asOf);
      assert.deepEqual(r.accounts.map((a) => a.account), ['1200', '1210']);
      for (const a of r.accounts) {
        assert.equal(a.gl, gl.get(a.account) ?? 0n, `${a.account} GL as of ${asOf}`);
        assert.equal(a.difference, 0n, `${a.account} ties as of ${asOf}: sub-ledger ${usd(a.subledger)}, GL ${usd(a.gl)}`);
      }
      assert.ok(r.ties);
      // The pool lines add up to the account totals.
      const byAccount = new Map<string, bigint>();
      for (const l of r.lines) byAccount.set(l.account!, (byAccount.get(l.account!) ?? 0n) + l.value);
      for (const a of r.accounts) assert.equal(byAccount.get(a.account) ?? 0n, a.subledger);
    }
  });

  test('valuation of everything is the book\'s current stock, pool by pool', async () => {
    const src = demo.ledger;
    const r = await valuation(src, {});
    for (const l of r.lines) {
      const now = await src.current.onHand(l.product!, l.warehouse!);
      assert.equal(l.qty, now.qty, `${l.product} ${l.warehouse} qty`);
      assert.equal(l.value, now.value, `${l.product} ${l.warehouse} value`);
    }
    assert.deepEqual(Object.fromEntries(r.accounts.map((a) => [a.account, a.subledger])), Object.fromEntries(await src.current.inventoryValueByAccount()));
  });

  test('valuation before and after the backdated tea bill (PI-1000, dated 2026-01-15, posted in March)', async () => {
    const src = demo.ledger;
    const tea = async (asOf: string): Promise<unknown> => (valuationJson(await valuation(src, { asOf }), src.co)['lines'] as Raw[]).find((l) => l['product'] === 'TEA-100');
    // 200 boxes at 640.00 plus 32.00 of the capitalised freight (92.00 split 1200 : 640) = 672.00.
    assert.deepEqual(await tea('2026-01-14'), { product: 'TEA-100', warehouse: 'CENTRAL', name: 'Breakfast tea, 100 bags', account: '1200', qty: '200', unitCost: '3.3600', value: '672.00' });
    // The backdated bill adds 100 boxes at 3.50.
    assert.deepEqual(await tea('2026-01-15'), { product: 'TEA-100', warehouse: 'CENTRAL', name: 'Breakfast tea, 100 bags', account: '1200', qty: '300', unitCost: '3.4067', value: '1022.00' });
    const json = valuationJson(await valuation(src, { asOf: '2026-01-15' }), src.co);
    assert.deepEqual(json['accounts'], [
      { account: '1200', name: 'Inventory - Central warehouse', subledger: '5622.00', gl: '5622.00', difference: '0.00', check: 'ok' },
      { account: '1210', name: 'Inventory - Coastal depot', subledger: '360.00', gl: '360.00', difference: '0.00', check: 'ok' },
    ]);
    assert.equal(json['ties'], true);
  });

  test('valuation grouped by product, warehouse and category adds up to the same total', async () => {
    const src = demo.ledger;
    const asOf = '2026-02-28';
    const pool = await valuation(src, { asOf });
    for (const by of ['product', 'warehouse', 'category'] as const) {
      const r = await valuation(src, { asOf, by });
      assert.equal(r.lines.reduce((a, l) => a + l.value, 0n), pool.total.subledger, by);
      assert.equal(r.total.gl, pool.total.gl);
    }
    const byWarehouse = valuationJson(await valuation(src, { asOf, by: 'warehouse' }), src.co)['lines'];
    assert.deepEqual(byWarehouse, [{ warehouse: 'CENTRAL', name: 'Central warehouse', value: '4464.76' }, { warehouse: 'COAST', name: 'Coastal depot', value: '688.90' }]);
    const coffee = (valuationJson(await valuation(src, { asOf, by: 'product' }), src.co)['lines'] as Raw[]).find((l) => l['product'] === 'COFFEE-1KG');
    assert.deepEqual(coffee, { product: 'COFFEE-1KG', name: 'Arabica coffee beans 1 kg', qty: '140', unitCost: '12.9029', value: '1806.40' });
    const rows = valuationRows(await valuation(src, { asOf, by: 'category' }), src.co);
    assert.deepEqual(rows[0], ['row', 'product', 'warehouse', 'category', 'name', 'account', 'qty', 'unit_cost', 'value', 'gl', 'difference', 'check']);
    assert.deepEqual(rows.at(-1), ['total', '', '', '', '', '', '', '', '5153.66', '5153.66', '0.00', 'ok']);
  });

  test('GL detail: the running balance starts at the balance the day before and ends at the trial balance', async () => {
    const src = demo.ledger;
    for (const [from, to] of [[undefined, undefined], ['2026-02-01', '2026-02-28'], ['2026-01-16', undefined], [undefined, '2026-01-22']] as const) {
      const start = from === undefined ? new Map<string, bigint>() : await glAt(src, dayBefore(from));
      const end = await glAt(src, to);
      for (const account of src.co.accounts.keys()) {
        const r = ok(await glDetail(src, { account, from, to }));
        assert.equal(r.opening, start.get(account) ?? 0n, `${account} opening`);
        let bal = r.opening;
        let last = '';
        for (const row of r.rows) {
          bal += row.amount;
          assert.equal(row.balance, bal, `${account} running balance at ${row.journal}`);
          assert.ok(row.date >= last && (from === undefined || row.date >= from) && (to === undefined || row.date <= to), 'in date order, within the period');
          last = row.date;
        }
        assert.equal(r.closing, end.get(account) ?? 0n, `${account} ${from ?? '…'}–${to ?? '…'} ends at the trial balance`);
        assert.equal(r.closing - r.opening, r.totalDebit - r.totalCredit);
      }
    }
    const json = ok(await glDetail(src, { account: '5000', from: '2026-03-01' }));
    assert.deepEqual(glDetailJson(json, src.co)['rows'], [
      { date: '2026-03-05', journal: 'SCN-9001', kind: 'original', event: 'SCN-9001', eventType: 'sale_credit_note', memo: '', product: 'GIFTBOX', warehouse: 'CENTRAL', debit: null, credit: '44.64', balance: '1504.25' },
      { date: '2026-03-05', journal: 'SCN-9001/c1', kind: 'correction', event: 'SCN-9001', eventType: 'sale_credit_note', memo: '', product: 'GIFTBOX', warehouse: 'CENTRAL', debit: null, credit: '0.19', balance: '1504.06' },
    ]);
    assert.equal(glDetailJson(json, src.co)['opening'], '1548.89');
  });

  test('GL detail pages: keyset pages of any size give the whole report\'s rows and running balances; a bad cursor or limit is refused', async () => {
    const src = demo.ledger;
    for (const [account, from, to] of [['1200', undefined, undefined], ['2100', '2026-02-01', '2026-03-31'], ['5000', '2026-01-16', undefined]] as const) {
      const whole = ok(await glDetail(src, { account, from, to, limit: 5000 }));
      assert.equal(whole.next, undefined);
      assert.ok(whole.rows.length > 3, `${account} has lines to page`);
      for (const limit of [1, 2, 3]) {
        const rows: unknown[] = [];
        let page = ok(await glDetail(src, { account, from, to, limit }));
        assert.equal(page.opening, whole.opening);
        for (;;) {
          assert.ok(page.rows.length <= limit);
          assert.equal(page.closing - page.opening, page.totalDebit - page.totalCredit);
          rows.push(...page.rows);
          if (page.next === undefined) break;
          const next = ok(await glDetail(src, { account, from, to, limit, after: page.next }));
          assert.equal(next.opening, page.closing, 'a page opens where the one before closed');
          page = next;
        }
        assert.deepEqual(rows, whole.rows, `${account} in pages of ${limit}`);
        assert.equal(page.closing, whole.closing);
      }
      const all = ok(await glDetailAll(src, { account, from, to, limit: 2 }));
      assert.deepEqual([all.rows, all.opening, all.closing, all.totalDebit, all.totalCredit], [whole.rows, whole.opening, whole.closing, whole.totalDebit, whole.totalCredit]);
    }
    const first = ok(await glDetail(src, { account: '1200', limit: 2 }));
    for (const after of ['nonsense', Buffer.from('["2026-01-01","x",1]').toString('base64url'), Buffer.from('[1,2]').toString('base64url')]) {
      const r = await glDetail(src, { account: '1300', after });
      assert.ok('code' in r && r.code === 'INVALID_REQUEST' && r.record['field'] === 'after', after);
    }
    const early = await glDetail(src, { account: '1200', from: '2026-12-01', after: first.next });
    assert.ok('code' in early && early.code === 'INVALID_REQUEST', 'a cursor before the period is refused');
    for (const limit of [0, 5001, 1.5]) {
      const r = await glDetail(src, { account: '1300', limit });
      assert.ok('code' in r && r.code === 'INVALID_REQUEST' && r.record['field'] === 'limit', String(limit));
    }
  });

  test('reconciliation: zero difference on every inventory account, today and at month ends', async () => {
    const src = demo.ledger;
    for (const asOf of [undefined, '2026-01-31', '2026-02-28', '2026-03-31']) {
      const r = await reconciliation(src, { asOf });
      assert.ok(r.ties && r.explained, `ties as of ${asOf ?? 'now'}`);
      for (const a of r.accounts) {
        assert.equal(a.difference, 0n);
        assert.deepEqual(a.items, []);
        assert.deepEqual(a.information, [], 'no GRNI (bills recognise purchases) and no negative stock');
      }
    }
    const json = reconciliationJson(await reconciliation(src, {}), src.co);
    assert.deepEqual(json['total'], { subledger: '5013.30', gl: '5013.30', difference: '0.00', unexplained: '0.00' });
  });

  test('drill-down: a shipment line to the FEFO batch it consumed', async () => {
    const src = demo.ledger;
    const r = ok(await drill(src, { journal: 'SH-3002', line: 1 }));
    assert.equal(r.line?.account, '5000');
    assert.equal(r.event?.type, 'shipment');
    assert.equal(r.event?.date, '2026-02-12', 'dated at its last line date');
    assert.deepEqual((r.event?.body as Raw)['sale'], 'SI-2002', 'the event as it was sent');
    const json = drillJson(r, src.co);
    assert.deepEqual(json['moves'], [{
      index: 0, kind: 'out', product: 'JUICE-12', warehouse: 'CENTRAL', lot: null, qty: '50', value: '950.00', unitCost: '19.0000', variance: '0.00', trueUp: '0.00', toCogs: '0.00', shortQty: '0',
      layers: [{ source: 'PI-1002#0', receipt: { event: 'PI-1002', line: 0, type: 'purchase_invoice', date: '2026-01-10' }, lot: 'JB-0115', expiry: '2026-03-15', qty: '50', value: '950.00', unitCost: '19.0000' }],
    }]);
    // Without a line: every move of the shipment.
    const all = ok(await drill(src, { journal: 'SH-3002' }));
    assert.deepEqual(all.moves.map((m) => m.product), ['JUICE-12', 'GIFTBOX', 'DETERGENT-5L', 'SPONGE-10']);
    // A void's reversal leads to the voided event, with what its move had taken.
    const v = ok(await drill(src, { journal: 'VOID-0001' }));
    assert.equal(v.journal.kind, 'reversal');
    assert.equal(v.event?.id, 'WO-8002');
    assert.equal(v.event?.voidedBy, 'VOID-0001');
    assert.deepEqual(v.moves[0]!.layers.map((t) => [t.source, formatQty(t.qty), usd(t.value)]), [['PI-1003#1', '5', '12.00']]);
    // A correction leads to the corrected event, at its current costs.
    const c = ok(await drill(src, { journal: 'SH-3001/c1' }));
    assert.equal(c.journal.kind, 'correction');
    assert.deepEqual(c.moves.map((m) => [m.product, usd(m.value), m.layers.map((t) => t.source).join('+')]), [['COFFEE-1KG', '252.00', 'PI-1001#0'], ['TEA-100', '102.20', 'average']]);
    const bad = await drill(src, { journal: 'NOPE' });
    assert.ok(isFailure(bad) && bad.code === 'UNKNOWN_REFERENCE');
    const badLine = await drill(src, { journal: 'SH-3002', line: 99 });
    assert.ok(isFailure(badLine) && badLine.code === 'UNKNOWN_REFERENCE');
  });
});

test('valuation before and after a backdated bill that re-costs a shipment', async () => {
  // B1 brings 10 widgets at 10.00; S1 ships 4 (40.00): 6 left at 60.00.
  const l = await ledgerOf(seed(), [buy('B1', '2026-03-01', '10', '100.00'), ship('S1', '2026-03-05', '4')]);
  const src = l.ledger;
  const line = async (asOf: string): Promise<string[]> => {
    const r = await valuation(src, { asOf });
    assert.ok(r.ties, `ties as of ${asOf}`);
    return r.lines.map((x) => `${x.product} ${x.warehouse} ${formatQty(x.qty!)} ${usd(x.value)} GL ${usd(r.accounts[0]!.gl)}`);
  };
  assert.deepEqual(await line('2026-03-05'), ['WIDGET MAIN 6 60.00 GL 60.00']);
  // Then a bill dated February arrives: 2 widgets at 5.00. FIFO now ships B0's 2 (10.00) and
  // 2 of B1's (20.00): S1 costs 30.00, corrected by S1/c1 (−10.00) at S1's date.
  await l.post([buy('B0', '2026-02-01', '2', '10.00')]);
  assert.deepEqual(l.journals.map((j) => j.id), ['B1', 'S1', 'B0', 'S1/c1']);
  assert.deepEqual(await line('2026-01-31'), []);
  assert.deepEqual(await line('2026-02-01'), ['WIDGET MAIN 2 10.00 GL 10.00']);
  assert.deepEqual(await line('2026-03-01'), ['WIDGET MAIN 12 110.00 GL 110.00']);
  assert.deepEqual(await line('2026-03-05'), ['WIDGET MAIN 8 80.00 GL 80.00']);
  // The correction's layers: drill-down reads the shipment's current costs.
  const d = ok(await drill(src, { journal: 'S1/c1', line: 1 }));
  assert.deepEqual(d.moves[0]!.layers.map((t) => [t.source, formatQty(t.qty), usd(t.value)]), [['B0#0', '2', '10.00'], ['B1#0', '2', '20.00']]);
});

describe('stock ledger', () => {
  // MAIN: B1 10 at 100.00, B2 5 at 60.00 (12.00 each); S1 ships 12: FIFO 10 × 10.00 + 2 × 12.00
  // = 124.00 (10.3333 a unit), leaving 3 at 36.00; T1 moves 1 (12.00) to SIDE; ST1 counts MAIN
  // at 3, one more than the 2 on hand, valued at the average 12.00.
  const events = [
    buy('B1', '2026-03-01', '10', '100.00'),
    buy('B2', '2026-03-03', '5', '60.00'),
    ship('S1', '2026-03-05', '12'),
    { id: 'T1', type: 'transfer', date: '2026-03-06', from: 'MAIN', to: 'SIDE', lines: [{ product: 'WIDGET', qty: '1' }] },
    { id: 'ST1', type: 'stocktake', date: '2026-03-10', lines: [{ product: 'WIDGET', warehouse: 'MAIN', counted: '3' }] },
  ];
  let l: Ledger;
  before(async () => {
    l = await ledgerOf(seed({}, [{ code: 'MAIN', name: 'Main warehouse' }, { code: 'SIDE', name: 'Side store' }]), events);
  });

  const brief = (r: ReturnType<typeof stockLedgerJson>): string[] =>
    (r['rows'] as Raw[]).map((x) => [x['date'], x['event'], x['warehouse'], x['qtyIn'], x['qtyOut'], x['unitCost'], x['valueIn'], x['valueOut'], x['runningQty'], x['runningValue']].join(' '));

  test('one warehouse: running quantity and value, unit cost to 4 decimals', async () => {
    const src = l.ledger;
    const r = ok(await stockLedger(src, { product: 'WIDGET', warehouse: 'MAIN' }));
    assert.deepEqual(brief(stockLedgerJson(r, src.co)), [
      '2026-03-01 B1 MAIN 10 0 10.0000 100.00 0.00 10 100.00',
      '2026-03-03 B2 MAIN 5 0 12.0000 60.00 0.00 15 160.00',
      '2026-03-05 S1 MAIN 0 12 10.3333 0.00 124.00 3 36.00',
      '2026-03-06 T1 MAIN 0 1 12.0000 0.00 12.00 2 24.00',
      '2026-03-10 ST1 MAIN 1 0 12.0000 12.00 0.00 3 36.00',
    ]);
    const now = await src.current.onHand('WIDGET', 'MAIN');
    assert.deepEqual([r.closing.qty, r.closing.value], [now.qty, now.value]);
    assert.deepEqual(stockLedgerJson(r, src.co)['totals'], { qtyIn: '16', qtyOut: '13', valueIn: '172.00', valueOut: '136.00' });
  });

  test('a period: earlier movements make the opening balance', async () => {
    const src = l.ledger;
    const r = ok(await stockLedger(src, { product: 'WIDGET', warehouse: 'MAIN', from: '2026-03-04', to: '2026-03-09' }));
    const json = stockLedgerJson(r, src.co);
    assert.deepEqual(json['opening'], { qty: '15', value: '160.00' });
    assert.deepEqual(brief(json), ['2026-03-05 S1 MAIN 0 12 10.3333 0.00 124.00 3 36.00', '2026-03-06 T1 MAIN 0 1 12.0000 0.00 12.00 2 24.00']);
    assert.deepEqual(json['closing'], { qty: '2', value: '24.00' });
    const rows = stockLedgerRows(r, src.co);
    assert.deepEqual(rows[1], ['opening', '2026-03-04', '', '', 'MAIN', '', '', '', '', '', '', '', '15', '160.00']);
    assert.deepEqual(rows.at(-1), ['closing', '2026-03-09', '', '', 'MAIN', '', '0', '13', '', '0.00', '136.00', '', '2', '24.00']);
  });

  test('every warehouse: a transfer is an issue and a receipt, the product\'s total unchanged', async () => {
    const src = l.ledger;
    const r = ok(await stockLedger(src, { product: 'WIDGET' }));
    assert.deepEqual(brief(stockLedgerJson(r, src.co)).slice(3), [
      '2026-03-06 T1 MAIN 0 1 12.0000 0.00 12.00 2 24.00',
      '2026-03-06 T1 SIDE 1 0 12.0000 12.00 0.00 3 36.00',
      '2026-03-10 ST1 MAIN 1 0 12.0000 12.00 0.00 4 48.00',
    ]);
    const unknown = await stockLedger(src, { product: 'NOPE' });
    assert.ok(isFailure(unknown) && unknown.code === 'UNKNOWN_PRODUCT');
    const badWarehouse = await stockLedger(src, { product: 'WIDGET', warehouse: 'NOPE' });
    assert.ok(isFailure(badWarehouse) && badWarehouse.code === 'UNKNOWN_WAREHOUSE');
  });

  test('drill-down: the shipment consumed the whole first layer and part of the second', async () => {
    const src = l.ledger;
    const d = ok(await drill(src, { journal: 'S1', line: 2 }));
    assert.equal(d.line?.account, '1300');
    assert.deepEqual(drillJson(d, src.co)['moves'], [{
      index: 0, kind: 'out', product: 'WIDGET', warehouse: 'MAIN', lot: null, qty: '12', value: '124.00', unitCost: '10.3333', variance: '0.00', trueUp: '0.00', toCogs: '0.00', shortQty: '0',
      layers: [
        { source: 'B1#0', receipt: { event: 'B1', line: 0, type: 'purchase_invoice', date: '2026-03-01' }, lot: null, expiry: null, qty: '10', value: '100.00', unitCost: '10.0000' },
        { source: 'B2#0', receipt: { event: 'B2', line: 0, type: 'purchase_invoice', date: '2026-03-03' }, lot: null, expiry: null, qty: '2', value: '24.00', unitCost: '12.0000' },
      ],
    }]);
    const rows = drillRows(d, src.co);
    assert.equal(rows.length, 3, 'a header and a row per layer');
    assert.deepEqual(rows[2]!.slice(13), ['B2#0', 'B2', '2026-03-03', '', '', '2', '24.00', '12.0000']);
  });
});

test('negative stock: the stock ledger, valuation and reconciliation show the deficit and its true-up', async () => {
  // B1: 2 at 20.00. S1 ships 5: 2 from stock (20.00) and 3 short at the last average, 10.00
  // (30.00): on hand −3 at −30.00. B2: 5 at 60.00 (12.00 each) covers the 3 at 36.00, a
  // true-up of 6.00 to COGS; inventory gains 54.00 and holds 2 at 24.00.
  const l = await ledgerOf(seed({ negativeStock: 'allow' }), [buy('B1', '2026-03-01', '2', '20.00'), ship('S1', '2026-03-02', '5'), buy('B2', '2026-03-04', '5', '60.00')]);
  const src = l.ledger;
  const r = ok(await stockLedger(src, { product: 'WIDGET', warehouse: 'MAIN' }));
  assert.deepEqual((stockLedgerJson(r, src.co)['rows'] as Raw[]).map((x) => [x['event'], x['qtyIn'], x['qtyOut'], x['unitCost'], x['valueIn'], x['valueOut'], x['trueUp'], x['runningQty'], x['runningValue']]), [
    ['B1', '2', '0', '10.0000', '20.00', '0.00', '0.00', '2', '20.00'],
    ['S1', '0', '5', '10.0000', '0.00', '50.00', '0.00', '-3', '-30.00'],
    ['B2', '5', '0', '12.0000', '54.00', '0.00', '6.00', '2', '24.00'],
  ]);
  for (const [asOf, q, v] of [['2026-03-02', '-3', '-30.00'], ['2026-03-04', '2', '24.00']] as const) {
    const val = valuationJson(await valuation(src, { asOf }), src.co);
    assert.deepEqual((val['lines'] as Raw[]).map((x) => [x['qty'], x['value']]), [[q, v]]);
    assert.equal(val['ties'], true, `ties as of ${asOf}`);
  }
  const rec = reconciliationJson(await reconciliation(src, { asOf: '2026-03-02' }), src.co);
  assert.deepEqual((rec['accounts'] as Raw[])[0], {
    account: '1300', name: 'Inventory control', subledger: '-30.00', gl: '-30.00', difference: '0.00', items: [], unexplained: '0.00',
    information: [{ name: 'issued short, awaiting a receipt', amount: '-30.00', qty: '-3', detail: 'WIDGET at MAIN: 3 units at provisional cost' }],
  });
  const gp = grossProfitJson(await grossProfit(src, {}), src.co);
  assert.equal((gp['total'] as Raw)['cogs'], '56.00', 'the shipment 50.00 and the true-up 6.00');
});

/** Gross profit read by index equals the old whole-history algorithm (the oracle) on each period, both ways. */
async function grossProfitMatchesOracle(src: ReportSource, periods: readonly { from?: string | undefined; to?: string | undefined }[]): Promise<void> {
  for (const p of periods) {
    for (const by of ['product', 'customer'] as const) {
      const opts = { ...p, by };
      assert.deepEqual(await grossProfit(src, opts), await grossProfitOracle(src, opts), `gross profit ${p.from ?? '…'}–${p.to ?? '…'} by ${by}`);
    }
  }
}

/** Every month of the events' dates, a day, a period crossing months and the whole history. */
function periodsOf(dates: Iterable<string>): { from?: string | undefined; to?: string | undefined }[] {
  const months = [...new Set([...dates].map((d) => d.slice(0, 7)))].sort();
  const out: { from?: string | undefined; to?: string | undefined }[] = [{}, { from: '2026-03-15' }, { to: '2026-03-15' }, { from: '2026-02-10', to: '2026-04-20' }];
  for (const m of months) out.push({ from: `${m}-01`, to: `${m}-31` }, { from: `${m}-05`, to: `${m}-05` });
  return out;
}

test('gross profit of the demo wholesaler by index equals the whole-history algorithm on every month', async () => {
  const demo = await ledgerOf(DEMO_CONFIG, []);
  for (const e of DEMO_EVENTS) await demo.post([e]);
  await grossProfitMatchesOracle(demo.ledger, periodsOf(DEMO_EVENTS.map((e) => String(e['date']))));
});

describe('gross profit', () => {
  // B1 10 widgets at 10.00, B2 10 at 12.00.
  // INV-1 (ALPHA): 5 widgets 100.00, recorded cost 9.00; a consulting hour 30.00. SHP-1 ships the
  //   5 with no cost of its own: FIFO 50.00 against the invoice's recorded 5 × 9.00 = 45.00.
  // INV-2 (BETA): 8 widgets 200.00. SHP-2 ships them at a recorded 11.00 (88.00); FIFO 5 × 10.00
  //   + 3 × 12.00 = 86.00.
  // LC-1: 8.00 of freight to SHP-2's COGS (BETA, WIDGET).
  // CN-1 (BETA): 1 widget back, 25.00; restocked at SHP-2's cost, 86.00 ÷ 8 = 10.75; recorded:
  //   SHP-2's 11.00.
  const events = [
    buy('B1', '2026-03-01', '10', '100.00'),
    buy('B2', '2026-03-02', '10', '120.00'),
    { id: 'INV-1', type: 'sale_invoice', date: '2026-03-03', customer: 'ALPHA', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: '5', amount: '100.00', tax: '10.00', cost: '9.00' }, { product: 'CONSULT', qty: '1', amount: '30.00' }] },
    ship('SHP-1', '2026-03-04', '5', {}, { sale: 'INV-1' }),
    { id: 'INV-2', type: 'sale_invoice', date: '2026-03-05', customer: 'BETA', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: '8', amount: '200.00', tax: '20.00' }] },
    ship('SHP-2', '2026-03-06', '8', { cost: '11.00' }, { sale: 'INV-2' }),
    { id: 'LC-1', type: 'landed_cost', date: '2026-03-07', amount: '8.00', sale: 'SHP-2' },
    { id: 'CN-1', type: 'sale_credit_note', date: '2026-03-08', customer: 'BETA', invoice: 'INV-2', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: '1', amount: '25.00', tax: '2.50', shipment: 'SHP-2' }] },
  ];
  let l: Ledger;
  before(async () => {
    l = await ledgerOf(seed(), events);
  });

  test('per product', async () => {
    const src = l.ledger;
    const r = grossProfitJson(await grossProfit(src, {}), src.co);
    assert.deepEqual(r['rows'], [
      // CONSULT: no cost at all; WIDGET: revenue 100 + 200 − 25 = 275.00, COGS 50 + 86 + 8 − 10.75
      // = 133.25, margin 141.75 (51.55 %), recorded 45 + 88 − 11 = 122.00, difference 11.25.
      { product: 'CONSULT', name: 'Consulting hour', revenue: '30.00', cogs: '0.00', margin: '30.00', marginPct: '100.00', recordedCost: null, difference: null, linesWithCost: 0, linesWithoutCost: 0 },
      { product: 'WIDGET', name: 'Widget', revenue: '275.00', cogs: '133.25', margin: '141.75', marginPct: '51.55', recordedCost: '122.00', difference: '11.25', linesWithCost: 3, linesWithoutCost: 0 },
    ]);
    assert.deepEqual(r['total'], { revenue: '305.00', cogs: '133.25', margin: '171.75', marginPct: '56.31', recordedCost: '122.00', difference: '11.25', linesWithCost: 3, linesWithoutCost: 0 });
    // The ledger's COGS is the GL's.
    assert.equal((await glAt(src, undefined)).get('5000'), 13325n);
  });

  test('per customer', async () => {
    const src = l.ledger;
    const r = grossProfitJson(await grossProfit(src, { by: 'customer' }), src.co);
    assert.deepEqual(r['rows'], [
      // ALPHA: 100 + 30 = 130.00 against 50.00 (recorded 45.00).
      { customer: 'ALPHA', name: 'ALPHA', revenue: '130.00', cogs: '50.00', margin: '80.00', marginPct: '61.54', recordedCost: '45.00', difference: '5.00', linesWithCost: 1, linesWithoutCost: 0 },
      // BETA: 200 − 25 = 175.00 against 86 + 8 − 10.75 = 83.25 (recorded 88 − 11 = 77.00).
      { customer: 'BETA', name: 'BETA', revenue: '175.00', cogs: '83.25', margin: '91.75', marginPct: '52.43', recordedCost: '77.00', difference: '6.25', linesWithCost: 2, linesWithoutCost: 0 },
    ]);
  });

  test('a period: only what is dated in it', async () => {
    const src = l.ledger;
    const r = await grossProfit(src, { from: '2026-03-07', to: '2026-03-31' });
    // LC-1 (+8.00) and CN-1 (−25.00 revenue, −10.75 COGS, −11.00 recorded).
    assert.deepEqual(grossProfitJson(r, src.co)['rows'], [
      { product: 'WIDGET', name: 'Widget', revenue: '-25.00', cogs: '-2.75', margin: '-22.25', marginPct: '89.00', recordedCost: '-11.00', difference: '8.25', linesWithCost: 1, linesWithoutCost: 0 },
    ]);
    assert.deepEqual(grossProfitRows(r, src.co).at(-1), ['total', '', '', '-25.00', '-2.75', '-22.25', '89.00', '-11.00', '8.25', '1', '0']);
  });
});

test('reconciliation: GRNI (received, not yet billed) is shown as information beside the inventory account', async () => {
  // GRN-1 receives 10 widgets at 100.00 against GRNI; BILL-1 bills 6 of them (63.00), clearing
  // 60.00 of GRNI (3.00 to price variance): 40.00 stays received but not billed.
  const l = await ledgerOf(seed({ purchaseRecognition: 'receipt' }), [
    { id: 'GRN-1', type: 'stock_receipt', date: '2026-03-01', supplier: 'ACME', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: '10', amount: '100.00' }] },
    { id: 'BILL-1', type: 'purchase_invoice', date: '2026-03-05', supplier: 'ACME', receipt: 'GRN-1', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: '6', amount: '63.00' }] },
  ]);
  const src = l.ledger;
  for (const [asOf, grni] of [['2026-03-03', '100.00'], ['2026-03-05', '40.00']] as const) {
    const r = reconciliationJson(await reconciliation(src, { asOf }), src.co);
    assert.equal(r['ties'], true);
    assert.deepEqual((r['accounts'] as Raw[])[0], {
      account: '1300', name: 'Inventory control', subledger: '100.00', gl: '100.00', difference: '0.00', items: [], unexplained: '0.00',
      information: [{ name: 'GRNI: received, not yet billed', amount: grni, detail: 'credit balance of 2400 Goods received not invoiced' }],
    });
  }
});

test('reconciliation: journals the period lock moved out of the period are the reconciling item', async () => {
  // The period is locked up to 2026-02-28 with "shift": B0, dated 2026-02-10, is booked on
  // 2026-03-01. As of 2026-02-28 the pools hold its 2 widgets (10.00), the GL does not.
  const l = await ledgerOf(seed({ lockDate: '2026-02-28', lockMode: 'shift' }), [buy('B1', '2026-03-05', '10', '100.00'), buy('B0', '2026-02-10', '2', '10.00')]);
  const b0 = l.journals.find((j) => j.id === 'B0')!;
  assert.deepEqual([b0.date, b0.shiftedFrom], ['2026-03-01', '2026-02-10']);
  // Read the journals as the ledger booked them (shiftedFrom included).
  const stored = l.store;
  const src: ReportSource = {
    current: l.ledger.current,
    co: l.ledger.co,
    store: Object.assign(Object.create(stored) as LedgerStore, {
      journals: async (company: string, filter?: Parameters<LedgerStore['journals']>[1]) =>
        (await stored.journals(company, filter)).map((j) => ({ ...j, shiftedFrom: l.journals.find((x) => x.id === j.id)?.shiftedFrom })),
      trialBalance: (company: string, asOf?: string) => stored.trialBalance(company, asOf),
    }),
  };
  const val = await valuation(src, { asOf: '2026-02-28' });
  assert.equal(val.ties, false, 'the valuation check shows the difference');
  const r = reconciliationJson(await reconciliation(src, { asOf: '2026-02-28' }), src.co);
  assert.deepEqual((r['accounts'] as Raw[])[0], {
    account: '1300', name: 'Inventory control', subledger: '10.00', gl: '0.00', difference: '10.00',
    items: [{ name: 'booked after the period lock', amount: '10.00', detail: 'journals of events dated on or before 2026-02-28, dated at the first open date: B0' }],
    unexplained: '0.00', information: [],
  });
  assert.deepEqual([r['ties'], r['explained']], [false, true]);
  assert.equal((await reconciliation(src, { asOf: '2026-03-01' })).ties, true, 'from the first open date on, it ties');
});

const byPosition = (a: LinePosition, b: LinePosition): number =>
  a.date !== b.date ? (a.date < b.date ? -1 : 1) : a.journalSeq !== b.journalSeq ? (a.journalSeq < b.journalSeq ? -1 : 1) : a.lineNo - b.lineNo;

/** An account's lines in GL order, as the stores give them. */
function accountLinesOf(journals: readonly StoredJournal[], account: string): AccountLine[] {
  const out: AccountLine[] = [];
  for (const j of journals) {
    j.lines.forEach((l, i) => {
      if (l.account === account) out.push({ date: j.date, journalSeq: j.seq, lineNo: i + 1, journal: j.id, kind: j.kind, event: j.event, eventType: j.eventType, amount: l.amount, memo: l.memo, journalMemo: j.memo, product: l.product, warehouse: l.warehouse });
    });
  }
  return out.sort(byPosition);
}

/**
 * A store over a book's own journals, for the property runs (no SQLite): the journals and the
 * trial balance are all the reports read from it.
 */
function memorySource(book: Book): ReportSource {
  const journals: StoredJournal[] = book.journals.map((j, i) => ({ ...j, seq: BigInt(i + 1), eventSeq: 0n }));
  const store = {
    journals: async (_company: string, f: Parameters<LedgerStore['journals']>[1] = {}) =>
      journals
        .filter((j) => (f.from === undefined || j.date >= f.from) && (f.to === undefined || j.date <= f.to) && (f.event === undefined || j.event === f.event) && (f.account === undefined || j.lines.some((l) => l.account === f.account)) && (f.afterSeq === undefined || j.seq > f.afterSeq))
        .slice(0, f.limit),
    trialBalance: async (_company: string, asOf?: string) => {
      const m = new Map<string, bigint>();
      for (const j of journals) if (asOf === undefined || j.date <= asOf) for (const l of j.lines) m.set(l.account, (m.get(l.account) ?? 0n) + l.amount);
      return [...m].map(([account, balance]) => ({ account, balance }));
    },
    findEvent: async () => undefined,
    datedEvents: async (_company: string, type: DatedEventType, q: DatedQuery): Promise<DatedEvent[]> =>
      [...book.views()].map((v, i) => ({ seq: BigInt(i + 1), id: v.event.id, type: v.event.type as DatedEventType, date: v.event.date }))
        .filter((e) => e.type === type && (q.from === undefined || e.date >= q.from) && (q.to === undefined || e.date <= q.to))
        .sort((a, b) => (a.date !== b.date ? (a.date < b.date ? -1 : 1) : Number(a.seq - b.seq)))
        .filter((e) => q.after === undefined || e.date > q.after.date || (e.date === q.after.date && e.seq > q.after.seq))
        .slice(0, q.limit),
    accountLines: async (_company: string, account: string, q: AccountLinesQuery) =>
      accountLinesOf(journals, account).filter((l) => (q.from === undefined || l.date >= q.from) && (q.to === undefined || l.date <= q.to) && (q.after === undefined || byPosition(l, q.after) > 0)).slice(0, q.limit),
    balanceThrough: async (_company: string, account: string, at: LinePosition) =>
      accountLinesOf(journals, account).filter((l) => byPosition(l, at) <= 0).reduce((sum, l) => sum + l.amount, 0n),
  };
  return { current: new MemoryReader(book), co: book.co, store: store as unknown as LedgerStore };
}

for (const method of COSTING_METHODS) {
  test(`${method}: random streams (late events, voids, negative stock, receipts): the reports agree with the GL on every date`, async () => {
    const setupArb = fc.record({ mode: fc.constantFrom<Mode>('block', 'allow'), recognition: fc.constantFrom<Recognition>('bill', 'bill', 'receipt') });
    await fc.assert(
      fc.asyncProperty(setupArb, specsArb(5, 25), async (setup, specs) => {
        const book = new Book(propCompany(method, setup.mode, setup.recognition));
        for (const raw of buildStream(method, specs, setup.recognition)) {
          const p = parseEvent(raw, book.co);
          if (p.ok) book.apply(p.value); // a refused event changes nothing
        }
        const src = memorySource(book);
        const dates = new Set<string | undefined>([undefined]);
        for (const v of book.views()) dates.add(v.event.date).add(dayBefore(v.event.date));
        for (const asOf of dates) {
          const r = await reconciliation(src, { asOf });
          assert.ok(r.ties, `sub-ledger = GL as of ${asOf ?? 'now'}: ${r.accounts.map((a) => `${a.account} ${usd(a.subledger)} / ${usd(a.gl)}`).join(', ')}`);
          assert.ok((await valuation(src, { asOf })).ties);
        }
        // Each pool's stock ledger ends where the book stands; the GL detail of each inventory
        // account ends at its balance; the ledger COGS of gross profit is the COGS account's.
        for (const p of await poolValues(new MemoryReader(book), undefined)) {
          const sl = ok(await stockLedger(src, { product: p.product, warehouse: p.warehouse }));
          const now = book.onHand(p.product, p.warehouse);
          assert.deepEqual([sl.closing.qty, sl.closing.value], [now.qty, now.value], `${p.product}/${p.warehouse}`);
        }
        for (const [account, value] of book.inventoryValueByAccount()) assert.equal(ok(await glDetail(src, { account })).closing, value);
        assert.equal((await grossProfit(src, {})).total.cogs, book.balances().get(COGS_ACCOUNT) ?? 0n);
        await grossProfitMatchesOracle(src, periodsOf([...book.views()].map((v) => v.event.date)));
      }),
      propertyParameters(40),
    );
  });
}

test('dates: only real calendar dates; the day before crosses months and years', () => {
  assert.ok(isDate('2028-02-29'));
  assert.ok(!isDate('2026-02-29'));
  assert.ok(!isDate('2026-2-01'));
  assert.equal(dayBefore('2026-03-01'), '2026-02-28');
  assert.equal(dayBefore('2027-01-01'), '2026-12-31');
});

describe('stockbook report (CLI)', () => {
  const run = promisify(execFile);
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-reports-cli-'));
  const db = join(dir, 'ledger.sqlite');
  const cli = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
    try {
      const r = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8' });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (x) {
      const e = x as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };
  const report = (name: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => cli(['report', name, '--company', 'harbourline', '--db', db, ...args]);
  before(async () => {
    const r = await cli(['import', '--db', db, '--config', 'examples/demo/company.json', 'examples/demo/events.jsonl', '--no-progress']);
    assert.equal(r.code, 0, r.stderr);
  });

  test('every report as one JSON object', async () => {
    const [val, sl, gl, gp, rec, dr] = await Promise.all([
      report('valuation', '--as-of', '2026-02-28', '--format', 'json'),
      report('stock-ledger', '--product', 'JUICE-12', '--warehouse', 'CENTRAL', '--format', 'json'),
      report('gl', '--account', '1210', '--from', '2026-02-01', '--to', '2026-02-28', '--format', 'json'),
      report('gross-profit', '--by', 'customer', '--format', 'json'),
      report('reconciliation', '--as-of', '2026-03-31', '--format', 'json'),
      report('drill', '--journal', 'SH-3002', '--line', '1', '--format', 'json'),
    ]);
    for (const r of [val, sl, gl, gp, rec, dr]) {
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim().split('\n').length, 1, 'one line: one object');
    }
    const v = JSON.parse(val.stdout) as Raw;
    assert.deepEqual([v['report'], v['asOf'], v['ties'], (v['total'] as Raw)['subledger']], ['valuation', '2026-02-28', true, '5153.66']);
    const s = JSON.parse(sl.stdout) as Raw;
    assert.deepEqual(s['closing'], { qty: '40', value: '720.00' });
    const g = JSON.parse(gl.stdout) as Raw;
    assert.equal(g['closing'], '688.90');
    const p = JSON.parse(gp.stdout) as Raw;
    assert.deepEqual((p['total'] as Raw)['revenue'], '3160.00');
    const c = JSON.parse(rec.stdout) as Raw;
    assert.deepEqual([c['ties'], c['explained']], [true, true]);
    const d = JSON.parse(dr.stdout) as Raw;
    assert.equal(((d['moves'] as Raw[])[0]!['layers'] as Raw[])[0]!['lot'], 'JB-0115');
  });

  test('CSV (RFC 4180) and tables', async () => {
    const [csvOut, table, gpCsv] = await Promise.all([
      report('valuation', '--as-of', '2026-02-28', '--by', 'product', '--format', 'csv'),
      report('reconciliation'),
      report('gross-profit', '--format', 'csv'),
    ]);
    assert.equal(csvOut.code, 0, csvOut.stderr);
    const lines = csvOut.stdout.trim().split('\n');
    assert.equal(lines[0], 'row,product,warehouse,category,name,account,qty,unit_cost,value,gl,difference,check');
    assert.ok(lines.includes('line,JUICE-12,,,"Orange juice, case of 12 x 1 L",,50,18.2000,910.00,,,'), 'a name with a comma is quoted');
    assert.equal(lines.at(-1), 'total,,,,,,,,5153.66,5153.66,0.00,ok');
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /1210\s*│ Inventory - Coastal depot\s*│ 676\.30\s*│ 676\.30\s*│ 0\.00\s*│ ties/);
    assert.match(gpCsv.stdout, /^row,product,name,revenue,cogs,margin,margin_pct,recorded_cost,difference,lines_with_cost,lines_without_cost\n/);
  });

  test('bad input: a coded error and exit 2, an impossible date too (INVALID_DATE naming the flag); valuation defaults --as-of to today', async () => {
    const [unknown, badDate, noAsOf] = await Promise.all([
      report('stock-ledger', '--product', 'NOPE'),
      report('valuation', '--as-of', '2026-02-30'),
      report('valuation', '--format', 'json'),
    ]);
    assert.equal(unknown.code, 2);
    assert.equal((JSON.parse(unknown.stderr) as { error: { code: string } }).error.code, 'UNKNOWN_PRODUCT');
    assert.equal(badDate.code, 2);
    const bad = (JSON.parse(badDate.stderr) as { error: { code: string; message: string } }).error;
    assert.equal(bad.code, 'INVALID_DATE');
    assert.match(bad.message, /^--as-of "2026-02-30" is not a real date: February 2026 has 28 days/);
    assert.equal(noAsOf.code, 0, noAsOf.stderr);
    assert.equal((JSON.parse(noAsOf.stdout) as Raw)['asOf'], today());
  });
});

test('dashboard months: the latest months of a history of any length (a 315-year history once gave months 50 years after its start)', async () => {
  const { monthEnds } = await import('../src/api/web-routes.js');
  const got = monthEnds('2026-01-01', '2341-04-10', 3);
  assert.deepEqual(got, [{ month: '2341-02', end: '2341-02-28' }, { month: '2341-03', end: '2341-03-31' }, { month: '2341-04', end: '2341-04-30' }]);
  assert.deepEqual(monthEnds('2028-02-10', '2028-03-01', 25), [{ month: '2028-02', end: '2028-02-29' }, { month: '2028-03', end: '2028-03-31' }]);
  assert.deepEqual(monthEnds('2026-12-05', '2027-01-02', 2), [{ month: '2026-12', end: '2026-12-31' }, { month: '2027-01', end: '2027-01-31' }]);
});

test('dashboard margin: each month is the movement of the trial balance between month ends (three demo years, so the first month shown has a month before it)', async () => {
  const { demoEvents, bigCompanyConfig, BIG_COMPANY } = await import('../bench/demo-company.js');
  const { buildServer } = await import('../src/api/server.js');
  const { createKey } = await import('../src/api/keys.js');
  const { monthEnds, DASHBOARD_MONTHS } = await import('../src/api/web-routes.js');
  const { roleAccounts } = await import('../src/reports/common.js');
  const store = await openStore({ sqlitePath: ':memory:' });
  try {
    const co = await putCompany(store, bigCompanyConfig());
    assert.ok(!('code' in co));
    const ledger = (await CompanyLedger.open(store, BIG_COMPANY)) as CompanyLedger;
    const events = [...demoEvents(3 * 3172)];
    for (let i = 0; i < events.length; i += 5000) for (const o of await ledger.postBatch(events.slice(i, i + 5000))) assert.equal(o.status, 'ok');
    const key = (await createKey(store, BIG_COMPANY, 'viewer'))!.key;
    const app = await buildServer({ store });
    const r = await app.inject({ method: 'GET', url: '/v1/dashboard', headers: { authorization: `Bearer ${key}` } });
    await app.close();
    assert.equal(r.statusCode, 200, r.body);
    const dash = JSON.parse(r.body) as { margin: { month: string; revenue: string; cogs: string }[]; from: string; to: string };
    // The old algorithm, kept as the oracle: trial balances as of each month end, differenced.
    const revenue = new Set([...ledger.co.accounts.values()].filter((a) => a.type === 'SALES' || a.type === 'REVENUE').map((a) => a.code));
    const cogs = roleAccounts(ledger.co, 'cogs');
    const figures = async (asOf: string): Promise<[bigint, bigint]> => {
      const tb = await store.trialBalance(BIG_COMPANY, asOf);
      const sum = (set: Set<string>): bigint => tb.filter((b) => set.has(b.account)).reduce((s, b) => s + b.balance, 0n);
      return [-sum(revenue), sum(cogs)];
    };
    const all = monthEnds(dash.from, dash.to, DASHBOARD_MONTHS + 1);
    assert.equal(all.length, DASHBOARD_MONTHS + 1, 'the history is longer than the window');
    let prev = await figures(all[0]!.end);
    const want: { month: string; revenue: string; cogs: string }[] = [];
    for (const { month, end } of all.slice(1)) {
      const now = await figures(end);
      want.push({ month, revenue: formatMoney(now[0] - prev[0], 'USD'), cogs: formatMoney(now[1] - prev[1], 'USD') });
      prev = now;
    }
    assert.deepEqual(dash.margin.map((m) => ({ month: m.month, revenue: m.revenue, cogs: m.cogs })), want);
    assert.ok(want.some((m) => m.revenue !== '0.00') && want.some((m) => m.cogs !== '0.00'), 'the months have revenue and COGS');
  } finally {
    await store.close();
  }
});
