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

const COUNT = Number(process.argv[2] ?? 100_000);
const BATCH = 1000;
const PG_URL = process.env['STOCKBOOK_TEST_PG'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

const company = {
  company: { id: 'bench', name: 'Bench', baseCurrency: 'USD' },
  settings: { costingMethod: 'fifo' },
  accounts: [
    { code: '1300', name: 'Inventory', type: 'INVENTORY' },
    { code: '2100', name: 'AP', type: 'CURRLIAB' },
    { code: '2200', name: 'Tax', type: 'CURRLIAB' },
    { code: '5000', name: 'COGS', type: 'DIRECTCOSTS' },
  ],
  mapping: { inventory: '1300', ap: '2100', tax: '2200', cogs: '5000' },
  warehouses: [{ code: 'W0' }, { code: 'W1' }, { code: 'W2' }],
  products: Array.from({ length: 1000 }, (_, i) => ({ sku: `P${i}` })),
};

/** Raw JSON events as an integration would send them: purchases, then shipments within stock. */
function* rawEvents(count: number): Generator<Record<string, unknown>> {
  const onHand = new Map<string, number>();
  let s = 12345;
  const rnd = (n: number): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % n);
  for (let n = 0; n < count; n++) {
    const product = `P${rnd(1000)}`;
    const warehouse = `W${rnd(3)}`;
    const k = `${product}|${warehouse}`;
    const have = onHand.get(k) ?? 0;
    const id = `E${String(n).padStart(9, '0')}`;
    const date = new Date(Date.UTC(2020, 0, 1) + Math.floor(n / 2000) * 86_400_000).toISOString().slice(0, 10);
    if (have === 0 || rnd(100) < 45) {
      const qty = 1 + rnd(50);
      onHand.set(k, have + qty);
      yield { id, type: 'purchase_invoice', date, supplier: 'S', lines: [{ product, warehouse, qty, amount: `${1 + rnd(999)}.${String(rnd(100)).padStart(2, '0')}` }] };
    } else {
      const qty = 1 + rnd(have);
      onHand.set(k, have - qty);
      yield { id, type: 'shipment', date, lines: [{ product, warehouse, qty }] };
    }
  }
}

async function run(name: string, store: LedgerStore, count: number): Promise<Record<string, unknown>> {
  await putCompany(store, company);
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
