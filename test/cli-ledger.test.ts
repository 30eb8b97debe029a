/**
 * The stockbook command over a durable ledger (issue 10): which --db it opens, which company
 * it picks, where summaries go, EPIPE, and what a re-import says about events it now posts
 * that an earlier run refused.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnOut, stockbook } from './helpers/cli.js';
import { today } from '../src/cli/db.js';

const dir = mkdtempSync(join(tmpdir(), 'stockbook-cli-ledger-'));
const SEED = 'examples/seed-004/company.json';

const lines = (events: Record<string, unknown>[]): string => events.map((e) => JSON.stringify(e)).join('\n') + '\n';
const file = (name: string, events: Record<string, unknown>[]): string => {
  const path = join(dir, name);
  writeFileSync(path, lines(events));
  return path;
};
const errorOf = (stderr: string): { code: string; message: string; fix: string } => (JSON.parse(stderr.trim().split('\n').pop()!) as { error: { code: string; message: string; fix: string } }).error;

const buy = (id: string, qty: number): Record<string, unknown> => ({ id, type: 'purchase_invoice', date: '2026-03-01', supplier: 'ACME', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty, amount: `${qty * 10}.00` }] });

test('a --db that does not exist is DB_NOT_FOUND for every command but import and serve, and nothing is created', async () => {
  const missing = join(dir, 'stokbook.sqlite');
  for (const args of [['journals'], ['report', 'trial-balance'], ['report', 'valuation'], ['export', '--format', 'csv'], ['sync', 'list'], ['counts', 'list'], ['api-key', 'list']]) {
    const r = await stockbook([...args, '--db', missing]);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    const e = errorOf(r.stderr);
    assert.equal(e.code, 'DB_NOT_FOUND', args.join(' '));
    assert.match(e.message, /stokbook\.sqlite/);
    assert.ok(!existsSync(missing), `${args.join(' ')} created no file`);
  }
});

test('a --db in a missing directory is DB_NOT_FOUND (not a TypeError stack), for import too', async () => {
  for (const args of [['import', '--config', SEED, 'examples/seed-004/shipment.jsonl'], ['journals']]) {
    const r = await stockbook([...args, '--db', 'nodir/x.sqlite']);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(errorOf(r.stderr).code, 'DB_NOT_FOUND');
    assert.match(errorOf(r.stderr).message, /directory "nodir"/);
    assert.doesNotMatch(r.stderr, /TypeError|\n\s+at /);
  }
});

test('import writes its summary to stdout; --company may be left out with one company, and is COMPANY_REQUIRED listing them with two', async () => {
  const db = join(dir, 'one.sqlite');
  const r = await stockbook(['import', '--db', db, '--config', SEED, '--no-progress', 'examples/seed-004/purchase-invoice.jsonl']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { imported: { new: 2, nowAccepted: 0, exists: 0, conflict: 0, refused: 0, nowAcceptedEvents: [] } });
  const tb = await stockbook(['report', 'trial-balance', '--db', db, '--format', 'json']);
  assert.equal(tb.status, 0, tb.stderr);
  assert.equal((JSON.parse(tb.stdout) as { company: string }).company, 'seed-004');
  // valuation defaults --as-of to today
  const val = await stockbook(['report', 'valuation', '--db', db, '--format', 'json']);
  assert.equal(val.status, 0, val.stderr);
  assert.equal((JSON.parse(val.stdout) as { asOf: string }).asOf, today());

  // API keys from the CLI: the old form (no subcommand) still creates one; --format key prints the key alone.
  const old = await stockbook(['api-key', '--db', db, '--role', 'viewer']);
  assert.equal(old.status, 0, old.stderr);
  assert.deepEqual([JSON.parse(old.stdout).role, JSON.parse(old.stdout).name], ['viewer', 'viewer key']);
  const bare = await stockbook(['api-key', 'create', '--db', db, '--name', 'curl', '--format', 'key']);
  assert.match(bare.stdout.trim(), /^sbk_seed-004_[0-9a-f]{32}$/);

  const other = join(dir, 'other.json');
  writeFileSync(other, JSON.stringify({ company: { id: 'beta', name: 'Beta', baseCurrency: 'USD' } }));
  assert.equal((await stockbook(['import', '--db', db, '--config', other, '--no-progress', file('none.jsonl', [])])).status, 0);
  const two = await stockbook(['journals', '--db', db]);
  assert.equal(two.status, 2);
  const e = errorOf(two.stderr);
  assert.equal(e.code, 'COMPANY_REQUIRED');
  assert.match(e.message, /2 companies \(beta, seed-004\)/);
  assert.equal((await stockbook(['journals', '--db', db, '--company', 'seed-004'])).status, 0);
});

test('`stockbook journals … | head -1` ends quietly: no EPIPE stack trace', async () => {
  const db = join(dir, 'many.sqlite');
  const many = file('many.jsonl', Array.from({ length: 800 }, (_, i) => buy(`B${i}`, 1)));
  assert.equal((await stockbook(['import', '--db', db, '--config', SEED, '--no-progress', many])).status, 0);
  const out = await spawnOut('sh', ['-c', `"${process.execPath}" --import tsx src/cli/main.ts journals --db "${db}" --format json | head -1`]);
  assert.equal(out.stdout.trim().split('\n').length, 1);
  assert.equal(out.stderr, '', 'nothing on stderr');
});

test('a re-import says which events it posts now that an earlier run refused (a void refused for stock, allowed once a later void ran)', async () => {
  const db = join(dir, 'reimport.sqlite');
  const events = file('voids.jsonl', [
    buy('B1', 10),
    { id: 'S1', type: 'shipment', date: '2026-03-05', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: 10 }] },
    { id: 'V-B1', type: 'void', date: '2026-03-10', target: 'B1' },
    { id: 'V-S1', type: 'void', date: '2026-03-11', target: 'S1' },
  ]);
  const first = await stockbook(['import', '--db', db, '--config', SEED, '--no-progress', events]);
  assert.equal(first.status, 1);
  assert.deepEqual(JSON.parse(first.stdout), { imported: { new: 3, nowAccepted: 0, exists: 0, conflict: 0, refused: 1, nowAcceptedEvents: [] } });
  assert.equal(errorOf(first.stderr).code, 'INSUFFICIENT_STOCK');

  const second = await stockbook(['import', '--db', db, '--no-progress', events]);
  assert.equal(second.status, 0, second.stderr);
  assert.deepEqual(JSON.parse(second.stdout), { imported: { new: 0, nowAccepted: 1, exists: 3, conflict: 0, refused: 0, nowAcceptedEvents: ['V-B1'] } });
  const note = JSON.parse(second.stderr.trim()) as { acceptedAfterRefusal: { event: string; refusedWith: string }; line: number };
  assert.deepEqual([note.acceptedAfterRefusal.event, note.acceptedAfterRefusal.refusedWith, note.line], ['V-B1', 'INSUFFICIENT_STOCK', 3]);

  // Other content under a refused id is a new event, not the refused one accepted.
  const changed = file('changed.jsonl', [buy('B2', 1), { id: 'X1', type: 'shipment', date: '2026-03-06', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: 5 }] }]);
  assert.equal((await stockbook(['import', '--db', db, '--no-progress', changed])).status, 1, 'X1 refused: no stock');
  const fixed = file('fixed.jsonl', [{ id: 'X1', type: 'shipment', date: '2026-03-06', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: 1 }] }]);
  const third = await stockbook(['import', '--db', db, '--no-progress', fixed]);
  assert.deepEqual(JSON.parse(third.stdout), { imported: { new: 1, nowAccepted: 0, exists: 0, conflict: 0, refused: 0, nowAcceptedEvents: [] } });
});
