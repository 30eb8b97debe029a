/**
 * Backdated events into a long history of one busy product (FIFO, one warehouse, 1,000 events
 * a day), through the durable ledger (CompanyLedger on SQLite): a bill dated 1 day, 1 week and
 * 1 month before the last day, and a void of a purchase from the first week. Each is timed cold
 * (a fresh CompanyLedger.open on the file, as a new process's first write) and warm (a second
 * such event on the same ledger), with the correction journals it wrote and what the costing
 * cache loaded and re-costed.
 *
 * bench/backdate.ts [HISTORY]   (default 1,000,000; e.g. 100000 for a quick run)
 * - STOCKBOOK_BACKDATE_DB=<path>: the built history is kept in (or reused from) this file; each
 *   run works on a copy of it, so a 1M build (many minutes) serves many runs.
 * - STOCKBOOK_BACKDATE_ONLY=<day|week|month|void>: runs that case alone.
 */
import { copyFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/domain/config.js';
import { parseEvent } from '../src/domain/events.js';
import { addDays, calendarDate, type CalendarDate } from '../src/domain/calendar-date.js';
import { CompanyLedger, MAX_BATCH, type CostingStats, type PostOutcome } from '../src/ledger/service.js';
import { openStore } from '../src/store/open.js';
import type { LedgerStore } from '../src/store/store.js';
import { BENCH_ACCOUNTS, BENCH_MAPPING } from './raw-stream.js';

const HISTORY = Number(process.argv[2] ?? 1_000_000);
const PER_DAY = 1000;
const COMPANY = 'backdate';
const ONLY = process.env['STOCKBOOK_BACKDATE_ONLY'];
const START = calendarDate('2020-01-01');
const LAST_DAY = Math.floor((HISTORY - 1) / PER_DAY);

const config = {
  company: { id: COMPANY, name: 'Backdate', baseCurrency: 'USD' },
  settings: { costingMethod: 'fifo', negativeStock: 'block' },
  accounts: BENCH_ACCOUNTS,
  mapping: BENCH_MAPPING,
  warehouses: [{ code: 'W0' }],
  products: [{ sku: 'P0' }],
};

function day(n: number): CalendarDate {
  return addDays(START, n);
}

function eventId(n: number): string {
  return `E${String(n).padStart(9, '0')}`;
}

function bill(id: string, date: string, qty: number, amount: string): Record<string, unknown> {
  return { id, type: 'purchase_invoice', date, supplier: 'S', lines: [{ product: 'P0', warehouse: 'W0', qty, amount }] };
}

/**
 * Buy 10, ship 7, buy 10, ship 13, at varying prices, after an opening purchase of 100: stock
 * swings between 90 and 113, a dozen layers live at a time, and a week-1 purchase can be voided
 * without leaving a later shipment short.
 */
function historyEvent(n: number): Record<string, unknown> {
  const date = day(Math.floor(n / PER_DAY));
  if (n % 2 === 0) return bill(eventId(n), date, n === 0 ? 100 : 10, `10.${String(n % 97).padStart(2, '0')}`);
  return { id: eventId(n), type: 'shipment', date, lines: [{ product: 'P0', warehouse: 'W0', qty: n % 4 === 1 ? 7 : 13 }] };
}

async function open(store: LedgerStore): Promise<CompanyLedger> {
  const l = await CompanyLedger.open(store, COMPANY);
  if (!(l instanceof CompanyLedger)) throw new Error(l.message);
  return l;
}

/** Builds the history through CompanyLedger.postBatch (batches of MAX_BATCH), or finds it built. */
async function build(path: string): Promise<number> {
  const store = await openStore({ sqlitePath: path });
  try {
    const have = (await store.getCompany(COMPANY)) ? Number(await store.countEvents(COMPANY)) : 0;
    if (have >= HISTORY) return 0;
    if (have === 0) await store.putCompany({ id: COMPANY, name: 'Backdate', config });
    const ledger = await open(store);
    const t0 = process.hrtime.bigint();
    for (let from = have; from < HISTORY; from += MAX_BATCH) {
      const batch = Array.from({ length: Math.min(MAX_BATCH, HISTORY - from) }, (_, i) => historyEvent(from + i));
      const out = await ledger.postBatch(batch);
      const bad = out.find((o) => o.status !== 'ok' && o.status !== 'exists');
      if (bad) throw new Error(`history event ${bad.event}: ${bad.status === 'error' || bad.status === 'conflict' ? bad.error.message : ''}`);
      if ((from / MAX_BATCH) % 10 === 9) console.error(`built ${(from + batch.length).toLocaleString('en')} events, ${(Number(process.hrtime.bigint() - t0) / 1e9).toFixed(0)} s`);
    }
    return Number(process.hrtime.bigint() - t0) / 1e9;
  } finally {
    await store.close();
  }
}

interface Case { name: string; label: string; target: number; events: [Record<string, unknown>, Record<string, unknown>] }

/** Dated at the end of the day `back` days before the last (ids after the history's sort after its events that day). */
function billBack(name: string, back: number, target: number): Case {
  const date = day(LAST_DAY - back);
  return { name, label: `bill ${back} day${back === 1 ? '' : 's'} back`, target, events: [bill(`X-${name}-1`, date, 5, '0.01'), bill(`X-${name}-2`, date, 5, '0.02')] };
}

const CASES: Case[] = [
  billBack('day', 1, 20),
  billBack('week', 7, 50),
  billBack('month', 30, 200),
  // Purchases of day 2 and day 3 (the first week), voided on the last day.
  { name: 'void', label: 'void of a week-1 purchase', target: 2000, events: [{ id: 'V-1', type: 'void', date: day(LAST_DAY), target: eventId(2 * PER_DAY) }, { id: 'V-2', type: 'void', date: day(LAST_DAY), target: eventId(3 * PER_DAY) }] },
];

/** Wall time, and this process's CPU time (user + system) over it: on a shared machine the CPU time is the steadier figure. */
interface Timed { ms: number; cpuMs: number; corrections: number; stats: CostingStats }

async function timed(ledger: CompanyLedger, ev: Record<string, unknown>): Promise<Timed> {
  const before = ledger.costingStats();
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const out: PostOutcome = await ledger.post(ev);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const cpu = process.cpuUsage(c0);
  if (out.status !== 'ok') throw new Error(`${String(ev['id'])}: ${out.status} ${out.status === 'exists' ? '' : out.error.message}`);
  const after = ledger.costingStats();
  const stats = Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - before[k as keyof CostingStats]])) as unknown as CostingStats;
  return { ms, cpuMs: (cpu.user + cpu.system) / 1000, corrections: out.journals.filter((j) => j.kind === 'correction').length, stats };
}

const dir = mkdtempSync(join(tmpdir(), 'stockbook-backdate-'));
const built = process.env['STOCKBOOK_BACKDATE_DB'] ?? join(dir, 'built.sqlite');
const buildSeconds = await build(built);
const work = join(dir, 'work.sqlite');
copyFileSync(built, work);
for (const x of ['-wal', '-shm']) if (existsSync(built + x)) copyFileSync(built + x, work + x);

// A process compiles the event schema on its first parse (about half a second here): done before
// the timings, which are of the ledger's first write, not of the process's start.
const schema = loadConfig(config);
if (!schema.ok || !parseEvent(bill('warm-up', day(0), 1, '1.00'), schema.value).ok) throw new Error('the warm-up event parses');

const rows: Record<string, unknown>[] = [];
for (const c of CASES.filter((x) => ONLY === undefined || x.name === ONLY)) {
  const store = await openStore({ sqlitePath: work });
  const tOpen = process.hrtime.bigint();
  const ledger = await open(store);
  const openMs = Number(process.hrtime.bigint() - tOpen) / 1e6;
  const cold = await timed(ledger, c.events[0]);
  const warm = await timed(ledger, c.events[1]);
  await store.close();
  rows.push({ case: c.name, label: c.label, targetMs: c.target, openMs: Number(openMs.toFixed(1)), cold, warm });
  const met = (t: Timed): string => `${t.ms.toFixed(1)} ms (${t.ms < c.target ? 'met' : 'NOT met'}; CPU ${t.cpuMs.toFixed(1)} ms)`;
  const what = (t: Timed): string => `${t.corrections} correction journals, ${t.stats.loadedEntries} entries and ${t.stats.loadedEvents} events loaded, ${t.stats.recostedMoves} moves re-costed`;
  console.log(`${c.label.padEnd(26)} target < ${c.target} ms: cold ${met(cold)} [open ${openMs.toFixed(1)} ms]; warm ${met(warm)}`);
  console.log(`${''.padEnd(26)} cold: ${what(cold)}; warm: ${what(warm)}`);
}
rmSync(dir, { recursive: true, force: true });
console.log(`history: ${HISTORY.toLocaleString('en')} events of one product${buildSeconds > 0 ? `, built through CompanyLedger.postBatch in ${buildSeconds.toFixed(1)} s` : `, reused from ${built}`} (2-core shared machine: figures are noisy)`);
console.log(JSON.stringify({ bench: 'backdate', history: HISTORY, rows }));
