/**
 * npm run bench: each costing method over 1M random purchase/shipment events (1,000
 * products × 3 warehouses), in process, one child process per method so peak memory is
 * per run. Prints a table and the raw figures as JSON. BENCH_EVENTS overrides the count.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const count = process.env['BENCH_EVENTS'] ?? '1000000';
const methods = (process.env['BENCH_METHODS'] ?? 'fifo,average,lifo,fefo,standard,specific').split(',');
const TARGET = 500_000;

/** Machine calibration, printed beside the figures: how fast this box runs plain JS work. */
function calibrate(): { intLoopNsPerIter: number; retainedAllocNsPer3Objects: number } {
  let t = process.hrtime.bigint();
  let x = 0;
  for (let i = 0; i < 1e8; i++) x = (x + i * 7) | 0;
  const intLoop = Number(process.hrtime.bigint() - t) / 1e8;
  t = process.hrtime.bigint();
  const kept: unknown[] = [];
  for (let i = 0; i < 1e6; i++) kept.push({ i, s: `x${i}`, b: [i] });
  const alloc = Number(process.hrtime.bigint() - t) / 1e6;
  if (x === 42 && kept.length === 0) console.log('');
  return { intLoopNsPerIter: Number(intLoop.toFixed(2)), retainedAllocNsPer3Objects: Math.round(alloc) };
}

const calibration = calibrate();
console.log(`machine: a plain integer loop takes ${calibration.intLoopNsPerIter} ns/iteration; retaining 3 small objects takes ${calibration.retainedAllocNsPer3Objects} ns`);
const rows: Record<string, unknown>[] = [];
for (const m of methods) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=8192', '--import', 'tsx', join(here, 'core.ts'), m, count], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`bench ${m} failed: ${r.stderr}`);
  const row = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
  rows.push(row);
  const target = m === 'fifo' || m === 'average' ? ` (target ≥ ${TARGET.toLocaleString('en')}/s: ${(row['eventsPerSecond'] as number) >= TARGET ? 'met' : 'NOT met'})` : '';
  console.log(`${m.padEnd(9)} ${String(row['events']).padStart(8)} events  ${String(row['eventsPerSecond']).padStart(8)} events/s  peak RSS ${String(row['peakRssMiB']).padStart(5)} MiB  sub-ledger = GL: ${String(row['subledgerEqualsGl'])}  valuation as of a date ${String(row['valuationAsOfMs'])} ms${target}`);
}
console.log(JSON.stringify({ bench: 'core', calibration, rows }));
