/**
 * The same purchase/shipment stream (default 100k events) imported into stockbook and
 * exported as an hledger journal; then, in one run, `hledger balance` and
 * `stockbook report trial-balance` are timed as whole commands (median of 3), their balances
 * compared to the cent, and the ratio printed. Needs the hledger Debian package.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { hledgerJournal } from '../src/export/hledger.js';
import { benchRawCompany, rawEvents } from './raw-stream.js';
import { timedCommand } from './commands.js';

const COUNT = Number(process.argv[2] ?? 100_000);
if (spawnSync('hledger', ['--version']).status !== 0) {
  console.log('hledger comparison: skipped (apt-get install hledger)');
  process.exit(0);
}
const dir = mkdtempSync(join(tmpdir(), 'stockbook-hledger-'));
const db = join(dir, 'ledger.sqlite');
const store = await openStore({ sqlitePath: db });
await putCompany(store, benchRawCompany);
const ledger = await CompanyLedger.open(store, 'bench');
if (!(ledger instanceof CompanyLedger)) throw new Error(ledger.message);
const events = [...rawEvents(COUNT)];
for (let i = 0; i < events.length; i += 1000) await ledger.postBatch(events.slice(i, i + 1000));
const journals = await store.journals('bench', { limit: 10_000_000 });
const file = join(dir, 'bench.journal');
writeFileSync(file, hledgerJournal(journals));
await store.close();


const theirs = timedCommand('hledger', ['-f', file, 'balance', '--flat', '--no-total', '--output-format=csv']);
const ours = timedCommand(process.execPath, ['dist/cli/main.js', 'report', 'trial-balance', '--company', 'bench', '--db', db, '--format', 'json']);
const hl = new Map(theirs.out.trim().split('\n').slice(1).map((row) => {
  const [a, v] = row.split(',').map((c) => c.replace(/^"|"$/g, '')) as [string, string];
  return [a, v.replace(/\s*USD$/, '').replace(/,/g, '')];
}));
const tb = JSON.parse(ours.out) as { accounts: { account: string; debit: string; credit: string }[] };
const signed = (a: { debit: string; credit: string }): string => (a.debit !== '' ? a.debit : `-${a.credit}`);
const same = tb.accounts.every((a) => hl.get(a.account) === signed(a)) && tb.accounts.length === [...hl.values()].filter((v) => !/^-?0(\.0+)?$/.test(v)).length;
const row = { events: COUNT, journals: journals.length, hledgerMs: Math.round(theirs.ms), stockbookMs: Math.round(ours.ms), ratio: Number((theirs.ms / ours.ms).toFixed(1)), sameBalances: same };
console.log(`hledger balance ${row.hledgerMs} ms vs stockbook report trial-balance ${row.stockbookMs} ms over ${COUNT.toLocaleString('en')} events (${row.journals.toLocaleString('en')} journals): hledger/stockbook time ratio ${row.ratio}; same balances to the cent: ${String(same)}`);
console.log(JSON.stringify({ bench: 'hledger', ...row }));
