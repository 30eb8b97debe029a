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
/** When purchases enter stock: at the bill, or at a stock receipt that a later bill clears. */
export type Recognition = 'bill' | 'receipt';
export type Qty = number | string;

export const PRODUCTS = ['A', 'B', 'K'] as const;
export const WAREHOUSES = ['W1', 'W2', 'W3'] as const;
/** Standard costs (major units). Every product carries one, so the fallback chain can reach it. */
export const STANDARD_COSTS: Readonly<Record<string, string>> = { A: '2.5', B: '1.3333333333', K: '7.1' };
export const COGS_ACCOUNT = '5000';
export const INVENTORY_ACCOUNTS = ['1300', '1320'] as const;

/** A small company: W1 and W2 share inventory account 1300, W3 books to 1320, so transfers W3↔W1/W2 post. */
export function companyJson(method: CostingMethod, mode: Mode, recognition: Recognition = 'bill', rounding = 'half-even'): Record<string, unknown> {
  return {
    company: { id: `prop-${method}-${mode}`, name: 'Property test company', baseCurrency: 'USD' },
    settings: { costingMethod: method, cogsTiming: 'shipment', purchaseRecognition: recognition, negativeStock: mode, rounding },
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

export function company(method: CostingMethod, mode: Mode, recognition: Recognition = 'bill', rounding = 'half-even'): Company {
  const r = loadConfig(companyJson(method, mode, recognition, rounding));
  if (!r.ok) throw new Error(`test config is invalid: ${r.error.message}`);
  return r.value;
}

// ---- raw events -------------------------------------------------------------------------

export interface RawLine {
  description?: string;
  product?: string; warehouse?: string; qty?: Qty; counted?: Qty; lot?: string; expiry?: string; weight?: string;
  amount?: string; tax?: string; capitalise?: boolean; account?: string; cost?: string;
  unitCost?: string; valuation?: 'average' | 'last' | 'standard'; restock?: boolean;
}
export interface RawService { role: 'labour' | 'overheads'; amount: string; account?: string }
export interface RawEvent {
  id: string; type: string; date: string; time?: string; memo?: string; currency?: string; rate?: string;
  supplier?: string; customer?: string; lines?: RawLine[];
  from?: string; to?: string; product?: string; warehouse?: string; qty?: Qty; lot?: string; expiry?: string;
  components?: RawLine[]; outputs?: RawLine[]; services?: RawService[]; issuesStock?: boolean; bill?: string;
  receipt?: string; dropship?: boolean;
  amount?: string; account?: string; purchase?: string; sale?: string; invoice?: string; target?: string;
}

/** Ids of the events a raw event refers to (and which must therefore arrive before it). */
export function refsOf(e: RawEvent): string[] {
  return [e.target, e.invoice, e.purchase, e.sale, e.receipt].filter((x): x is string => x !== undefined);
}

// ---- specs --------------------------------------------------------------------------------

export const KINDS = ['purchase', 'ship', 'invoice', 'adjust', 'count', 'transfer', 'writeoff', 'credit', 'preturn', 'assembly', 'disassembly', 'landed', 'void'] as const;
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
  { weight: 4, arbitrary: fc.constant('ship' as const) },
  { weight: 1, arbitrary: fc.constant('invoice' as const) },
  { weight: 2, arbitrary: fc.constant('adjust' as const) },
  { weight: 2, arbitrary: fc.constant('count' as const) },
  { weight: 2, arbitrary: fc.constant('transfer' as const) },
  { weight: 1, arbitrary: fc.constant('writeoff' as const) },
  { weight: 2, arbitrary: fc.constant('credit' as const) },
  { weight: 2, arbitrary: fc.constant('assembly' as const) },
  { weight: 1, arbitrary: fc.constant('disassembly' as const) },
  { weight: 1, arbitrary: fc.constant('preturn' as const) },
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
export function buildStream(method: CostingMethod, specs: readonly Spec[], recognition: Recognition = 'bill'): RawEvent[] {
  const out: RawEvent[] = [];
  const specific = method === 'specific';
  specs.forEach((s, i) => {
    const id = `${'abcd'[s.letter] ?? 'a'}${pad2(i)}`;
    let date = dateOf(s.day);
    // A few events carry a time of day, which orders them within their date.
    const time = s.x % 10 === 9 ? '12:00' : s.x % 10 === 8 ? '08:15:30' : undefined;
    const prod = (l: LineSpec): string => PRODUCTS[l.p]!;
    const wh = (l: LineSpec): string => WAREHOUSES[l.w]!;
    // Specific lot needs a lot on every issue; other methods name one now and then (the issue
    // then takes that batch first).
    const issueLot = (l: LineSpec): string | undefined => (specific ? lotName(l.lot) : l.extra % 6 === 1 ? `B${l.lot}` : undefined);
    const receiptLot = (l: LineSpec): string | undefined => (specific ? lotName(l.lot) : l.extra % 2 === 0 ? `B${l.lot}` : undefined);
    const expiry = (l: LineSpec): string | undefined => (l.exp > 0 && (method === 'fefo' || l.extra % 7 === 0) ? EXPIRIES[l.exp - 1] : undefined);
    const n = 1 + (s.x % 2);
    const lines = s.lines.slice(0, n);
    let kind = s.kind;
    const earlier = (...types: string[]): RawEvent[] => out.filter((e) => types.includes(e.type));
    const sales = earlier('shipment', 'sale_invoice');
    // What a landed cost can name: events whose moves received stock.
    const receipts = out.filter((e) => (e.type === 'purchase_invoice' && e.dropship !== true && recognition === 'bill') || e.type === 'stock_receipt' || e.type === 'assembly');
    if (kind === 'void' && out.length === 0) kind = 'purchase';
    if (kind === 'landed' && receipts.length === 0 && sales.length === 0) kind = 'purchase';
    let ev: RawEvent;
    switch (kind) {
      case 'purchase': {
        // Some documents are in euros: every amount converts to USD at the rate, line by line.
        const fx = s.pick % 7 === 3 ? { currency: 'EUR', rate: EUR_RATES[s.x % EUR_RATES.length]! } : {};
        const stockReceipts = earlier('stock_receipt');
        if (recognition === 'receipt' && (stockReceipts.length === 0 || s.y % 2 === 0)) {
          // Receipt recognition: the goods come in at the receipt (inventory against GRNI)...
          ev = { id, type: 'stock_receipt', date, supplier: 'SUP', lines: lines.map((l) => ({ product: prod(l), warehouse: wh(l), qty: l.q, amount: money(l.amt), lot: receiptLot(l), expiry: expiry(l) })), ...fx };
          break;
        }
        const ls: RawLine[] = [];
        let receipt: string | undefined;
        if (recognition === 'receipt') {
          // ...and the bill clears GRNI; its capitalised charges revalue the goods received.
          const rec = stockReceipts[s.pick % stockReceipts.length]!;
          receipt = rec.id;
          rec.lines!.forEach((rl, k) => ls.push({ product: rl.product, warehouse: rl.warehouse, qty: rl.qty, amount: money(lines[k % lines.length]!.amt + k) }));
        } else {
          ls.push(...lines.map((l) => ({ product: prod(l), warehouse: wh(l), qty: l.q, amount: money(l.amt), lot: receiptLot(l), expiry: expiry(l), tax: l.extra % 5 === 0 ? money(l.amt % 997) : undefined })));
        }
        if (s.y % 4 === 0 || (recognition === 'receipt' && s.y % 4 === 1)) ls.push({ capitalise: true, amount: money(s.pick * 7 + s.y) });
        if (s.y % 5 === 1) ls.push({ account: '6000', amount: money(s.pick) });
        // Now and then a dropship: never in stock, its cost is COGS at once.
        const dropship = recognition === 'bill' && s.pick % 11 === 5 ? true : undefined;
        ev = { id, type: 'purchase_invoice', date, supplier: 'SUP', receipt, dropship, lines: ls, ...fx };
        break;
      }
      case 'ship':
        ev = {
          id, type: 'shipment', date,
          lines: lines.map((l) => ({ product: prod(l), warehouse: wh(l), qty: l.q, lot: issueLot(l), cost: l.extra % 3 === 0 ? money(l.amt % 1000 + 1) : undefined })),
        };
        break;
      case 'invoice':
        // PSA style (seed 000): the invoice itself issues its stocked lines.
        ev = {
          id, type: 'sale_invoice', date, customer: 'CUS', issuesStock: true,
          lines: [
            ...lines.map((l) => ({ product: prod(l), warehouse: wh(l), qty: l.q, lot: issueLot(l), amount: money(l.amt * 2), tax: money(l.amt % 300), cost: l.extra % 3 === 0 ? money(l.amt % 1000 + 1) : undefined })),
            ...(s.y % 3 === 0 ? [{ account: '4000', amount: money(s.pick), description: 'freight' }] : []),
          ],
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
      case 'preturn': {
        // A return to the supplier: the stock leaves at its cost, the difference to the credit is PPV.
        const bills = earlier('purchase_invoice');
        ev = {
          id, type: 'purchase_credit_note', date, supplier: 'SUP', bill: bills.length > 0 ? bills[s.pick % bills.length]!.id : undefined,
          lines: lines.map((l) => ({ product: prod(l), warehouse: wh(l), qty: l.q, lot: issueLot(l), amount: money(l.amt), tax: l.extra % 4 === 0 ? money(l.amt % 100) : undefined })),
        };
        break;
      }
      case 'credit': {
        const l = lines[0]!;
        if (sales.length === 0 || s.y % 4 === 0) {
          ev = {
            id, type: 'sale_credit_note', date, customer: 'CUS',
            lines: [{ product: prod(l), warehouse: wh(l), qty: l.q, amount: money(l.amt), lot: receiptLot(l), restock: s.y % 7 === 3 ? false : undefined }],
          };
          break;
        }
        const sale = sales[s.pick % sales.length]!;
        const stockLines = sale.lines!.filter((x) => x.product !== undefined);
        const sl = stockLines[s.x % stockLines.length]!;
        const shipped = qtyMicro(sl.qty!);
        const qty = qtyMicro(l.q) <= shipped ? l.q : sl.qty!;
        // A credit note follows its sale: never keyed before it — except now and then, to check
        // that the book refuses one that would be (INVALID_EVENT).
        const saleDay = Number(sale.date.slice(8));
        if (s.y % 6 === 4) date = dateOf(Math.max(1, saleDay - 1));
        else if (date < sale.date || keyOf({ id, date, time }) < keyOf(sale)) date = dateOf(saleDay + 1);
        ev = {
          id, type: 'sale_credit_note', date, customer: 'CUS', invoice: sale.id,
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
          lot: specific ? lotName(l0.lot) : receiptLot(l0), expiry: expiry(l0),
          components: comps, services: services(s),
        };
        break;
      }
      case 'disassembly': {
        const l0 = s.lines[0]!;
        const l1 = s.lines[1]!;
        const weight = (l: LineSpec): string | undefined => (l.extra % 3 === 0 ? undefined : ['0.5', '2', '1.25', '3'][l.extra % 4]);
        ev = {
          id, type: 'disassembly', date, product: 'K', warehouse: wh(l0), qty: l0.q, lot: issueLot(l0),
          outputs: [
            { product: 'A', qty: l0.q, weight: weight(l0), lot: specific ? lotName(l0.lot) : undefined },
            ...(s.x % 2 === 1 ? [{ product: 'B', qty: l1.q, weight: weight(l1), warehouse: l1.extra % 5 === 0 ? wh(l1) : undefined, lot: specific ? lotName(l1.lot) : undefined }] : []),
          ],
          services: services(s),
        };
        break;
      }
      case 'landed': {
        const toSale = receipts.length === 0 || (sales.length > 0 && s.y % 5 === 0);
        const amount = money(s.lines[0]!.amt % 5000);
        ev = toSale
          ? { id, type: 'landed_cost', date, amount, sale: sales[s.pick % sales.length]!.id }
          : { id, type: 'landed_cost', date, amount, purchase: receipts[s.pick % receipts.length]!.id, account: s.y % 2 === 0 ? '6100' : undefined };
        break;
      }
      case 'void':
        ev = { id, type: 'void', date, target: out[s.pick % out.length]!.id };
        break;
    }
    if (time !== undefined) ev.time = time;
    // Round-trip through JSON text: drops undefined fields, exactly what a file would carry.
    out.push(JSON.parse(JSON.stringify(ev)) as RawEvent);
  });
  return out;
}

const EUR_RATES = ['1.0834567', '0.9', '1.3333333333'];

/** Labour and overheads on an assembly or disassembly: none, one, or two (split separately). */
function services(s: Spec): RawService[] | undefined {
  if (s.y % 3 === 1) return undefined;
  const first: RawService = { role: 'labour', amount: money(s.pick) };
  return s.y % 3 === 0 ? [first] : [first, { role: 'overheads', amount: money(s.lines[1]!.amt % 997), account: '6100' }];
}

/** The book's order key (docs/design.md): date, time of day (none first), id. */
export function keyOf(e: { id: string; date: string; time?: string | undefined }): string {
  return `${e.date}T${e.time ?? ''}\u0000${e.id}`;
}

export function compareKey(a: RawEvent, b: RawEvent): number {
  const ka = keyOf(a);
  const kb = keyOf(b);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
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
