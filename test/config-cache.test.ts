/**
 * The parsed configuration is cached by (company, configuration version): requests with an
 * unchanged configuration read only the version and parse nothing; a PUT by another process
 * (a child process writing the same SQLite file) is seen by the very next request.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openStore } from '../src/store/open.js';
import { putCompany } from '../src/ledger/service.js';
import { ConfigCache } from '../src/ledger/config-cache.js';
import { loadConfig } from '../src/domain/config.js';
import { buildServer } from '../src/api/server.js';
import { createKey } from '../src/api/keys.js';

const SEED = JSON.parse(readFileSync('examples/seed-004/company.json', 'utf8')) as Record<string, unknown>;
const dir = mkdtempSync(join(tmpdir(), 'stockbook-config-cache-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('an unchanged configuration is parsed once; another process\'s change is seen at the next request', async () => {
  const path = join(dir, 'ledger.sqlite');
  const store = await openStore({ sqlitePath: path });
  await putCompany(store, { ...SEED, company: { id: 'A', name: 'Alpha', baseCurrency: 'USD' } });
  const key = (await createKey(store, 'A', 'admin'))!.key;
  let parses = 0;
  const configs = new ConfigCache(store, (raw) => (parses++, loadConfig(raw)));
  const app = await buildServer({ store, configs });
  const name = async (): Promise<unknown> => {
    const r = await app.inject({ method: 'GET', url: '/v1/company', headers: { authorization: `Bearer ${key}` } });
    assert.equal(r.statusCode, 200, r.body);
    return (JSON.parse(r.body) as Record<string, unknown>)['name'];
  };
  try {
    for (let i = 0; i < 5; i++) assert.equal(await name(), 'Alpha');
    assert.equal(parses, 1, 'five requests, one parse');
    await app.inject({ method: 'GET', url: '/v1/reports/trial-balance', headers: { authorization: `Bearer ${key}` } });
    assert.equal(parses, 1);

    // Another process renames the company through the store (keeping its keys).
    const script = `
      import { openStore } from './src/store/open.js';
      const store = await openStore({ sqlitePath: ${JSON.stringify(path)} });
      const rec = await store.getCompany('A');
      await store.putCompany({ id: 'A', name: 'Alpha renamed', config: { ...rec.config, company: { id: 'A', name: 'Alpha renamed', baseCurrency: 'USD' } } });
      await store.close();`;
    await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    assert.equal(await name(), 'Alpha renamed', 'the next request sees it');
    assert.equal(parses, 2);
    assert.equal(await name(), 'Alpha renamed');
    assert.equal(parses, 2, 'and parses it once');
    // A configuration the ledger was built under no longer holds: the ledger is rebuilt under the new one.
    const tb = await app.inject({ method: 'GET', url: '/v1/reports/valuation', headers: { authorization: `Bearer ${key}` } });
    assert.equal(tb.statusCode, 200, tb.body);
  } finally {
    await app.close();
    await store.close();
  }
});

test('the cache forgets a company that is gone and reads a version per lookup', async () => {
  const store = await openStore({ sqlitePath: join(dir, 'two.sqlite') });
  const reads: string[] = [];
  const spy = new Proxy(store, { get: (t, k, r) => (typeof k === 'string' && ['configVersion', 'getCompany'].includes(k) && reads.push(k), Reflect.get(t, k, r)) });
  const cache = new ConfigCache(spy);
  assert.equal(await cache.get('nope'), undefined);
  await putCompany(store, { ...SEED, company: { id: 'B', name: 'Beta', baseCurrency: 'USD' } });
  reads.length = 0;
  const first = await cache.get('B');
  const second = await cache.get('B');
  assert.ok(first?.co.ok && second?.co.ok && first.co.value === second.co.value, 'the same parsed configuration');
  assert.deepEqual(reads, ['configVersion', 'getCompany', 'configVersion'], 'the second lookup reads the version only');
  await store.close();
});
