/** A small company for unit tests, with settings and products overridable per test. */
import { loadConfig, type Company } from '../../src/domain/config.js';
import { parseEvent } from '../../src/domain/events.js';
import { Book, type Applied } from '../../src/book/book.js';
import type { Result } from '../../src/domain/errors.js';

export function company(settings: Record<string, unknown> = {}, products: Record<string, unknown>[] = [{ sku: 'W' }], extra: Record<string, unknown> = {}): Company {
  const co = loadConfig({
    company: { id: 'test', name: 'Test', baseCurrency: 'USD' },
    settings,
    accounts: [
      { code: '1100', name: 'Bank', type: 'BANK' },
      { code: '1200', name: 'AR', type: 'CURRENT' },
      { code: '1300', name: 'Inventory', type: 'INVENTORY' },
      { code: '1301', name: 'Inventory — North', type: 'INVENTORY' },
      { code: '1310', name: 'WIP', type: 'CURRENT' },
      { code: '1400', name: 'Supplier deposits', type: 'PREPAYMENT' },
      { code: '2100', name: 'AP', type: 'CURRLIAB' },
      { code: '2200', name: 'Tax', type: 'CURRLIAB' },
      { code: '2300', name: 'Customer prepayments', type: 'CURRLIAB' },
      { code: '2400', name: 'GRNI', type: 'CURRLIAB' },
      { code: '4000', name: 'Sales', type: 'SALES' },
      { code: '5000', name: 'COGS', type: 'DIRECTCOSTS' },
      { code: '5100', name: 'Discrepancy', type: 'DIRECTCOSTS' },
      { code: '5200', name: 'PPV', type: 'DIRECTCOSTS' },
      { code: '6000', name: 'Expense', type: 'EXPENSE' },
      { code: '6100', name: 'Overheads', type: 'OVERHEADS' },
      { code: '6200', name: 'Labour', type: 'OVERHEADS' },
      { code: '6300', name: 'Write-offs', type: 'EXPENSE' },
    ],
    mapping: {
      bank: '1100', ar: '1200', inventory: '1300', wip: '1310', supplierDeposits: '1400', ap: '2100', tax: '2200',
      customerPrepayments: '2300', grni: '2400', sales: '4000', cogs: '5000', inventoryDiscrepancy: '5100', ppv: '5200',
      expense: '6000', overheads: '6100', labour: '6200', writeOff: '6300',
    },
    warehouses: [{ code: 'MAIN' }, { code: 'BACK' }, { code: 'NORTH', mapping: { inventory: '1301' } }],
    products,
    ...extra,
  });
  if (!co.ok) throw new Error(co.error.message);
  return co.value;
}

/** Applies raw events in order; throws on the first unexpected failure unless `allowFail`. */
export function run(book: Book, events: Record<string, unknown>[]): Result<Applied>[] {
  return events.map((raw) => {
    const p = parseEvent(raw, book.co);
    return p.ok ? book.apply(p.value) : p;
  });
}

export function post(book: Book, raw: Record<string, unknown>): Applied {
  const [r] = run(book, [raw]);
  if (!r!.ok) throw new Error(`${r!.error.code}: ${r!.error.message}`);
  return r!.value;
}

export function failCode(book: Book, raw: Record<string, unknown>): string {
  const [r] = run(book, [raw]);
  if (r!.ok) throw new Error(`expected ${String(raw['id'])} to fail`);
  return r!.error.code;
}

export const buy = (id: string, date: string, qty: number | string, amount: string, more: Record<string, unknown> = {}): Record<string, unknown> => ({
  id, type: 'purchase_invoice', date, supplier: 'SUP', lines: [{ product: 'W', warehouse: 'MAIN', qty, amount, ...more }],
});
export const ship = (id: string, date: string, qty: number | string, more: Record<string, unknown> = {}): Record<string, unknown> => ({
  id, type: 'shipment', date, lines: [{ product: 'W', warehouse: 'MAIN', qty, ...more }],
});

/** Net amount a journal posts to an account. */
export function net(applied: Applied, account: string, kind?: string): bigint {
  let s = 0n;
  for (const j of applied.journals) if (kind === undefined || j.kind === kind) for (const l of j.lines) if (l.account === account) s += l.amount;
  return s;
}

/** The sub-ledger equals the GL on every inventory account. */
export function assertTiesOut(book: Book): void {
  for (const [code, value] of book.inventoryValueByAccount()) {
    const gl = book.balances().get(code) ?? 0n;
    if (gl !== value) throw new Error(`inventory ${code}: sub-ledger ${value} ≠ GL ${gl}`);
  }
}
