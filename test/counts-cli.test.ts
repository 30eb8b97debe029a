/**
 * `stockbook counts` (inventory adjustments export, seed 002) over a temporary SQLite ledger.
 * Two commands run as the real CLI in a child process (main.ts registers the commands, exit
 * codes and stderr are real); the rest run the same commands in this process with their output
 * captured, which is many times faster than starting the CLI each time.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { inProcess, stockbook, type Out } from './helpers/cli.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { registerCounts } from '../src/cli/counts.js';
import { PREVIEW_CSV_HEAD } from '../src/cli/counts-format.js';
import { COUNT_EVENTS, countsCompany, unmappedCompany, voidOf, type PreviewJson } from './helpers/counts.js';

interface Listed { counts: { date: string; exportedBy: string | null; superseded: boolean }[]; next: string | null }
interface Exported { event: string; preview: PreviewJson; journals: { id: string; eventType: string; date: string; lines: { account: string; amount: string }[] }[] }

let dir: string;
let db: string;


/** `stockbook counts <args> --db <db> --company <company>` in this process: output captured, exit code taken back. */
function counts(company: string, ...args: string[]): Promise<Out> {
  return inProcess(registerCounts, ['counts', ...args, '--db', db, '--company', company]);
}
const cx = (...args: string[]): Promise<Out> => counts('cx', ...args);

const parse = <T>(o: Out): T => {
  assert.equal(o.status, 0, o.stderr);
  return JSON.parse(o.stdout) as T;
};
const errorOf = (o: Out): { code: string; message: string; fix: string; record: Record<string, unknown> } => (JSON.parse(o.stderr.trim().split('\n').pop()!) as { error: never }).error;

function assertFails(o: Out, code: string): void {
  assert.equal(o.status, 1, `exit 1: ${o.stdout}${o.stderr}`);
  assert.equal(errorOf(o).code, code);
  assert.equal(o.stdout, '', 'nothing on stdout');
}

/** Posts events to a company's ledger as another process would. */
async function post(company: string, events: Record<string, unknown>[]): Promise<void> {
  const store = await openStore({ sqlitePath: db });
  try {
    const ledger = await CompanyLedger.open(store, company);
    assert.ok(ledger instanceof CompanyLedger);
    const posted = await ledger.postBatch(events);
    assert.deepEqual(posted.map((o) => (o.status === 'error' || o.status === 'conflict' ? o.error.message : o.status)), events.map(() => 'ok'));
  } finally {
    await store.close();
  }
}

describe('stockbook counts', () => {
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'stockbook-counts-cli-'));
    db = join(dir, 'ledger.sqlite');
    const store = await openStore({ sqlitePath: db });
    try {
      for (const config of [countsCompany(), unmappedCompany()]) assert.ok(!('code' in (await putCompany(store, config))), 'company loads');
    } finally {
      await store.close();
    }
    await post('cx', COUNT_EVENTS);
    await post('nomap', COUNT_EVENTS);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the real CLI: counts list -f json, and a failure as JSON on stderr with exit 1', async () => {
    const [list, missing] = await Promise.all([
      stockbook(['counts', 'list', '-f', 'json', '--db', db, '--company', 'cx']),
      stockbook(['counts', 'preview', '--count', '2026-01-15', '--db', db, '--company', 'cx']),
    ]);
    assert.deepEqual(parse<Listed>(list), { counts: [{ date: '2026-01-31', exportedBy: null, superseded: false }, { date: '2026-02-28', exportedBy: null, superseded: false }], next: '2026-02-28' });
    assertFails(missing, 'NO_COUNT');
    assert.match(errorOf(missing).fix, /2026-01-31, 2026-02-28/);
  });

  test('list: both counts, not exported, the latest marked as the default', async () => {
    const table = await cx('list');
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /2026-01-31\s*│\s*not exported\s*│\s*│/);
    assert.match(table.stdout, /2026-02-28\s*│\s*not exported\s*│\s*default/);
    assert.match(table.stdout, /Default count to export: 2026-02-28\./);
  });

  test('preview --count 2026-01-31: per category the count value, the entries, balanced (json, table, csv)', async () => {
    const p = parse<PreviewJson>(await cx('preview', '--count', '2026-01-31', '-f', 'json'));
    assert.deepEqual([p.count, p.priorCount, p.exportedBy, p.balanced], ['2026-01-31', null, null, true]);
    assert.deepEqual(p.categories.map((c) => [c.category, c.asset, c.cogs, c.prior, c.current]), [['BEV', '1200', '5000', '0.00', '136.00'], ['HOME', '1210', '5010', '0.00', '75.00']]);
    assert.deepEqual(p.categories[0]!.movements, { receipts: '200.00', sales: '-60.00', transfers: '0.00', production: '0.00', adjustments: '-4.00', other: '0.00' });
    assert.deepEqual(p.entries.map((e) => [e.debit, e.credit, e.amount]), [['1200', '5000', '136.00'], ['1210', '5010', '75.00']]);
    assert.deepEqual(p.totals, { debit: '211.00', credit: '211.00' });

    const table = await cx('preview', '--count', '2026-01-31');
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^Journal adjustment report of Counts & Co: the count on 2026-01-31 \(prior count none; USD, periodic inventory\)/);
    assert.match(table.stdout, /BEV\s*│\s*Beverages\s*│\s*1200\s*│\s*5000\s*│\s*0\.00\s*│\s*200\.00\s*│\s*-60\.00\s*│\s*0\.00\s*│\s*0\.00\s*│\s*-4\.00\s*│\s*0\.00\s*│\s*0\.00\s*│\s*136\.00/);
    assert.match(table.stdout, /1200 Inventory — beverages\s*│\s*5000 COGS — beverages\s*│\s*136\.00\s*│\s*BEV: ending inventory counted 2026-01-31/);
    assert.match(table.stdout, /Total debit 211\.00 · total credit 211\.00 · balanced\nNot exported\./);

    const rows = (await cx('preview', '--count', '2026-01-31', '-f', 'csv')).stdout.trim().split('\n');
    assert.equal(rows[0], PREVIEW_CSV_HEAD.join(','));
    assert.deepEqual(rows.map((r) => r.split(',')[0]), ['row', 'category', 'category', 'entry', 'entry', 'total']);
    assert.equal(rows[1], 'category,BEV,Beverages,1200,5000,0.00,200.00,-60.00,0.00,0.00,-4.00,0.00,0.00,136.00,,,,,,');
    assert.equal(rows[3], 'entry,,,,,,,,,,,,,,1200,5000,136.00,136.00,BEV: ending inventory counted 2026-01-31,');
    assert.equal(rows[5], 'total,,,,,,,,,,,,,,,,211.00,211.00,,balanced');
    assert.ok(rows.every((r) => r.split(',').length === PREVIEW_CSV_HEAD.length));
  });

  test('preview without --count is the default count, 2026-02-28', async () => {
    const p = parse<PreviewJson>(await cx('preview', '-f', 'json'));
    assert.deepEqual([p.count, p.priorCount], ['2026-02-28', '2026-01-31']);
    assert.deepEqual(p.categories.map((c) => [c.category, c.opening, c.current]), [['BEV', '136.00', '134.00'], ['HOME', '75.00', '70.00']]);
  });

  test('NO_COUNT for a date without a stocktake; a malformed or impossible date is INVALID_DATE naming --count (exit 2)', async () => {
    assertFails(await cx('export', '--count', '2026-01-15'), 'NO_COUNT');
    for (const d of ['31/01/2026', '2026-02-30']) {
      const bad = await cx('preview', '--count', d);
      assert.equal(bad.status, 2);
      const e = (JSON.parse(bad.stderr) as { error: { code: string; record: Record<string, unknown> } }).error;
      assert.deepEqual([e.code, e.record['field'], e.record['value']], ['INVALID_DATE', '--count', d]);
    }
    assertFails(await counts('nobody', 'list'), 'UNKNOWN_COMPANY');
  });

  test('export --count 2026-01-31 posts CX-2026-01-31; the journal is stored and the count marked exported', async () => {
    const r = parse<Exported>(await cx('export', '--count', '2026-01-31', '-f', 'json'));
    assert.equal(r.event, 'CX-2026-01-31');
    assert.equal(r.preview.exportedBy, 'CX-2026-01-31');
    assert.deepEqual(r.journals.map((j) => [j.id, j.eventType, j.date]), [['CX-2026-01-31', 'count_export', '2026-01-31']]);
    const store = await openStore({ sqlitePath: db });
    try {
      const stored = await store.journals('cx', { event: 'CX-2026-01-31' });
      assert.deepEqual(stored.flatMap((j) => j.lines.map((l) => [l.account, l.amount])), [['1200', 13600n], ['5000', -13600n], ['1210', 7500n], ['5010', -7500n]]);
    } finally {
      await store.close();
    }
    const listed = parse<Listed>(await cx('list', '-f', 'json'));
    assert.deepEqual(listed.counts, [{ date: '2026-01-31', exportedBy: 'CX-2026-01-31', superseded: false }, { date: '2026-02-28', exportedBy: null, superseded: false }]);
    assert.match((await cx('list')).stdout, /2026-01-31\s*│\s*CX-2026-01-31/);
  });

  test('exporting it again fails ALREADY_EXPORTED (exit 1); after a void it exports again as CX-2026-01-31-2', async () => {
    const again = await cx('export', '--count', '2026-01-31');
    assertFails(again, 'ALREADY_EXPORTED');
    assert.match(errorOf(again).fix, /void CX-2026-01-31/);
    await post('cx', [voidOf('VOID-CX-1', 'CX-2026-01-31', '2026-01-31')]);
    assert.equal(parse<Listed>(await cx('list', '-f', 'json')).counts[0]!.exportedBy, null);
    const table = await cx('export', '--count', '2026-01-31');
    assert.equal(table.status, 0, table.stderr);
    assert.match(table.stdout, /^Exported the count on 2026-01-31 as event CX-2026-01-31-2 \(journal dated 2026-01-31\)\./);
    assert.match(table.stdout, /1210 Inventory — home goods\s*│\s*5010 COGS — home goods\s*│\s*75\.00/);
    assert.equal(parse<Listed>(await cx('list', '-f', 'json')).counts[0]!.exportedBy, 'CX-2026-01-31-2');
  });

  test('export with no --count takes the default, reversing the prior ending inventory; then no count is left', async () => {
    const r = parse<Exported>(await cx('export', '-f', 'json'));
    assert.equal(r.event, 'CX-2026-02-28');
    assert.deepEqual(r.preview.entries.map((e) => [e.debit, e.credit, e.amount]), [['5000', '1200', '136.00'], ['1200', '5000', '134.00'], ['5010', '1210', '75.00'], ['1210', '5010', '70.00']]);
    assert.deepEqual(parse<Listed>(await cx('list', '-f', 'json')).next, null);
    assert.match((await cx('list')).stdout, /Every count is exported/);
    assertFails(await cx('export'), 'NO_COUNT');
  });

  test('MAPPING_MISSING names the category without GL accounts', async () => {
    for (const r of [await counts('nomap', 'preview', '--count', '2026-01-31'), await counts('nomap', 'export')]) {
      assertFails(r, 'MAPPING_MISSING');
      assert.match(errorOf(r).message, /MISC \(inventory\)/);
    }
    assert.equal(parse<Listed>(await counts('nomap', 'list', '-f', 'json')).counts.length, 2, 'the counts are listed all the same');
  });
});
