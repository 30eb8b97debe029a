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
import { verifyCosting, type Verified } from '../src/ledger/verify.js';
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
    ["UPDATE account_balances SET balance = balance + 1 WHERE account = (SELECT MIN(account) FROM account_balances)", /^account_balances \S+: kept -?\d+, the day totals sum to -?\d+$/],
    ["UPDATE costing_meta SET last_date = '2099-12-31'", /^costing_meta: dates \d{4}-\d\d-\d\d\.\.2099-12-31, the events span/],
    ["UPDATE costing_checkpoints SET state = replace(state, '\"qty\":\"', '\"qty\":\"1') WHERE idx = (SELECT MIN(idx) FROM costing_checkpoints)", /^costing_checkpoints .+@\d+: on hand/],
  ];
  for (const [sql, named] of tamper) {
    const copy = join(mkdtempSync(join(tmpdir(), 'stockbook-verify-')), 't.sqlite');
    const db = new Database(path);
    await db.backup(copy);
    db.close();
    const t = new Database(copy);
    assert.ok(t.prepare(sql).run().changes > 0, sql);
    t.close();
    const v = await verified(copy);
    assert.ok(v.differences.some((d) => named.test(d)), `${sql}: ${JSON.stringify(v.differences)}`);
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
