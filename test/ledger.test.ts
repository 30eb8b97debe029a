/** The durable ledger service over a real store (SQLite file, and PostgreSQL when it answers). */
import { test, describe, after } from 'node:test';
import pg from 'pg';
import Database from 'better-sqlite3';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open.js';
import type { LedgerStore, WriteTx } from '../src/store/store.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { isFailure } from '../src/cli/input.js';
import { replayInMemory } from '../src/ledger/verify.js';
import { PG_URL, pgUnavailable } from './store-support/harness.js';

const CONFIG = JSON.parse(readFileSync('examples/seed-004/company.json', 'utf8')) as unknown;
const buy = (id: string, date: string, qty: number, amount: string): Record<string, unknown> => ({ id, type: 'purchase_invoice', date, supplier: 'ACME', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty, amount }] });
const ship = (id: string, date: string, qty: number): Record<string, unknown> => ({ id, type: 'shipment', date, lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty }] });

const schemas: string[] = [];

async function pgAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const pgDown = await pgUnavailable();

// Root-level hooks run in the order they were registered: with no server at 5432 the embedded
// PostgreSQL (test/support/postgres.ts) registered its stop first and is gone by now, its whole
// cluster with it, so a refused connection here leaves nothing behind.
after(async () => {
  if (schemas.length > 0) await pgAdmin((c) => c.query(schemas.map((x) => `DROP SCHEMA IF EXISTS ${x} CASCADE`).join('; '))).catch((e: NodeJS.ErrnoException) => assert.equal(e.code, 'ECONNREFUSED', String(e)));
});

const BACKENDS: [string, () => Promise<LedgerStore>, string | undefined][] = [
  ['SQLite file', async () => openStore({ sqlitePath: join(mkdtempSync(join(tmpdir(), 'stockbook-ledger-')), 'ledger.sqlite') }), undefined],
  ['PostgreSQL', async () => {
    const schema = `stockbook_ledger_${process.pid}_${schemas.length}_${Math.floor(Math.random() * 1e6)}`;
    schemas.push(schema);
    await pgAdmin((c) => c.query(`CREATE SCHEMA ${schema}`));
    return openStore({ databaseUrl: PG_URL, pgSchema: schema });
  }, pgDown],
];

async function open(store: LedgerStore): Promise<CompanyLedger> {
  const l = await CompanyLedger.open(store, 'seed-004');
  assert.ok(!isFailure(l), 'company opens');
  return l;
}

async function ledgerWith(store: LedgerStore): Promise<CompanyLedger> {
  const co = await putCompany(store, CONFIG);
  assert.ok(!isFailure(co));
  return open(store);
}

/** The GL of the book rebuilt in memory from the ledger's stored events. */
async function glOf(l: CompanyLedger): Promise<Record<string, string>> {
  return Object.fromEntries([...(await replayInMemory(l.store, l.co)).balances()].filter(([, v]) => v !== 0n).map(([k, v]) => [k, v.toString()]));
}

async function storedTb(store: LedgerStore, asOf?: string): Promise<Record<string, string>> {
  return Object.fromEntries((await store.trialBalance('seed-004', asOf)).filter((b) => b.balance !== 0n).map((b) => [b.account, b.balance.toString()]));
}

for (const [name, makeStore, skip] of BACKENDS) {
  describe(name, { skip }, () => {
  test('events and journals survive a restart; the rebuilt book equals the stored GL', async () => {
    const store = await makeStore();
    const a = await ledgerWith(store);
    // B0 comes in a later batch: a batch is costed in date order, so only across batches is it late.
    const out = [...(await a.postBatch([buy('B1', '2026-03-01', 10, '100.00'), ship('S1', '2026-03-05', 4)])), ...(await a.postBatch([buy('B0', '2026-02-01', 2, '10.00')]))];
    assert.deepEqual(out.map((o) => o.status), ['ok', 'ok', 'ok']);
    assert.deepEqual(out[2]!.status === 'ok' && out[2]!.journals.map((j) => j.id), ['B0', 'S1/c1'], 'the backdated bill stores its correction too');
    const b = await open(store);
    assert.deepEqual(await glOf(b), await glOf(a));
    assert.deepEqual(await storedTb(store), await glOf(a));
    assert.deepEqual(await storedTb(store, '2026-02-28'), { '1300': '1000', '2100': '-1000' });
    await store.close();
  });

  test('a resubmission returns the original journals, across a restart; different content is a conflict', async () => {
    const store = await makeStore();
    const a = await ledgerWith(store);
    const first = await a.post(buy('B1', '2026-03-01', 10, '100.00'));
    const b = await open(store);
    const again = await b.post(buy('B1', '2026-03-01', 10, '100.00'));
    assert.equal(again.status, 'exists');
    assert.ok(first.status === 'ok' && again.status === 'exists');
    assert.deepEqual(again.journals.map((j) => [j.id, j.lines.map((l) => [l.account, l.amount])]), first.journals.map((j) => [j.id, j.lines.map((l) => [l.account, l.amount])]));
    const conflict = await b.post(buy('B1', '2026-03-01', 10, '100.01'));
    assert.equal(conflict.status, 'conflict');
    const dupInBatch = await b.postBatch([ship('S1', '2026-03-02', 1), ship('S1', '2026-03-02', 1)]);
    assert.deepEqual(dupInBatch.map((o) => o.status), ['ok', 'exists']);
    assert.equal(await store.countEvents('seed-004'), 2n);
    await store.close();
  });

  test('a refused event is not stored and does not stop the rest of its batch', async () => {
    const store = await makeStore();
    const a = await ledgerWith(store);
    const out = await a.postBatch([buy('B1', '2026-03-01', 1, '1.00'), ship('S1', '2026-03-02', 5), { id: 'X', type: 'nope', date: '2026-03-02' }, ship('S2', '2026-03-02', 1)]);
    assert.deepEqual(out.map((o) => (o.status === 'error' ? o.error.code : o.status)), ['ok', 'INSUFFICIENT_STOCK', 'UNKNOWN_EVENT_TYPE', 'ok']);
    assert.equal(await store.countEvents('seed-004'), 2n);
    await store.close();
  });

  test('two writers on one store (as two processes would be) catch up under the lock', async () => {
    const store = await makeStore();
    const a = await ledgerWith(store);
    const b = await open(store);
    await a.post(buy('B1', '2026-03-01', 10, '100.00'));
    const s = await b.post(ship('S1', '2026-03-02', 10)); // b has not seen B1 until it takes the lock
    assert.equal(s.status, 'ok');
    const dup = await a.post(ship('S1', '2026-03-02', 10));
    assert.equal(dup.status, 'exists');
    await Promise.all([a.post(buy('B2', '2026-03-03', 1, '5.00')), b.post(buy('B3', '2026-03-03', 1, '6.00'))]);
    const c = await open(store);
    assert.deepEqual(await glOf(c), await storedTb(store));
    assert.equal(await store.countEvents('seed-004'), 4n);
    await store.close();
  });

  test('a journal the period lock moved keeps the date it belongs to (shiftedFrom) in the store', async () => {
    const store = await makeStore();
    const config = JSON.parse(JSON.stringify(CONFIG)) as { settings: Record<string, unknown> };
    config.settings['lockDate'] = '2026-02-28';
    config.settings['lockMode'] = 'shift';
    assert.ok(!isFailure(await putCompany(store, config)));
    const l = await open(store);
    await l.post(buy('B1', '2026-02-10', 1, '5.00'));
    const [j] = await store.journals('seed-004', { event: 'B1' });
    assert.deepEqual([j!.date, j!.shiftedFrom], ['2026-03-01', '2026-02-10']);
    await store.close();
  });

  test('API keys live in their own table: re-importing the configuration keeps them; revoking and last use are recorded', async () => {
    const store = await makeStore();
    await ledgerWith(store);
    await store.addApiKey({ company: 'seed-004', id: 'k1', name: 'scanner', role: 'viewer', hash: 'ab'.repeat(32), createdAt: '2026-01-01T00:00:00.000Z' });
    assert.ok(!isFailure(await putCompany(store, CONFIG)));
    const [k] = await store.apiKeys('seed-004');
    assert.deepEqual(k, { company: 'seed-004', id: 'k1', name: 'scanner', role: 'viewer', hash: 'ab'.repeat(32), createdAt: '2026-01-01T00:00:00.000Z', lastUsedAt: undefined, revokedAt: undefined });
    assert.deepEqual(await store.apiKeyByHash('seed-004', 'ab'.repeat(32)), k);
    assert.equal(await store.apiKeyByHash('other', 'ab'.repeat(32)), undefined, 'a hash opens its own company only');
    await store.markApiKeyUsed('seed-004', 'k1', '2026-01-02T10:00:00.000Z', '2026-01-02T09:59:00.000Z');
    await store.markApiKeyUsed('seed-004', 'k1', '2026-01-02T10:00:30.000Z', '2026-01-02T09:59:30.000Z');
    assert.equal((await store.apiKeys('seed-004'))[0]!.lastUsedAt, '2026-01-02T10:00:00.000Z', 'a use within the minute is not written again');
    assert.equal((await store.revokeApiKey('seed-004', 'k1', '2026-01-03T00:00:00.000Z'))!.revokedAt, '2026-01-03T00:00:00.000Z');
    assert.equal((await store.revokeApiKey('seed-004', 'k1', '2026-01-04T00:00:00.000Z'))!.revokedAt, '2026-01-03T00:00:00.000Z', 'revoked once');
    assert.equal(await store.revokeApiKey('seed-004', 'nope', '2026-01-04T00:00:00.000Z'), undefined);
    await store.close();
  });

  test('the refusal log: noted in a write, first note kept, read back by event id', async () => {
    const store = await makeStore();
    await ledgerWith(store);
    const r1 = { event: 'V1', hash: 'h1', code: 'INSUFFICIENT_STOCK', at: '2026-01-01T00:00:00.000Z' };
    await store.write('seed-004', (tx) => tx.appendRefusals([r1, { ...r1, at: 'later' }, { ...r1, hash: 'h2' }]));
    await store.write('seed-004', (tx) => tx.appendRefusals([{ ...r1, code: 'OTHER', at: 'later' }]));
    const got = (await store.refusalsOf('seed-004', ['V1', 'V2', 'V1'])).sort((a, b) => a.hash.localeCompare(b.hash));
    assert.deepEqual(got, [r1, { ...r1, hash: 'h2' }]);
    assert.deepEqual(await store.refusalsOf('other', ['V1']), []);
    assert.equal((await store.refusalsOf('seed-004', Array.from({ length: 1200 }, (_, i) => (i === 1100 ? 'V1' : `X${i}`)))).length, 2, 'ids beyond one statement are read in slices');
    await store.close();
  });

  test('a store failure mid-batch rolls everything back and the book is rebuilt from the store', async () => {
    const store = await makeStore();
    const a = await ledgerWith(store);
    await a.post(buy('B1', '2026-03-01', 10, '100.00'));
    const real = store.write.bind(store);
    let failOn: string | undefined = 'S2';
    store.write = <T>(company: string, fn: (tx: WriteTx) => Promise<T>): Promise<T> =>
      real(company, (tx) => fn(Object.assign(Object.create(tx) as WriteTx, { appendEvent: async (e: Parameters<WriteTx['appendEvent']>[0]) => {
        if (e.id === failOn) throw new Error('disk full');
        return tx.appendEvent(e);
      } })));
    await assert.rejects(a.postBatch([ship('S1', '2026-03-02', 1), ship('S2', '2026-03-03', 1)]), /disk full/);
    assert.equal(await store.countEvents('seed-004'), 1n, 'S1 was rolled back with S2');
    failOn = undefined;
    const retry = await a.postBatch([ship('S1', '2026-03-02', 1), ship('S2', '2026-03-03', 1)]);
    assert.deepEqual(retry.map((o) => o.status), ['ok', 'ok'], 'the book forgot the rolled-back events');
    assert.deepEqual(await glOf(a), await storedTb(store));
    await store.close();
  });
  });
}

test('migration 6 moves API keys kept in a company configuration (before issue 10) into api_keys', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'stockbook-ledger-')), 'legacy.sqlite');
  const store = await openStore({ sqlitePath: path });
  await putCompany(store, CONFIG);
  await store.close();
  // Back to the schema of migration 4, with a key in the configuration as it was stored then.
  const db = new Database(path);
  const legacy = { id: 'k_legacy', role: 'poster', hash: 'cd'.repeat(32), createdAt: '2026-01-01T00:00:00.000Z' };
  db.exec("DROP TABLE api_keys; DROP TABLE event_refusals; DELETE FROM schema_migrations WHERE version = 6");
  db.prepare("UPDATE companies SET config = json_set(config, '$.apiKeys', json(?)) WHERE id = 'seed-004'").run(JSON.stringify([legacy, { id: 'broken' }]));
  db.close();
  const again = await openStore({ sqlitePath: path });
  assert.deepEqual(await again.apiKeys('seed-004'), [{ company: 'seed-004', id: 'k_legacy', name: 'k_legacy', role: 'poster', hash: legacy.hash, createdAt: legacy.createdAt, lastUsedAt: undefined, revokedAt: undefined }]);
  assert.ok(!('apiKeys' in ((await again.getCompany('seed-004'))!.config as Record<string, unknown>)), 'the configuration no longer holds keys');
  await again.close();
});
