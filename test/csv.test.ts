import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { csvEvents, CSV_COLUMNS, type CsvEvent } from '../src/cli/csv-events.js';
import { openStore } from '../src/store/open.js';
import { importEvents } from '../src/cli/import.js';
import { readFileSync } from 'node:fs';

function file(text: string): string {
  const p = join(mkdtempSync(join(tmpdir(), 'stockbook-csv-')), 'events.csv');
  writeFileSync(p, text);
  return p;
}

async function all(path: string): Promise<{ events: CsvEvent[]; problems: string[] }> {
  const events: CsvEvent[] = [];
  const problems: string[] = [];
  for await (const e of csvEvents(path, (p) => problems.push(`${p.n}: ${p.message}`))) events.push(e);
  return { events, problems };
}

const EXAMPLE = `id,type,date,supplier,customer,product,warehouse,qty,amount,tax,account,description
BILL-7,purchase_invoice,2026-03-05,ACME,,WIDGET,MAIN,10,100.00,10.00,,
BILL-7,purchase_invoice,2026-03-05,ACME,,,,,20.00,2.00,6000,delivery fee
SHP-7,shipment,2026-03-06,,,WIDGET,MAIN,4,,,,
PAY-7,supplier_payment,2026-03-07,ACME,,,,,132.00,,,
`;

test('rows with one id form one event; event columns from the first row; cells stay exact text', async () => {
  const { events, problems } = await all(file(EXAMPLE));
  assert.deepEqual(problems, []);
  assert.deepEqual(events.map((e) => [e.n, e.raw]), [
    [2, { id: 'BILL-7', type: 'purchase_invoice', date: '2026-03-05', supplier: 'ACME', lines: [
      { product: 'WIDGET', warehouse: 'MAIN', qty: '10', amount: '100.00', tax: '10.00' },
      { amount: '20.00', tax: '2.00', account: '6000', description: 'delivery fee' },
    ] }],
    [4, { id: 'SHP-7', type: 'shipment', date: '2026-03-06', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: '4' }] }],
    [5, { id: 'PAY-7', type: 'supplier_payment', date: '2026-03-07', supplier: 'ACME', amount: '132.00' }],
  ]);
});

test('an unknown column is refused before any event', async () => {
  const { events, problems } = await all(file('id,type,date,colour\nX,shipment,2026-01-01,red\n'));
  assert.equal(events.length, 0);
  assert.match(problems[0]!, /unknown column\(s\) "colour"/);
});

test('docs/csv.md names every column the reader accepts', () => {
  const doc = readFileSync('docs/csv.md', 'utf8');
  for (const c of CSV_COLUMNS) assert.ok(doc.includes(`\`${c}\``), `docs/csv.md mentions ${c}`);
});

test('import of the documented example posts the seed-004 bill and the shipment', async () => {
  const store = await openStore({ sqlitePath: join(mkdtempSync(join(tmpdir(), 'stockbook-csv-')), 'l.sqlite') });
  const errors: string[] = [];
  const r = await importEvents(store, file(EXAMPLE), { config: 'examples/seed-004/company.json', batch: 2, progress: false }, (s) => errors.push(s));
  assert.deepEqual(errors, []);
  assert.deepEqual(r.summary, { new: 3, nowAccepted: 0, exists: 0, conflict: 0, refused: 0, nowAcceptedEvents: [] });
  const tb = Object.fromEntries((await store.trialBalance('seed-004')).filter((b) => b.balance !== 0n).map((b) => [b.account, b.balance]));
  assert.deepEqual(tb, { '1300': 6000n, '5000': 4000n, '2200': 1200n, '6000': 2000n, '1100': -13200n });
  await store.close();
});
