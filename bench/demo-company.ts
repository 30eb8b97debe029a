/**
 * A large company of the demo's mix for the cold-open benchmarks: the demo year
 * (src/demo/generator.ts, 16 event types) repeated year after year, each later year's ids,
 * references and the ids its events name shifted to be its own ("Y3-SO-10011") and its dates
 * moved on by whole years, written to a SQLite file through the ledger (so its events, journals
 * and day totals are what a real import writes). The company carries a Xero connection so its
 * sync list can be read (no call is ever made).
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { demoCompanyConfig, demoYear, DEMO_COMPANY_ID, type DemoEvent } from '../src/demo/generator.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { SqliteStore } from '../src/store/sqlite.js';

export const BIG_COMPANY = DEMO_COMPANY_ID;

/** Fields that name another event of the same year. */
const NAMES_EVENT = new Set(['id', 'sale', 'purchase', 'target', 'invoice', 'bill', 'receipt', 'shipment', 'previous', 'reference']);
const DATE = /^(\d{4})(-\d{2}-\d{2})$/;

function shifted(v: unknown, year: number, key: string): unknown {
  if (typeof v === 'string') {
    if (NAMES_EVENT.has(key)) return `Y${year}-${v}`;
    const d = DATE.exec(v);
    return d ? `${Number(d[1]) + year}${d[2]}` : v;
  }
  if (Array.isArray(v)) return v.map((x) => shifted(x, year, key));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, shifted(x, year, k)]));
  return v;
}

/** The first `count` events of the demo years 2026, 2027, … in the order to post them. */
export function* demoEvents(count: number): Generator<DemoEvent> {
  const year0 = demoYear();
  for (let n = 0, year = 0; ; year++) {
    for (const e of year0) {
      if (n++ >= count) return;
      yield year === 0 ? e : (shifted(e, year, '') as DemoEvent);
    }
  }
}

/** The demo company with a Xero connection configured, so its sync can be listed. */
export function bigCompanyConfig(): Record<string, unknown> {
  const cfg = demoCompanyConfig();
  return { ...cfg, sync: { ...(cfg['sync'] as Record<string, unknown>), xero: { clientId: 'bench-client', tenantId: 'bench-tenant' } } };
}

/** A SQLite file holding the company with `count` events, built once and reused (`path` names it). */
export async function bigCompanyFile(path: string, count: number, log: (s: string) => void = () => undefined): Promise<string> {
  if (existsSync(path)) return path;
  const tmp = `${path}.building`;
  rmSync(tmp, { force: true });
  const store = new SqliteStore(tmp);
  try {
    await store.migrate();
    const co = await putCompany(store, bigCompanyConfig());
    if ('code' in co) throw new Error(co.message);
    const ledger = await CompanyLedger.open(store, BIG_COMPANY);
    if (!(ledger instanceof CompanyLedger)) throw new Error(ledger.message);
    let batch: DemoEvent[] = [];
    const flush = async (): Promise<void> => {
      for (const o of await ledger.postBatch(batch)) if (o.status !== 'ok') throw new Error(`${o.event}: ${JSON.stringify(o.status === 'error' || o.status === 'conflict' ? o.error : o)}`);
      batch = [];
    };
    let n = 0;
    for (const e of demoEvents(count)) {
      batch.push(e);
      if (batch.length === 5000) await flush();
      if (++n % 50_000 === 0) log(`  built ${n.toLocaleString('en')} of ${count.toLocaleString('en')} events`);
    }
    await flush();
  } finally {
    await store.close();
  }
  renameSync(tmp, path);
  return path;
}
