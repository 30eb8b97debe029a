/**
 * A periodic-inventory company for the count export's faces (seed 002): categories BEV
 * (inventory 1200, COGS 5000) and HOME (inventory 1210, COGS 5010), two warehouses, a bill, a
 * sale issuing stock, a count on 2026-01-31, a transfer and a count on 2026-02-28.
 *
 *   2026-01-31  BEV: 100 COLA at 2.00 bought, 30 sold, 68 of 70 counted → 136.00
 *               HOME: 20 MUG at 5.00 bought, 5 sold, 15 counted       →  75.00
 *   2026-02-28  BEV: 20 COLA moved MAIN → BACK, 19 counted at BACK     → 134.00
 *               HOME: 14 MUG counted                                   →  70.00
 */
const accounts = [
  { code: '1100', name: 'Bank', type: 'BANK' },
  { code: '1150', name: 'Accounts receivable', type: 'CURRENT' },
  { code: '1200', name: 'Inventory — beverages', type: 'INVENTORY' },
  { code: '1210', name: 'Inventory — home goods', type: 'INVENTORY' },
  { code: '2100', name: 'Accounts payable', type: 'CURRLIAB' },
  { code: '2200', name: 'Tax', type: 'CURRLIAB' },
  { code: '4000', name: 'Sales', type: 'SALES' },
  { code: '5000', name: 'COGS — beverages', type: 'DIRECTCOSTS' },
  { code: '5010', name: 'COGS — home goods', type: 'DIRECTCOSTS' },
  { code: '5100', name: 'Inventory discrepancy', type: 'DIRECTCOSTS' },
];

const mapping = { bank: '1100', ar: '1150', ap: '2100', tax: '2200', sales: '4000', cogs: '5000', inventoryDiscrepancy: '5100' };

const categories = [
  { code: 'BEV', name: 'Beverages', mapping: { inventory: '1200', cogs: '5000' } },
  { code: 'HOME', name: 'Home goods', mapping: { inventory: '1210', cogs: '5010' } },
];

/** The company: every category mapped (no company-wide inventory account needed). */
export function countsCompany(id = 'cx'): Record<string, unknown> {
  return {
    company: { id, name: 'Counts & Co', baseCurrency: 'USD' },
    settings: { inventorySystem: 'periodic', costingMethod: 'fifo' },
    accounts,
    mapping,
    warehouses: [{ code: 'MAIN', name: 'Main' }, { code: 'BACK', name: 'Back store' }],
    categories,
    products: [{ sku: 'COLA', name: 'Cola 1l', category: 'BEV' }, { sku: 'MUG', name: 'Mug', category: 'HOME' }],
  };
}

/**
 * No company-wide inventory account, and a category MISC without a mapping: its stocked
 * product TRINKET has no GL account for the export (MAPPING_MISSING naming MISC).
 */
export function unmappedCompany(id = 'nomap'): Record<string, unknown> {
  const base = countsCompany(id);
  return {
    ...base,
    categories: [...categories, { code: 'MISC', name: 'Miscellaneous' }],
    products: [...(base['products'] as unknown[]), { sku: 'TRINKET', category: 'MISC' }],
  };
}

export const COUNT_EVENTS: Record<string, unknown>[] = [
  { id: 'BILL-1', type: 'purchase_invoice', date: '2026-01-05', supplier: 'ACME', lines: [{ product: 'COLA', warehouse: 'MAIN', qty: 100, amount: '200.00' }, { product: 'MUG', warehouse: 'MAIN', qty: 20, amount: '100.00' }] },
  { id: 'INV-1', type: 'sale_invoice', date: '2026-01-10', customer: 'BAYSIDE', issuesStock: true, lines: [{ product: 'COLA', warehouse: 'MAIN', qty: 30, amount: '90.00' }, { product: 'MUG', warehouse: 'MAIN', qty: 5, amount: '40.00' }] },
  { id: 'ST-1', type: 'stocktake', date: '2026-01-31', lines: [{ product: 'COLA', warehouse: 'MAIN', counted: 68 }, { product: 'MUG', warehouse: 'MAIN', counted: 15 }] },
  { id: 'TR-1', type: 'transfer', date: '2026-02-05', from: 'MAIN', to: 'BACK', lines: [{ product: 'COLA', qty: 20 }] },
  { id: 'ST-2', type: 'stocktake', date: '2026-02-28', lines: [{ product: 'COLA', warehouse: 'BACK', counted: 19 }, { product: 'MUG', warehouse: 'MAIN', counted: 14 }] },
];

/** A void of an export, dated at its count. */
export const voidOf = (id: string, target: string, date: string): Record<string, unknown> => ({ id, type: 'void', date, target });

/** What a count's preview says per category, as JSON (money as decimal strings). */
export interface PreviewJson {
  count: string;
  priorCount: string | null;
  inventorySystem: string;
  exportedBy: string | null;
  categories: { category: string | null; name: string; asset: string; cogs: string; opening: string; movements: Record<string, string>; prior: string; current: string }[];
  entries: { debit: string; credit: string; amount: string; memo: string }[];
  totals: { debit: string; credit: string };
  balanced: boolean;
}
