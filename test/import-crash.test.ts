/**
 * Crash safety of `stockbook import`, on SQLite and on PostgreSQL: kill the importer (SIGKILL)
 * at random points — between and inside its transactions — and after every kill prove the
 * committed costing state is a rebuild of the committed events (verifyCosting: no difference);
 * then rerun it to the end and prove no event is lost or doubled (the stored ids are exactly
 * the events an uninterrupted import accepts, each once), the GL is the in-memory book's and
 * `stockbook verify` exits 0. The stream is hostile to the costing state: late events (a small
 * sort window, so they land behind what is stored and re-cost it), voids, stock deficits, and
 * more entries per pool than a checkpoint interval. A rebuild of the costing state killed
 * inside its transaction leaves all of it or none. Two importers racing on one file store each
 * event once. Without PostgreSQL its cases are skipped loudly (a failure under CI).
 * CRASH_SEED replays another stream and other kill points; CRASH_KILLS sets the kills.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { loadConfig } from '../src/domain/config.js';
import { parseEvent, type BookEvent } from '../src/domain/events.js';
import type { Result } from '../src/domain/errors.js';
import { Book } from '../src/book/book.js';
import { costingOrder, orderable } from '../src/book/batch-order.js';
import { verifyCosting } from '../src/ledger/verify.js';
import { openStore } from '../src/store/open.js';
import type { LedgerStore } from '../src/store/store.js';
import { pgUnavailable, postgres, type Harness } from './store-support/harness.js';

const CO = 'seed-004';
/**
 * The seed-004 company with negative stock allowed: no event is refused, so every run of the
 * import accepts every event (a refused event retried by a rerun would meet a state that holds
 * later events, and could be accepted then: the set would depend on where the kills landed).
 */
const CONFIG_DIR = mkdtempSync(join(tmpdir(), 'stockbook-crash-config-'));
const CONFIG = join(CONFIG_DIR, 'company.json');
after(() => rmSync(CONFIG_DIR, { recursive: true, force: true }));
const seed004 = JSON.parse(readFileSync('examples/seed-004/company.json', 'utf8')) as { settings: Record<string, unknown> };
writeFileSync(CONFIG, JSON.stringify({ ...seed004, settings: { ...seed004.settings, negativeStock: 'allow' } }));
const COUNT = 1500;
const BATCH = 100;
/** Events the importer reads and sorts at a time: a late event of the next window lands behind stored ones. */
const WINDOW = 300;
const SEED = Number(process.env['CRASH_SEED'] ?? 7);
/** Kills per store: the first early, the others mid-import (at least two must land there). */
const KILLS = Number(process.env['CRASH_KILLS'] ?? 4);
/** Events of the race's file. */
const RACE_COUNT = 600;

/** Small seeded generator so a failing run can be replayed (CRASH_SEED). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

const dayOf = (n: number): string => {
  const d = new Date(Date.UTC(2026, 0, 1 + n));
  return d.toISOString().slice(0, 10);
};

/**
 * A deterministic stream, mostly in date order (about 25 events a day), one event in eight
 * dated up to 20 days back, and voids of earlier purchases and shipments (each voided once).
 * Stock runs short at times (a deficit the next purchase clears).
 */
function events(seed: number, count = COUNT): string {
  const random = rng(seed);
  const lines: string[] = [];
  const voidable: string[] = [];
  for (let n = 0; n < count; n++) {
    const id = `E${String(n).padStart(6, '0')}`;
    const today = Math.floor(n / 25);
    const date = dayOf(random() < 0.125 ? Math.max(0, today - 1 - Math.floor(random() * 20)) : today);
    const product = random() < 0.92 ? 'WIDGET' : 'PART';
    const r = random();
    if (r < 0.04 && voidable.length > 0) {
      lines.push(JSON.stringify({ id, type: 'void', date: dayOf(today), target: voidable.splice(Math.floor(random() * voidable.length), 1)[0] }));
    } else if (r < 0.5) {
      const amount = `${100 + Math.floor(random() * 50)}.${String(Math.floor(random() * 100)).padStart(2, '0')}`;
      lines.push(JSON.stringify({ id, type: 'purchase_invoice', date, supplier: 'ACME', lines: [{ product, warehouse: 'MAIN', qty: 10, amount }] }));
      voidable.push(id);
    } else {
      lines.push(JSON.stringify({ id, type: 'shipment', date, lines: [{ product, warehouse: 'MAIN', qty: 1 + Math.floor(random() * 6) }] }));
      voidable.push(id);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * What an import books: windows of WINDOW lines in costing order, cut in batches of BATCH (each
 * again in costing order). A rerun posts what is not stored in that same order, so an
 * interrupted import books this too.
 */
function expected(file: string): { accepted: string[]; gl: Record<string, string> } {
  const co = loadConfig(JSON.parse(readFileSync(CONFIG, 'utf8')));
  assert.ok(co.ok);
  const book = new Book(co.value, { keepJournals: false });
  const raws = readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
  const accepted: string[] = [];
  const order = (ps: readonly Result<BookEvent>[]): number[] => costingOrder(ps.map((p) => (p.ok ? orderable(p.value) : undefined)));
  for (let w = 0; w < raws.length; w += WINDOW) {
    const parsed = raws.slice(w, w + WINDOW).map((r) => parseEvent(r, co.value));
    const inWindow = order(parsed);
    for (let k = 0; k < inWindow.length; k += BATCH) {
      const batch = inWindow.slice(k, k + BATCH).map((i) => parsed[i]!);
      for (const i of order(batch)) {
        const p = batch[i]!;
        assert.ok(p.ok, 'every generated event parses');
        const r = book.apply(p.value);
        assert.ok(r.ok && r.value.status === 'ok', `${p.value.id} is accepted`);
        accepted.push(p.value.id);
      }
    }
  }
  const gl = Object.fromEntries([...book.balances()].filter(([, v]) => v !== 0n).map(([k, v]) => [k, v.toString()]));
  return { accepted, gl };
}

/** A database the importer writes to: how the CLI names it, and how the test looks into it. */
interface Target {
  name: string;
  /** The CLI's store options for it. */
  args: string[];
  /** Events of the company stored so far (-1 before the table exists). */
  stored(): Promise<number>;
  /** Whether the importer holds an open write transaction now (probed just before a kill). */
  writing(): Promise<boolean>;
  /** The importer's environment. */
  env: Record<string, string>;
  open(): Promise<LedgerStore>;
  /** Runs SQL on the database itself; `table` names a ledger table there. */
  exec(sql: (table: (name: string) => string) => string): Promise<void>;
}

function sqliteTarget(dir: string): Target {
  const db = join(dir, 'ledger.sqlite');
  return {
    name: 'SQLite',
    args: ['--db', db],
    stored: async () => {
      if (!existsSync(db)) return -1;
      const conn = new Database(db, { readonly: true, fileMustExist: true });
      try {
        conn.pragma('busy_timeout = 1000');
        const hasTable = conn.prepare("SELECT 1 FROM sqlite_master WHERE name = 'events'").get();
        return hasTable ? Number((conn.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n) : -1;
      } finally {
        conn.close();
      }
    },
    // The write lock is taken only by a write transaction: BEGIN IMMEDIATE finds it busy then.
    writing: async () => {
      if (!existsSync(db)) return false;
      const conn = new Database(db, { fileMustExist: true });
      try {
        conn.pragma('busy_timeout = 0');
        conn.exec('BEGIN IMMEDIATE');
        conn.exec('ROLLBACK');
        return false;
      } catch (e) {
        if ((e as { code?: string }).code === 'SQLITE_BUSY') return true;
        throw e;
      } finally {
        conn.close();
      }
    },
    env: {},
    open: () => openStore({ sqlitePath: db }),
    exec: async (sql) => {
      const conn = new Database(db, { fileMustExist: true });
      try {
        conn.exec(sql((name) => name));
      } finally {
        conn.close();
      }
    },
  };
}

async function pgTarget(h: Harness): Promise<Target> {
  const [, url, schema] = (await h.fresh()).spawnArgs!;
  const query = async <R extends pg.QueryResultRow>(sql: string, params: unknown[] = []): Promise<R[]> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query<R>(sql, params)).rows;
    } finally {
      await c.end();
    }
  };
  // The importer's connections carry this name (pg reads PGAPPNAME), so its transactions can be seen.
  const app = `crash_${schema}`;
  return {
    name: `PostgreSQL (schema ${schema})`,
    args: ['--database-url', url, '--pg-schema', schema],
    stored: async () => {
      try {
        return Number((await query<{ n: string }>(`SELECT count(*) AS n FROM ${schema}.events`))[0]!.n);
      } catch (e) {
        if ((e as { code?: string }).code === '42P01') return -1; // undefined_table: not migrated yet
        throw e;
      }
    },
    writing: async () => (await query(`SELECT 1 FROM pg_stat_activity WHERE application_name = $1 AND xact_start IS NOT NULL AND state <> 'idle'`, [app])).length > 0,
    env: { PGAPPNAME: app },
    exec: async (sql) => void (await query(sql((name) => `${schema}.${name}`))),
    open: () => openStore({ databaseUrl: url, pgSchema: schema }),
  };
}

const cli = (args: string[]): string[] => ['--import', 'tsx', 'src/cli/main.ts', ...args];
const importArgs = (t: Target, file: string): string[] => cli(['import', ...t.args, '--config', CONFIG, '--batch', String(BATCH), '--sort-window', String(WINDOW), '--no-progress', file]);

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const COSTING_TABLES = ['costing_meta', 'costing_events', 'costing_pools', 'costing_entries', 'costing_checkpoints'];

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The committed costing state equals a rebuild of the committed events; returns how many there are. */
async function verified(t: Target, when: string): Promise<number> {
  const store = await t.open();
  try {
    if (!(await store.getCompany(CO))) return 0;
    const v = await verifyCosting(store, CO);
    assert.ok(!('code' in v), `${when}: ${JSON.stringify(v)}`);
    assert.deepEqual(v.differences, [], `${when}: the stored costing state equals a rebuild of the stored events`);
    return Number(await store.countEvents(CO));
  } finally {
    await store.close();
  }
}

/**
 * Starts the importer KILLS times and kills it: first 0–300 ms after its tables exist, then
 * once a random share of what is left is stored and a random 0–40 ms more — every other kill
 * then waits until the importer is inside a write transaction, the others land where they do;
 * after each kill the committed state is verified. Returns the events stored after each kill
 * and how many kills found the importer inside a write transaction.
 */
async function killRepeatedly(t: Target, file: string, random: () => number): Promise<{ storedAfterKills: number[]; inTransaction: number }> {
  const storedAfterKills: number[] = [];
  let inTransaction = 0;
  for (let attempt = 0; attempt < KILLS; attempt++) {
    const child = spawn(process.execPath, importArgs(t, file), { stdio: 'ignore', env: { ...process.env, ...t.env } });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    // The first kill comes soon after the tables exist (creating the company, opening it, the
    // first batch); each later one somewhere in the first two thirds of what is left.
    const before = Math.max(0, await t.stored());
    const target = attempt === 0 ? 0 : before + 1 + Math.floor(random() * ((COUNT - before) * 2) / 3);
    let code: number | null | undefined;
    while (code === undefined) {
      if ((await t.stored()) >= target) {
        await sleep(Math.floor(random() * (attempt === 0 ? 300 : 40)));
        // Every other kill waits (up to ~1 s) for the importer to be inside a write transaction.
        let writing = await t.writing();
        for (let i = 0; attempt % 2 === 1 && !writing && i < 200; i++) writing = await t.writing();
        if (writing) inTransaction++;
        child.kill('SIGKILL');
        code = await exited;
        break;
      }
      code = await Promise.race([exited, sleep(15).then(() => undefined)]);
    }
    if (code !== null) break; // the import ended before the kill: nothing left to interrupt
    storedAfterKills.push(await verified(t, `after kill ${attempt + 1} (seed ${SEED})`));
  }
  return { storedAfterKills, inTransaction };
}

async function storedIds(t: Target): Promise<{ ids: string[]; gl: Record<string, string> }> {
  const store = await t.open();
  try {
    const all = await store.eventsAfter(CO, 0n, COUNT * 2);
    const gl = Object.fromEntries((await store.trialBalance(CO)).filter((b) => b.balance !== 0n).map((b) => [b.account, b.balance.toString()]));
    return { ids: all.map((e) => e.id), gl };
  } finally {
    await store.close();
  }
}

/** Exactly the accepted events, each once; the GL is the book's; `stockbook verify` says identical. */
async function assertComplete(t: Target, file: string, checkpoints: boolean): Promise<void> {
  const want = expected(file);
  const got = await storedIds(t);
  assert.equal(got.ids.length, want.accepted.length, 'as many events stored as an uninterrupted import accepts');
  assert.equal(new Set(got.ids).size, got.ids.length, 'no event stored twice');
  assert.deepEqual([...got.ids].sort(), [...want.accepted].sort(), 'the stored events are the accepted ones');
  assert.deepEqual(got.gl, want.gl);
  const v = await run(cli(['verify', '--company', CO, ...t.args]), t.env);
  assert.equal(v.code, 0, v.stdout + v.stderr);
  const out = JSON.parse(v.stdout) as { identical: boolean; events: number; checkpoints: number };
  assert.equal(out.identical, true);
  assert.equal(out.events, want.accepted.length);
  if (checkpoints) assert.ok(out.checkpoints > 0, 'a pool went past a checkpoint interval');
}

function crashSuite(name: string, target: () => Promise<Target>, skip?: string): void {
  describe(name, { skip }, () => {
    test('killing the importer at random points: after each kill the stored state is a rebuild; rerun, nothing is lost or doubled', { timeout: 120_000 }, async () => {
      const t = await target();
      const dir = mkdtempSync(join(tmpdir(), 'stockbook-crash-'));
      const file = join(dir, 'events.jsonl');
      writeFileSync(file, events(SEED));
      const started = Date.now();
      const { storedAfterKills, inTransaction } = await killRepeatedly(t, file, rng(SEED * 31 + 1));
      const final = await run(importArgs(t, file), t.env);
      assert.equal(final.code, 0, final.stderr);
      await assertComplete(t, file, true);
      const midway = storedAfterKills.filter((c) => c > 0 && c < COUNT).length;
      process.stderr.write(`${t.name}: seed ${SEED}, ${storedAfterKills.length} kills, ${inTransaction} inside a write transaction (stored after each: ${storedAfterKills.join(', ')}), ${Date.now() - started} ms\n`);
      assert.ok(midway >= 2, `imports were killed midway (stored after each kill: ${storedAfterKills.join(', ')})`);
      assert.ok(inTransaction >= 1, 'a kill landed inside a write transaction');
      rmSync(dir, { recursive: true, force: true });
    });

    test('a rebuild of the costing state killed midway leaves all of it or none; the next open builds it whole', { timeout: 120_000 }, async () => {
      const t = await target();
      const dir = mkdtempSync(join(tmpdir(), 'stockbook-rebuild-'));
      const file = join(dir, 'events.jsonl');
      writeFileSync(file, events(SEED + 2));
      writeFileSync(join(dir, 'empty.jsonl'), '');
      const started = Date.now();
      assert.equal((await run(importArgs(t, file), t.env)).code, 0);
      // As a ledger written before the costing state existed: the next open rebuilds it, under the lock.
      await t.exec((table) => COSTING_TABLES.map((name) => `DELETE FROM ${table(name)}`).join('; '));
      const reopen = cli(['import', ...t.args, '--company', CO, '--no-progress', join(dir, 'empty.jsonl')]);
      const child = spawn(process.execPath, reopen, { stdio: 'ignore', env: { ...process.env, ...t.env } });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      let writing = false;
      for (const until = Date.now() + 20_000; !writing && Date.now() < until; ) writing = await Promise.race([exited.then(() => false), t.writing()]);
      await sleep(Math.floor(rng(SEED)() * 300));
      child.kill('SIGKILL');
      const code = await exited;
      const store = await t.open();
      const meta = await store.costing(CO).meta();
      const rows = meta ? -1 : (await store.costing(CO).allPools()).length + (await store.costing(CO).eventsPage(0n, 10)).length;
      await store.close();
      if (meta) await verified(t, 'after the rebuild was killed (it had committed)');
      else assert.equal(rows, 0, 'a rebuild that did not commit left no costing rows');
      process.stderr.write(`${t.name}: rebuild killed ${code === null ? `inside its transaction: ${writing}` : 'too late (it had exited)'}; its state after the kill: ${meta ? 'whole' : 'none'}; ${Date.now() - started} ms\n`);
      assert.equal((await run(reopen, t.env)).code, 0);
      await assertComplete(t, file, true);
      rmSync(dir, { recursive: true, force: true });
    });

    test('two importers racing on the same file store each event once', { timeout: 120_000 }, async () => {
      const t = await target();
      const dir = mkdtempSync(join(tmpdir(), 'stockbook-race-'));
      const file = join(dir, 'events.jsonl');
      writeFileSync(file, events(SEED + 1, RACE_COUNT));
      // Create the company first so both racers start from the same configuration.
      writeFileSync(join(dir, 'empty.jsonl'), '');
      const created = await run(cli(['import', ...t.args, '--config', CONFIG, '--no-progress', join(dir, 'empty.jsonl')]), t.env);
      assert.equal(created.code, 0, created.stderr);
      const codes = await Promise.all([run(importArgs(t, file), t.env), run(importArgs(t, file), t.env)]);
      for (const c of codes) assert.equal(c.code, 0, c.stderr);
      await assertComplete(t, file, false);
      rmSync(dir, { recursive: true, force: true });
    });
  });
}

const sqliteDir = mkdtempSync(join(tmpdir(), 'stockbook-crash-db-'));
let n = 0;
after(() => rmSync(sqliteDir, { recursive: true, force: true }));
crashSuite('import crash: SQLite', async () => sqliteTarget(mkdtempSync(join(sqliteDir, `${++n}-`))));

const pgSkip = await pgUnavailable();
const pgHarness = pgSkip ? undefined : postgres();
after(() => pgHarness?.teardown());
crashSuite('import crash: PostgreSQL', () => pgTarget(pgHarness!), pgSkip);
