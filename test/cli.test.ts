import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CONFIG = 'examples/seed-004/company.json';

function cli(args: string[], input?: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', input });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const bill = JSON.stringify({ id: 'B1', type: 'purchase_invoice', date: '2026-03-05', supplier: 'ACME', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: 4, amount: '10.00', tax: '1.00' }] });
const shipment = JSON.stringify({ id: 'S1', type: 'shipment', date: '2026-03-06', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: 3 }] });

test('post: JSON Lines journals with signed decimal amounts, from stdin', () => {
  const r = cli(['post', '--config', CONFIG, '-'], `${bill}\n\n${shipment}\n`);
  assert.equal(r.status, 0, r.stderr);
  const journals = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; date: string; currency: string; lines: { account: string; amount: string }[] });
  assert.deepEqual(journals.map((j) => j.id), ['B1', 'S1']);
  assert.equal(journals[1]!.currency, 'USD');
  assert.deepEqual(journals[1]!.lines.map((l) => [l.account, l.amount]), [['5000', '7.50'], ['1300', '-7.50']]);
});

test('post: a failing event is a coded error on stderr, exit 1, and the rest still post', () => {
  const bad = JSON.stringify({ id: 'S9', type: 'shipment', date: '2026-03-07', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: 99 }] });
  const r = cli(['post', '-c', CONFIG, '-'], `${bill}\n${bad}\n{oops\n${shipment}\n`);
  assert.equal(r.status, 1);
  const errors = r.stderr.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { error: { code: string; fix: string }; line: number });
  assert.deepEqual(errors.map((e) => [e.error.code, e.line]), [['INSUFFICIENT_STOCK', 2], ['INVALID_EVENT', 3]]);
  assert.ok(errors.every((e) => e.error.fix.length > 0));
  assert.equal(r.stdout.trim().split('\n').length, 2);
});

test('post: an unreadable or invalid configuration exits 2 with INVALID_CONFIG', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-'));
  const broken = join(dir, 'company.json');
  writeFileSync(broken, JSON.stringify({ company: { id: 'x', baseCurrency: 'usd' }, mapping: { inventory: '1' } }));
  for (const cfg of [broken, join(dir, 'missing.json')]) {
    const r = cli(['post', '-c', cfg, '-'], bill);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /INVALID_CONFIG/);
  }
});

test('post and import refuse a configuration file with an unknown field, naming it, and store nothing', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-'));
  const cfg = join(dir, 'company.json');
  const good = JSON.parse(readFileSync(CONFIG, 'utf8')) as { settings: Record<string, unknown> };
  writeFileSync(cfg, JSON.stringify({ ...good, settings: { ...good.settings, costingMethd: 'fifo' } }));
  const posted = cli(['post', '-c', cfg, '-'], bill);
  assert.equal(posted.status, 2);
  assert.match(posted.stderr, /INVALID_CONFIG.*settings\.costingMethd/);
  assert.equal(posted.stdout, '');
  const db = join(dir, 'ledger.sqlite');
  const events = join(dir, 'events.jsonl');
  writeFileSync(events, `${bill}\n`);
  const imported = cli(['import', '--db', db, '-c', cfg, events]);
  assert.equal(imported.status, 2);
  assert.match(imported.stderr, /INVALID_CONFIG.*settings\.costingMethd/);
  const after = cli(['journals', '--db', db, '--company', 'seed-004']);
  assert.equal(after.status, 2);
  assert.match(after.stderr, /UNKNOWN_COMPANY|DB_NOT_FOUND/);
});

test('post --format table prints debits and credits for people', () => {
  const r = cli(['post', '-c', CONFIG, '--format', 'table', '-'], bill);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /1300 Inventory control\s*│\s*10\.00/);
  assert.match(r.stdout, /2100 Account Payable\s*│\s*│\s*10\.00/);
});
