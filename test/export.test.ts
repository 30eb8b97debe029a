/** The hledger export, checked by the real hledger (Debian package; installed by .ci/run). */
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
import { parseMoney } from '../src/domain/money.js';

const hledger = spawnSync('hledger', ['--version'], { encoding: 'utf8' });
const missing = hledger.status === 0 ? undefined : 'hledger is not installed';

test('the demo ledger exported to hledger has the same balance on every account, to the cent', { skip: missing && !process.env['CI'] ? missing : undefined }, () => {
  const co = loadConfig(JSON.parse(readFileSync('examples/demo/company.json', 'utf8')));
  assert.ok(co.ok);
  const book = new Book(co.value);
  for (const line of readFileSync('examples/demo/events.jsonl', 'utf8').split('\n').filter(Boolean)) {
    const e = parseEvent(JSON.parse(line), co.value);
    assert.ok(e.ok && book.apply(e.value).ok);
  }
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
