/**
 * Stateless `post` against ledger-cli (issue 11): the same 100k-event, 200-SKU purchase/shipment
 * stream, timed in one run as whole commands (median of 3, each a fresh process):
 * - `stockbook post events.jsonl --config company.json` (dist/cli/main.js): parses, costs FIFO and
 *   writes every journal as JSON Lines;
 * - `ledger -f bench.journal balance`: reads the journals stockbook produced (as a ledger
 *   journal, src/export/hledger.ts, which ledger 3 reads) and sums them.
 * Both answers are checked: the balances summed from post's journals equal ledger's, to the
 * cent. Target: post at least 2× faster than ledger (ledger time / post time ≥ 2). Needs the
 * ledger Debian package (`apt-get install ledger`); without it the comparison is skipped with
 * one loud line. Needs `npm run build` (dist/), which `npm install` runs.
 *   bench/ledger-cli.ts [EVENTS=100000] [SKUS=200]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Book } from '../src/book/book.js';
import { loadConfig } from '../src/domain/config.js';
import { parseEvent } from '../src/domain/events.js';
import { parseMoney } from '../src/domain/money.js';
import { hledgerJournal } from '../src/export/hledger.js';
import type { Journal } from '../src/posting/journal.js';
import { benchRawCompany, rawEvents } from './raw-stream.js';
import { timedCommand } from './commands.js';

const COUNT = Number(process.argv[2] ?? 100_000);
const SKUS = Number(process.argv[3] ?? 200);
const TARGET_RATIO = 2;
const CLI = 'dist/cli/main.js';

if (spawnSync('ledger', ['--version']).status !== 0) {
  console.log('!!! ledger-cli comparison SKIPPED: ledger is not installed (apt-get install ledger); the stateless post target is not measured !!!');
  process.exit(0);
}
if (!existsSync(CLI)) throw new Error(`${CLI} is missing: run npm run build`);

/** An amount as minor units (the bench's currency, USD, has 2 decimals). */
function cents(text: string): bigint {
  const r = parseMoney(text, 'USD');
  if (!r.ok) throw new Error(`not an amount: ${text}`);
  return r.value;
}

/** Balances by account from post's JSON Lines journals, in minor units. */
function postBalances(out: string): Map<string, bigint> {
  const sums = new Map<string, bigint>();
  for (const line of out.split('\n')) {
    if (line === '') continue;
    const j = JSON.parse(line) as { lines: { account: string; amount: string }[] };
    for (const l of j.lines) sums.set(l.account, (sums.get(l.account) ?? 0n) + cents(l.amount));
  }
  return sums;
}

/** Balances by account from `ledger balance --flat` ("  1234.56 USD  1300" lines), in minor units. */
function ledgerBalances(out: string): Map<string, bigint> {
  const sums = new Map<string, bigint>();
  for (const m of out.matchAll(/^\s*(-?[\d,]+\.\d\d) USD\s+(\S+)\s*$/gm)) sums.set(m[2]!, cents(m[1]!.replace(/,/g, '')));
  return sums;
}

const dir = mkdtempSync(join(tmpdir(), 'stockbook-ledger-'));
try {
  const raw = { ...benchRawCompany, warehouses: [{ code: 'W0' }], products: benchRawCompany.products.slice(0, SKUS) };
  const co = loadConfig(raw);
  if (!co.ok) throw new Error(co.error.message);
  const events = [...rawEvents(COUNT, SKUS, 1)];
  writeFileSync(join(dir, 'company.json'), JSON.stringify(raw));
  writeFileSync(join(dir, 'events.jsonl'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  // The ledger journal: the same stream's journals, costed here once.
  const journals: Journal[] = [];
  const book = new Book(co.value, { keepJournals: false, onJournal: (j) => journals.push(j) });
  for (const e of events) {
    const p = parseEvent(e, co.value);
    if (!p.ok || !book.apply(p.value).ok) throw new Error(`event ${String(e['id'])} does not post`);
  }
  writeFileSync(join(dir, 'bench.journal'), hledgerJournal(journals));
  const ours = timedCommand(process.execPath, [CLI, 'post', join(dir, 'events.jsonl'), '--config', join(dir, 'company.json')]);
  const theirs = timedCommand('ledger', ['-f', join(dir, 'bench.journal'), 'balance', '--flat', '--no-total']);
  const a = postBalances(ours.out);
  const b = ledgerBalances(theirs.out);
  const nonZero = [...a].filter(([, v]) => v !== 0n);
  const same = nonZero.length === b.size && nonZero.every(([k, v]) => b.get(k) === v);
  const ratio = theirs.ms / ours.ms;
  const row = { events: COUNT, skus: SKUS, journals: journals.length, postMs: Math.round(ours.ms), ledgerMs: Math.round(theirs.ms), ratio: Number(ratio.toFixed(2)), sameBalances: same };
  console.log(`stockbook post ${row.postMs} ms vs ledger balance ${row.ledgerMs} ms over ${COUNT.toLocaleString('en')} events, ${SKUS} SKUs (${row.journals.toLocaleString('en')} journals): ledger/post time ratio ${row.ratio} (target ≥ ${TARGET_RATIO}: ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}); same balances to the cent: ${String(same)}`);
  if (!same) throw new Error('post and ledger disagree on the balances');
  console.log(JSON.stringify({ bench: 'ledger-cli', ...row }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
