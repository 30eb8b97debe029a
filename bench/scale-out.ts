/**
 * Scale-out (issue 11): N API processes on one PostgreSQL, 4 companies; target: the aggregate
 * ingest of 4 processes ≥ 3× that of one. Sets up one schema (bench_scale_out) with companies
 * c1..c4 (copies of benchRawCompany) and a poster key each, then, from empty each time:
 *   1 process:  one API process, 4 concurrent clients (one per company) posting to it;
 *   4 processes: 4 API processes on the same database, client i posting to process i.
 * Each client posts its company's stream in order, in POST /v1/events batches of BATCH (default
 * 1,000): 2 batches not timed (warm-up, then ANALYZE), then EVENTS events (default 20,000) timed.
 * Prints events/s of both runs, the cores busy (API processes, clients, PostgreSQL), the ratio
 * and met/NOT met, then checks that every company holds exactly the events sent (count, seq 1..n
 * without gaps, every result ok) and that all trial balances agree (same events everywhere).
 * The API processes are bench/scale-out-server.ts (stockbook serve's serve(), on this schema).
 *   bench/scale-out.ts [EVENTS=20000] [BATCH=1000]
 *   env: SCALE_ANALYZE=0 (no ANALYZE), SCALE_TRACE=1 (each batch's ms), SCALE_COMPANIES=c1,c2
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { openStore } from '../src/store/open.js';
import { putCompany } from '../src/ledger/service.js';
import { createKey } from '../src/api/keys.js';
import { benchRawCompany, rawEvents } from './raw-stream.js';

const PG_URL = process.env['STOCKBOOK_TEST_PG'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = 'bench_scale_out';
const EVENTS = Number(process.argv[2] ?? 20_000);
const BATCH = Number(process.argv[3] ?? 1000);
const COMPANIES = (process.env['SCALE_COMPANIES'] ?? 'c1,c2,c3,c4').split(',');
/** Each company's first batches, posted before the timing (they ready the processes and give ANALYZE rows to count). */
const WARM_BATCHES = 2;
/** Events each company is sent in all: warm-up, then EVENTS timed. */
const SENT = WARM_BATCHES * BATCH + EVENTS;
const TARGET = 3;
const TRACE = process.env['SCALE_TRACE'] === '1';
const ANALYZE = process.env['SCALE_ANALYZE'] !== '0';
const SERVER = fileURLToPath(new URL('./scale-out-server.ts', import.meta.url));

interface Server { child: ChildProcess; base: string }
interface RunResult { label: string; ms: number; rate: number; perCompanyMs: number[]; bad: string[]; balances: string[]; cpu: Cpu }
/** CPU ms spent during a run: the API processes, this process (the clients), the whole machine. */
interface Cpu { api: number; clients: number; machine: number }

const children = new Set<ChildProcess>();
function killAll(): void {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGTERM');
}
process.on('exit', killAll);

/** One API process on the schema; resolves with its base URL once it listens. */
function startServer(): Promise<Server> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER, PG_URL, SCHEMA], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.add(child);
  child.on('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`API process ${child.pid} did not listen within 60 s: ${out}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve({ child, base: m[1]! });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`API process exited (${code}) before listening: ${out}`));
    });
  });
}

async function stopServer(s: Server): Promise<void> {
  if (s.child.exitCode !== null || s.child.signalCode !== null) return;
  const exited = new Promise<void>((r) => s.child.once('exit', () => r()));
  s.child.kill('SIGTERM');
  const t = setTimeout(() => s.child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(t);
}

/** Utime + stime of a process so far, in ms (Linux /proc; 0 elsewhere). */
async function cpuMsOf(pid: number | undefined): Promise<number> {
  if (pid === undefined) return 0;
  try {
    const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * 10; // clock ticks of 10 ms (USER_HZ 100)
  } catch {
    return 0;
  }
}

/** Busy CPU ms of the whole machine so far, all cores (Linux /proc/stat; 0 elsewhere). */
async function machineBusyMs(): Promise<number> {
  try {
    const [, user, nice, system, , , irq, softirq, steal] = (await readFile('/proc/stat', 'utf8')).split('\n')[0]!.trim().split(/\s+/).map(Number);
    return (user! + nice! + system! + irq! + softirq! + (steal ?? 0)) * 10;
  } catch {
    return 0;
  }
}

/** The CPU counters a run subtracts: API processes, this process, the machine. */
async function cpuNow(servers: readonly Server[]): Promise<Cpu> {
  const api = (await Promise.all(servers.map((s) => cpuMsOf(s.child.pid)))).reduce((a, b) => a + b, 0);
  const u = process.cpuUsage();
  return { api, clients: (u.user + u.system) / 1000, machine: await machineBusyMs() };
}

/** The schema afresh, with c1..c4 and a poster key for each. */
async function setUp(): Promise<Map<string, string>> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await c.end();
  const store = await openStore({ databaseUrl: PG_URL, pgSchema: SCHEMA });
  const keys = new Map<string, string>();
  try {
    for (const id of COMPANIES) {
      const co = await putCompany(store, { ...benchRawCompany, company: { ...benchRawCompany.company, id, name: `Bench ${id}` } });
      if (typeof co === 'object' && co !== null && 'code' in co) throw new Error(`company ${id}: ${JSON.stringify(co)}`);
      const k = await createKey(store, id, 'poster', { name: 'scale-out bench' });
      if (k === undefined) throw new Error(`no key for ${id}`);
      keys.set(id, k.key);
    }
  } finally {
    await store.close();
  }
  return keys;
}

/** Posts every batch of one company, in order; returns its ms and what was not "ok". */
async function ingest(base: string, key: string, bodies: readonly string[]): Promise<{ ms: number; bad: string[] }> {
  const bad: string[] = [];
  const t = performance.now();
  for (const body of bodies) {
    const tb = performance.now();
    const r = await fetch(`${base}/v1/events`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body });
    const text = await r.text();
    if (TRACE) console.log(`${key.slice(4, 6)} batch ${(performance.now() - tb).toFixed(0)} ms`);
    if (r.status !== 200) {
      bad.push(`HTTP ${r.status}: ${text.slice(0, 300)}`);
      continue;
    }
    const results = (JSON.parse(text) as { results: { status: string }[] }).results;
    const notOk = results.filter((x) => x.status !== 'ok');
    if (notOk.length > 0) bad.push(`${notOk.length} result(s) not ok, first: ${JSON.stringify(notOk[0])}`);
  }
  return { ms: performance.now() - t, bad };
}

async function get(base: string, key: string, path: string): Promise<string> {
  const r = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`GET ${path}: HTTP ${r.status} ${text.slice(0, 300)}`);
  return text;
}

/** A company's trial balance without its company id (all companies hold the same events), or why it is wrong. */
async function trialBalanceOf(base: string, key: string): Promise<string> {
  const tb = JSON.parse(await get(base, key, '/v1/reports/trial-balance')) as { company?: string; balanced?: boolean; totalDebit?: string };
  if (tb.balanced !== true || tb.totalDebit === undefined || /^[0.]*$/.test(tb.totalDebit.replace(/[^0-9.]/g, ''))) return `unbalanced or empty: ${JSON.stringify(tb)}`;
  delete tb.company;
  return JSON.stringify(tb);
}

/** One run from empty: `processes` API processes, company i posting to process i mod processes. */
async function run(label: string, processes: number, warm: readonly string[], bodies: readonly string[]): Promise<RunResult> {
  const keys = await setUp();
  const servers: Server[] = [];
  try {
    for (let i = 0; i < processes; i++) servers.push(await startServer());
    const target = (i: number): Server => servers[i % processes]!;
    // Not measured: each company's first batches (JIT, routes, pools, the ledger opened), then ANALYZE.
    const warmed = await Promise.all(COMPANIES.map((id, i) => ingest(target(i).base, keys.get(id)!, warm)));
    if (ANALYZE) await analyze();
    const cpu0 = await cpuNow(servers);
    const t = performance.now();
    const done = await Promise.all(COMPANIES.map((id, i) => ingest(target(i).base, keys.get(id)!, bodies)));
    const ms = performance.now() - t;
    const cpu1 = await cpuNow(servers);
    const balances = await Promise.all(COMPANIES.map((id, i) => trialBalanceOf(target(i).base, keys.get(id)!)));
    const bad = [...warmed, ...done].flatMap((d, i) => d.bad.map((b) => `${COMPANIES[i % COMPANIES.length]}: ${b}`));
    bad.push(...(await checkStored(label)));
    const cpu = { api: cpu1.api - cpu0.api, clients: cpu1.clients - cpu0.clients, machine: cpu1.machine - cpu0.machine };
    return { label, ms, rate: (COMPANIES.length * EVENTS) / (ms / 1000), perCompanyMs: done.map((d) => d.ms), bad, balances, cpu };
  } finally {
    await Promise.all(servers.map(stopServer));
  }
}

/**
 * ANALYZE of the schema's tables once every company holds its warm-up batches, as
 * docs/scale-out.md asks after a bulk import. Without statistics (or with statistics that do
 * not know the company) the planner takes the foreign-key check of every journal line
 * (journal_lines → journals) through journals_date (company, date), and the MAX(seq) of
 * SQL.lastSeqs through (company, id) indexes, reading all the company's rows: each batch then
 * costs more than the one before, whatever the number of processes, until autovacuum's
 * ANALYZE (up to a minute later) replans them. SCALE_ANALYZE=0 leaves it out.
 */
async function analyze(): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const { rows } = await c.query<{ t: string }>('SELECT tablename AS t FROM pg_tables WHERE schemaname = $1', [SCHEMA]);
    await c.query(`ANALYZE ${rows.map((r) => `${SCHEMA}.${r.t}`).join(', ')}`);
  } finally {
    await c.end();
  }
}

/** What the database holds: every company its warm-up and measured events, numbered 1..n. */
async function checkStored(label: string): Promise<string[]> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    const { rows } = await c.query<{ company: string; n: string; lo: string; hi: string }>(`SELECT company, count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM ${SCHEMA}.events GROUP BY company`);
    const by = new Map(rows.map((r) => [r.company, r]));
    const bad: string[] = [];
    for (const id of COMPANIES) {
      const r = by.get(id);
      const got = r === undefined ? '0 events' : `${r.n} events, seq ${r.lo}..${r.hi}`;
      if (r === undefined || Number(r.n) !== SENT || Number(r.lo) !== 1 || Number(r.hi) !== SENT) bad.push(`${label}, ${id}: stored ${got}, sent ${SENT}`);
    }
    return bad;
  } finally {
    await c.end();
  }
}

/** Every batch of the stream (warm-up, then measured) as the JSON body a client sends, serialised before timing. */
function batchBodies(): string[] {
  const events = [...rawEvents(SENT)];
  const bodies: string[] = [];
  for (let i = 0; i < events.length; i += BATCH) bodies.push(JSON.stringify(events.slice(i, i + BATCH)));
  return bodies;
}

async function reachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch (e) {
    console.log(`!!! scale-out: SKIPPED — PostgreSQL at ${PG_URL} does not answer (${e instanceof Error ? e.message : String(e)}); set STOCKBOOK_TEST_PG !!!`);
    return false;
  }
}

/**
 * What TARGET × the 1-process rate would take in cores, at the CPU per event the 4-process run
 * measured (API processes, clients, PostgreSQL and the rest): an estimate, for machines with too
 * few cores to show the target.
 */
function projection(one: RunResult, four: RunResult, cpuCount: number): string {
  const events = COMPANIES.length * EVENTS;
  const perEvent = { api: four.cpu.api / events, clients: four.cpu.clients / events, pg: (four.cpu.machine - four.cpu.api - four.cpu.clients) / events };
  const want = TARGET * one.rate;
  const need = (msPerEvent: number): number => (msPerEvent * want) / 1000;
  const total = need(perEvent.api) + need(perEvent.clients) + need(perEvent.pg);
  const us = (ms: number): string => (ms * 1000).toFixed(0);
  return (
    `  CPU per event (4 processes): API ${us(perEvent.api)} µs, clients ${us(perEvent.clients)} µs, PostgreSQL and the rest ${us(perEvent.pg)} µs; ` +
    `${TARGET}× the 1-process rate (${want.toFixed(0)} events/s) would keep ≈ ${total.toFixed(1)} cores busy (API ${need(perEvent.api).toFixed(1)}, PostgreSQL ${need(perEvent.pg).toFixed(1)}); this machine has ${cpuCount}`
  );
}

function report(one: RunResult, four: RunResult, cpuCount: number): boolean {
  const cores = (ms: number, r: RunResult): string => (ms / r.ms).toFixed(2);
  const row = (r: RunResult): string =>
    `  ${r.label.padEnd(12)} ${r.rate.toFixed(0).padStart(7)} events/s  (${(r.ms / 1000).toFixed(1)} s wall; per company ${r.perCompanyMs.map((m) => (m / 1000).toFixed(1)).join(' / ')} s)\n` +
    `  ${''.padEnd(12)} cores busy: machine ${cores(r.cpu.machine, r)} of ${cpuCount} = API processes ${cores(r.cpu.api, r)} + clients ${cores(r.cpu.clients, r)} + PostgreSQL and the rest ${cores(r.cpu.machine - r.cpu.api - r.cpu.clients, r)}`;
  const ratio = four.rate / one.rate;
  console.log(`\nScale-out on one PostgreSQL: ${COMPANIES.length} companies × ${EVENTS.toLocaleString('en')} events timed (after ${(WARM_BATCHES * BATCH).toLocaleString('en')} each not timed, then ANALYZE${ANALYZE ? '' : ': left out'}), POST /v1/events batches of ${BATCH.toLocaleString('en')}, one client per company`);
  console.log(`  machine: ${cpuCount} core(s) shared by the API processes, PostgreSQL and the clients${cpuCount < 5 ? ` — 4 API processes and PostgreSQL on ${cpuCount} cores cannot show ${TARGET}× (see the estimate of the cores it needs below)` : ''}`);
  console.log(row(one));
  console.log(row(four));
  console.log(`  aggregate ingest, 4 processes vs 1: ${ratio.toFixed(2)}× (target ≥ ${TARGET}×): ${ratio >= TARGET ? 'met' : 'NOT met'}${ratio < TARGET && cpuCount < 5 ? ` (on ${cpuCount} cores)` : ''}`);
  if (four.cpu.machine > 0) console.log(projection(one, four, cpuCount));
  const bad = [...one.bad, ...four.bad];
  const tb = new Set([...one.balances, ...four.balances]);
  if (tb.size !== 1) bad.push(`trial balances differ: ${tb.size} distinct answers over ${COMPANIES.length} companies × 2 runs`);
  console.log(`  correctness: ${bad.length === 0 ? `every company holds the ${SENT.toLocaleString('en')} events it was sent (seq 1..${SENT}, every result ok) and all 8 trial balances agree: ok` : `FAILED\n    ${bad.slice(0, 20).join('\n    ')}`}`);
  return bad.length === 0;
}

async function main(): Promise<void> {
  if (!(await reachable())) return;
  const bodies = batchBodies();
  const warm = bodies.slice(0, WARM_BATCHES);
  const timed = bodies.slice(WARM_BATCHES);
  try {
    const one = await run('1 process', 1, warm, timed);
    const four = await run('4 processes', 4, warm, timed);
    if (!report(one, four, availableParallelism())) process.exitCode = 1;
  } finally {
    killAll();
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await c.end();
  }
}

await main();
