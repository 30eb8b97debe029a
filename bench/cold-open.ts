/**
 * Cold open (issue 11): a fresh API process over a SQLite company file answers its first trial
 * balance, valuation, dashboard and sync-list page, then gross profit (the last month, and the
 * whole history), the count list and the latest count's adjustments, and a dry sync run of the
 * invoices; each is timed, with the process's peak RSS (after the bounded reads, and in all),
 * for a 100k-event company next to a 10k-event one (the demo's mix: bench/demo-company.ts).
 * The company files are built once under BENCH_DIR (default the system temp dir) and reused.
 * The server's start-up (fastify compiling its schemas) is timed apart. The first request that
 * needs the ledger (the valuation: the trial balance reads only day totals) pays for the replay.
 * Prints the issue's targets for 1M events and says "NOT met" where these figures miss them.
 *   bench/cold-open.ts [EVENTS...]   (default 10000 100000)
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIG_COMPANY, bigCompanyFile } from './demo-company.js';

interface Request { method: 'GET' | 'POST'; url: string; body?: unknown; ok?: number[] }
/** The requests timed, in order; `month` is the last month of the company's events (YYYY-MM). */
/** The last day of a month (YYYY-MM): 28 to 31. */
function lastDay(month: string): string {
  return String(new Date(Date.UTC(Number(month.slice(0, 4)), Number(month.slice(5, 7)), 0)).getUTCDate()).padStart(2, '0');
}

function requests(month: string): Record<string, Request> {
  return {
    trialBalance: { method: 'GET', url: '/v1/reports/trial-balance' },
    valuation: { method: 'GET', url: '/v1/reports/valuation' },
    dashboard: { method: 'GET', url: '/v1/dashboard' },
    syncList: { method: 'GET', url: '/v1/sync/records?limit=100' },
    // Gross profit of the last month, and of the whole history (that one reads every sale: O(history)).
    grossProfitMonth: { method: 'GET', url: `/v1/reports/gross-profit?from=${month}-01&to=${month}-${lastDay(month)}` },
    grossProfitAll: { method: 'GET', url: '/v1/reports/gross-profit' },
    // The count list, and the adjustments of the latest count not exported.
    counts: { method: 'GET', url: '/v1/counts' },
    countExport: { method: 'GET', url: '/v1/counts/adjustments' },
    // A dry sync run of the invoices: the company has no Xero token, so the run reads its
    // candidates and stops at the connection (409 SYNC_NOT_CONFIGURED), sending nothing.
    syncRun: { method: 'POST', url: '/v1/sync/runs', body: { type: 'invoices', dryRun: true }, ok: [200, 409] },
  };
}
/** In this order: those whose reads are bounded first; the peak RSS is taken after them, then again after the two that read every record. */
const NAMES = ['trialBalance', 'valuation', 'dashboard', 'syncList', 'grossProfitMonth', 'counts', 'countExport', 'grossProfitAll', 'syncRun'] as const;
const LAST_BOUNDED: Name = 'countExport';
type Name = (typeof NAMES)[number];
const TARGET_MS = 100;
const TARGET_RSS_MIB = 50;

/** In the child: one fresh server over the file, each request once, in order; a JSON line of figures. */
async function child(path: string): Promise<void> {
  const { SqliteStore } = await import('../src/store/sqlite.js');
  const { buildServer } = await import('../src/api/server.js');
  const { createKey } = await import('../src/api/keys.js');
  const store = new SqliteStore(path);
  // As `stockbook serve` does (a file built by an earlier version gets the newer migrations).
  await store.migrate();
  const key = await createKey(store, BIG_COMPANY, 'exporter', { name: 'bench' });
  const last = (await store.costing(BIG_COMPANY).meta())?.span?.last;
  if (last === undefined) throw new Error('the company has no events');
  if (!key) throw new Error('no key');
  const t0 = process.hrtime.bigint();
  const app = await buildServer({ store });
  // fastify compiles its routes' schemas when it first becomes ready: timed apart, as start-up.
  await app.ready();
  const startupMs = Math.round(Number(process.hrtime.bigint() - t0) / 1e6);
  let peak = process.memoryUsage().rss;
  let bounded = peak;
  const tick = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
  const ms: Partial<Record<Name, number>> = {};
  const reqs = requests(last.slice(0, 7));
  for (const name of NAMES) {
    const { method, url, body, ok = [200] } = reqs[name]!;
    const t = process.hrtime.bigint();
    const r = await app.inject({ method, url, headers: { authorization: `Bearer ${key.key}` }, ...(body === undefined ? {} : { payload: body as Record<string, unknown> }) });
    ms[name] = Math.round(Number(process.hrtime.bigint() - t) / 1e6);
    if (!ok.includes(r.statusCode)) throw new Error(`${url}: ${r.statusCode} ${r.body.slice(0, 300)}`);
    peak = Math.max(peak, process.memoryUsage().rss);
    if (name === LAST_BOUNDED) bounded = peak;
  }
  clearInterval(tick);
  await app.close();
  await store.close();
  console.log(JSON.stringify({ startupMs, ms, peakRssMiB: Math.round(bounded / 2 ** 20), peakRssAllMiB: Math.round(peak / 2 ** 20) }));
}

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number);
  const counts = sizes.length > 0 ? sizes : [10_000, 100_000];
  const dir = process.env['BENCH_DIR'] ?? tmpdir();
  const rows: Record<string, unknown>[] = [];
  for (const n of counts) {
    const file = await bigCompanyFile(join(dir, `stockbook-cold-open-${n}.sqlite`), n, (s) => console.log(s));
    // A copy per run: the run writes its API key, and the file stays as built.
    const scratch = mkdtempSync(join(tmpdir(), 'stockbook-cold-'));
    const path = join(scratch, 'company.sqlite');
    copyFileSync(file, path);
    const r = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--child', path], { encoding: 'utf8' });
    rmSync(scratch, { recursive: true, force: true });
    if (r.status !== 0) throw new Error(`cold open of ${n} events failed: ${r.stderr}`);
    const row = { events: n, ...(JSON.parse(r.stdout.trim().split('\n').pop()!) as { startupMs: number; ms: Record<Name, number>; peakRssMiB: number; peakRssAllMiB: number }) };
    rows.push(row);
    console.log(`cold open, ${n.toLocaleString('en')} events: server start-up ${row.startupMs} ms, then ${NAMES.map((k) => `first ${k} ${row.ms[k]} ms`).join(', ')}; peak RSS ${row.peakRssMiB} MiB through ${LAST_BOUNDED}, ${row.peakRssAllMiB} MiB in all`);
  }
  const small = rows[0] as { peakRssMiB: number };
  const big = rows[rows.length - 1] as { events: number; ms: Record<Name, number>; peakRssMiB: number; peakRssAllMiB: number };
  console.log(`targets (issue 11, for a 1M-event company): each first answer < ${TARGET_MS} ms; peak RSS within ${TARGET_RSS_MIB} MB of a 10k-event company's. At ${big.events.toLocaleString('en')} events:`);
  for (const k of NAMES) console.log(`  first ${k}: ${big.ms[k]} ms — ${big.ms[k] < TARGET_MS ? 'met' : 'NOT met'}`);
  const extra = big.peakRssMiB - small.peakRssMiB;
  console.log(`  peak RSS through ${LAST_BOUNDED}: ${extra} MiB above the smallest company's — ${extra <= TARGET_RSS_MIB ? 'met' : 'NOT met'} (with grossProfitAll and syncRun, which hold every record: ${big.peakRssAllMiB} MiB)`);
  console.log(JSON.stringify({ bench: 'cold-open', rows, targetMs: TARGET_MS, targetRssMiB: TARGET_RSS_MIB }));
}

if (process.argv[2] === '--child') await child(process.argv[3]!);
else await main();
