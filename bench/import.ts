/**
 * Durable import: events/s through the ledger service (parse, cost, post, store) into SQLite
 * and into PostgreSQL, in batches of 1,000 (one transaction each). bench/import.ts [COUNT]
 * (PostgreSQL runs at most 20,000 of them.)
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openStore } from '../src/store/open.js';
import type { LedgerStore } from '../src/store/store.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { benchRawCompany, rawEvents } from './raw-stream.js';

const COUNT = Number(process.argv[2] ?? 100_000);
const BATCH = 1000;
const PG_URL = process.env['STOCKBOOK_TEST_PG'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

async function run(name: string, store: LedgerStore, count: number): Promise<Record<string, unknown>> {
  await putCompany(store, benchRawCompany);
  const ledger = await CompanyLedger.open(store, 'bench');
  if (!(ledger instanceof CompanyLedger)) throw new Error(ledger.message);
  const events = [...rawEvents(count)];
  const t0 = process.hrtime.bigint();
  let failed = 0;
  for (let i = 0; i < events.length; i += BATCH) {
    for (const o of await ledger.postBatch(events.slice(i, i + BATCH))) if (o.status !== 'ok') failed++;
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const row = { store: name, events: count, failed, seconds: Number(seconds.toFixed(2)), eventsPerSecond: Math.round(count / seconds) };
  await store.close();
  return row;
}

const rows: Record<string, unknown>[] = [];
rows.push(await run('sqlite', await openStore({ sqlitePath: join(mkdtempSync(join(tmpdir(), 'stockbook-bench-')), 'bench.sqlite') }), COUNT));
const schema = `stockbook_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: PG_URL });
try {
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  // Fewer events for PostgreSQL: each costs a few round trips to the server (see the closing note).
  rows.push(await run('postgres', await openStore({ databaseUrl: PG_URL, pgSchema: schema }), Math.min(COUNT, 20_000)));
  await admin.query(`DROP SCHEMA ${schema} CASCADE`);
} catch (x) {
  rows.push({ store: 'postgres', skipped: (x as Error).message });
} finally {
  await admin.end().catch(() => undefined);
}
for (const r of rows) {
  const target = r['store'] === 'sqlite' ? 50_000 : 20_000;
  console.log(r['skipped'] ? `${r['store']}: skipped (${String(r['skipped'])})` : `durable import ${String(r['store']).padEnd(8)} ${String(r['events']).padStart(8)} events  ${String(r['eventsPerSecond']).padStart(7)} events/s (target ≥ ${target.toLocaleString('en')}/s: ${(r['eventsPerSecond'] as number) >= target ? 'met' : 'NOT met'})`);
}
console.log(JSON.stringify({ bench: 'import', rows }));
