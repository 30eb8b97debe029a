/**
 * Sync benchmark (issue 4): N mixed records (default 10,000: sale invoices with their IV.TRX
 * inventory journals, bills, expense bills, customer payments, stock adjustments) synced to the
 * Xero sandbox under Xero's limits (5 concurrent, 60 calls a minute, 5,000 a day), time-scaled
 * (default 60: a Xero minute lasts a second) with a per-call latency.
 *
 * Prints the calls used against the ideal batching bound (every part kind sent in full batches
 * of 50, plus one call each for the chart, tax rates, contact pages and contact creation per
 * run) and the wall time against the bound those ideal calls need at 60 a minute, in Xero time.
 *   bench/sync.ts [RECORDS] [TIME_SCALE] [LATENCY_MS]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../src/store/sqlite.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { openSync } from '../src/sync/open.js';
import { startXeroSandbox } from '../src/sandbox/xero/index.js';
import type { RecordType } from '../src/posting/types.js';

const RECORDS = Number(process.argv[2] ?? 10_000);
const SCALE = Number(process.argv[3] ?? 60);
const LATENCY = Number(process.argv[4] ?? 5);
const BATCH = 50;

const ACCOUNTS = [
  ['1100', 'Bank', 'BANK'], ['1200', 'Accounts receivable', 'CURRENT'], ['1300', 'Inventory', 'INVENTORY'], ['2100', 'Accounts payable', 'CURRLIAB'],
  ['2200', 'GST', 'CURRLIAB'], ['4000', 'Sales', 'SALES'], ['5000', 'COGS', 'DIRECTCOSTS'], ['5100', 'Inventory discrepancy', 'DIRECTCOSTS'],
  ['6000', 'Expenses', 'EXPENSE'], ['6900', 'Rounding', 'EXPENSE'],
].map(([code, name, type]) => ({ code: code!, name: name!, type: type! }));

const CUSTOMERS = Array.from({ length: 40 }, (_, i) => ({ code: `C${i}`, name: `Customer ${i}`, contactNumber: `C-${i}`, termsDays: 30 }));
const SUPPLIERS = Array.from({ length: 10 }, (_, i) => ({ code: `S${i}`, name: `Supplier ${i}`, contactNumber: `S-${i}`, termsDays: 14 }));

/** The record mix: shares of RECORDS. */
function workload(n: number): Record<string, unknown>[] {
  const bills = Math.round(n * 0.05), invoices = Math.round(n * 0.45), expenses = Math.round(n * 0.05), adjustments = Math.round(n * 0.1);
  const payments = n - bills - invoices - expenses - adjustments;
  const out: Record<string, unknown>[] = [];
  const day = (i: number, of: number): string => new Date(Date.UTC(2026, 0, 1) + Math.floor((i / of) * 360) * 86_400_000).toISOString().slice(0, 10);
  for (let i = 0; i < bills; i++) out.push({ id: `B${i}`, type: 'purchase_invoice', date: day(i, bills), time: '08:00', supplier: `S${i % 10}`, reference: `SB-${i}`, lines: [{ product: 'W', warehouse: 'MAIN', qty: 100, amount: '1000.00', tax: '100.00' }] });
  for (let i = 0; i < invoices; i++) {
    out.push({ id: `I${i}`, type: 'sale_invoice', date: day(i, invoices), time: '12:00', customer: `C${i % 40}`, reference: `SO-${i}`, lines: [{ product: 'W', warehouse: 'MAIN', qty: 1, amount: '25.00', tax: '2.50' }, { account: '4000', amount: '4.99', tax: '0.50', description: 'Delivery' }] });
  }
  for (let i = 0; i < payments; i++) out.push({ id: `P${i}`, type: 'customer_payment', date: day(i, payments), time: '18:00', customer: `C${i % 40}`, reference: `SO-${i}`, amount: '32.99' });
  for (let i = 0; i < expenses; i++) out.push({ id: `E${i}`, type: 'expense_bill', date: day(i, expenses), time: '09:00', supplier: `S${i % 10}`, reference: `EX-${i}`, lines: [{ account: '6000', amount: '120.00', tax: '12.00' }] });
  for (let i = 0; i < adjustments; i++) out.push({ id: `A${i}`, type: 'stock_adjustment', date: day(i, adjustments), time: '17:00', lines: [{ product: 'W', warehouse: 'MAIN', qty: '-1' }] });
  return out.sort((a, b) => `${String(a['date'])}${String(a['time'])}`.localeCompare(`${String(b['date'])}${String(b['time'])}`));
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-sync-bench-'));
  const sb = await startXeroSandbox({ timeScale: SCALE, latencyMs: LATENCY, accounts: ACCOUNTS, organisation: { baseCurrency: 'USD' } });
  const store = new SqliteStore(join(dir, 'bench.sqlite'));
  try {
    await store.migrate();
    const config = {
      company: { id: 'bench', name: 'Bench', baseCurrency: 'USD' },
      settings: { costingMethod: 'fifo', cogsTiming: 'invoice', negativeStock: 'allow' },
      accounts: ACCOUNTS,
      mapping: { bank: '1100', ar: '1200', inventory: '1300', ap: '2100', tax: '2200', sales: '4000', cogs: '5000', inventoryDiscrepancy: '5100', expense: '6000', rounding: '6900' },
      warehouses: [{ code: 'MAIN' }], products: [{ sku: 'W', name: 'Widget' }],
      contacts: [...CUSTOMERS, ...SUPPLIERS],
      sync: { xero: { clientId: 'sandbox-client', clientSecret: 'sandbox-secret', tenantId: sb.tenantId, apiUrl: sb.apiBase, identityUrl: sb.tokenUrl, timeScale: SCALE } },
    };
    if ('code' in (await putCompany(store, config))) throw new Error('bench company does not load');
    const ledger = await CompanyLedger.open(store, 'bench');
    if (!(ledger instanceof CompanyLedger)) throw new Error(ledger.message);
    const events = workload(RECORDS);
    for (let i = 0; i < events.length; i += 5000) {
      for (const o of await ledger.postBatch(events.slice(i, i + 5000))) if (o.status !== 'ok') throw new Error(`${o.event}: ${JSON.stringify(o)}`);
    }
    const s = await openSync(store, 'bench', { ledger });
    if ('code' in s) throw new Error(s.message);
    await s.client.connect(sb.issueTokenSet());
    const listed = await s.engine.list();
    const records = Object.values(listed.counts).reduce((a, b) => a + b, 0);
    const t0 = process.hrtime.bigint();
    let calls = 0, posted = 0, failed = 0, warnings = 0;
    const parts = new Map<string, number>();
    const types: RecordType[] = ['invoices', 'procurement', 'expenses', 'payments'];
    for (const type of types) {
      const r = await s.engine.run({ type });
      calls += r.calls;
      posted += r.counts.posted;
      failed += r.counts.failed;
      warnings += r.counts.warnings;
      for (const x of r.results) {
        if (x.ids?.documentKind) parts.set(x.ids.documentKind, (parts.get(x.ids.documentKind) ?? 0) + 1);
        if (x.ids?.journalId) parts.set('journal', (parts.get('journal') ?? 0) + 1);
      }
    }
    const realMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const contactPages = Math.ceil((CUSTOMERS.length + SUPPLIERS.length) / 100) || 1;
    const ideal = [...parts.values()].reduce((a, n) => a + Math.ceil(n / BATCH), 0) + types.length * (2 + contactPages) + Math.ceil((CUSTOMERS.length + SUPPLIERS.length) / BATCH);
    const xeroSeconds = (realMs / 1000) * SCALE;
    const idealXeroSeconds = ((ideal - 1) / 60) * 60; // the 60th call of a minute may go at once; each further 60 waits a minute
    const st = sb.stats();
    const out = {
      bench: 'sync to the Xero sandbox', records, posted, failed, warnings, parts: Object.fromEntries(parts), timeScale: SCALE, latencyMs: LATENCY,
      calls, idealCalls: ideal, sandboxCalls: st.calls, throttled429: st.throttled, peakConcurrent: st.concurrentPeak,
      wallMsReal: Math.round(realMs), wallXeroMinutes: Number((xeroSeconds / 60).toFixed(2)), idealXeroMinutes: Number((idealXeroSeconds / 60).toFixed(2)),
      recordsPerXeroMinute: Math.round(posted / (xeroSeconds / 60)), schemaViolations: sb.violations.length,
      unpostedAfter: Object.values((await s.engine.list()).counts).reduce((a, b) => a + b, 0),
    };
    console.log(JSON.stringify(out));
  } finally {
    await sb.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
