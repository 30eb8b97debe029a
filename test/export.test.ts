/**
 * The hledger and beancount exports, checked by the real hledger and bean-check (Debian
 * packages; installed by .ci/run). Without them these tests are skipped with one line saying how
 * to install them (test/support/tools.ts); under CI that is a failure.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/domain/config.js';
import { parseEvent } from '../src/domain/events.js';
import { Book } from '../src/book/book.js';
import { hledgerJournal } from '../src/export/hledger.js';
import { beancountLedger } from '../src/export/beancount.js';
import { parseMoney } from '../src/domain/money.js';
import { BEAN_CHECK, HLEDGER, needTool } from './support/tools.js';

const missing = await needTool(HLEDGER);
const beanMissing = await needTool(BEAN_CHECK);

/** The demo year's book: every event of examples/demo posted. */
function demoBook(): Book {
  const co = loadConfig(JSON.parse(readFileSync('examples/demo/company.json', 'utf8')));
  assert.ok(co.ok);
  const book = new Book(co.value);
  for (const line of readFileSync('examples/demo/events.jsonl', 'utf8').split('\n').filter(Boolean)) {
    const e = parseEvent(JSON.parse(line), co.value);
    assert.ok(e.ok && book.apply(e.value).ok);
  }
  return book;
}

test('the demo ledger exported to hledger has the same balance on every account, to the cent', { skip: missing }, () => {
  const book = demoBook();
  const file = join(mkdtempSync(join(tmpdir(), 'stockbook-hledger-')), 'demo.journal');
  writeFileSync(file, hledgerJournal(book.journals));
  const r = spawnSync('hledger', ['-f', file, 'balance', '--flat', '--no-total', '--output-format=csv'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const theirs = new Map<string, bigint>();
  for (const row of r.stdout.trim().split('\n').slice(1)) {
    const [account, amount] = row.split(',').map((c) => c.replace(/^"|"$/g, '')) as [string, string];
    const parsed = parseMoney(amount.replace(/\s*USD$/, '').replace(/,/g, ''), 'USD');
    assert.ok(parsed.ok, `hledger amount ${amount}`);
    theirs.set(account, parsed.value);
  }
  const ours = new Map([...book.balances()].filter(([, v]) => v !== 0n));
  assert.deepEqual(new Map([...theirs].filter(([, v]) => v !== 0n)), ours);
  assert.ok(ours.size > 5);
});

test('the demo ledger exported to beancount passes bean-check and bean-query gives our balances to the cent', { skip: beanMissing }, () => {
  const book = demoBook();
  const file = join(mkdtempSync(join(tmpdir(), 'stockbook-beancount-')), 'demo.beancount');
  writeFileSync(file, beancountLedger(book.journals, book.co));
  const check = spawnSync('bean-check', [file], { encoding: 'utf8' });
  assert.equal(check.status, 0, check.stdout + check.stderr);
  const q = spawnSync('bean-query', ['-f', 'csv', file, 'SELECT account, sum(number) AS total GROUP BY account'], { encoding: 'utf8' });
  assert.equal(q.status, 0, q.stderr);
  const theirs = new Map<string, bigint>();
  for (const row of q.stdout.trim().split('\n').slice(1)) {
    const [account, total] = row.split(',').map((c) => c.trim()) as [string, string];
    const code = /:C([A-Za-z0-9]+)/.exec(account)?.[1];
    const parsed = parseMoney(total, 'USD');
    assert.ok(code !== undefined && parsed.ok, `${account} ${total}`);
    if (parsed.value !== 0n) theirs.set(code, parsed.value);
  }
  assert.deepEqual(theirs, new Map([...book.balances()].filter(([, v]) => v !== 0n)));
});

test('stockbook export over the stored ledger: hledger and beancount files the real tools accept, and CSV', { skip: missing ?? beanMissing }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-export-'));
  const db = join(dir, 'ledger.sqlite');
  const cli = (args: string[]): ReturnType<typeof spawnSync> => spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
  const imported = cli(['import', '--db', db, '--config', 'examples/demo/company.json', '--no-progress', 'examples/demo/events.jsonl']);
  assert.equal(imported.status, 0, String(imported.stderr));
  for (const [format, tool, args] of [['hledger', 'hledger', ['-f']], ['beancount', 'bean-check', []]] as const) {
    const out = cli(['export', '--db', db, '--company', 'harbourline', '--format', format]);
    assert.equal(out.status, 0, String(out.stderr));
    const file = join(dir, `demo.${format}`);
    writeFileSync(file, String(out.stdout));
    const r = spawnSync(tool, format === 'hledger' ? [...args, file, 'check'] : [file], { encoding: 'utf8' });
    assert.equal(r.status, 0, `${tool}: ${r.stdout}${r.stderr}`);
  }
  const csvOut = cli(['export', '--db', db, '--company', 'harbourline', '--format', 'csv']);
  assert.equal(csvOut.status, 0);
  const rows = String(csvOut.stdout).trim().split('\n');
  assert.equal(rows[0], 'journal,kind,event,date,account,account_name,amount,product,warehouse,memo');
  assert.ok(rows.length > 50);
});
