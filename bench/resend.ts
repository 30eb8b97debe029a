/**
 * Resending stored events, the documented recovery path: imports N events into a fresh SQLite
 * ledger (batches of 1,000), then resends the first R of them (each answers `exists` with its
 * journals) and prints both times. bench/resend.ts [N=50000] [R=5000]
 * A resend should cost O(1) store lookups, so R resends take about R/N of the import, not more.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { benchRawCompany, rawEvents } from './raw-stream.js';

const N = Number(process.argv[2] ?? 50_000);
const R = Math.min(N, Number(process.argv[3] ?? 5000));
const BATCH = 1000;

/** Wall seconds and this process's CPU seconds (the machine may be shared: CPU time is steadier). */
async function timed(ledger: CompanyLedger, events: readonly unknown[], want: 'ok' | 'exists'): Promise<{ wall: number; cpu: number }> {
  const t0 = process.hrtime.bigint();
  const c0 = process.cpuUsage();
  for (let i = 0; i < events.length; i += BATCH) {
    for (const o of await ledger.postBatch(events.slice(i, i + BATCH))) if (o.status !== want) throw new Error(`event ${o.event}: ${o.status}, expected ${want}`);
  }
  const c = process.cpuUsage(c0);
  return { wall: Number(process.hrtime.bigint() - t0) / 1e9, cpu: (c.user + c.system) / 1e6 };
}

const dir = mkdtempSync(join(tmpdir(), 'stockbook-resend-'));
try {
  const store = await openStore({ sqlitePath: join(dir, 'bench.sqlite') });
  await putCompany(store, benchRawCompany);
  const ledger = await CompanyLedger.open(store, 'bench');
  if (!(ledger instanceof CompanyLedger)) throw new Error(ledger.message);
  const events = [...rawEvents(N)];
  const first = await timed(ledger, events, 'ok');
  const again = await timed(ledger, events.slice(0, R), 'exists');
  await store.close();
  const s = (x: number): string => x.toFixed(2);
  console.log(`import ${N} events: ${s(first.wall)} s (CPU ${s(first.cpu)} s); resend ${R} of them: ${s(again.wall)} s (CPU ${s(again.cpu)} s, ${((again.wall / R) * 1e6).toFixed(0)} µs per resend)`);
  console.log(JSON.stringify({ bench: 'resend', events: N, resent: R, importSeconds: Number(s(first.wall)), importCpuSeconds: Number(s(first.cpu)), resendSeconds: Number(s(again.wall)), resendCpuSeconds: Number(s(again.cpu)) }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
