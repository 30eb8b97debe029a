/**
 * The demo year: a deterministic stream of about 3,600 events for Harbourline Wholesale Co.
 * (examples/demo/company.json), 2026-01-01 to 2026-12-31, that posts with no refusals under
 * the company's settings (FIFO by default, negative stock blocked).
 *
 * What happens: weekly bills from five suppliers (tax, capitalised freight every other week,
 * a monthly bill in EUR), supplier payments three weeks later; three to five sales a weekday
 * (invoice, then the shipment that books COGS), customers paying two to five weeks later; a
 * monthly transfer to the coastal depot; rent and power bills; a customs broker's bill each
 * quarter allocated to an EUR purchase as landed cost; a quarterly gift-box assembly; monthly
 * stocktakes with small differences; a supplier deposit and a customer prepayment; a return
 * with restock and a price allowance; expired juice written off; a write-off voided the next
 * day; and last, a tea bill dated September but entered in December, which re-costs the tea
 * shipments since (the September count had found the tea; its surplus is corrected too).
 *
 * The generator keeps its own count of stock on hand, in event order (every event carries a
 * time, so the ledger's order — date, time, id — is the order generated), and never issues
 * more than is there. Money is computed in bigint cents and written as decimal strings.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatMoney } from '../domain/money.js';

export const DEMO_COMPANY_ID = 'harbourline';

/** examples/demo/company.json (two levels up from src/demo and from dist/demo alike). */
export function demoCompanyConfig(): Record<string, unknown> {
  return JSON.parse(readFileSync(fileURLToPath(new URL('../../examples/demo/company.json', import.meta.url)), 'utf8')) as Record<string, unknown>;
}

export type DemoEvent = Record<string, unknown> & { id: string; type: string; date: string };

/** mulberry32: a small, fast, seeded generator of 32-bit integers. */
class Rng {
  constructor(private s: number) {}
  private next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + (this.next() % (hi - lo + 1));
  }
  chance(percent: number): boolean {
    return this.int(1, 100) <= percent;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)]!;
  }
  cents(lo: number, hi: number): bigint {
    return BigInt(this.int(lo, hi));
  }
}

const usd = (cents: bigint): string => formatMoney(cents, 'USD');
const eur = (cents: bigint): string => formatMoney(cents, 'EUR');
/** 10% sales tax, half up, on whole cents. */
const tax10 = (cents: bigint): bigint => (cents * 10n + 50n) / 100n;

function dateOf(d: Date): string {
  return d.toISOString().slice(0, 10);
}
function addDays(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return dateOf(d);
}
function weekday(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}
/** The date itself, or the Monday after when it falls on a weekend. */
function businessDay(date: string): string {
  const wd = weekday(date);
  return wd === 6 ? addDays(date, 2) : wd === 0 ? addDays(date, 1) : date;
}

type Product = 'COFFEE-1KG' | 'TEA-100' | 'JUICE-12' | 'GIFTBOX' | 'DETERGENT-5L' | 'SPONGE-10';

interface Sellable { product: Product; lo: number; hi: number; price: bigint; taxed: boolean }
const SELL: Record<Product, Sellable> = {
  'COFFEE-1KG': { product: 'COFFEE-1KG', lo: 2, hi: 10, price: 2400n, taxed: true },
  'TEA-100': { product: 'TEA-100', lo: 4, hi: 16, price: 550n, taxed: true },
  'JUICE-12': { product: 'JUICE-12', lo: 3, hi: 8, price: 2500n, taxed: false },
  GIFTBOX: { product: 'GIFTBOX', lo: 1, hi: 4, price: 6500n, taxed: true },
  'DETERGENT-5L': { product: 'DETERGENT-5L', lo: 2, hi: 6, price: 3000n, taxed: true },
  'SPONGE-10': { product: 'SPONGE-10', lo: 5, hi: 15, price: 450n, taxed: true },
};

/** Stock each Monday's order tops up to (CENTRAL; sponges at COAST): about two weeks of sales. */
const REORDER: Record<Product, number> = { 'COFFEE-1KG': 120, 'TEA-100': 190, 'JUICE-12': 60, GIFTBOX: 0, 'DETERGENT-5L': 80, 'SPONGE-10': 100 };

interface Customer { code: string; warehouse: 'CENTRAL' | 'COAST'; buys: Product[] }
const CUSTOMERS: readonly Customer[] = [
  { code: 'CORNER-CAFE', warehouse: 'CENTRAL', buys: ['COFFEE-1KG', 'TEA-100', 'JUICE-12'] },
  { code: 'BAYSIDE-GROCERS', warehouse: 'CENTRAL', buys: ['JUICE-12', 'GIFTBOX', 'DETERGENT-5L', 'TEA-100'] },
  { code: 'HILLTOP-DELI', warehouse: 'CENTRAL', buys: ['COFFEE-1KG', 'JUICE-12', 'GIFTBOX'] },
  { code: 'NORTHSIDE-MARKET', warehouse: 'CENTRAL', buys: ['COFFEE-1KG', 'TEA-100', 'DETERGENT-5L', 'GIFTBOX'] },
  { code: 'CITY-OFFICE-SUPPLY', warehouse: 'CENTRAL', buys: ['COFFEE-1KG', 'TEA-100', 'DETERGENT-5L'] },
  { code: 'SEASIDE-KIOSK', warehouse: 'COAST', buys: ['COFFEE-1KG', 'TEA-100', 'SPONGE-10'] },
  { code: 'HARBOUR-HOTEL', warehouse: 'COAST', buys: ['COFFEE-1KG', 'TEA-100', 'DETERGENT-5L', 'SPONGE-10'] },
  { code: 'DUNE-SURF-CLUB', warehouse: 'COAST', buys: ['COFFEE-1KG', 'SPONGE-10', 'DETERGENT-5L'] },
];

/** Pools the monthly count covers, in a fixed order. */
const COUNTED: readonly [Product, 'CENTRAL' | 'COAST'][] = [
  ['COFFEE-1KG', 'CENTRAL'], ['COFFEE-1KG', 'COAST'], ['TEA-100', 'CENTRAL'], ['TEA-100', 'COAST'], ['JUICE-12', 'CENTRAL'],
  ['GIFTBOX', 'CENTRAL'], ['DETERGENT-5L', 'CENTRAL'], ['DETERGENT-5L', 'COAST'], ['SPONGE-10', 'COAST'],
];

interface BillLine { product?: Product; warehouse?: string; qty?: number; lot?: string; expiry?: string; amount: bigint; tax: bigint; capitalise?: boolean; description?: string }

export interface DemoOptions {
  /** PRNG seed (default 2026): another seed gives another, equally valid, year. */
  seed?: number;
}

/** The demo year's events, in the order to post them (the backdated bill comes last). */
export function demoYear(opts: DemoOptions = {}): DemoEvent[] {
  const rng = new Rng(opts.seed ?? 2026);
  const out: DemoEvent[] = [];
  const late: DemoEvent[] = [];
  const onHand = new Map<string, number>();
  /** Stock physically there but not yet in the ledger (the bill entered late): the next count finds it. */
  const unbooked = new Map<string, number>();
  const key = (p: string, w: string): string => `${p}@${w}`;
  const have = (p: string, w: string): number => onHand.get(key(p, w)) ?? 0;
  const move = (p: string, w: string, q: number): void => {
    const v = have(p, w) + q;
    if (v < 0) throw new Error(`assertion failed: demo stock of ${p} at ${w} would go negative`);
    onHand.set(key(p, w), v);
  };

  const due = new Map<string, DemoEvent[]>();
  const schedule = (date: string, ev: Omit<DemoEvent, 'date'>): void => {
    const d = businessDay(date);
    if (d > '2026-12-31') return;
    const list = due.get(d) ?? [];
    list.push({ ...ev, date: d } as DemoEvent);
    due.set(d, list);
  };

  let minute = 0;
  let today = '';
  /** Stamps the event with today and the next free time of day (08:30, 08:40, …; counts at 17:30). */
  const emit = (ev: DemoEvent, at?: number): DemoEvent => {
    const m = at ?? 8 * 60 + 30 + minute;
    if (at === undefined) minute += 10;
    if (m >= 17 * 60 + 30 && at === undefined) throw new Error(`assertion failed: too many demo events on ${today}`);
    const time = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    const withTime = { ...ev, date: today, time } as DemoEvent;
    out.push(withTime);
    return withTime;
  };

  const n = { pi: 1000, sp: 0, si: 10000, cp: 0, eb: 0, tr: 0, asm: 0, wo: 0, lc: 0, mj: 0, scn: 0 };
  const pad = (x: number, w = 4): string => String(x).padStart(w, '0');

  let deposit: bigint | undefined;
  let prepayment: { customer: string; amount: bigint } | undefined;
  let lastEuBill: string | undefined;
  let powerThisQuarter = 0n;
  let powerBilled = 0;
  let returnDone = false;
  let allowanceDone = false;
  let returnCandidate: { shipment: string; invoice: string; customer: string; qty: number } | undefined;

  const bill = (supplier: string, lines: BillLine[], applied: bigint | undefined = undefined, currency?: { code: string; rate: string }): DemoEvent => {
    n.pi++;
    const id = `PI-${n.pi}`;
    const ev: DemoEvent = {
      id,
      type: 'purchase_invoice',
      date: today,
      supplier,
      reference: `${supplier.slice(0, 2)}-${pad(n.pi * 7 + 11, 5)}`,
      ...(currency ? { currency: currency.code, rate: currency.rate } : {}),
      ...(applied === undefined ? {} : { depositApplied: usd(applied) }),
      lines: lines.map((l) => ({
        ...(l.product ? { product: l.product, warehouse: l.warehouse, qty: l.qty } : {}),
        ...(l.lot ? { lot: l.lot, expiry: l.expiry } : {}),
        amount: currency ? eur(l.amount) : usd(l.amount),
        tax: currency ? eur(l.tax) : usd(l.tax),
        ...(l.capitalise ? { capitalise: true } : {}),
        ...(l.description ? { description: l.description } : {}),
      })),
    };
    const total = lines.reduce((a, l) => a + l.amount + l.tax, 0n) - (applied ?? 0n);
    n.sp++;
    if (currency) {
      // Paid in EUR three weeks later, at that day's rate.
      const rate = `1.0${rng.int(700, 999)}`;
      schedule(addDays(today, 21), { id: `SP-${pad(n.sp)}`, type: 'supplier_payment', supplier, currency: 'EUR', rate, amount: eur(total), reference: ev['reference'] });
    } else {
      schedule(addDays(today, 21), { id: `SP-${pad(n.sp)}`, type: 'supplier_payment', supplier, amount: usd(total), reference: ev['reference'] });
    }
    return ev;
  };

  const stockLine = (product: Product, warehouse: string, qty: number, unitCents: bigint, taxed = true, lot?: { lot: string; expiry: string }): BillLine => {
    const amount = unitCents * BigInt(qty);
    return { product, warehouse, qty, amount, tax: taxed ? tax10(amount) : 0n, ...(lot ?? {}) };
  };

  const sale = (c: Customer, month: number): void => {
    const lines: { product: Product; qty: number; amount: bigint; tax: bigint }[] = [];
    const wanted = [...c.buys];
    const count = rng.int(1, Math.min(3, wanted.length));
    for (let i = 0; i < count; i++) {
      const p = wanted.splice(rng.int(0, wanted.length - 1), 1)[0]!;
      const s = SELL[p];
      let qty = rng.int(s.lo, s.hi);
      if (p === 'GIFTBOX' && month >= 11) qty += rng.int(1, 4);
      qty = Math.min(qty, have(p, c.warehouse));
      if (qty <= 0) continue;
      const amount = s.price * BigInt(qty);
      lines.push({ product: p, qty, amount, tax: s.taxed ? tax10(amount) : 0n });
    }
    if (lines.length === 0) return;
    n.si++;
    const so = `SO-${n.si}`;
    const invLines: Record<string, unknown>[] = lines.map((l) => ({ product: l.product, warehouse: c.warehouse, qty: l.qty, amount: usd(l.amount), tax: usd(l.tax) }));
    let total = lines.reduce((a, l) => a + l.amount + l.tax, 0n);
    if (rng.chance(25)) {
      invLines.push({ product: 'DELIVERY', amount: '25.00', tax: '2.50', description: `Delivery to ${c.code}` });
      total += 2750n;
    }
    const extra: Record<string, unknown> = {};
    if (prepayment && prepayment.customer === c.code && total >= prepayment.amount) {
      extra['prepaymentApplied'] = usd(prepayment.amount);
      total -= prepayment.amount;
      prepayment = undefined;
    }
    const inv = emit({ id: `SI-${n.si}`, type: 'sale_invoice', date: today, customer: c.code, reference: so, ...extra, lines: invLines });
    const shp = emit({ id: `SH-${n.si}`, type: 'shipment', date: today, sale: inv.id, reference: so, lines: lines.map((l) => ({ product: l.product, warehouse: c.warehouse, qty: l.qty })) });
    for (const l of lines) move(l.product, c.warehouse, -l.qty);
    if (total > 0n) {
      n.cp++;
      schedule(addDays(today, rng.int(14, 35)), { id: `CP-${pad(n.cp)}`, type: 'customer_payment', customer: c.code, amount: usd(total), reference: so });
    }
    const coffee = lines.find((l) => l.product === 'COFFEE-1KG');
    if (!returnCandidate && today >= '2026-05-04' && c.warehouse === 'CENTRAL' && coffee && coffee.qty >= 2) returnCandidate = { shipment: shp.id, invoice: inv.id, customer: c.code, qty: 2 };
  };

  const stocktake = (month: number): void => {
    const lines: Record<string, unknown>[] = [];
    for (const [p, w] of COUNTED) {
      const k = key(p, w);
      const book = have(p, w);
      const found = unbooked.get(k) ?? 0;
      if (book === 0 && found === 0) continue;
      const r = rng.int(1, 100);
      const noise = r <= 70 ? 0 : r <= 88 ? -1 : r <= 95 ? -2 : 1;
      const counted = Math.max(0, book + found + noise);
      lines.push({ product: p, warehouse: w, counted });
      onHand.set(k, counted);
      unbooked.delete(k);
    }
    if (lines.length > 0) emit({ id: `ST-2026-${pad(month, 2)}`, type: 'stocktake', date: today, memo: 'Month-end count', lines }, 17 * 60 + 30);
  };

  let week = 0;
  for (let day = '2026-01-01'; day <= '2026-12-31'; day = addDays(day, 1)) {
    today = day;
    minute = 0;
    const wd = weekday(day);
    if (wd === 0 || wd === 6) continue;
    const month = Number(day.slice(5, 7));
    const dom = Number(day.slice(8, 10));
    const nextBusiness = businessDay(addDays(day, 1));
    const lastWeekdayOfMonth = nextBusiness.slice(5, 7) !== day.slice(5, 7);
    const firstWeekdayOfMonth = dom <= 3 && businessDay(`${day.slice(0, 8)}01`) === day;

    // Payments falling due today.
    for (const ev of due.get(day) ?? []) emit(ev);
    due.delete(day);

    if (firstWeekdayOfMonth) {
      n.eb++;
      emit({ id: `EB-${pad(n.eb)}`, type: 'expense_bill', date: day, supplier: 'DOCKSIDE-PROPERTIES', reference: `RENT-${day.slice(0, 7)}`, lines: [{ account: '6000', amount: '2400.00', tax: '0.00', description: 'Warehouse rent' }] });
      n.sp++;
      schedule(addDays(day, 2), { id: `SP-${pad(n.sp)}`, type: 'supplier_payment', supplier: 'DOCKSIDE-PROPERTIES', amount: '2400.00', reference: `RENT-${day.slice(0, 7)}` });
      if (month === 10) {
        prepayment = { customer: 'HARBOUR-HOTEL', amount: 40000n };
        emit({ id: 'PRE-0001', type: 'customer_prepayment', date: day, customer: 'HARBOUR-HOTEL', amount: usd(prepayment.amount), reference: 'SO-HH-Q4', memo: 'Deposit on the hotel\'s autumn order' });
      }
    }

    // Monday: the week's bills, each product reordered up to its stock target.
    if (wd === 1) {
      week++;
      const reorder = (p: Product, w: string): number => {
        const qty = REORDER[p] - have(p, w) + rng.int(0, 10);
        return qty >= 10 ? qty : 0;
      };
      const coffeeQty = week === 1 ? 150 : reorder('COFFEE-1KG', 'CENTRAL');
      if (coffeeQty > 0) {
        const coffeeLines = [stockLine('COFFEE-1KG', 'CENTRAL', coffeeQty, rng.cents(1150, 1250))];
        if (week % 2 === 0) {
          const freight = rng.cents(4000, 8000);
          coffeeLines.push({ amount: freight, tax: tax10(freight), capitalise: true, description: 'Inbound freight' });
        }
        // A deposit paid earlier is set off against the next coffee bill that covers it.
        const covers = deposit !== undefined && coffeeLines.reduce((t, l) => t + l.amount + l.tax, 0n) >= deposit;
        emit(bill('BEANCO', coffeeLines, covers ? deposit : undefined));
        if (covers) deposit = undefined;
        move('COFFEE-1KG', 'CENTRAL', coffeeQty);
      }

      const teaQty = reorder('TEA-100', 'CENTRAL');
      if (teaQty > 0) {
        emit(bill('TEAHOUSE', [stockLine('TEA-100', 'CENTRAL', teaQty, rng.cents(320, 360))]));
        move('TEA-100', 'CENTRAL', teaQty);
      }

      const juiceQty = reorder('JUICE-12', 'CENTRAL');
      if (juiceQty > 0) {
        const lot = { lot: `JB-${day.slice(5, 7)}${day.slice(8, 10)}`, expiry: addDays(day, 70) };
        emit(bill('FRESHFIELDS', [stockLine('JUICE-12', 'CENTRAL', juiceQty, rng.cents(1800, 1900), false, lot)]));
        move('JUICE-12', 'CENTRAL', juiceQty);
      }

      const det = reorder('DETERGENT-5L', 'CENTRAL');
      const spo = reorder('SPONGE-10', 'COAST');
      const clean = [...(det > 0 ? [stockLine('DETERGENT-5L', 'CENTRAL', det, rng.cents(1790, 1940))] : []), ...(spo > 0 ? [stockLine('SPONGE-10', 'COAST', spo, rng.cents(230, 260))] : [])];
      if (clean.length > 0) {
        emit(bill('CLEANCO', clean));
        move('DETERGENT-5L', 'CENTRAL', det);
        move('SPONGE-10', 'COAST', spo);
      }
    }

    // First Tuesday: stock the coastal depot.
    if (wd === 2 && dom <= 7) {
      const lines: Record<string, unknown>[] = [];
      for (const [p, lo, hi] of [['COFFEE-1KG', 25, 45], ['TEA-100', 30, 60], ['DETERGENT-5L', 15, 30]] as const) {
        const qty = Math.min(rng.int(lo, hi), have(p, 'CENTRAL'));
        if (qty <= 0) continue;
        lines.push({ product: p, qty });
        move(p, 'CENTRAL', -qty);
        move(p, 'COAST', qty);
      }
      n.tr++;
      if (lines.length > 0) emit({ id: `TR-${pad(n.tr)}`, type: 'transfer', date: day, from: 'CENTRAL', to: 'COAST', memo: 'Monthly stock for the coastal depot', lines });
    }

    // First Wednesday: the EUR coffee order, with sea freight.
    if (wd === 3 && dom <= 7) {
      const qty = rng.int(60, 90);
      const freight = rng.cents(5000, 7000);
      const ev = emit(bill('BEANCO-EU', [stockLine('COFFEE-1KG', 'CENTRAL', qty, rng.cents(1000, 1100), false), { amount: freight, tax: 0n, capitalise: true, description: 'Sea freight' }], undefined, { code: 'EUR', rate: `1.0${rng.int(700, 999)}` }));
      move('COFFEE-1KG', 'CENTRAL', qty);
      lastEuBill = ev.id;
    }

    // Power bill mid-month.
    if (dom >= 14 && powerBilled !== month) {
      powerBilled = month;
      const amount = rng.cents(15000, 24000);
      powerThisQuarter += amount;
      n.eb++;
      emit({ id: `EB-${pad(n.eb)}`, type: 'expense_bill', date: day, supplier: 'CITY-POWER', reference: `POWER-${day.slice(0, 7)}`, lines: [{ account: '6150', amount: usd(amount), tax: usd(tax10(amount)), description: `Electricity, ${day.slice(0, 7)}` }] });
      n.sp++;
      schedule(addDays(day, 10), { id: `SP-${pad(n.sp)}`, type: 'supplier_payment', supplier: 'CITY-POWER', amount: usd(amount + tax10(amount)), reference: `POWER-${day.slice(0, 7)}` });
    }

    // Customs clearance each quarter, allocated to the latest EUR purchase.
    if ([2, 5, 8, 11].includes(month) && dom >= 24 && dom <= 26 && lastEuBill !== undefined) {
      const amount = rng.cents(4000, 9000);
      n.eb++;
      const ref = `PB-${pad(5500 + n.eb)}`;
      emit({ id: `EB-${pad(n.eb)}`, type: 'expense_bill', date: day, supplier: 'PORT-BROKERS', reference: ref, lines: [{ account: '6100', amount: usd(amount), tax: usd(tax10(amount)), description: `Customs clearance for ${lastEuBill}` }] });
      n.lc++;
      emit({ id: `LC-${pad(n.lc)}`, type: 'landed_cost', date: day, amount: usd(amount), purchase: lastEuBill, account: '6100', memo: `Allocate customs clearance ${ref} to ${lastEuBill}` });
      n.sp++;
      schedule(addDays(day, 14), { id: `SP-${pad(n.sp)}`, type: 'supplier_payment', supplier: 'PORT-BROKERS', amount: usd(amount + tax10(amount)), reference: ref });
      lastEuBill = undefined;
    }

    // Gift boxes: assembled in the third week of March, June, September and November.
    if ([3, 6, 9, 11].includes(month) && wd === 4 && dom >= 15 && dom <= 21) {
      const qty = Math.min(rng.int(30, 50), have('COFFEE-1KG', 'CENTRAL'), Math.floor(have('TEA-100', 'CENTRAL') / 2));
      if (qty > 0) {
        n.asm++;
        emit({ id: `ASM-${pad(n.asm)}`, type: 'assembly', date: day, product: 'GIFTBOX', warehouse: 'CENTRAL', qty, memo: 'Gift boxes: one coffee, two teas', components: [{ product: 'COFFEE-1KG', qty }, { product: 'TEA-100', qty: 2 * qty }], services: [{ role: 'labour', amount: usd(300n * BigInt(qty)), description: `Packing ${qty} gift boxes` }] });
        move('COFFEE-1KG', 'CENTRAL', -qty);
        move('TEA-100', 'CENTRAL', -2 * qty);
        move('GIFTBOX', 'CENTRAL', qty);
      }
    }

    if (day === '2026-02-25') {
      deposit = 50000n;
      emit({ id: 'DEP-0001', type: 'supplier_deposit', date: day, supplier: 'BEANCO', amount: usd(deposit), reference: 'PO-7301', memo: 'Deposit on the spring coffee order' });
    }

    // The tea bill that goes missing: the goods arrive today, the bill is entered in December.
    if (day === '2026-09-09') {
      const qty = 150;
      const amount = 310n * BigInt(qty);
      late.push({ id: 'PI-0999', type: 'purchase_invoice', date: day, time: '07:30', supplier: 'TEAHOUSE', reference: 'TH-9921', memo: 'Bill for the September tea delivery, found and entered in December', lines: [{ product: 'TEA-100', warehouse: 'CENTRAL', qty, amount: usd(amount), tax: usd(tax10(amount)) }] });
      late.push({ id: 'SP-0999', type: 'supplier_payment', date: '2026-12-31', time: '16:00', supplier: 'TEAHOUSE', amount: usd(amount + tax10(amount)), reference: 'TH-9921' });
      unbooked.set(key('TEA-100', 'CENTRAL'), qty);
    }

    // The day's sales.
    const sales = rng.int(3, 5);
    for (let i = 0; i < sales; i++) sale(rng.pick(CUSTOMERS), month);

    // One-offs.
    if (day === '2026-04-16' && have('SPONGE-10', 'COAST') >= 5) {
      n.wo++;
      emit({ id: `WO-${pad(n.wo)}`, type: 'write_off', date: day, memo: 'Sponges reported water-damaged', lines: [{ product: 'SPONGE-10', warehouse: 'COAST', qty: 5 }] });
      move('SPONGE-10', 'COAST', -5);
    }
    if (day === '2026-04-17' && n.wo === 1) {
      emit({ id: 'VOID-0001', type: 'void', date: day, target: 'WO-0001', memo: 'Recount: the sponges were fine, only the outer carton was wet' });
      move('SPONGE-10', 'COAST', 5);
    }
    if (day >= '2026-05-20' && !returnDone && returnCandidate) {
      const r = returnCandidate;
      n.scn++;
      const amount = SELL['COFFEE-1KG'].price * BigInt(r.qty);
      emit({ id: `SCN-${pad(n.scn)}`, type: 'sale_credit_note', date: day, customer: r.customer, invoice: r.invoice, lines: [{ product: 'COFFEE-1KG', warehouse: 'CENTRAL', qty: r.qty, amount: usd(amount), tax: usd(tax10(amount)), shipment: r.shipment, description: 'Two bags returned: torn packaging' }] });
      move('COFFEE-1KG', 'CENTRAL', r.qty);
      returnDone = true;
    }
    if (day >= '2026-08-10' && !allowanceDone) {
      n.scn++;
      emit({ id: `SCN-${pad(n.scn)}`, type: 'sale_credit_note', date: day, customer: 'BAYSIDE-GROCERS', lines: [{ product: 'JUICE-12', qty: 1, amount: '15.00', tax: '0.00', restock: false, description: 'Price allowance: short-dated juice' }] });
      allowanceDone = true;
    }
    // Delivery charges billed together, the tax worked out on the invoice total (9.99 × 10% =
    // 1.00) where Xero rounds it line by line (3 × 0.33): the sync adds a rounding line.
    if (day === '2026-06-12') {
      emit({ id: 'SI-D001', type: 'sale_invoice', date: day, customer: 'HILLTOP-DELI', reference: 'DLV-0612', memo: 'Three deliveries billed together', lines: ['0.33', '0.33', '0.34'].map((tax, i) => ({ product: 'DELIVERY', amount: '3.33', tax, description: `Delivery ${i + 1} of 3` })) });
    }
    if (day === '2026-07-15') {
      const qty = Math.min(4, have('JUICE-12', 'CENTRAL'));
      if (qty > 0) {
        n.wo++;
        emit({ id: `WO-${pad(n.wo)}`, type: 'write_off', date: day, memo: 'Juice past its expiry date', lines: [{ product: 'JUICE-12', warehouse: 'CENTRAL', qty }] });
        move('JUICE-12', 'CENTRAL', -qty);
      }
    }

    // Month end: the quarter's share of power to warehouse overheads, then the count.
    if (lastWeekdayOfMonth) {
      if (month % 3 === 0 && powerThisQuarter > 0n) {
        const share = powerThisQuarter / 3n;
        n.mj++;
        emit({ id: `MJ-${pad(n.mj)}`, type: 'manual_journal', date: day, memo: 'Recharge one third of the quarter\'s electricity to warehouse overheads', lines: [{ account: '6100', amount: usd(share), description: 'Warehouse share of electricity' }, { account: '6150', amount: usd(-share), description: 'Warehouse share of electricity' }] });
        powerThisQuarter = 0n;
      }
      stocktake(month);
    }
  }
  return [...out, ...late];
}
