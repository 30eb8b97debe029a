/**
 * `stockbook verify` (issue 11): the stored costing state is proved equal to a rebuild from the
 * events, and any row that differs — an event's costs, a pool's totals, an entry of its history,
 * a checkpoint — is named, with exit 1.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../src/store/open.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { replayInMemory, verifyCosting, type Verified } from '../src/ledger/verify.js';
import { loadConfig } from '../src/domain/config.js';
import { demoCompanyConfig, DEMO_COMPANY_ID } from '../src/demo/generator.js';
import { demoEvents } from '../bench/demo-company.js';
import { stockbook } from './helpers/cli.js';

async function ledgerFile(events: number): Promise<string> {
  const path = join(mkdtempSync(join(tmpdir(), 'stockbook-verify-')), 'v.sqlite');
  const store = await openStore({ sqlitePath: path });
  assert.ok(!('code' in (await putCompany(store, demoCompanyConfig()))));
  const l = await CompanyLedger.open(store, DEMO_COMPANY_ID, { checkpointEvery: 4 });
  assert.ok(l instanceof CompanyLedger);
  for (const o of await l.postBatch([...demoEvents(events)])) assert.equal(o.status, 'ok');
  await store.close();
  return path;
}

async function verified(path: string): Promise<Verified> {
  const store = await openStore({ sqlitePath: path });
  try {
    const v = await verifyCosting(store, DEMO_COMPANY_ID);
    assert.ok(!('code' in v));
    return v;
  } finally {
    await store.close();
  }
}

test('verify: the state a ledger wrote is identical to a rebuild; each kind of tampered row is named', async () => {
  const path = await ledgerFile(600);
  const clean = await verified(path);
  assert.deepEqual(clean.differences, []);
  assert.ok(clean.events === 600 && clean.pools > 0 && clean.entries > 0 && clean.checkpoints > 0, JSON.stringify(clean));
  const tamper: [string, RegExp][] = [
    ["UPDATE costing_pools SET value = value + 1 WHERE pool = (SELECT MIN(pool) FROM costing_pools)", /^costing_pools .+: stored/],
    ["UPDATE costing_entries SET qty = qty + 1 WHERE idx = 3 AND pool = (SELECT MIN(pool) FROM costing_entries)", /^costing_entries .+#3: stored/],
    ["UPDATE costing_events SET state = replace(state, '\"c\":0', '\"c\":1') WHERE id = (SELECT MIN(id) FROM costing_events)", /^costing_events .+: stored/],
    ["UPDATE journal_counts SET n = n + 1 WHERE kind = 'original' AND event_type = 'shipment'", /^journal_counts original shipment: kept \d+, the journals hold \d+$/],
    ["UPDATE account_balances SET lo = lo + 1 WHERE account = (SELECT MIN(account) FROM account_balances)", /^account_balances \S+: kept -?\d+, the day totals sum to -?\d+$/],
    ["UPDATE costing_meta SET last_date = '2099-12-31'", /^costing_meta: dates \d{4}-\d\d-\d\d\.\.2099-12-31, the events span/],
    ["UPDATE costing_checkpoints SET state = replace(state, '\"qty\":\"', '\"qty\":\"1') WHERE idx = (SELECT MIN(idx) FROM costing_checkpoints)", /^costing_checkpoints .+@\d+: on hand/],
  ];
  for (const [sql, named] of tamper) {
    const copy = await copyOf(path);
    const t = new Database(copy);
    assert.ok(t.prepare(sql).run().changes > 0, sql);
    t.close();
    const v = await verified(copy);
    assert.ok(v.differences.some((d) => named.test(d)), `${sql}: ${JSON.stringify(v.differences)}`);
  }
});

/** A copy of a ledger file, to tamper with. */
async function copyOf(path: string): Promise<string> {
  const copy = join(mkdtempSync(join(tmpdir(), 'stockbook-verify-')), 't.sqlite');
  const db = new Database(path);
  await db.backup(copy);
  db.close();
  return copy;
}

test('verify: a checkpoint whose layers alone differ (its on-hand totals kept) is named, pool and position', async () => {
  const copy = await copyOf(await ledgerFile(300));
  const t = new Database(copy);
  // Not the first checkpoint of its pool, and one that holds a layer received by a line #0.
  const row = t.prepare(`SELECT pool, idx FROM costing_checkpoints WHERE state LIKE '%#0"%' ORDER BY pool, idx LIMIT 1 OFFSET 1`).get() as { pool: string; idx: number };
  assert.ok(row, 'the ledger has checkpoints with layers');
  const changed = t.prepare(`UPDATE costing_checkpoints SET state = replace(state, '#0"', '#7"') WHERE pool = ? AND idx = ?`).run(row.pool, row.idx);
  assert.equal(changed.changes, 1);
  t.close();
  const [product, warehouse] = JSON.parse(row.pool) as [string, string];
  const v = await verified(copy);
  assert.equal(v.differences.length, 1, JSON.stringify(v.differences));
  assert.ok(v.differences[0]!.startsWith(`costing_checkpoints ${product}/${warehouse}@${row.idx}: layers`), v.differences[0]);
});

test('verify: a company stored but never opened (an importer killed before its first write) has no costing state and no events: identical', async () => {
  const store = await openStore({ sqlitePath: ':memory:' });
  try {
    assert.ok(!('code' in (await putCompany(store, demoCompanyConfig()))));
    assert.equal(await store.costing(DEMO_COMPANY_ID).meta(), undefined);
    const v = await verifyCosting(store, DEMO_COMPANY_ID);
    assert.ok(!('code' in v));
    assert.deepEqual(v.differences, []);
  } finally {
    await store.close();
  }
});

test('a costing change over posted history is refused (COSTING_CHANGE), nothing changes, and verify still finds the state identical; other changes go through', async () => {
  const store = await openStore({ sqlitePath: ':memory:' });
  try {
    const config = demoCompanyConfig() as { settings: Record<string, unknown>; products: Record<string, unknown>[] };
    assert.ok(!('code' in (await putCompany(store, config))));
    const l = await CompanyLedger.open(store, DEMO_COMPANY_ID);
    assert.ok(l instanceof CompanyLedger);
    for (const o of await l.postBatch([...demoEvents(200)])) assert.equal(o.status, 'ok');
    const before = await store.getCompany(DEMO_COMPANY_ID);
    const other = config.settings['costingMethod'] === 'lifo' ? 'fifo' : 'lifo';
    const refused = await putCompany(store, { ...config, settings: { ...config.settings, costingMethod: other } });
    assert.ok('code' in refused && refused.code === 'COSTING_CHANGE', JSON.stringify(refused));
    assert.match(refused.message, /settings\.costingMethod/);
    assert.equal(refused.record['field'], 'settings.costingMethod');
    const pools = await store.costing(DEMO_COMPANY_ID).allPools();
    const moved = config.products.find((p) => pools.some((x) => x.product === p['sku']))!;
    const product = await putCompany(store, { ...config, products: config.products.map((p) => (p === moved ? { ...p, costingMethod: other } : p)) });
    assert.ok('code' in product && product.code === 'COSTING_CHANGE' && product.message.includes(`product ${String(moved['sku'])}`), JSON.stringify(product));
    assert.deepEqual((await store.getCompany(DEMO_COMPANY_ID))?.configVersion, before?.configVersion, 'nothing was stored');
    const lock = await putCompany(store, { ...config, settings: { ...config.settings, lockDate: '2026-01-31' } });
    assert.ok(!('code' in lock), 'a lock date is not a costing change');
    const v = await verifyCosting(store, DEMO_COMPANY_ID);
    assert.ok(!('code' in v));
    assert.deepEqual(v.differences, []);
  } finally {
    await store.close();
  }
});

test('Book.poolStatesAt: a pool\'s moves run again from empty give its state at each position, the last one its current state', async () => {
  const store = await openStore({ sqlitePath: ':memory:' });
  try {
    assert.ok(!('code' in (await putCompany(store, demoCompanyConfig()))));
    const record = await store.getCompany(DEMO_COMPANY_ID);
    const l = await CompanyLedger.open(store, DEMO_COMPANY_ID);
    assert.ok(l instanceof CompanyLedger);
    for (const o of await l.postBatch([...demoEvents(400)])) assert.equal(o.status, 'ok');
    const co = loadConfig(record!.config, 'store');
    assert.ok(co.ok);
    const book = await replayInMemory(store, co.value);
    let pools = 0;
    for (const h of book.pools_()) {
      const n = h.entries.length;
      const [empty, past, last] = book.poolStatesAt(h.key, [0, n + 1, n]);
      assert.equal(past, undefined);
      assert.equal(JSON.parse(JSON.stringify(empty)).qty, '0');
      assert.equal(JSON.stringify(last), JSON.stringify(h.state.snapshot()), `${h.key.replace('\u0000', '/')} after its ${n} entries`);
      pools++;
    }
    assert.ok(pools > 3);
  } finally {
    await store.close();
  }
});

test('stockbook verify: exit 0 and "identical" on a sound ledger, exit 1 naming the row otherwise', async () => {
  const path = await ledgerFile(80);
  const ok = await stockbook(['verify', '--db', path]);
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as { identical: boolean }).identical, true);
  const db = new Database(path);
  db.prepare('UPDATE costing_pools SET qty = qty + 1').run();
  db.close();
  const bad = await stockbook(['verify', '--db', path]);
  assert.equal(bad.status, 1);
  assert.match(bad.stdout, /costing_pools [^"]+\/[^"]+: stored/);
});
