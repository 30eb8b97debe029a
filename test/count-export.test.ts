/**
 * Inventory adjustments export (issue 5, seed 002): two consecutive counts across three
 * categories and two warehouses, with a transfer and an assembly between them, in periodic and
 * perpetual books. Figures worked by hand (FIFO):
 *
 *   count 1 (2026-01-31): BEV = coffee 89 × 10.00 (one bag short) + tea 50 × 4.00 = 1,090.00;
 *                         HOME = soap 35 × 5.00 = 175.00; KITS = 0.
 *   count 2 (2026-02-28): BEV = coffee 64 × 10.00 central + 17 × 10.00 coast + tea 45 × 4.00 + 30 × 4.50 − one tea at 4.00 = 1,121.00;
 *                         HOME = 175.00; KITS = gift boxes 3 × 14.40 = 43.20 (5 made of coffee 50.00 + tea 20.00 + labour 2.00, 2 sold).
 */
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SqliteStore } from '../src/store/sqlite.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { counts, exportCount, preview, type CountPreview } from '../src/ledger/count-export.js';

export function countCompany(inventorySystem: 'periodic' | 'perpetual', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    company: { id: 'counts', name: 'Counts Co', baseCurrency: 'USD' },
    settings: { costingMethod: 'fifo', cogsTiming: 'invoice', inventorySystem },
    accounts: [
      { code: '1000', name: 'Bank', type: 'BANK' }, { code: '1100', name: 'AR', type: 'CURRENT' },
      { code: '1200', name: 'Inventory - beverages and kits', type: 'INVENTORY' }, { code: '1210', name: 'Inventory - household', type: 'INVENTORY' },
      { code: '2000', name: 'AP', type: 'CURRLIAB' }, { code: '2100', name: 'Tax', type: 'CURRLIAB' },
      { code: '4000', name: 'Sales', type: 'SALES' }, { code: '5000', name: 'COGS - beverages and kits', type: 'DIRECTCOSTS' },
      { code: '5010', name: 'COGS - household', type: 'DIRECTCOSTS' }, { code: '5100', name: 'Inventory discrepancy', type: 'DIRECTCOSTS' },
      { code: '6200', name: 'Labour', type: 'OVERHEADS' }, { code: '1250', name: 'WIP', type: 'CURRENT' },
    ],
    mapping: { bank: '1000', ar: '1100', inventory: '1200', ap: '2000', tax: '2100', sales: '4000', cogs: '5000', inventoryDiscrepancy: '5100', labour: '6200', wip: '1250' },
    warehouses: [{ code: 'CENTRAL' }, { code: 'COAST' }],
    categories: [{ code: 'BEV', name: 'Beverages', mapping: { inventory: '1200', cogs: '5000' } }, { code: 'HOME', name: 'Household', mapping: { inventory: '1210', cogs: '5010' } }, { code: 'KITS', name: 'Gift kits' }],
    products: [{ sku: 'COFFEE', category: 'BEV' }, { sku: 'TEA', category: 'BEV' }, { sku: 'SOAP', category: 'HOME' }, { sku: 'GIFTBOX', category: 'KITS' }],
    ...extra,
  };
}

export const BEFORE_COUNT_1 = [
  { id: 'P1', type: 'purchase_invoice', date: '2026-01-05', supplier: 'S', lines: [
    { product: 'COFFEE', warehouse: 'CENTRAL', qty: 100, amount: '1000.00', tax: '0.00' },
    { product: 'TEA', warehouse: 'CENTRAL', qty: 50, amount: '200.00', tax: '0.00' },
    { product: 'SOAP', warehouse: 'COAST', qty: 40, amount: '200.00', tax: '0.00' }] },
  { id: 'S1', type: 'sale_invoice', date: '2026-01-10', customer: 'C', lines: [
    { product: 'COFFEE', warehouse: 'CENTRAL', qty: 10, amount: '180.00', tax: '0.00' },
    { product: 'SOAP', warehouse: 'COAST', qty: 5, amount: '40.00', tax: '0.00' }] },
  { id: 'ST1', type: 'stocktake', date: '2026-01-31', lines: [
    { product: 'COFFEE', warehouse: 'CENTRAL', counted: 89 }, { product: 'TEA', warehouse: 'CENTRAL', counted: 50 }, { product: 'SOAP', warehouse: 'COAST', counted: 35 }] },
];

export const BEFORE_COUNT_2 = [
  { id: 'T1', type: 'transfer', date: '2026-02-05', from: 'CENTRAL', to: 'COAST', lines: [{ product: 'COFFEE', qty: 20 }] },
  { id: 'A1', type: 'assembly', date: '2026-02-10', product: 'GIFTBOX', warehouse: 'CENTRAL', qty: 5, components: [{ product: 'COFFEE', qty: 5 }, { product: 'TEA', qty: 5 }], services: [{ role: 'labour', amount: '2.00' }] },
  { id: 'P2', type: 'purchase_invoice', date: '2026-02-12', supplier: 'S', lines: [{ product: 'TEA', warehouse: 'CENTRAL', qty: 30, amount: '135.00', tax: '0.00' }] },
  { id: 'S2', type: 'sale_invoice', date: '2026-02-20', customer: 'C', lines: [
    { product: 'COFFEE', warehouse: 'COAST', qty: 3, amount: '54.00', tax: '0.00' }, { product: 'GIFTBOX', warehouse: 'CENTRAL', qty: 2, amount: '60.00', tax: '0.00' }] },
  { id: 'ST2', type: 'stocktake', date: '2026-02-28', lines: [
    { product: 'COFFEE', warehouse: 'CENTRAL', counted: 64 }, { product: 'COFFEE', warehouse: 'COAST', counted: 17 }, { product: 'TEA', warehouse: 'CENTRAL', counted: 74 },
    { product: 'SOAP', warehouse: 'COAST', counted: 35 }, { product: 'GIFTBOX', warehouse: 'CENTRAL', counted: 3 }] },
];

export async function ledgerWith(config: Record<string, unknown>, events: Record<string, unknown>[]): Promise<{ store: SqliteStore; ledger: CompanyLedger }> {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  const co = await putCompany(store, config);
  if ('code' in co) throw new Error(JSON.stringify(co));
  const ledger = await CompanyLedger.open(store, 'counts');
  if (!(ledger instanceof CompanyLedger)) throw new Error(ledger.message);
  for (const o of await ledger.postBatch(events)) if (o.status !== 'ok') throw new Error(`${o.event}: ${o.status}`);
  return { store, ledger };
}

function table(p: CountPreview): Record<string, [string, string, string, string]> {
  const m = (x: bigint): string => `${x < 0n ? '-' : ''}${(x < 0n ? -x : x) / 100n}.${String((x < 0n ? -x : x) % 100n).padStart(2, '0')}`;
  return Object.fromEntries(p.categories.map((c) => [c.category, [c.asset, c.cogs, m(c.prior), m(c.current)]]));
}

/** Balance of each category's asset account from its journals' lines (product lines by category, export lines by memo). */
async function assetBalance(store: SqliteStore, account: string): Promise<bigint> {
  return (await store.trialBalance('counts')).find((b) => b.account === account)?.balance ?? 0n;
}

describe('periodic books: two counts, three categories, a transfer and an assembly between', () => {
  test('count 1: nothing was posted to the asset accounts, so the export posts each category at its count value', async () => {
    const { store, ledger } = await ledgerWith(countCompany('periodic'), BEFORE_COUNT_1);
    try {
      assert.equal(await assetBalance(store, '1200'), 0n, 'periodic: the purchase went to COGS');
      assert.deepEqual(counts(ledger), [{ date: '2026-01-31', exportedBy: undefined }]);
      const p = await preview(ledger);
      assert.ok('count' in p, 'a preview');
      assert.equal(p.count, '2026-01-31');
      assert.deepEqual(table(p), { BEV: ['1200', '5000', '0.00', '1090.00'], HOME: ['1210', '5010', '0.00', '175.00'], KITS: ['1200', '5000', '0.00', '0.00'] });
      assert.deepEqual(p.entries.map((e) => [e.debit, e.credit, e.amount]), [['1200', '5000', 109000n], ['1210', '5010', 17500n]]);
      assert.equal(p.totals.debit, p.totals.credit);
      assert.equal(p.balanced, true);
      const bev = p.categories.find((c) => c.category === 'BEV')!;
      assert.deepEqual(bev.movements, { receipts: 120000n, sales: -10000n, transfers: 0n, production: 0n, adjustments: -1000n, other: 0n });
      const x = await exportCount(ledger);
      assert.ok('event' in x, 'exported');
      assert.equal(x.event, 'CX-2026-01-31');
      assert.equal(await assetBalance(store, '1200'), 109000n);
      assert.equal(await assetBalance(store, '1210'), 17500n);
      const again = await exportCount(ledger, '2026-01-31');
      assert.ok(!('event' in again) && again.code === 'ALREADY_EXPORTED');
      const none = await exportCount(ledger);
      assert.ok(!('event' in none) && none.code === 'NO_COUNT', 'exported counts are not offered again');
    } finally {
      await store.close();
    }
  });

  test('count 2: the prior ending inventory is reversed and the new count posted, per category', async () => {
    const { store, ledger } = await ledgerWith(countCompany('periodic'), BEFORE_COUNT_1);
    try {
      assert.ok('event' in (await exportCount(ledger)));
      for (const o of await ledger.postBatch(BEFORE_COUNT_2)) assert.equal(o.status, 'ok', o.event);
      const p = await preview(ledger);
      assert.ok('count' in p);
      assert.equal(p.count, '2026-02-28');
      assert.equal(p.priorCount, '2026-01-31');
      assert.deepEqual(table(p), { BEV: ['1200', '5000', '1090.00', '1121.00'], HOME: ['1210', '5010', '175.00', '175.00'], KITS: ['1200', '5000', '0.00', '43.20'] });
      assert.deepEqual(p.entries.map((e) => [e.debit, e.credit, e.amount, e.memo]), [
        ['5000', '1200', 109000n, 'BEV: prior ending inventory reversed'], ['1200', '5000', 112100n, 'BEV: ending inventory counted 2026-02-28'],
        ['5010', '1210', 17500n, 'HOME: prior ending inventory reversed'], ['1210', '5010', 17500n, 'HOME: ending inventory counted 2026-02-28'],
        ['1200', '5000', 4320n, 'KITS: ending inventory counted 2026-02-28'],
      ]);
      const bev = p.categories.find((c) => c.category === 'BEV')!;
      assert.deepEqual(bev.movements, { receipts: 13500n, sales: -3000n, transfers: 0n, production: -7000n, adjustments: -400n, other: 0n });
      assert.equal(bev.opening + bev.movements.receipts + bev.movements.sales + bev.movements.transfers + bev.movements.production + bev.movements.adjustments + bev.movements.other, bev.current);
      const kits = p.categories.find((c) => c.category === 'KITS')!;
      assert.deepEqual(kits.movements, { receipts: 0n, sales: -2880n, transfers: 0n, production: 7200n, adjustments: 0n, other: 0n });
      const x = await exportCount(ledger);
      assert.ok('event' in x);
      assert.equal(x.event, 'CX-2026-02-28');
      assert.equal(await assetBalance(store, '1200'), 112100n + 4320n, 'BEV and KITS share the asset account');
      assert.equal(await assetBalance(store, '1210'), 17500n);
      const tb = await store.trialBalance('counts');
      assert.equal(tb.reduce((s, b) => s + b.balance, 0n), 0n);
    } finally {
      await store.close();
    }
  });

  test('a voided export can be exported again; the sync queue gets each export as a procurement record', async () => {
    const { store, ledger } = await ledgerWith(countCompany('periodic'), BEFORE_COUNT_1);
    try {
      assert.ok('event' in (await exportCount(ledger)));
      assert.equal((await ledger.post({ id: 'VX-1', type: 'void', date: '2026-02-01', target: 'CX-2026-01-31' })).status, 'ok');
      assert.equal(await assetBalance(store, '1200'), 0n);
      assert.deepEqual(counts(ledger), [{ date: '2026-01-31', exportedBy: undefined }]);
      const x = await exportCount(ledger);
      assert.ok('event' in x);
      assert.equal(x.event, 'CX-2026-01-31-2');
      assert.equal(await assetBalance(store, '1200'), 109000n);
      const { deriveRecords } = await import('../src/sync/records.js');
      const events = new Map([...ledger.current.views()].map((v) => [v.event.id, v.event]));
      const recs = deriveRecords(await store.journals('counts'), events).filter((r) => r.event.type === 'count_export');
      assert.deepEqual(recs.map((r) => [r.id, r.type, r.kind]), [['CX-2026-01-31', 'procurement', 'document'], ['VX-1', 'procurement', 'void'], ['CX-2026-01-31-2', 'procurement', 'document']]);
    } finally {
      await store.close();
    }
  });

  test('a category with no GL accounts stops the export with MAPPING_MISSING naming every such category', async () => {
    const config = countCompany('periodic');
    const mapping = { ...(config['mapping'] as Record<string, string>) };
    delete mapping['inventory'];
    delete mapping['cogs'];
    const products = [{ sku: 'COFFEE', category: 'BEV' }, { sku: 'TEA', category: 'BEV' }, { sku: 'SOAP', category: 'HOME' }, { sku: 'GIFTBOX', category: 'KITS', mapping: { inventory: '1200', cogs: '5000' } }];
    const { store, ledger } = await ledgerWith({ ...config, mapping, products }, BEFORE_COUNT_1);
    try {
      const p = await preview(ledger);
      assert.ok(!('count' in p));
      assert.equal(p.code, 'MAPPING_MISSING');
      assert.match(p.message, /KITS \(inventory and cogs\)/);
    } finally {
      await store.close();
    }
  });
});

describe('perpetual books', () => {
  test('the GL already holds each category at its count value: the export reverses and reposts the same amounts (a zero true-up)', async () => {
    const { store, ledger } = await ledgerWith(countCompany('perpetual'), [...BEFORE_COUNT_1, ...BEFORE_COUNT_2]);
    try {
      const p1 = await preview(ledger, '2026-01-31');
      assert.ok('count' in p1);
      assert.deepEqual(table(p1), { BEV: ['1200', '5000', '1090.00', '1090.00'], HOME: ['1210', '5010', '175.00', '175.00'], KITS: ['1200', '5000', '0.00', '0.00'] });
      const p2 = await preview(ledger);
      assert.ok('count' in p2);
      assert.deepEqual(table(p2), { BEV: ['1200', '5000', '1121.00', '1121.00'], HOME: ['1210', '5010', '175.00', '175.00'], KITS: ['1200', '5000', '43.20', '43.20'] });
      const before = await assetBalance(store, '1200');
      assert.ok('event' in (await exportCount(ledger)));
      assert.equal(await assetBalance(store, '1200'), before);
    } finally {
      await store.close();
    }
  });
});
