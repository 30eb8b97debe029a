/**
 * Deterministic random purchase/shipment streams for the benchmark: P products × W
 * warehouses, dates moving forward, every shipment within the stock on hand (so the
 * run measures costing, not rejections). A seeded LCG keeps runs comparable.
 */
import type { Company, CostingMethod } from '../src/domain/config.js';
import { loadConfig } from '../src/domain/config.js';
import { orderKey, type BookEvent } from '../src/domain/events.js';
import { QTY_ONE } from '../src/domain/decimal.js';
import { addDays, calendarDate, type CalendarDate } from '../src/domain/calendar-date.js';

export function benchCompany(method: CostingMethod, products: number, warehouses: number): Company {
  const raw = {
    company: { id: 'bench', name: 'Bench', baseCurrency: 'USD' },
    settings: { costingMethod: method, negativeStock: 'block' },
    accounts: [
      { code: '1300', name: 'Inventory', type: 'INVENTORY' },
      { code: '2100', name: 'AP', type: 'CURRLIAB' },
      { code: '2200', name: 'Tax', type: 'CURRLIAB' },
      { code: '5000', name: 'COGS', type: 'DIRECTCOSTS' },
      { code: '5200', name: 'PPV', type: 'DIRECTCOSTS' },
    ],
    mapping: { inventory: '1300', ap: '2100', tax: '2200', cogs: '5000', ppv: '5200', supplierDeposits: '2100' },
    warehouses: Array.from({ length: warehouses }, (_, i) => ({ code: `W${i}` })),
    products: Array.from({ length: products }, (_, i) => ({ sku: `P${i}`, standardCost: '7.25' })),
  };
  const co = loadConfig(raw);
  if (!co.ok) throw new Error(co.error.message);
  return co.value;
}

class Lcg {
  constructor(private s: number) {}
  next(): number {
    this.s = (Math.imul(this.s, 1664525) + 1013904223) >>> 0;
    return this.s;
  }
  int(n: number): number {
    return this.next() % n;
  }
}

const START = calendarDate('2020-01-01');
function date(day: number): CalendarDate {
  return addDays(START, day);
}

/** `count` events; purchases carry a lot so the specific-lot method can run the same stream. */
export function* stream(count: number, products: number, warehouses: number, seed = 42): Generator<BookEvent> {
  const rnd = new Lcg(seed);
  const onHand = new Map<string, { lot: string; qty: bigint }[]>();
  for (let n = 0; n < count; n++) {
    const day = Math.floor(n / 2000);
    const product = `P${rnd.int(products)}`;
    const warehouse = `W${rnd.int(warehouses)}`;
    const k = `${product}|${warehouse}`;
    const lots = onHand.get(k) ?? [];
    const id = `E${String(n).padStart(9, "0")}`;
    const d = date(day);
    const base = { id, date: d, key: orderKey(d, undefined, id), docCurrency: 'USD' };
    const available = lots.length > 0;
    if (!available || rnd.int(100) < 45) {
      const qty = BigInt(1 + rnd.int(50)) * QTY_ONE;
      const amount = BigInt(100 + rnd.int(100_000)); // minor units
      const lot = `L${n}`;
      lots.push({ lot, qty });
      onHand.set(k, lots);
      yield { ...base, type: 'purchase_invoice', supplier: 'S', dropship: false, depositApplied: 0n, lines: [{ product, warehouse, qty, lot, amount, tax: 0n, capitalise: false }] };
    } else {
      const pick = lots[0]!;
      const qty = BigInt(1 + rnd.int(Number(pick.qty / QTY_ONE))) * QTY_ONE;
      pick.qty -= qty;
      if (pick.qty === 0n) lots.shift();
      yield { ...base, type: 'shipment', lines: [{ product, warehouse, qty, lot: pick.lot }] };
    }
  }
}
