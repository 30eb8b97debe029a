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
import type { SqliteStore } from '../src/store/sqlite.js';
import type { BookEvent } from '../src/domain/events.js';
import { counts, exportCount, preview, type CountPreview } from '../src/ledger/count-export.js';
import { BEFORE_COUNT_1, BEFORE_COUNT_2, countCompany, ledgerWith } from './count-support/fixture.js';
import { counts as countsOracle, preview as previewOracle } from './report-support/count-export-oracle.js';

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
      assert.deepEqual(await counts(ledger), [{ date: '2026-01-31', exportedBy: undefined, superseded: false }]);
      const p = await preview(ledger);
      assert.ok('count' in p, 'a preview');
      assert.equal(p.count, '2026-01-31');
      assert.deepEqual(table(p), { BEV: ['1200', '5000', '0.00', '1090.00'], HOME: ['1210', '5010', '0.00', '175.00'] }, 'no gift box has moved yet: no KITS line');
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
      assert.deepEqual(await counts(ledger), [{ date: '2026-01-31', exportedBy: undefined, superseded: false }]);
      const x = await exportCount(ledger);
      assert.ok('event' in x);
      assert.equal(x.event, 'CX-2026-01-31-2');
      assert.equal(await assetBalance(store, '1200'), 109000n);
      const { deriveRecords } = await import('../src/sync/records.js');
      const events = new Map<string, BookEvent>();
      for await (const v of ledger.current.views()) events.set(v.event.id, v.event);
      const recs = deriveRecords(await store.journals('counts'), (id) => events.get(id)).filter((r) => r.event.type === 'count_export');
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
    // Products of BEV and HOME find their accounts on the category; KITS has none anywhere.
    const { store, ledger } = await ledgerWith({ ...config, mapping }, BEFORE_COUNT_1);
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
      assert.deepEqual(table(p1), { BEV: ['1200', '5000', '1090.00', '1090.00'], HOME: ['1210', '5010', '175.00', '175.00'], KITS: ['1200', '5000', '0.00', '0.00'] }, 'the gift boxes made later show as a zero line');
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

describe('counts are exported in date order', () => {
  test('an earlier count cannot be exported after a later one (COUNT_SUPERSEDED), nor the earlier export voided while the later stands', async () => {
    const { store, ledger } = await ledgerWith(countCompany('periodic'), [...BEFORE_COUNT_1, ...BEFORE_COUNT_2]);
    try {
      const x2 = await exportCount(ledger);
      assert.ok('event' in x2);
      assert.equal(x2.event, 'CX-2026-02-28');
      assert.deepEqual(await counts(ledger), [{ date: '2026-01-31', exportedBy: undefined, superseded: true }, { date: '2026-02-28', exportedBy: 'CX-2026-02-28', superseded: false }]);
      const none = await exportCount(ledger);
      assert.ok(!('event' in none) && none.code === 'NO_COUNT', 'a superseded count is not offered');
      const x1 = await exportCount(ledger, '2026-01-31');
      assert.ok(!('event' in x1));
      assert.equal(x1.code, 'COUNT_SUPERSEDED');
      assert.match(x1.fix, /void CX-2026-02-28 first/);
      // Void the later export: the earlier count exports, then the later one again, in order.
      assert.equal((await ledger.post({ id: 'V2', type: 'void', date: '2026-03-01', target: 'CX-2026-02-28' })).status, 'ok');
      const a = await exportCount(ledger, '2026-01-31');
      assert.ok('event' in a);
      const b = await exportCount(ledger);
      assert.ok('event' in b);
      assert.equal(b.event, 'CX-2026-02-28-2');
      const voidEarlier = await ledger.post({ id: 'V1', type: 'void', date: '2026-03-02', target: a.event });
      assert.equal(voidEarlier.status, 'error');
      assert.equal(voidEarlier.status === 'error' ? voidEarlier.error.code : '', 'VOID_HAS_DEPENDENTS');
      assert.equal(await assetBalance(store, '1200'), 112100n + 4320n);
    } finally {
      await store.close();
    }
  });
});

describe('read by index (issue 11)', () => {
  test('the count list and every preview equal the whole-history algorithm through exports, voided exports and a voided stocktake', async () => {
    for (const system of ['periodic', 'perpetual'] as const) {
      const { store, ledger } = await ledgerWith(countCompany(system), [...BEFORE_COUNT_1, ...BEFORE_COUNT_2]);
      const same = async (step: string): Promise<void> => {
        const all = await counts(ledger);
        assert.deepEqual(all, await countsOracle(ledger), `${system}, ${step}: the count list`);
        for (const date of [undefined, '2026-01-31', '2026-02-28', '2026-03-31']) assert.deepEqual(await preview(ledger, date), await previewOracle(ledger, date), `${system}, ${step}: the preview of ${date ?? 'the default'}`);
      };
      try {
        await same('before any export');
        assert.ok('event' in (await exportCount(ledger, '2026-01-31')));
        await same('count 1 exported');
        assert.equal((await ledger.post({ id: 'VX-1', type: 'void', date: '2026-02-01', target: 'CX-2026-01-31' })).status, 'ok');
        await same('its export voided');
        assert.ok('event' in (await exportCount(ledger, '2026-01-31')));
        assert.ok('event' in (await exportCount(ledger, '2026-02-28')));
        await same('both exported');
        assert.equal((await ledger.post({ id: 'VX-2', type: 'void', date: '2026-03-01', target: 'CX-2026-02-28' })).status, 'ok');
        assert.equal((await ledger.post({ id: 'VS-2', type: 'void', date: '2026-03-01', target: 'ST2' })).status, 'ok');
        await same('the later export and its stocktake voided');
      } finally {
        await store.close();
      }
    }
  });
});
