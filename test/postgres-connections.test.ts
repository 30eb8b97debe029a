/**
 * Every pooled PostgreSQL connection is in the store's schema before its first statement. The
 * schema used to be set by a `SET search_path` queued on the pool's 'connect' event, which ran
 * beside the first query on the same client: pg 8 warns about that ("Calling client.query() when
 * the client is already executing a query is deprecated") and pg 9 refuses it. It is now a
 * startup parameter of the connection.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { putCompany } from '../src/ledger/service.js';
import { PG_URL, pgUnavailable, postgres } from './store-support/harness.js';

const SEED = JSON.parse(readFileSync('examples/seed-004/company.json', 'utf8')) as Record<string, unknown>;
const pgDown = await pgUnavailable();

test(`fresh connections see the store's schema at once, with no pg deprecation warning (${PG_URL})`, { skip: pgDown !== undefined && !process.env['CI'] ? pgDown : false }, async () => {
  assert.equal(pgDown, undefined, pgDown);
  const warnings: string[] = [];
  const onWarning = (w: Error): void => void warnings.push(`${w.name}: ${w.message}`);
  process.on('warning', onWarning);
  const h = postgres();
  try {
    const { store, another } = await h.fresh();
    await store.migrate();
    assert.ok(!(await putCompany(store, SEED) as { code?: string }).code);
    // A second store opens ten new connections at once, each answering from the schema.
    const other = another!();
    const seen = await Promise.all(Array.from({ length: 10 }, () => other.getCompany('seed-004')));
    assert.deepEqual(seen.map((c) => c?.id), Array.from({ length: 10 }, () => 'seed-004'));
    await new Promise((r) => setImmediate(r)); // warnings are emitted on the next tick
    assert.deepEqual(warnings.filter((w) => w.startsWith('DeprecationWarning')), []);
  } finally {
    process.off('warning', onWarning);
    await h.teardown();
  }
});
