/**
 * Random event streams for the property tests. Streams are generated as small plain "specs"
 * (so fast-check prints and shrinks them readably) and then built into raw JSON events in the
 * public format (docs/events.md): ids, dates, decimal-string amounts, integer or decimal
 * quantities. References (voids, credit notes, landed costs) always name an earlier event of
 * the stream, so every stream can be applied in its generated (arrival) order.
 */
import fc from 'fast-check';
import { loadConfig, type Company, type CostingMethod } from '../../src/index.js';

export type Mode = 'block' | 'allow';
export type Qty = number | string;

export const PRODUCTS = ['A', 'B', 'K'] as const;
export const WAREHOUSES = ['W1', 'W2', 'W3'] as const;
/** Standard costs (major units). Every product carries one, so the fallback chain can reach it. */
export const STANDARD_COSTS: Readonly<Record<string, string>> = { A: '2.5', B: '1.3333333333', K: '7.1' };
export const COGS_ACCOUNT = '5000';
export const INVENTORY_ACCOUNTS = ['1300', '1320'] as const;

/** A small company: W1 and W2 share inventory account 1300, W3 books to 1320, so transfers W3↔W1/W2 post. */
export function companyJson(method: CostingMethod, mode: Mode, rounding = 'half-even'): Record<string, unknown> {
  return {
    company: { id: `prop-${method}-${mode}`, name: 'Property test company', baseCurrency: 'USD' },
    settings: { costingMethod: method, cogsTiming: 'shipment', purchaseRecognition: 'bill', negativeStock: mode, rounding },
    accounts: [
      { code: '1100', name: 'Bank', type: 'BANK' },
      { code: '1200', name: 'Accounts receivable', type: 'CURRENT' },
      { code: '1300', name: 'Inventory', type: 'INVENTORY' },
      { code: '1310', name: 'WIP', type: 'CURRENT' },
      { code: '1320', name: 'Inventory (remote store)', type: 'INVENTORY' },
      { code: '1400', name: 'Supplier deposits', type: 'PREPAYMENT' },
      { code: '2100', name: 'Accounts payable', type: 'CURRLIAB' },
      { code: '2200', name: 'Tax', type: 'CURRLIAB' },
      { code: '2300', name: 'Customer prepayments', type: 'CURRLIAB' },
      { code: '2400', name: 'GRNI', type: 'CURRLIAB' },
      { code: '4000', name: 'Sales', type: 'SALES' },
      { code: '5000', name: 'COGS', type: 'DIRECTCOSTS' },
      { code: '5100', name: 'Inventory discrepancy', type: 'DIRECTCOSTS' },
      { code: '5200', name: 'Purchase price variance', type: 'DIRECTCOSTS' },
      { code: '6000', name: 'Expense', type: 'EXPENSE' },
      { code: '6100', name: 'Overheads', type: 'OVERHEADS' },
      { code: '6200', name: 'Labour', type: 'OVERHEADS' },
      { code: '6300', name: 'Write-offs', type: 'EXPENSE' },
      { code: '6400', name: 'Rounding', type: 'EXPENSE' },
    ],
    mapping: {
      bank: '1100', ar: '1200', inventory: '1300', wip: '1310', supplierDeposits: '1400', ap: '2100', tax: '2200',
      customerPrepayments: '2300', grni: '2400', sales: '4000', cogs: COGS_ACCOUNT, inventoryDiscrepancy: '5100', ppv: '5200',
      expense: '6000', overheads: '6100', labour: '6200', writeOff: '6300', rounding: '6400',
    },
    warehouses: [
      { code: 'W1', name: 'Main' },
      { code: 'W2', name: 'Overflow' },
      { code: 'W3', name: 'Remote store', mapping: { inventory: '1320' } },
    ],
    categories: [{ code: 'GOODS', name: 'Goods' }],
    products: PRODUCTS.map((sku) => ({ sku, name: `Product ${sku}`, category: 'GOODS', standardCost: STANDARD_COSTS[sku] })),
  };
}

export function company(method: CostingMethod, mode: Mode): Company {
  const r = loadConfig(companyJson(method, mode));
  if (!r.ok) throw new Error(`test config is invalid: ${r.error.message}`);
  return r.value;
}

// ---- raw events -------------------------------------------------------------------------

export interface RawLine {
  product?: string; warehouse?: string; qty?: Qty; counted?: Qty; lot?: string; expiry?: string;
  amount?: string; tax?: string; capitalise?: boolean; account?: string; cost?: string;
  unitCost?: string; valuation?: 'average' | 'last' | 'standard'; restock?: boolean;
}
export interface RawService { role: 'labour' | 'overheads'; amount: string }
export interface RawEvent {
  id: string; type: string; date: string; memo?: string;
  supplier?: string; customer?: string; lines?: RawLine[];
  from?: string; to?: string; product?: string; warehouse?: string; qty?: Qty; lot?: string; expiry?: string;
  components?: RawLine[]; services?: RawService[];
  amount?: string; account?: string; purchase?: string; sale?: string; invoice?: string; target?: string;
}

/** Ids of the events a raw event refers to (and which must therefore arrive before it). */
export function refsOf(e: RawEvent): string[] {
  return [e.target, e.invoice, e.purchase, e.sale].filter((x): x is string => x !== undefined);
}

// ---- specs --------------------------------------------------------------------------------

export const KINDS = ['purchase', 'ship', 'adjust', 'count', 'transfer', 'writeoff', 'credit', 'assembly', 'landed', 'void'] as const;
export type Kind = (typeof KINDS)[number];

export interface LineSpec { p: number; w: number; q: Qty; lot: number; exp: number; amt: number; extra: number }
export interface Spec { kind: Kind; day: number; letter: number; lines: LineSpec[]; pick: number; x: number; y: number }

const qtyArb: fc.Arbitrary<Qty> = fc.oneof(
  { weight: 5, arbitrary: fc.integer({ min: 1, max: 10 }) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 10 }).map(String) },
  { weight: 2, arbitrary: fc.integer({ min: 1, max: 40 }).map((n) => quarters(n)) },
  { weight: 1, arbitrary: fc.constantFrom('0.333333', '1.5', '2.000001', '0.1', '7') },
);

const centsArb = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 0, max: 40000 }) },
  { weight: 2, arbitrary: fc.constantFrom(1, 2, 100, 333, 1000, 9999, 10001) },
);

const lineArb: fc.Arbitrary<LineSpec> = fc.record({
  p: fc.integer({ min: 0, max: 2 }),
  w: fc.integer({ min: 0, max: 2 }),
  q: qtyArb,
  lot: fc.integer({ min: 0, max: 2 }),
  exp: fc.integer({ min: 0, max: 4 }),
  amt: centsArb,
  extra: fc.integer({ min: 0, max: 59 }),
});

const kindArb: fc.Arbitrary<Kind> = fc.oneof(
  { weight: 6, arbitrary: fc.constant('purchase' as const) },
  { weight: 5, arbitrary: fc.constant('ship' as const) },
  { weight: 2, arbitrary: fc.constant('adjust' as const) },
  { weight: 2, arbitrary: fc.constant('count' as const) },
  { weight: 2, arbitrary: fc.constant('transfer' as const) },
  { weight: 1, arbitrary: fc.constant('writeoff' as const) },
  { weight: 2, arbitrary: fc.constant('credit' as const) },
  { weight: 2, arbitrary: fc.constant('assembly' as const) },
  { weight: 2, arbitrary: fc.constant('landed' as const) },
  { weight: 2, arbitrary: fc.constant('void' as const) },
);

export const specArb: fc.Arbitrary<Spec> = fc.record({
  kind: kindArb,
  day: fc.integer({ min: 1, max: 9 }),
  letter: fc.integer({ min: 0, max: 3 }),
  lines: fc.array(lineArb, { minLength: 2, maxLength: 2 }),
  pick: fc.nat({ max: 1000 }),
  x: fc.nat({ max: 99 }),
  y: fc.nat({ max: 99 }),
});

export function specsArb(minLength = 5, maxLength = 25): fc.Arbitrary<Spec[]> {
  return fc.array(specArb, { minLength, maxLength });
}

// ---- building raw events from specs -----------------------------------------------------

function quarters(n: number): string {
  const whole = Math.trunc(n / 4);
  const frac = ['', '.25', '.5', '.75'][n % 4]!;
  return `${whole}${frac}`;
}

function money(cents: number): string {
  const c = BigInt(cents);
  const frac = (c % 100n).toString().padStart(2, '0');
  return `${c / 100n}.${frac}`;
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

export function dateOf(day: number): string {
  return `2026-03-${pad2(day)}`;
}

const EXPIRIES = ['2026-06-01', '2026-04-15', '2026-09-30', '2026-04-15'];

/** Quantity in millionths, as parsed from the public format (for capping credit notes). */
export function qtyMicro(q: Qty): bigint {
  if (typeof q === 'number') return BigInt(q) * 1_000_000n;
  const neg = q.startsWith('-');
  const [w, f = ''] = (neg ? q.slice(1) : q).split('.') as [string, string?];
  const v = BigInt(w) * 1_000_000n + BigInt(f.padEnd(6, '0'));
  return neg ? -v : v;
}

function negate(q: Qty): Qty {
  return typeof q === 'number' ? -q : `-${q}`;
}

function lotName(n: number): string {
  return `L${n + 1}`;
}

/**
 * Builds the raw events of a stream. The i-th spec becomes event i; its id is a letter plus
 * the arrival index, so events of the same date are ordered by a key unrelated to arrival.
 */
export function buildStream(method: CostingMethod, specs: readonly Spec[]): RawEvent[] {
  const out: RawEvent[] = [];
  const specific = method === 'specific';
  const fefo = method === 'fefo';
  specs.forEach((s, i) => {
    const id = `${'abcd'[s.letter] ?? 'a'}${pad2(i)}`;
    let date = dateOf(s.day);
    const prod = (l: LineSpec): string => PRODUCTS[l.p]!;
    const wh = (l: LineSpec): string => WAREHOUSES[l.w]!;
    const issueLot = (l: LineSpec): string | undefined => (specific ? lotName(l.lot) : undefined);
    const receiptLot = (l: LineSpec): string | undefined => (specific ? lotName(l.lot) : fefo && l.extra % 2 === 0 ? `B${l.lot}` : undefined);
    const expiry = (l: LineSpec): string | undefined => (l.exp > 0 && (fefo || l.extra % 7 === 0) ? EXPIRIES[l.exp - 1] : undefined);
    const n = 1 + (s.x % 2);
    const lines = s.lines.slice(0, n);
    let kind = s.kind;
    const earlier = (type: string): RawEvent[] => out.filter((e) => e.type === type);
    if (kind === 'void' && out.length === 0) kind = 'purchase';
    if (kind === 'landed' && earlier('purchase_invoice').length === 0 && earlier('shipment').length === 0) kind = 'purchase';
    let ev: RawEvent;
    switch (kind) {
      case 'purchase': {
        const ls: RawLine[] = lines.map((l) => ({
          product: prod(l), warehouse: wh(l), qty: l.q, amount: money(l.amt), lot: receiptLot(l), expiry: expiry(l),
          tax: l.extra % 5 === 0 ? money(l.amt % 997) : undefined,
        }));
        if (s.y % 4 === 0) ls.push({ capitalise: true, amount: money(s.pick * 7 + s.y) });
        if (s.y % 5 === 1) ls.push({ account: '6000', amount: money(s.pick) });
        ev = { id, type: 'purchase_invoice', date, supplier: 'SUP', lines: ls };
        break;
      }
      case 'ship':
        ev = {
          id, type: 'shipment', date,
          lines: lines.map((l) => ({ product: prod(l), warehouse: wh(l), qty: l.q, lot: issueLot(l), cost: l.extra % 3 === 0 ? money(l.amt % 1000 + 1) : undefined })),
        };
        break;
      case 'adjust':
        ev = {
          id, type: 'stock_adjustment', date,
          lines: lines.map((l) => {
            const down = l.extra % 2 === 0;
            if (down) return { product: prod(l), warehouse: wh(l), qty: negate(l.q), lot: issueLot(l) };
            const v = l.extra % 8;
            return {
              product: prod(l), warehouse: wh(l), qty: l.q, lot: receiptLot(l), expiry: expiry(l),
              unitCost: v < 3 ? `${money(l.amt % 2000)}${v === 1 ? '7' : ''}` : undefined,
              valuation: v === 3 ? 'average' : v === 5 ? 'last' : v === 7 ? 'standard' : undefined,
            };
          }),
        };
        break;
      case 'count': {
        const seen = new Set<string>();
        const ls: RawLine[] = [];
        for (const l of lines) {
          const k = `${prod(l)}/${wh(l)}`;
          if (seen.has(k)) continue;
          seen.add(k);
          ls.push({ product: prod(l), warehouse: wh(l), counted: l.extra % 4 === 0 ? 0 : l.q });
        }
        ev = { id, type: 'stocktake', date, lines: ls };
        break;
      }
      case 'transfer': {
        const from = s.lines[0]!.w;
        const to = (from + 1 + (s.y % 2)) % 3;
        ev = { id, type: 'transfer', date, from: WAREHOUSES[from]!, to: WAREHOUSES[to]!, lines: lines.map((l) => ({ product: prod(l), qty: l.q, lot: issueLot(l) })) };
        break;
      }
      case 'writeoff':
        ev = {
          id, type: 'write_off', date, account: s.y % 2 === 0 ? '6300' : undefined,
          lines: lines.map((l) => ({ product: prod(l), warehouse: wh(l), qty: l.q, lot: issueLot(l) })),
          services: s.y % 3 === 0 ? [{ role: 'overheads', amount: money(s.pick) }] : undefined,
        };
        break;
      case 'credit': {
        const ships = earlier('shipment');
        const l = lines[0]!;
        if (ships.length === 0 || s.y % 4 === 0) {
          ev = {
            id, type: 'sale_credit_note', date, customer: 'CUS',
            lines: [{ product: prod(l), warehouse: wh(l), qty: l.q, amount: money(l.amt), lot: receiptLot(l), restock: s.y % 7 === 3 ? false : undefined }],
          };
          break;
        }
        const ship = ships[s.pick % ships.length]!;
        const sl = ship.lines![s.x % ship.lines!.length]!;
        const shipped = qtyMicro(sl.qty!);
        const qty = qtyMicro(l.q) <= shipped ? l.q : sl.qty!;
        // A credit note follows its sale: never dated (or keyed) before the shipment — except
        // now and then, to check that the book refuses one that would be (INVALID_EVENT).
        const shipDay = Number(ship.date.slice(8));
        if (s.y % 6 === 4) date = dateOf(Math.max(1, shipDay - 1));
        else {
          if (date < ship.date) date = ship.date;
          if (date === ship.date && id < ship.id) date = dateOf(shipDay + 1);
        }
        ev = {
          id, type: 'sale_credit_note', date, customer: 'CUS', invoice: ship.id,
          lines: [{
            product: sl.product, warehouse: s.y % 3 === 0 ? undefined : s.y % 3 === 1 ? sl.warehouse : wh(l),
            qty, amount: money(l.amt), lot: specific ? sl.lot : undefined,
          }],
        };
        break;
      }
      case 'assembly': {
        const w = s.lines[0]!.w;
        const comps: RawLine[] = lines.map((l, k) => ({
          product: k === 0 ? (l.p % 2 === 0 ? 'A' : 'B') : (lines[0]!.p % 2 === 0 ? 'B' : 'A'),
          qty: l.q, lot: issueLot(l), warehouse: l.extra % 5 === 0 ? wh(l) : undefined,
        }));
        const l0 = s.lines[1]!;
        ev = {
          id, type: 'assembly', date, product: 'K', warehouse: WAREHOUSES[w]!, qty: l0.q,
          lot: specific ? lotName(l0.lot) : fefo ? `K${l0.lot}` : undefined, expiry: fefo && l0.exp > 0 ? EXPIRIES[l0.exp - 1] : undefined,
          components: comps, services: s.y % 3 === 0 ? [{ role: 'labour', amount: money(s.pick) }] : undefined,
        };
        break;
      }
      case 'landed': {
        const purchases = earlier('purchase_invoice');
        const ships = earlier('shipment');
        const toSale = purchases.length === 0 || (ships.length > 0 && s.y % 5 === 0);
        const amount = money(s.lines[0]!.amt % 5000);
        ev = toSale
          ? { id, type: 'landed_cost', date, amount, sale: ships[s.pick % ships.length]!.id }
          : { id, type: 'landed_cost', date, amount, purchase: purchases[s.pick % purchases.length]!.id, account: s.y % 2 === 0 ? '6100' : undefined };
        break;
      }
      case 'void':
        ev = { id, type: 'void', date, target: out[s.pick % out.length]!.id };
        break;
    }
    // Round-trip through JSON text: drops undefined fields, exactly what a file would carry.
    out.push(JSON.parse(JSON.stringify(ev)) as RawEvent);
  });
  return out;
}

/** Sort key of the public ordering: date, then (no times here) id. */
export function compareKey(a: RawEvent, b: RawEvent): number {
  if (a.date !== b.date) return a.date < b.date ? -1 : 1;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * An arrival order that respects references: repeatedly takes the first event of `priority`
 * whose references have all arrived.
 */
export function dependencyOrder(events: readonly RawEvent[], priority: readonly number[]): RawEvent[] {
  const placed = new Set<string>();
  const ids = new Set(events.map((e) => e.id));
  const left = priority.map((i) => events[i]!);
  const out: RawEvent[] = [];
  while (left.length > 0) {
    const k = left.findIndex((e) => refsOf(e).every((r) => placed.has(r) || !ids.has(r)));
    const [e] = left.splice(k < 0 ? 0 : k, 1);
    out.push(e!);
    placed.add(e!.id);
  }
  return out;
}
