/**
 * The demo's accounting system: a Xero sandbox (src/sandbox/xero) started beside the API, with
 * the demo company's chart, two contacts that already exist in "Xero" (one matched by number,
 * one by name with different payment terms, so a sync shows a terms warning), and the demo
 * company connected to it. The sandbox keeps its books in memory: each start is a fresh
 * organisation (a new tenant), so the demo's records start unposted again.
 */
import { startXeroSandbox, type XeroSandbox } from '../sandbox/xero/index.js';
import { isRecord } from '../domain/values.js';
import type { LedgerStore } from '../store/store.js';
import { putCompany } from '../ledger/service.js';
import { openSync } from '../sync/open.js';
import { DEMO_COMPANY_ID } from './generator.js';

/** One Xero minute lasts a second in the demo, so a full sync stays under Xero's limits and quick. */
export const DEMO_TIME_SCALE = 60;

/** `storeArgs`: how a CLI command names this store (e.g. `--db demo.sqlite`), for the hint it prints. */
export async function startDemoXero(store: LedgerStore, out: (s: string) => void, port = 0, storeArgs = ''): Promise<XeroSandbox> {
  const rec = await store.getCompany(DEMO_COMPANY_ID);
  if (!rec || !isRecord(rec.config)) throw new Error('assertion: the demo company exists');
  const config = rec.config;
  const accounts = Array.isArray(config['accounts']) ? (config['accounts'] as { code: string; name: string; type: string }[]) : [];
  const sb = await startXeroSandbox({
    port,
    timeScale: DEMO_TIME_SCALE,
    organisation: { name: 'Harbourline Wholesale Co. (Xero sandbox)', baseCurrency: 'USD' },
    accounts: accounts.map((a) => ({ code: a.code, name: a.name, type: a.type })),
    contacts: [
      { name: 'Teahouse', contactNumber: 'S-204', billsTermsDays: 14 },
      { name: 'Bayside Grocers', salesTermsDays: 14 },
    ],
  });
  try {
    const sync = isRecord(config['sync']) ? config['sync'] : {};
    const xero = { clientId: 'sandbox-client', clientSecret: 'sandbox-secret', tenantId: sb.tenantId, apiUrl: sb.apiBase, identityUrl: sb.tokenUrl, timeScale: DEMO_TIME_SCALE };
    const next = { ...config, sync: { ...sync, xero } };
    const co = await putCompany(store, next);
    if ('code' in co) throw new Error(`the demo company's sync configuration does not load: ${(co as { message: string }).message}`);
    const s = await openSync(store, DEMO_COMPANY_ID);
    if ('code' in s) throw new Error(`the demo company's sync does not open: ${s.message}`);
    await s.client.connect(sb.issueTokenSet());
  } catch (e) {
    await sb.close();
    throw e;
  }
  out(`  Xero sandbox:  ${sb.url}  (tenant ${sb.tenantId}; the demo company is connected: stockbook sync list${storeArgs === '' ? '' : ` ${storeArgs}`} --company ${DEMO_COMPANY_ID})`);
  return sb;
}
