/**
 * Crash safety of `stockbook import`: kill the importer at random points, rerun it, and prove
 * no event is lost or doubled and the ledger still ties out; and two importers racing on one
 * file store each event once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open.js';
import { loadConfig } from '../src/domain/config.js';
import { parseEvent } from '../src/domain/events.js';
import { Book } from '../src/book/book.js';
import { readFileSync, existsSync } from 'node:fs';
import Database from 'better-sqlite3';

const CONFIG = 'examples/seed-004/company.json';
const COUNT = 2500;

/** A deterministic in-order stream of purchases and shipments that never runs out of stock. */
function events(): string {
  const lines: string[] = [];
  let onHand = 0;
  for (let n = 0; n < COUNT; n++) {
    const id = `E${String(n).padStart(6, '0')}`;
    const date = `2026-${String(1 + Math.floor(n / 250)).padStart(2, '0')}-${String(1 + Math.floor((n % 250) / 10)).padStart(2, '0')}`;
    if (onHand < 5 || n % 3 === 0) {
      onHand += 10;
      lines.push(JSON.stringify({ id, type: 'purchase_invoice', date, supplier: 'ACME', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: 10, amount: `${100 + (n % 7)}.${String(n % 100).padStart(2, '0')}` }] }));
    } else {
      onHand -= 3;
      lines.push(JSON.stringify({ id, type: 'shipment', date, lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: 3 }] }));
    }
  }
  return lines.join('\n') + '\n';
}

function importArgs(db: string, file: string): string[] {
  return ['--import', 'tsx', 'src/cli/main.ts', 'import', '--db', db, '--config', CONFIG, '--batch', '100', '--no-progress', file];
}

/** The GL the stateless book computes for the same file. */
function expectedGl(file: string): Record<string, string> {
  const co = loadConfig(JSON.parse(readFileSync(CONFIG, 'utf8')));
  assert.ok(co.ok);
  const book = new Book(co.value, { keepJournals: false });
  for (const line of readFileSync(file, 'utf8').split('\n').filter(Boolean)) {
    const e = parseEvent(JSON.parse(line), co.value);
    assert.ok(e.ok && book.apply(e.value).ok);
  }
  return Object.fromEntries([...book.balances()].filter(([, v]) => v !== 0n).map(([k, v]) => [k, v.toString()]));
}

async function storedState(db: string): Promise<{ count: bigint; ids: number; gl: Record<string, string> }> {
  const store = await openStore({ sqlitePath: db });
  try {
    const all = await store.eventsAfter('seed-004', 0n, COUNT * 2);
    const gl = Object.fromEntries((await store.trialBalance('seed-004')).filter((b) => b.balance !== 0n).map((b) => [b.account, b.balance.toString()]));
    return { count: await store.countEvents('seed-004'), ids: new Set(all.map((e) => e.id)).size, gl };
  } finally {
    await store.close();
  }
}

/** Events stored so far, read straight from the SQLite file (read-only; 0 before it exists). */
function countStored(db: string): number {
  if (!existsSync(db)) return 0;
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    conn.pragma('busy_timeout = 1000');
    const hasTable = conn.prepare("SELECT 1 FROM sqlite_master WHERE name = 'events'").get();
    return hasTable ? Number((conn.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n) : 0;
  } finally {
    conn.close();
  }
}

/** Small seeded generator so a failing run can be replayed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

test('killing the importer at random points and rerunning loses and doubles nothing', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-crash-'));
  const file = join(dir, 'events.jsonl');
  const db = join(dir, 'ledger.sqlite');
  writeFileSync(file, events());
  const random = rng(Number(process.env['CRASH_SEED'] ?? 7));
  const storedAfterKills: number[] = [];
  for (let attempt = 0; attempt < 8; attempt++) {
    const child = spawn(process.execPath, importArgs(db, file), { stdio: 'ignore' });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    // Kill once a random share of the events is stored, so the crash lands mid-import.
    const target = 100 + Math.floor(random() * (COUNT - 600));
    let code: number | null | undefined;
    while (code === undefined) {
      const stored = countStored(db);
      if (stored >= target) {
        child.kill('SIGKILL');
        code = await exited;
        storedAfterKills.push(countStored(db));
        break;
      }
      code = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 20))]);
    }
    if (code !== null) break;
  }
  const final = spawnSync(process.execPath, importArgs(db, file), { encoding: 'utf8' });
  assert.equal(final.status, 0, final.stderr);
  const state = await storedState(db);
  assert.ok(storedAfterKills.some((c) => c > 0 && c < COUNT), `an import was killed midway (stored after each kill: ${storedAfterKills.join(', ')})`);
  assert.equal(state.count, BigInt(COUNT));
  assert.equal(state.ids, COUNT);
  assert.deepEqual(state.gl, expectedGl(file));
});

test('two importers racing on the same file store each event once', { timeout: 240_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-race-'));
  const file = join(dir, 'events.jsonl');
  const db = join(dir, 'ledger.sqlite');
  writeFileSync(file, events());
  // Create the company first so both racers start from the same configuration.
  assert.equal(spawnSync(process.execPath, importArgs(db, join(dir, 'none.jsonl')).slice(0, -1).concat('-'), { input: '' }).status, 0);
  const run = (): Promise<number | null> => new Promise((resolve) => spawn(process.execPath, importArgs(db, file), { stdio: 'ignore' }).on('exit', resolve));
  const codes = await Promise.all([run(), run()]);
  assert.deepEqual(codes, [0, 0]);
  const state = await storedState(db);
  assert.equal(state.count, BigInt(COUNT));
  assert.equal(state.ids, COUNT);
  assert.deepEqual(state.gl, expectedGl(file));
});
