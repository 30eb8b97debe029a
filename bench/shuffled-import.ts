/**
 * Shuffled import: 20,000 events over 4 SKUs, fully shuffled (seeded), imported through
 * `importEvents` into a SQLite file, next to the in-order import of the same events: time and
 * journals written (originals and corrections). bench/shuffled-import.ts [COUNT] [BATCH]
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../src/store/open.js';
import { importEvents } from '../src/cli/import.js';
import { inOrderEvents, shuffled, shuffledCompany } from './shuffled-stream.js';

const COUNT = Number(process.argv[2] ?? 20_000);
const BATCH = Number(process.argv[3] ?? 1000);

async function run(name: string, events: readonly Record<string, unknown>[]): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-shuffled-'));
  const file = join(dir, 'events.jsonl');
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const config = join(dir, 'company.json');
  writeFileSync(config, JSON.stringify(shuffledCompany('shuffled')));
  const db = join(dir, 'ledger.sqlite');
  const store = await openStore({ sqlitePath: db });
  const t0 = process.hrtime.bigint();
  const r = await importEvents(store, file, { config, batch: BATCH, progress: false }, () => undefined);
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await store.close();
  const sql = new Database(db, { readonly: true });
  const kinds = Object.fromEntries((sql.prepare('SELECT kind, COUNT(*) AS n FROM journals WHERE company = ? GROUP BY kind').all('shuffled') as { kind: string; n: number }[]).map((k) => [k.kind, k.n]));
  sql.close();
  return { import: name, events: events.length, posted: r.summary.new, refused: r.summary.refused, seconds: Number(seconds.toFixed(2)), original: kinds['original'] ?? 0, correction: kinds['correction'] ?? 0 };
}

const events = inOrderEvents(COUNT);
const rows = [await run('in order', events), await run('shuffled', shuffled(events, 7))];
for (const r of rows) {
  console.log(`shuffled import ${String(r['import']).padEnd(9)} ${String(r['events']).padStart(7)} events  ${String(r['seconds']).padStart(7)} s  ${String(r['original']).padStart(7)} original + ${String(r['correction']).padStart(7)} correction journals`);
}
const [inOrder, shuffledRow] = rows as [Record<string, number>, Record<string, number>];
console.log(`shuffled / in order: ${(shuffledRow['seconds']! / Math.max(inOrder['seconds']!, 0.01)).toFixed(2)}× the time, ${((shuffledRow['original']! + shuffledRow['correction']!) / Math.max(1, inOrder['original']! + inOrder['correction']!)).toFixed(2)}× the journals`);
console.log(JSON.stringify({ bench: 'shuffled-import', batch: BATCH, rows }));
