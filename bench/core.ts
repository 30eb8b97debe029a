/** One benchmark run in its own process (so peak memory is this run's): bench/core.ts METHOD COUNT */
import { Book } from '../src/book/book.js';
import type { CostingMethod } from '../src/domain/config.js';
import type { BookEvent } from '../src/domain/events.js';
import { benchCompany, stream } from './workload.js';

const method = (process.argv[2] ?? 'fifo') as CostingMethod;
const count = Number(process.argv[3] ?? 1_000_000);
const PRODUCTS = 1000;
const WAREHOUSES = 3;

const co = benchCompany(method, PRODUCTS, WAREHOUSES);
// The stream is generated up front so the timing covers costing and posting only.
const events: BookEvent[] = [...stream(count, PRODUCTS, WAREHOUSES)];
// Specific-lot issues name their lot; the other methods choose layers themselves.
if (method !== 'specific') for (const e of events) if (e.type === 'shipment') for (const l of e.lines) l.lot = undefined;
let lines = 0;
const book = new Book(co, { keepJournals: false, onJournal: (j) => (lines += j.lines.length) });
const t0 = process.hrtime.bigint();
let failed = 0;
for (const e of events) if (!book.apply(e).ok) failed++;
const ns = Number(process.hrtime.bigint() - t0);
// Valuation as of a date in the middle of the history, over every pool (median of 5).
const asOfTimes: number[] = [];
for (let k = 0; k < 5; k++) {
  const t = process.hrtime.bigint();
  book.onHandAsOf('2020-09-01');
  asOfTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
}
const valuationAsOfMs = Number(asOfTimes.sort((a, b) => a - b)[2]!.toFixed(2));
const inv = book.inventoryValueByAccount().get('1300') ?? 0n;
const gl = book.balances().get('1300') ?? 0n;
process.stdout.write(JSON.stringify({
  method, events: count, failed, journalLines: lines,
  seconds: ns / 1e9, eventsPerSecond: Math.round(count / (ns / 1e9)),
  peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024),
  subledgerEqualsGl: inv === gl,
  valuationAsOfMs,
}) + '\n');
