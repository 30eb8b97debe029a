/**
 * A company syncing to a Xero sandbox: the chart (shared by both), contacts, a token set, and
 * the Xero side's general ledger computed from the sandbox's documents, to compare with ours.
 */
import { startXeroSandbox, type XeroSandbox, type SandboxOptions } from '../../src/sandbox/xero/index.js';
import { SqliteStore } from '../../src/store/sqlite.js';
import type { LedgerStore } from '../../src/store/store.js';
import { CompanyLedger, putCompany } from '../../src/ledger/service.js';
import { openSync, type CompanySync, type OpenSyncOptions } from '../../src/sync/open.js';
import type { PartKind, SyncTarget } from '../../src/sync/target.js';
import { deriveRecords, RECORD_TYPES } from '../../src/sync/records.js';
import { foldInto, stateOf } from '../../src/sync/state.js';
import { listedStatus, type ListedRecord } from '../../src/sync/listing.js';

export const ACCOUNTS = [
  { code: '1100', name: 'Bank', type: 'BANK' },
  { code: '1200', name: 'Accounts receivable', type: 'CURRENT' },
  { code: '1300', name: 'Inventory', type: 'INVENTORY' },
  { code: '1400', name: 'Supplier deposits', type: 'PREPAYMENT' },
  { code: '2100', name: 'Accounts payable', type: 'CURRLIAB' },
  { code: '2200', name: 'GST', type: 'CURRLIAB' },
  { code: '2300', name: 'Customer prepayments', type: 'CURRLIAB' },
  { code: '4000', name: 'Sales', type: 'SALES' },
  { code: '5000', name: 'Cost of goods sold', type: 'DIRECTCOSTS' },
  { code: '5100', name: 'Inventory discrepancy', type: 'DIRECTCOSTS' },
  { code: '5200', name: 'Purchase price variance', type: 'DIRECTCOSTS' },
  { code: '6000', name: 'Expenses', type: 'EXPENSE' },
  { code: '6900', name: 'Rounding', type: 'EXPENSE' },
];

export const CONTACTS = [
  { code: 'BAYSIDE', name: 'Bayside Ltd', contactNumber: 'C-1', termsDays: 30 },
  { code: 'ACME', name: 'Acme Supplies', contactNumber: 'S-1', termsDays: 14 },
];

export function companyConfig(sb: XeroSandbox, extra: Record<string, unknown> = {}, timeScale = 1000): Record<string, unknown> {
  return {
    company: { id: 'syncco', name: 'Sync Co', baseCurrency: 'USD' },
    settings: { costingMethod: 'fifo', cogsTiming: 'invoice' },
    accounts: ACCOUNTS,
    mapping: { bank: '1100', ar: '1200', inventory: '1300', supplierDeposits: '1400', ap: '2100', tax: '2200', customerPrepayments: '2300', sales: '4000', cogs: '5000', inventoryDiscrepancy: '5100', ppv: '5200', expense: '6000', rounding: '6900' },
    warehouses: [{ code: 'MAIN' }],
    products: [{ sku: 'W', name: 'Widget' }, { sku: 'G', name: 'Gadget' }],
    contacts: CONTACTS,
    sync: { tolerance: '0.05', xero: { clientId: 'sandbox-client', clientSecret: 'sandbox-secret', tenantId: sb.tenantId, apiUrl: sb.apiBase, identityUrl: sb.tokenUrl, timeScale } },
    ...extra,
  };
}

export interface Fixture { sb: XeroSandbox; store: LedgerStore; config: Record<string, unknown>; close(): Promise<void> }

export interface FixtureOptions {
  sandbox?: SandboxOptions;
  config?: Record<string, unknown>;
  store?: LedgerStore;
  /** More of sync.xero once the sandbox runs (e.g. an apiUrl through a proxy in front of it, a timeoutMs). */
  xero?: (sb: XeroSandbox) => Promise<Record<string, unknown>>;
}

export async function fixture(opts: FixtureOptions = {}): Promise<Fixture> {
  const sb = await startXeroSandbox({ timeScale: 1000, accounts: ACCOUNTS.map((a) => ({ ...a })), organisation: { name: 'Sync Co', baseCurrency: 'USD' }, ...opts.sandbox });
  const store = opts.store ?? new SqliteStore(':memory:');
  await store.migrate();
  const config = companyConfig(sb, opts.config, opts.sandbox?.timeScale ?? 1000);
  if (opts.xero) Object.assign((config['sync'] as { xero: Record<string, unknown> }).xero, await opts.xero(sb));
  const co = await putCompany(store, config);
  if ('code' in co) throw new Error((co as { message: string }).message);
  const s = await open(store);
  await s.client.connect(sb.issueTokenSet());
  return { sb, store, config, close: async () => { await sb.close(); await store.close(); } };
}

export async function open(store: LedgerStore, opts: OpenSyncOptions = {}): Promise<CompanySync> {
  const s = await openSync(store, 'syncco', opts);
  if ('code' in s) throw new Error(`${s.code}: ${s.message}`);
  return s;
}

/**
 * A crash between sending and recording: the target's send throws once Xero has answered the
 * call `when` picks (by part kind and call number from 0), before the engine stores anything.
 */
export function crashAfterSend(target: SyncTarget, when: (kind: PartKind, call: number) => boolean): void {
  const send = target.send.bind(target);
  let calls = 0;
  target.send = async (kind, items) => {
    const out = await send(kind, items);
    if (when(kind, calls++)) throw new Error('simulated crash after Xero answered');
    return out;
  };
}

export async function post(store: LedgerStore, events: Record<string, unknown>[]): Promise<void> {
  const ledger = await CompanyLedger.open(store, 'syncco');
  if (!(ledger instanceof CompanyLedger)) throw new Error(ledger.message);
  for (const r of await ledger.postBatch(events)) if (r.status !== 'ok' && r.status !== 'exists') throw new Error(`${r.event}: ${JSON.stringify(r)}`);
}

/** Xero's general ledger, per account code, from the sandbox's live documents (AR 1200, AP 2100, tax 2200). */
export function xeroGl(sb: XeroSandbox): Map<string, bigint> {
  const gl = new Map<string, bigint>();
  const add = (a: string | undefined, v: bigint): void => {
    if (a === undefined || v === 0n) return;
    gl.set(a, (gl.get(a) ?? 0n) + v);
  };
  const live = (s: string): boolean => s !== 'VOIDED' && s !== 'DELETED' && s !== 'DRAFT';
  const doc = (sign: bigint, control: string, lines: readonly { accountCode?: string; lineAmount: bigint; taxAmount: bigint }[]): void => {
    for (const l of lines) {
      add(control, sign * (l.lineAmount + l.taxAmount));
      add(l.accountCode, -sign * l.lineAmount);
      add('2200', -sign * l.taxAmount);
    }
  };
  for (const i of sb.state.invoices) if (live(i.status)) doc(i.type === 'ACCREC' ? 1n : -1n, i.type === 'ACCREC' ? '1200' : '2100', i.lines);
  for (const c of sb.state.creditNotes) if (live(c.status)) doc(c.type === 'ACCRECCREDIT' ? -1n : 1n, c.type === 'ACCRECCREDIT' ? '1200' : '2100', c.lines);
  for (const j of sb.state.manualJournals) if (j.status === 'POSTED') for (const l of j.lines) add(l.accountCode, l.lineAmount);
  for (const p of sb.state.payments) {
    if (p.status !== 'AUTHORISED') continue;
    const inv = sb.state.invoices.find((i) => i.invoiceId === p.invoiceId);
    const rec = inv?.type === 'ACCREC';
    add(p.accountCode, rec ? p.amount : -p.amount);
    add(rec ? '1200' : '2100', rec ? -p.amount : p.amount);
  }
  for (const b of sb.state.bankTransactions) {
    if (!live(b.status)) continue;
    const sign = b.type === 'RECEIVE' ? 1n : -1n;
    for (const l of b.lines) {
      add(b.bankAccountCode, sign * (l.lineAmount + l.taxAmount));
      add(l.accountCode, -sign * l.lineAmount);
      add('2200', -sign * l.taxAmount);
    }
  }
  for (const [k, v] of gl) if (v === 0n) gl.delete(k);
  return gl;
}

/**
 * The sync list as it was computed before it was paged (issue 11), kept as an oracle: every
 * journal derived to its record (deriveRecords), each record's status from the whole sync log
 * folded and the voided events read from every event, then counted and filtered in full.
 */
export async function listOracle(store: LedgerStore, engine: CompanySync['engine'], opts: { all?: boolean } = {}): Promise<{ counts: Record<string, number>; records: ListedRecord[] }> {
  const journals = await store.journals('syncco');
  const events = await engine.ledger.current.events([...new Set(journals.map((j) => j.event))]);
  const records = deriveRecords(journals, (id) => events.get(id));
  const states = foldInto(new Map(), await store.syncEntries('syncco', engine.target.name));
  const voided = new Set<string>();
  for (const e of await store.eventsAfter('syncco', 0n)) if (e.type === 'void') voided.add((JSON.parse(e.body) as { target: string }).target);
  const counts: Record<string, number> = Object.fromEntries(RECORD_TYPES.map((t) => [t, 0]));
  const out: ListedRecord[] = [];
  for (const rec of records) {
    const st = stateOf(states, rec.id);
    const status = listedStatus({ kind: rec.kind, grouped: rec.grouped === true, event: rec.event.id }, st, voided);
    const open = status !== 'posted' && status !== 'cancelled';
    if (open) counts[rec.type]!++;
    if (opts.all || open) out.push({ id: rec.id, type: rec.type, kind: rec.kind, eventType: rec.event.type, event: rec.event.id, date: rec.date, reference: rec.event.reference, status, version: st.version, error: st.failed?.error, posted: st.posted });
  }
  return { counts, records: out };
}
