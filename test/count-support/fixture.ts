/** The count-export scenario shared by the golden and property tests (figures in test/count-export.test.ts). */
import { SqliteStore } from '../../src/store/sqlite.js';
import { CompanyLedger, putCompany } from '../../src/ledger/service.js';

export function countCompany(inventorySystem: 'periodic' | 'perpetual', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    company: { id: 'counts', name: 'Counts Co', baseCurrency: 'USD' },
    settings: { costingMethod: 'fifo', cogsTiming: 'invoice', inventorySystem },
    accounts: [
      { code: '1000', name: 'Bank', type: 'BANK' }, { code: '1100', name: 'AR', type: 'CURRENT' },
      { code: '1200', name: 'Inventory - beverages and kits', type: 'INVENTORY' }, { code: '1210', name: 'Inventory - household', type: 'INVENTORY' },
      { code: '2000', name: 'AP', type: 'CURRLIAB' }, { code: '2100', name: 'Tax', type: 'CURRLIAB' },
      { code: '4000', name: 'Sales', type: 'SALES' }, { code: '5000', name: 'COGS - beverages and kits', type: 'DIRECTCOSTS' },
      { code: '5010', name: 'COGS - household', type: 'DIRECTCOSTS' }, { code: '5100', name: 'Inventory discrepancy', type: 'DIRECTCOSTS' },
      { code: '6200', name: 'Labour', type: 'OVERHEADS' }, { code: '1250', name: 'WIP', type: 'CURRENT' },
    ],
    mapping: { bank: '1000', ar: '1100', inventory: '1200', ap: '2000', tax: '2100', sales: '4000', cogs: '5000', inventoryDiscrepancy: '5100', labour: '6200', wip: '1250' },
    warehouses: [{ code: 'CENTRAL' }, { code: 'COAST' }],
    categories: [{ code: 'BEV', name: 'Beverages', mapping: { inventory: '1200', cogs: '5000' } }, { code: 'HOME', name: 'Household', mapping: { inventory: '1210', cogs: '5010' } }, { code: 'KITS', name: 'Gift kits' }],
    products: [{ sku: 'COFFEE', category: 'BEV' }, { sku: 'TEA', category: 'BEV' }, { sku: 'SOAP', category: 'HOME' }, { sku: 'GIFTBOX', category: 'KITS' }],
    ...extra,
  };
}

export const BEFORE_COUNT_1 = [
  { id: 'P1', type: 'purchase_invoice', date: '2026-01-05', supplier: 'S', lines: [
    { product: 'COFFEE', warehouse: 'CENTRAL', qty: 100, amount: '1000.00', tax: '0.00' },
    { product: 'TEA', warehouse: 'CENTRAL', qty: 50, amount: '200.00', tax: '0.00' },
    { product: 'SOAP', warehouse: 'COAST', qty: 40, amount: '200.00', tax: '0.00' }] },
  { id: 'S1', type: 'sale_invoice', date: '2026-01-10', customer: 'C', lines: [
    { product: 'COFFEE', warehouse: 'CENTRAL', qty: 10, amount: '180.00', tax: '0.00' },
    { product: 'SOAP', warehouse: 'COAST', qty: 5, amount: '40.00', tax: '0.00' }] },
  { id: 'ST1', type: 'stocktake', date: '2026-01-31', lines: [
    { product: 'COFFEE', warehouse: 'CENTRAL', counted: 89 }, { product: 'TEA', warehouse: 'CENTRAL', counted: 50 }, { product: 'SOAP', warehouse: 'COAST', counted: 35 }] },
];

export const BEFORE_COUNT_2 = [
  { id: 'T1', type: 'transfer', date: '2026-02-05', from: 'CENTRAL', to: 'COAST', lines: [{ product: 'COFFEE', qty: 20 }] },
  { id: 'A1', type: 'assembly', date: '2026-02-10', product: 'GIFTBOX', warehouse: 'CENTRAL', qty: 5, components: [{ product: 'COFFEE', qty: 5 }, { product: 'TEA', qty: 5 }], services: [{ role: 'labour', amount: '2.00' }] },
  { id: 'P2', type: 'purchase_invoice', date: '2026-02-12', supplier: 'S', lines: [{ product: 'TEA', warehouse: 'CENTRAL', qty: 30, amount: '135.00', tax: '0.00' }] },
  { id: 'S2', type: 'sale_invoice', date: '2026-02-20', customer: 'C', lines: [
    { product: 'COFFEE', warehouse: 'COAST', qty: 3, amount: '54.00', tax: '0.00' }, { product: 'GIFTBOX', warehouse: 'CENTRAL', qty: 2, amount: '60.00', tax: '0.00' }] },
  { id: 'ST2', type: 'stocktake', date: '2026-02-28', lines: [
    { product: 'COFFEE', warehouse: 'CENTRAL', counted: 64 }, { product: 'COFFEE', warehouse: 'COAST', counted: 17 }, { product: 'TEA', warehouse: 'CENTRAL', counted: 74 },
    { product: 'SOAP', warehouse: 'COAST', counted: 35 }, { product: 'GIFTBOX', warehouse: 'CENTRAL', counted: 3 }] },
];

export async function ledgerWith(config: Record<string, unknown>, events: Record<string, unknown>[]): Promise<{ store: SqliteStore; ledger: CompanyLedger }> {
  const store = new SqliteStore(':memory:');
  await store.migrate();
  const co = await putCompany(store, config);
  if ('code' in co) throw new Error(JSON.stringify(co));
  const ledger = await CompanyLedger.open(store, 'counts');
  if (!(ledger instanceof CompanyLedger)) throw new Error(ledger.message);
  for (const o of await ledger.postBatch(events)) if (o.status !== 'ok') throw new Error(`${o.event}: ${o.status}`);
  return { store, ledger };
}

