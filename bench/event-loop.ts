/**
 * How long requests hold the event loop: a 50k-event company in a SQLite ledger, then the
 * server answers the heavy requests (opening the ledger by replay, GL detail and journal lists
 * of a busy account, reports, a 10,000-event POST and its resend, a configuration PUT) through
 * fastify.inject while perf_hooks.monitorEventLoopDelay watches the loop. Prints each request's
 * time and the longest the loop was held during it. bench/event-loop.ts [EVENTS=50000]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { openStore } from '../src/store/open.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { buildServer } from '../src/api/server.js';
import { createKey } from '../src/api/keys.js';
import { benchRawCompany, rawEvents } from './raw-stream.js';

const N = Number(process.argv[2] ?? 50_000);
const POST = 10_000;
const dir = mkdtempSync(join(tmpdir(), 'stockbook-loop-'));
const path = join(dir, 'bench.sqlite');
const events = [...rawEvents(N + POST)];

const loader = await openStore({ sqlitePath: path });
await putCompany(loader, benchRawCompany);
const key = (await createKey(loader, 'bench', 'admin'))!.key;
const ledger = await CompanyLedger.open(loader, 'bench');
if (!(ledger instanceof CompanyLedger)) throw new Error(ledger.message);
for (let i = 0; i < N; i += 1000) await ledger.postBatch(events.slice(i, i + 1000));
await loader.close();

const store = await openStore({ sqlitePath: path });
const app = await buildServer({ store });
const h = monitorEventLoopDelay({ resolution: 5 });
h.enable();
const rows: { request: string; ms: number; maxDelayMs: number; status: number }[] = [];

async function measure(request: string, method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown): Promise<Record<string, unknown>> {
  await new Promise((r) => setTimeout(r, 20));
  h.reset();
  const t0 = process.hrtime.bigint();
  const r = await app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  await new Promise((res) => setTimeout(res, 20));
  rows.push({ request, ms: Math.round(ms), maxDelayMs: Math.round(h.max / 1e6), status: r.statusCode });
  return r.headers['content-type']?.toString().includes('json') === true ? (JSON.parse(r.body) as Record<string, unknown>) : {};
}

await measure('first request: opens the ledger (replays every event)', 'GET', '/v1/reports/trial-balance');
await measure('GET /v1/reports/gl?account=1300 (first page of 1000)', 'GET', '/v1/reports/gl?account=1300');
let pages = 0;
const t0 = Date.now();
for (let next: unknown = undefined; pages === 0 || next !== null; pages++) {
  const body = await measure('GET /v1/reports/gl?account=1300&limit=5000 (each page)', 'GET', `/v1/reports/gl?account=1300&limit=5000${next === undefined ? '' : `&after=${String(next)}`}`);
  next = body['next'] ?? null;
}
const glAllMs = Date.now() - t0;
await measure('GET /v1/journals?account=1300&limit=5000', 'GET', '/v1/journals?account=1300&limit=5000');
await measure('GET /v1/journals?account=1300&from=…&to=… (a month)', 'GET', '/v1/journals?account=1300&from=2020-02-01&to=2020-02-29&limit=5000');
await measure('GET /v1/reports/valuation', 'GET', '/v1/reports/valuation');
await measure('GET /v1/reports/reconciliation', 'GET', '/v1/reports/reconciliation');
await measure('GET /v1/reports/gross-profit', 'GET', '/v1/reports/gross-profit');
await measure(`POST /v1/events (${POST} new events)`, 'POST', '/v1/events', events.slice(N, N + POST));
await measure(`POST /v1/events (the same ${POST}, resent)`, 'POST', '/v1/events', events.slice(N, N + POST));
await measure('PUT /v1/company (replays every event under the new configuration)', 'PUT', '/v1/company', benchRawCompany);
await measure('GET /v1/company (configuration cached by version)', 'GET', '/v1/company');
h.disable();
await app.close();
await store.close();
rmSync(dir, { recursive: true, force: true });

// The GL pages are one row: the slowest page and the longest hold of any page.
const pageRows = rows.filter((r) => r.request.includes('each page'));
const merged = rows.filter((r) => !r.request.includes('each page'));
merged.splice(2, 0, { request: `GET /v1/reports/gl?account=1300, all ${pages} pages of 5000 (${glAllMs} ms in all); slowest page`, ms: Math.max(...pageRows.map((r) => r.ms)), maxDelayMs: Math.max(...pageRows.map((r) => r.maxDelayMs)), status: pageRows[0]!.status });
for (const r of merged) console.log(`${String(r.ms).padStart(7)} ms  loop held ≤ ${String(r.maxDelayMs).padStart(5)} ms  ${r.status}  ${r.request}`);
console.log(JSON.stringify({ bench: 'event-loop', events: N, rows: merged }));
