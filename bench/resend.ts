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

async function timed(ledger: CompanyLedger, events: readonly unknown[], want: 'ok' | 'exists'): Promise<number> {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < events.length; i += BATCH) {
    for (const o of await ledger.postBatch(events.slice(i, i + BATCH))) if (o.status !== want) throw new Error(`event ${o.event}: ${o.status}, expected ${want}`);
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const dir = mkdtempSync(join(tmpdir(), 'stockbook-resend-'));
try {
  const store = await openStore({ sqlitePath: join(dir, 'bench.sqlite') });
  await putCompany(store, benchRawCompany);
  const ledger = await CompanyLedger.open(store, 'bench');
  if (!(ledger instanceof CompanyLedger)) throw new Error(ledger.message);
  const events = [...rawEvents(N)];
  const importSeconds = await timed(ledger, events, 'ok');
  const resendSeconds = await timed(ledger, events.slice(0, R), 'exists');
  await store.close();
  console.log(`import ${N} events: ${importSeconds.toFixed(2)} s; resend ${R} of them: ${resendSeconds.toFixed(2)} s (${((resendSeconds / R) * 1e6).toFixed(0)} µs per resend)`);
  console.log(JSON.stringify({ bench: 'resend', events: N, resent: R, importSeconds: Number(importSeconds.toFixed(2)), resendSeconds: Number(resendSeconds.toFixed(2)) }));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
