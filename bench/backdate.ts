/**
 * One backdated event into a 1M-event history of one product (FIFO, one warehouse): time to
 * re-cost the pool and persist the event with its correction journals (SQLite). The history
 * is built in memory first (building it through the store would only time the import).
 * bench/backdate.ts [HISTORY]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Book } from '../src/book/book.js';
import { orderKey, type BookEvent } from '../src/domain/events.js';
import { QTY_ONE } from '../src/domain/decimal.js';
import { addDays, calendarDate, type CalendarDate } from '../src/domain/calendar-date.js';
import { openStore } from '../src/store/open.js';
import { benchCompany } from './workload.js';

const HISTORY = Number(process.argv[2] ?? 1_000_000);
const PER_DAY = 1000;
const co = benchCompany('fifo', 1, 1);

const START = calendarDate('2020-01-01');
function day(n: number): CalendarDate {
  return addDays(START, n);
}

function event(n: number, date: CalendarDate, kind: 'buy' | 'ship', qty: bigint, amount = 0n): BookEvent {
  const id = `E${String(n).padStart(9, '0')}`;
  const base = { id, date, key: orderKey(date, undefined, id), docCurrency: 'USD' };
  return kind === 'buy'
    ? { ...base, type: 'purchase_invoice', supplier: 'S', dropship: false, depositApplied: 0n, lines: [{ product: 'P0', warehouse: 'W0', qty, amount, tax: 0n, capitalise: false }] }
    : { ...base, type: 'shipment', lines: [{ product: 'P0', warehouse: 'W0', qty }] };
}

const book = new Book(co, { keepJournals: false });
let built = 0;
const tBuild = process.hrtime.bigint();
for (let n = 0; n < HISTORY; n++) {
  // Buy 10, ship 7, buy 10, ship 13, at varying prices: stock swings between 0 and 13, so a
  // few layers are live at a time, as in a business that turns its stock over.
  const d = day(Math.floor(n / PER_DAY));
  const e = n % 2 === 0 ? event(n, d, 'buy', 10n * QTY_ONE, BigInt(1000 + (n % 97))) : event(n, d, 'ship', (n % 4 === 1 ? 7n : 13n) * QTY_ONE);
  if (book.apply(e).ok) built++;
}
const buildSeconds = Number(process.hrtime.bigint() - tBuild) / 1e9;
const lastDay = Math.floor((HISTORY - 1) / PER_DAY);

const store = await openStore({ sqlitePath: join(mkdtempSync(join(tmpdir(), 'stockbook-backdate-')), 'b.sqlite') });
await store.putCompany({ id: co.id, name: co.name, config: {} });

async function backdate(label: string, n: number, date: CalendarDate): Promise<Record<string, unknown>> {
  const before = { ...book.stats };
  const t0 = process.hrtime.bigint();
  const r = book.apply(event(n, date, 'buy', 5n * QTY_ONE, 1n));
  if (!r.ok) throw new Error(r.error.message);
  const tCost = process.hrtime.bigint();
  await store.write(co.id, async (tx) => {
    const seq = await tx.appendEvent({ id: `E${n}`, type: 'purchase_invoice', date, body: '{}' });
    await tx.appendJournals(seq, r.value.journals);
  });
  const tDone = process.hrtime.bigint();
  return {
    label, date,
    recostMs: Number((Number(tCost - t0) / 1e6).toFixed(2)),
    persistMs: Number((Number(tDone - tCost) / 1e6).toFixed(2)),
    totalMs: Number((Number(tDone - t0) / 1e6).toFixed(2)),
    movesReplayed: book.stats.replayedMoves - before.replayedMoves,
    correctionJournals: r.value.journals.length - 1,
  };
}

const rows = [
  await backdate('a day before the end', HISTORY + 1, day(lastDay - 1)),
  await backdate('a week before the end', HISTORY + 2, day(lastDay - 7)),
];
await store.close();
console.log(`history: ${built.toLocaleString('en')} events of one product built in ${buildSeconds.toFixed(1)} s`);
for (const r of rows) {
  console.log(`backdated bill ${String(r['label']).padEnd(22)} re-cost ${r['recostMs']} ms + persist ${r['persistMs']} ms = ${r['totalMs']} ms (target < 50 ms: ${(r['totalMs'] as number) < 50 ? 'met' : 'NOT met'}); ${r['movesReplayed']} moves re-costed, ${r['correctionJournals']} correction journals`);
}
console.log(JSON.stringify({ bench: 'backdate', history: built, rows }));
