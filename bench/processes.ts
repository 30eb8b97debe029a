/**
 * Two processes on one SQLite ledger: A writes through its own connection and ledger, B is an
 * API server over another connection. Prints the time of B's GET /v1/events/{id} for an event
 * A wrote, and of B's first report after A's write, at N events (default 5,000), with the events
 * B applied for each (none: it reads the costing state A wrote) and, for scale, the time B took to open the company.
 * bench/processes.ts [EVENTS=5000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { buildServer } from '../src/api/server.js';
import { createKey } from '../src/api/keys.js';
import { benchRawCompany, rawEvents } from './raw-stream.js';

const N = Number(process.argv[2] ?? 5_000);
const dir = mkdtempSync(join(tmpdir(), 'stockbook-processes-'));
const path = join(dir, 'bench.sqlite');
const events = [...rawEvents(N + 2)];

const storeA = await openStore({ sqlitePath: path });
await putCompany(storeA, benchRawCompany);
const key = (await createKey(storeA, 'bench', 'admin'))!.key;
const ledgerA = await CompanyLedger.open(storeA, 'bench');
if (!(ledgerA instanceof CompanyLedger)) throw new Error(ledgerA.message);
for (let i = 0; i < N; i += 1000) await ledgerA.postBatch(events.slice(i, Math.min(i + 1000, N)));

const storeB = await openStore({ sqlitePath: path });
const t0 = process.hrtime.bigint();
const opened = await CompanyLedger.open(storeB, 'bench');
const openMs = Number(process.hrtime.bigint() - t0) / 1e6;
if (!(opened instanceof CompanyLedger)) throw new Error(opened.message);
const ledgerB = opened;
const app = await buildServer({ store: storeB, ledgers: [ledgerB] });

async function timed(url: string): Promise<{ ms: number; status: number; replayed: number; rebuilds: number }> {
  const before = { ...ledgerB.stats };
  const t = process.hrtime.bigint();
  const r = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
  const ms = Number(process.hrtime.bigint() - t) / 1e6;
  return { ms, status: r.statusCode, replayed: ledgerB.stats.replayed - before.replayed, rebuilds: ledgerB.stats.rebuilds - before.rebuilds };
}

// The server's first request readies it (routes, schemas): not part of what is measured.
await app.inject({ method: 'GET', url: '/v1/company', headers: { authorization: `Bearer ${key}` } });
const first = events[N]!;
await ledgerA.post(first);
const get = await timed(`/v1/events/${encodeURIComponent(String(first['id']))}`);
await ledgerA.post(events[N + 1]!);
const read = await timed('/v1/reports/valuation');
const again = await timed('/v1/reports/valuation');

const row = (what: string, r: { ms: number; status: number; replayed: number; rebuilds: number }): string =>
  `  ${what.padEnd(58)} ${r.ms.toFixed(1).padStart(8)} ms  (HTTP ${r.status}; ${r.replayed} event(s) applied, ${r.rebuilds} rebuild(s))`;
console.log(`\nTwo processes on one SQLite ledger, ${N} events (B opening the company: ${openMs.toFixed(0)} ms)`);
console.log(row('B: GET /v1/events/{id} of an event A just wrote', get));
console.log(row('B: first GET /v1/reports/valuation after A\'s write', read));
console.log(row('B: the same report again (nothing new)', again));
console.log(`  opening the company took ${openMs.toFixed(0)} ms (its configuration and the costing state's last event; no replay)`);

await app.close();
await storeB.close();
await storeA.close();
rmSync(dir, { recursive: true, force: true });
