/** A Xero sandbox and a company that syncs to it, for the sync faces' tests. */
import { readFileSync } from 'node:fs';
import { startXeroSandbox, type XeroSandbox } from '../../src/sandbox/xero/index.js';

export const SEED = JSON.parse(readFileSync('examples/seed-004/company.json', 'utf8')) as Record<string, unknown>;

/** One Xero minute lasts a real second (limits, token lifetime). */
export const TIME_SCALE = 60;

/** A sandbox organisation in the company's currency whose chart is the company's. */
export function startSandbox(): Promise<XeroSandbox> {
  const accounts = SEED['accounts'] as { code: string; name: string; type: string }[];
  return startXeroSandbox({ timeScale: TIME_SCALE, accounts, organisation: { name: 'Seed 004 in Xero', baseCurrency: 'USD' } });
}

export const CONTACTS = [
  { code: 'BAYSIDE', name: 'Bayside Ltd', contactNumber: 'C-1', termsDays: 30 },
  { code: 'ACME', name: 'Acme Supplies', contactNumber: 'S-1', termsDays: 30 },
];

/** seed-004's chart under `id`, with contacts and a Xero connection to the sandbox. */
export function syncCompany(sb: XeroSandbox, id = 'seed-004', name = 'Sync company'): Record<string, unknown> {
  return {
    ...SEED,
    company: { id, name, baseCurrency: 'USD' },
    contacts: CONTACTS,
    sync: { xero: { clientId: 'sandbox-client', clientSecret: 'sandbox-secret', tenantId: sb.tenantId, apiUrl: sb.apiBase, identityUrl: sb.tokenUrl, timeScale: TIME_SCALE } },
  };
}

const line = (qty: number, amount: string, tax: string): Record<string, unknown> => ({ product: 'WIDGET', warehouse: 'MAIN', qty, amount, tax });
const sale = (id: string, date: string, customer: string, reference: string, qty: number, amount: string, tax: string): Record<string, unknown> => ({ id, type: 'sale_invoice', date, customer, reference, issuesStock: true, lines: [line(qty, amount, tax)] });

/**
 * A purchase, three invoices issuing stock (INV-2's customer has no contact) and a payment of
 * INV-1 by its reference.
 */
export const EVENTS: Record<string, unknown>[] = [
  { id: 'BILL-1', type: 'purchase_invoice', date: '2026-03-05', supplier: 'ACME', reference: 'PO-1', lines: [line(10, '100.00', '10.00')] },
  sale('INV-1', '2026-03-08', 'BAYSIDE', 'SO-1', 4, '80.00', '8.00'),
  sale('INV-2', '2026-03-09', 'NOBODY', 'SO-2', 1, '20.00', '2.00'),
  sale('INV-3', '2026-03-10', 'BAYSIDE', 'SO-3', 2, '40.00', '4.00'),
  { id: 'RCPT-1', type: 'customer_payment', date: '2026-03-20', customer: 'BAYSIDE', reference: 'SO-1', amount: '88.00' },
];

/** Calls the sandbox took that write (PUT/POST to the Accounting API), by route. */
export function writes(sb: XeroSandbox): Record<string, number> {
  return Object.fromEntries(Object.entries(sb.stats().byRoute).filter(([route]) => /^(PUT|POST) \//.test(route) && !route.startsWith('POST /connect')));
}
