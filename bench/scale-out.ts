/**
 * Scale-out (issue 11): N API processes on one PostgreSQL, 4 companies; target: the aggregate
 * ingest of 4 processes ≥ 3× that of one. Sets up one schema (bench_scale_out) with companies
 * c1..c4 (copies of benchRawCompany) and a poster key each, then, from empty each time:
 *   1 process:  one API process, 4 concurrent clients (one per company) posting to it;
 *   4 processes: 4 API processes on the same database, client i posting to process i.
 * Each client posts EVENTS events (default 20,000) in POST /v1/events batches of BATCH (default
 * 1,000), in order. Prints events/s of both runs, the ratio and met/NOT met, then checks that
 * every company holds exactly the events sent (count, seq 1..N without gaps, every result ok)
 * and that all trial balances agree (same events everywhere). The API processes are
 * bench/scale-out-server.ts (stockbook serve's serve(), on the benchmark's schema).
 *   bench/scale-out.ts [EVENTS=20000] [BATCH=1000]
 */
import { spawn, type ChildProcess } from 'node:child_process';
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
/** One warm-up company per process (w1..w4): its first batches ready the process (JIT, routes, pools), not measured. */
const WARM_UP = ['w1', 'w2', 'w3', 'w4'];
const WARM_BATCHES = 2;
const TARGET = 3;
const TRACE = process.env['SCALE_TRACE'] === '1';
const ANALYZE = process.env['SCALE_ANALYZE'] !== '0';
const SERVER = fileURLToPath(new URL('./scale-out-server.ts', import.meta.url));

interface Server { child: ChildProcess; base: string }
interface RunResult { label: string; ms: number; rate: number; perCompanyMs: number[]; bad: string[]; balances: string[]; cpuMs: number }

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
    const { readFile } = await import('node:fs/promises');
    const f = (await readFile(`/proc/${pid}/stat`, 'utf8')).split(') ')[1]!.split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

/** The schema afresh, with c1..c4, w1..w4 and a poster key for each. */
async function setUp(): Promise<Map<string, string>> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await c.end();
  const store = await openStore({ databaseUrl: PG_URL, pgSchema: SCHEMA });
  const keys = new Map<string, string>();
  try {
    for (const id of [...COMPANIES, ...WARM_UP]) {
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
async function run(label: string, processes: number, bodies: readonly string[]): Promise<RunResult> {
  const keys = await setUp();
  const servers: Server[] = [];
  try {
    for (let i = 0; i < processes; i++) servers.push(await startServer());
    const target = (i: number): Server => servers[i % processes]!;
    // Each process first ingests a warm-up company of its own, and answers each client once: not measured.
    await Promise.all(servers.map((s, i) => ingest(s.base, keys.get(WARM_UP[i]!)!, bodies.slice(0, WARM_BATCHES))));
    await Promise.all(COMPANIES.map((id, i) => get(target(i).base, keys.get(id)!, '/v1/company')));
    if (ANALYZE) await analyze();
    const cpu0 = await Promise.all(servers.map((s) => cpuMsOf(s.child.pid)));
    const t = performance.now();
    const done = await Promise.all(COMPANIES.map((id, i) => ingest(target(i).base, keys.get(id)!, bodies)));
    const ms = performance.now() - t;
    const cpu1 = await Promise.all(servers.map((s) => cpuMsOf(s.child.pid)));
    const balances = await Promise.all(COMPANIES.map((id, i) => trialBalanceOf(target(i).base, keys.get(id)!)));
    const bad = done.flatMap((d, i) => d.bad.map((b) => `${COMPANIES[i]}: ${b}`));
    bad.push(...(await checkStored(label)));
    const cpuMs = cpu1.reduce((a, b) => a + b, 0) - cpu0.reduce((a, b) => a + b, 0);
    return { label, ms, rate: (COMPANIES.length * EVENTS) / (ms / 1000), perCompanyMs: done.map((d) => d.ms), bad, balances, cpuMs };
  } finally {
    await Promise.all(servers.map(stopServer));
  }
}

/**
 * ANALYZE of the schema's tables once the warm-up companies hold their events, as
 * docs/scale-out.md asks after a bulk import. Without statistics the planner takes the
 * foreign-key check of every journal line (journal_lines → journals) through journals_date
 * (company, date), reading all the company's journals per line (85M index tuples at 10,000
 * events): each batch then costs more than the one before, whatever the number of processes,
 * until autovacuum's ANALYZE (up to a minute later) replans it. SCALE_ANALYZE=0 leaves it out.
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

/** What the database holds: every company EVENTS events, numbered 1..EVENTS. */
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
      if (r === undefined || Number(r.n) !== EVENTS || Number(r.lo) !== 1 || Number(r.hi) !== EVENTS) bad.push(`${label}, ${id}: stored ${got}, sent ${EVENTS}`);
    }
    return bad;
  } finally {
    await c.end();
  }
}

/** Every batch of the stream as the JSON body a client sends (serialised before timing). */
function batchBodies(): string[] {
  const events = [...rawEvents(EVENTS)];
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

function report(one: RunResult, four: RunResult, cores: number): boolean {
  const row = (r: RunResult): string =>
    `  ${r.label.padEnd(12)} ${r.rate.toFixed(0).padStart(7)} events/s  (${(r.ms / 1000).toFixed(1)} s wall; per company ${r.perCompanyMs.map((m) => (m / 1000).toFixed(1)).join(' / ')} s; API processes' CPU ${(r.cpuMs / 1000).toFixed(1)} s)`;
  const ratio = four.rate / one.rate;
  console.log(`\nScale-out on one PostgreSQL: ${COMPANIES.length} companies × ${EVENTS.toLocaleString('en')} events, POST /v1/events batches of ${BATCH.toLocaleString('en')}, one client per company`);
  console.log(`  machine: ${cores} core(s) shared by the API processes, PostgreSQL and the clients${cores < 5 ? ` — 4 API processes on ${cores} cores cannot show 4×, and ${TARGET}× needs ≥ ${TARGET} cores of API work (plus PostgreSQL's)` : ''}`);
  console.log(row(one));
  console.log(row(four));
  console.log(`  aggregate ingest, 4 processes vs 1: ${ratio.toFixed(2)}× (target ≥ ${TARGET}×): ${ratio >= TARGET ? 'met' : 'NOT met'}${ratio < TARGET && cores < 5 ? ` (on ${cores} cores)` : ''}`);
  const bad = [...one.bad, ...four.bad];
  const tb = new Set([...one.balances, ...four.balances]);
  if (tb.size !== 1) bad.push(`trial balances differ: ${tb.size} distinct answers over ${COMPANIES.length} companies × 2 runs`);
  console.log(`  correctness: ${bad.length === 0 ? `every company holds its ${EVENTS.toLocaleString('en')} events (seq 1..${EVENTS}, every result ok) and all 8 trial balances agree: ok` : `FAILED\n    ${bad.slice(0, 20).join('\n    ')}`}`);
  return bad.length === 0;
}

async function main(): Promise<void> {
  if (!(await reachable())) return;
  const bodies = batchBodies();
  try {
    const one = await run('1 process', 1, bodies);
    const four = await run('4 processes', 4, bodies);
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
