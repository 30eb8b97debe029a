/**
 * Typed events. Raw JSON is checked against EVENT_SCHEMA (shape), then converted here to
 * exact values: money to bigint minor units of the company base currency (a foreign document
 * is converted once, line by line, at its rate), quantities to QTY_SCALE units, unit costs to
 * UNIT_COST_SCALE units. After parsing, nothing downstream ever sees a decimal string.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { EVENT_SCHEMA, EVENT_TYPES } from './event-schema.js';
import { formatTrimmed, parseDecimal, QTY_SCALE, UNIT_COST_SCALE } from './decimal.js';
import { parseMoney, formatMoney, convert, RATE_SCALE } from './money.js';
import { divRound } from './rounding.js';
import { fail, failure, FailureError, type Failure, type Result, ok, err } from './errors.js';
import { dateSchemaFailure, isDateSchemaError, readDate, STORED_DATE_FORMAT, type CalendarDate, type DateSource } from './calendar-date.js';
import { MAX_AMOUNT, MAX_DAY_TOTAL, MAX_QTY, MAX_RATE, MAX_UNIT_COST, outOfRange, withinBound } from './bounds.js';
import { findTextFlaw, invalidText } from './text.js';
import type { Company } from './config.js';

export interface EventBase {
  id: string;
  date: CalendarDate;
  time?: string | undefined;
  /** Sort key: date, time, id. Events are ordered by what they say, never by arrival. */
  key: string;
  docCurrency: string;
  rate?: bigint | undefined;
  reference?: string | undefined;
  memo?: string | undefined;
}

/** One category of a count's inventory adjustment (seed 002): prior ending inventory reversed, the count's value posted. */
export interface CountExportLine { category: string; asset: string; cogs: string; prior: bigint; current: bigint }
export interface StockLine { product: string; warehouse: string; qty: bigint; lot?: string | undefined }
export interface Service { role: 'labour' | 'overheads'; account?: string | undefined; amount: bigint; description?: string | undefined }

export interface PurchaseLine {
  product?: string | undefined; warehouse?: string | undefined; qty?: bigint | undefined; lot?: string | undefined; expiry?: CalendarDate | undefined;
  amount: bigint; tax: bigint; account?: string | undefined; capitalise: boolean; description?: string | undefined;
}
export interface SaleLine {
  product?: string | undefined; warehouse?: string | undefined; qty?: bigint | undefined; lot?: string | undefined;
  amount: bigint; tax: bigint; account?: string | undefined; cost?: bigint | undefined; description?: string | undefined;
}
/** A credit note's line; a restocking line names the product and quantity that come back. */
export type SaleCreditLine = SaleLine & { shipment?: string | undefined } & ({ restock: true; product: string; qty: bigint } | { restock: false });
export interface AdjustmentLine extends StockLine { expiry?: CalendarDate | undefined; unitCost?: bigint | undefined; valuation?: 'average' | 'last' | 'standard' | undefined; account?: string | undefined }

export type BookEvent = EventBase & (
  | { type: 'supplier_deposit'; supplier: string; amount: bigint; bankAccount?: string | undefined }
  | { type: 'supplier_payment'; supplier: string; amount: bigint; bankAccount?: string | undefined }
  | { type: 'customer_prepayment'; customer: string; amount: bigint; bankAccount?: string | undefined }
  | { type: 'customer_payment'; customer: string; amount: bigint; bankAccount?: string | undefined }
  | { type: 'purchase_invoice'; supplier: string; dropship: boolean; receipt?: string | undefined; depositApplied: bigint; lines: PurchaseLine[] }
  | { type: 'expense_bill'; supplier: string; lines: { account: string; amount: bigint; tax: bigint; description?: string | undefined }[] }
  | { type: 'stock_receipt'; supplier?: string | undefined; lines: (StockLine & { expiry?: CalendarDate | undefined; amount: bigint })[] }
  | { type: 'purchase_credit_note'; supplier: string; bill?: string | undefined; lines: PurchaseLine[] }
  | { type: 'landed_cost'; amount: bigint; account?: string | undefined; purchase?: string | undefined; sale?: string | undefined }
  | { type: 'manual_journal'; lines: { account: string; amount: bigint; description?: string | undefined }[] }
  | { type: 'count_export'; previous?: string | undefined; lines: CountExportLine[] }
  | { type: 'sale_invoice'; customer: string; issuesStock?: boolean | undefined; prepaymentApplied: bigint; lines: SaleLine[] }
  | { type: 'shipment'; sale?: string | undefined; lines: (StockLine & { cost?: bigint | undefined })[] }
  | { type: 'sale_credit_note'; customer: string; invoice?: string | undefined; lines: SaleCreditLine[] }
  | { type: 'stock_adjustment'; lines: AdjustmentLine[] }
  | { type: 'stocktake'; lines: { product: string; warehouse: string; counted: bigint; account?: string | undefined }[] }
  | { type: 'transfer'; from: string; to: string; lines: { product: string; qty: bigint; lot?: string | undefined }[] }
  | { type: 'assembly'; product: string; warehouse: string; qty: bigint; lot?: string | undefined; expiry?: CalendarDate | undefined; components: StockLine[]; services: Service[] }
  | { type: 'disassembly'; product: string; warehouse: string; qty: bigint; lot?: string | undefined; outputs: (StockLine & { weight?: bigint | undefined })[]; services: Service[] }
  | { type: 'write_off'; account?: string | undefined; lines: StockLine[]; services: Service[] }
  | { type: 'void'; target: string }
);

export type EventType = BookEvent['type'];
export type EventOf<T extends EventType> = Extract<BookEvent, { type: T }>;

export function orderKey(date: string, time: string | undefined, id: string): string {
  return `${date}T${time ?? ''}\u0000${id}`;
}

/**
 * Where an event comes from: new input, whose dates must be real days, or the store, whose
 * events were accepted once and replay as stored (a date stored before dates were checked
 * included: storedDate).
 */
export type EventSource = DateSource;

/**
 * Compiled on first use: commands that never parse an event should not pay for it. One
 * validator serves both sources: its dates are those the store may hold (STORED_DATE_FORMAT),
 * and the converter then holds new input to real days (Converter.date).
 */
let compiled: ValidateFunction | undefined;
function validate(raw: unknown): boolean {
  compiled ??= new Ajv2020({ allErrors: false, strict: false, formats: { date: STORED_DATE_FORMAT } }).compile(EVENT_SCHEMA);
  return compiled(raw);
}

type Raw = Record<string, unknown>;

/** Converts field values of one raw event, failing with INVALID_EVENT naming the field. */
class Converter {
  /** `source` is 'store' for stored events: they were accepted once and must load again, unchecked for bounds. */
  constructor(readonly id: string, readonly co: Company, readonly currency: string, readonly rate: bigint | undefined, readonly source: EventSource) {}
  bad(path: string, reason: string): never {
    return fail('INVALID_EVENT', `Event ${this.id}: ${path} ${reason}.`, 'Correct the event; docs/events.md describes every field.', { event: this.id, field: path });
  }
  /** VALUE_OUT_OF_RANGE unless |value| ≤ bound; `show` writes a value in the field's unit. */
  bound(value: bigint, max: bigint, path: string, show: (x: bigint) => string): bigint {
    if (this.source === 'input' && !withinBound(value, max)) {
      throw new FailureError(outOfRange(`Event ${this.id}: ${path} is`, show(value), show(max), `Correct ${path}; where a figure really is that large, split it over several events.`, { event: this.id, field: path }));
    }
    return value;
  }
  /** An amount; `max` is MAX_AMOUNT except for figures that are totals (a count export's category values). */
  money(v: unknown, path: string, max: bigint = MAX_AMOUNT): bigint {
    if (v === undefined) return 0n;
    const r = parseMoney(String(v), this.currency);
    if (!r.ok) this.bad(path, `is not a valid ${this.currency} amount (${r.reason})`);
    this.bound(r.value, max, path, (x) => `${formatMoney(x, this.currency)} ${this.currency}`);
    if (this.rate === undefined) return r.value;
    const base = this.co.baseCurrency;
    return this.bound(convert(r.value, this.currency, base, this.rate, this.co.settings.rounding), max, `${path} (in ${base})`, (x) => `${formatMoney(x, base)} ${base}`);
  }
  qty(v: unknown, path: string, allowZero = false, allowNegative = false): bigint {
    const r = parseDecimal(String(v), QTY_SCALE);
    if (!r.ok) this.bad(path, `is not a valid quantity (${r.reason})`);
    if (r.value === 0n && !allowZero) this.bad(path, 'must not be zero');
    if (r.value < 0n && !allowNegative) this.bad(path, 'must not be negative');
    return this.bound(r.value, MAX_QTY, path, (x) => formatTrimmed(x, QTY_SCALE));
  }
  unitCost(v: unknown, path: string): bigint | undefined {
    if (v === undefined) return undefined;
    const r = parseDecimal(String(v), UNIT_COST_SCALE);
    if (!r.ok) this.bad(path, `is not a valid unit cost (${r.reason})`);
    const show = (x: bigint): string => formatTrimmed(x, UNIT_COST_SCALE);
    this.bound(r.value, MAX_UNIT_COST, path, show);
    return this.rate === undefined ? r.value : this.bound(divRound(r.value * this.rate, 10n ** BigInt(RATE_SCALE), this.co.settings.rounding), MAX_UNIT_COST, `${path} (in ${this.co.baseCurrency})`, show);
  }
  /** A plain non-negative decimal (a weight or ratio): never converted by the exchange rate. */
  weight(v: unknown, path: string): bigint | undefined {
    if (v === undefined) return undefined;
    const r = parseDecimal(String(v), UNIT_COST_SCALE);
    if (!r.ok) this.bad(path, `is not a valid weight (${r.reason})`);
    return this.bound(r.value, MAX_UNIT_COST, path, (x) => formatTrimmed(x, UNIT_COST_SCALE));
  }
  product(v: unknown, path: string): string {
    const sku = String(v);
    if (!this.co.products.has(sku)) {
      fail('UNKNOWN_PRODUCT', `Event ${this.id}: ${path} names product "${sku}", which is not in the configuration.`, `Add product "${sku}" to the configuration, or correct the SKU.`, { event: this.id, product: sku });
    }
    return sku;
  }
  warehouse(v: unknown, path: string): string {
    const code = String(v);
    if (!this.co.warehouses.has(code)) {
      fail('UNKNOWN_WAREHOUSE', `Event ${this.id}: ${path} names warehouse "${code}", which is not in the configuration.`, `Add warehouse "${code}" to the configuration, or correct the code.`, { event: this.id, warehouse: code });
    }
    return code;
  }
  optStr(v: unknown): string | undefined {
    return v === undefined ? undefined : String(v);
  }
  /** A date field: a real calendar day, or INVALID_DATE naming the field. */
  date(v: unknown, path: string): CalendarDate {
    const r = readDate(this.source, path, v, { event: this.id }, `Event ${this.id}: `);
    if (!r.ok) throw new FailureError(r.error);
    return r.value;
  }
  optDate(v: unknown, path: string): CalendarDate | undefined {
    return v === undefined ? undefined : this.date(v, path);
  }
  services(list: unknown, path: string): Service[] {
    return ((list as Raw[] | undefined) ?? []).map((s, i) => ({
      role: (s['role'] as 'labour' | 'overheads' | undefined) ?? 'labour',
      account: this.optStr(s['account']),
      amount: this.money(s['amount'], `${path}[${i}].amount`),
      description: this.optStr(s['description']),
    }));
  }
  stockLine(l: Raw, path: string, warehouse?: string): StockLine {
    return {
      product: this.product(l['product'], `${path}.product`),
      warehouse: this.warehouse(l['warehouse'] ?? warehouse, `${path}.warehouse`),
      qty: this.qty(l['qty'], `${path}.qty`),
      lot: this.optStr(l['lot']),
    };
  }
}

/*
 * Every event and line object below is written as one literal with all its fields in a fixed
 * order (the order a spread of the head and the body used to give, so fingerprints are
 * unchanged): V8 then gives all events of a type one hidden class, where objects built by
 * spread each got their own, about two and a half times larger (issue 11).
 */

/** The head fields every event opens with; `date` is the event's booking date. */
function headOf(c: Converter, e: Raw, date: CalendarDate): EventBase {
  const time = c.optStr(e['time']);
  return { id: c.id, date, time, key: orderKey(date, time, c.id), docCurrency: c.currency, rate: c.rate, reference: c.optStr(e['reference']), memo: c.optStr(e['memo']) };
}

/** Seed 004: a shipment's COGS is dated at the latest of its shipment dates. */
function shipmentDate(c: Converter, e: Raw, date: CalendarDate): CalendarDate {
  let latest = date;
  ((e['lines'] as Raw[] | undefined) ?? []).forEach((l, i) => {
    const d = c.optDate(l['date'], `lines[${i}].date`);
    if (d !== undefined && d > latest) latest = d;
  });
  return latest;
}

/** Payments, deposits, purchase and sale documents, bills and journals. */
function convertMoneyEvent(c: Converter, type: EventType, e: Raw, date: CalendarDate): BookEvent | undefined {
  const L = (e['lines'] as Raw[] | undefined) ?? [];
  const s = (k: string): string | undefined => c.optStr(e[k]);
  switch (type) {
    case 'supplier_deposit':
    case 'supplier_payment': {
      const supplier = String(e['supplier']), amount = c.money(e['amount'], 'amount'), h = headOf(c, e, date);
      return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, supplier, amount, bankAccount: s('bankAccount') };
    }
    case 'customer_prepayment':
    case 'customer_payment': {
      const customer = String(e['customer']), amount = c.money(e['amount'], 'amount'), h = headOf(c, e, date);
      return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, customer, amount, bankAccount: s('bankAccount') };
    }
    case 'purchase_invoice': {
      const lines = L.map((l, i) => purchaseLine(c, l, `lines[${i}]`));
      const depositApplied = c.money(e['depositApplied'], 'depositApplied'), h = headOf(c, e, date);
      return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, supplier: String(e['supplier']), dropship: e['dropship'] === true, receipt: s('receipt'), depositApplied, lines };
    }
    case 'purchase_credit_note': {
      const lines = L.map((l, i) => purchaseLine(c, l, `lines[${i}]`)), h = headOf(c, e, date);
      return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, supplier: String(e['supplier']), bill: s('bill'), lines };
    }
    case 'expense_bill': {
      const lines = L.map((l, i) => ({ account: String(l['account']), amount: c.money(l['amount'], `lines[${i}].amount`), tax: c.money(l['tax'], `lines[${i}].tax`), description: c.optStr(l['description']) })), h = headOf(c, e, date);
      return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, supplier: String(e['supplier']), lines };
    }
    case 'manual_journal': {
      // Balanced is judged in the document's own currency; converting line by line may then
      // leave a rounding difference in base currency, which the rule books to the rounding role.
      let docTotal = 0n;
      L.forEach((l) => {
        const r = parseMoney(String(l['amount']), c.currency);
        if (r.ok) docTotal += r.value;
      });
      if (docTotal !== 0n) fail('UNBALANCED_JOURNAL', `Event ${c.id}: the manual journal lines sum to ${formatMoney(docTotal, c.currency)} ${c.currency}, not zero.`, 'Make debits (positive) and credits (negative) add up to zero.', { event: c.id });
      const lines = L.map((l, i) => ({ account: String(l['account']), amount: c.money(l['amount'], `lines[${i}].amount`), description: c.optStr(l['description']) })), h = headOf(c, e, date);
      return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, lines };
    }
    case 'count_export': {
      if (c.currency !== c.co.baseCurrency) c.bad('currency', `must be the base currency ${c.co.baseCurrency}: counts are valued in it`);
      const lines = L.map((l, i) => ({ category: String(l['category']), asset: String(l['asset']), cogs: String(l['cogs']), prior: c.money(l['prior'], `lines[${i}].prior`, MAX_DAY_TOTAL), current: c.money(l['current'], `lines[${i}].current`, MAX_DAY_TOTAL) })), h = headOf(c, e, date);
      return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, previous: s('previous'), lines };
    }
    case 'sale_invoice': {
      const prepaymentApplied = c.money(e['prepaymentApplied'], 'prepaymentApplied'), lines = L.map((l, i) => saleLine(c, l, `lines[${i}]`)), h = headOf(c, e, date);
      return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, customer: String(e['customer']), issuesStock: e['issuesStock'] as boolean | undefined, prepaymentApplied, lines };
    }
    case 'sale_credit_note': {
      const lines = L.map((l, i) => saleCreditLine(c, l, `lines[${i}]`)), h = headOf(c, e, date);
      return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, customer: String(e['customer']), invoice: s('invoice'), lines };
    }
    default:
      return undefined;
  }
}

/** Stock movements of one pool or more, landed costs and voids. */
function convertStockEvent(c: Converter, type: EventType, e: Raw, date: CalendarDate): BookEvent {
  const L = (e['lines'] as Raw[] | undefined) ?? [];
  const s = (k: string): string | undefined => c.optStr(e[k]);
  switch (type) {
    case 'stock_receipt': {
      const lines = L.map((l, i) => receiptLine(c, l, `lines[${i}]`)), h = headOf(c, e, date);
      return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, supplier: s('supplier'), lines };
    }
    case 'landed_cost': {
      if ((e['purchase'] === undefined) === (e['sale'] === undefined)) c.bad('purchase/sale', 'exactly one of "purchase" or "sale" must name the target');
      const amount = c.money(e['amount'], 'amount'), h = headOf(c, e, date);
      return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, amount, account: s('account'), purchase: s('purchase'), sale: s('sale') };
    }
    case 'shipment': {
      const lines = L.map((l, i) => shipmentLine(c, l, `lines[${i}]`)), h = headOf(c, e, shipmentDate(c, e, date));
      return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, sale: s('sale'), lines };
    }
    case 'stock_adjustment': {
      const lines = L.map((l, i) => adjustmentLine(c, l, `lines[${i}]`)), h = headOf(c, e, date);
      return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, lines };
    }
    case 'stocktake': {
      const lines = L.map((l, i) => ({ product: c.product(l['product'], `lines[${i}].product`), warehouse: c.warehouse(l['warehouse'], `lines[${i}].warehouse`), counted: c.qty(l['counted'], `lines[${i}].counted`, true), account: c.optStr(l['account']) })), h = headOf(c, e, date);
      return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, lines };
    }
    case 'transfer': {
      const from = c.warehouse(e['from'], 'from');
      const to = c.warehouse(e['to'], 'to');
      if (from === to) c.bad('to', 'must differ from "from"');
      const lines = L.map((l, i) => ({ product: c.product(l['product'], `lines[${i}].product`), qty: c.qty(l['qty'], `lines[${i}].qty`), lot: c.optStr(l['lot']) })), h = headOf(c, e, date);
      return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, from, to, lines };
    }
    case 'assembly':
    case 'disassembly':
      return convertBuild(c, type, e, date);
    case 'write_off': {
      const lines = L.map((l, i) => c.stockLine(l, `lines[${i}]`)), services = c.services(e['services'], 'services'), h = headOf(c, e, date);
      return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, account: s('account'), lines, services };
    }
    default: {
      const h = headOf(c, e, date);
      return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type: 'void', target: String(e['target']) };
    }
  }
}

/** An assembly or a disassembly: one product built from, or broken into, others. */
function convertBuild(c: Converter, type: 'assembly' | 'disassembly', e: Raw, date: CalendarDate): BookEvent {
  const warehouse = c.warehouse(e['warehouse'], 'warehouse');
  const product = c.product(e['product'], 'product');
  if (type === 'assembly') {
    const components = (e['components'] as Raw[]).map((l, i) => c.stockLine(l, `components[${i}]`, warehouse));
    if (components.some((x) => x.product === product)) c.bad('components', 'must not include the assembled product itself');
    const qty = c.qty(e['qty'], 'qty'), lot = c.optStr(e['lot']), expiry = c.optDate(e['expiry'], 'expiry'), services = c.services(e['services'], 'services'), h = headOf(c, e, date);
    return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, product, warehouse, qty, lot, expiry, components, services };
  }
  const outputs = (e['outputs'] as Raw[]).map((l, i) => outputLine(c, l, `outputs[${i}]`, warehouse));
  if (outputs.some((x) => x.product === product)) c.bad('outputs', 'must not include the disassembled product itself');
  const qty = c.qty(e['qty'], 'qty'), lot = c.optStr(e['lot']), services = c.services(e['services'], 'services'), h = headOf(c, e, date);
  return { id: h.id, date: h.date, time: h.time, key: h.key, docCurrency: h.docCurrency, rate: h.rate, reference: h.reference, memo: h.memo, type, product, warehouse, qty, lot, outputs, services };
}

function convertEvent(c: Converter, type: EventType, e: Raw, date: CalendarDate): BookEvent {
  return convertMoneyEvent(c, type, e, date) ?? convertStockEvent(c, type, e, date);
}

function receiptLine(c: Converter, l: Raw, path: string): StockLine & { expiry: CalendarDate | undefined; amount: bigint } {
  return { product: c.product(l['product'], `${path}.product`), warehouse: c.warehouse(l['warehouse'], `${path}.warehouse`), qty: c.qty(l['qty'], `${path}.qty`), lot: c.optStr(l['lot']), expiry: c.optDate(l['expiry'], `${path}.expiry`), amount: c.money(l['amount'], `${path}.amount`) };
}

function shipmentLine(c: Converter, l: Raw, path: string): StockLine & { cost: bigint | undefined } {
  return { product: c.product(l['product'], `${path}.product`), warehouse: c.warehouse(l['warehouse'], `${path}.warehouse`), qty: c.qty(l['qty'], `${path}.qty`), lot: c.optStr(l['lot']), cost: c.unitCost(l['cost'], `${path}.cost`) };
}

function outputLine(c: Converter, l: Raw, path: string, warehouse: string): StockLine & { weight: bigint | undefined } {
  return { product: c.product(l['product'], `${path}.product`), warehouse: c.warehouse(l['warehouse'] ?? warehouse, `${path}.warehouse`), qty: c.qty(l['qty'], `${path}.qty`), lot: c.optStr(l['lot']), weight: c.weight(l['weight'], `${path}.weight`) };
}

/** An adjustment's quantity may be negative (stock out). */
function adjustmentLine(c: Converter, l: Raw, path: string): AdjustmentLine {
  return {
    product: c.product(l['product'], `${path}.product`),
    warehouse: c.warehouse(l['warehouse'], `${path}.warehouse`),
    qty: c.qty(l['qty'], `${path}.qty`, false, true),
    lot: c.optStr(l['lot']),
    expiry: c.optDate(l['expiry'], `${path}.expiry`),
    unitCost: c.unitCost(l['unitCost'], `${path}.unitCost`),
    valuation: l['valuation'] as AdjustmentLine['valuation'],
    account: c.optStr(l['account']),
  };
}

function purchaseLine(c: Converter, l: Raw, path: string): PurchaseLine {
  const hasProduct = l['product'] !== undefined;
  if (hasProduct && (l['qty'] === undefined || l['warehouse'] === undefined)) {
    const product = c.product(l['product'], `${path}.product`);
    if (c.co.products.get(product)?.stocked) c.bad(path, 'names a stocked product and must give "qty" and "warehouse"');
  }
  if (!hasProduct && l['account'] === undefined && l['capitalise'] !== true) c.bad(path, 'needs a "product", an "account", or "capitalise": true');
  return {
    product: hasProduct ? c.product(l['product'], `${path}.product`) : undefined,
    warehouse: l['warehouse'] === undefined ? undefined : c.warehouse(l['warehouse'], `${path}.warehouse`),
    qty: l['qty'] === undefined ? undefined : c.qty(l['qty'], `${path}.qty`),
    lot: c.optStr(l['lot']),
    expiry: c.optDate(l['expiry'], `${path}.expiry`),
    amount: c.money(l['amount'], `${path}.amount`),
    tax: c.money(l['tax'], `${path}.tax`),
    account: c.optStr(l['account']),
    capitalise: l['capitalise'] === true,
    description: c.optStr(l['description']),
  };
}

function saleLine(c: Converter, l: Raw, path: string): SaleLine {
  return {
    product: l['product'] === undefined ? undefined : c.product(l['product'], `${path}.product`),
    warehouse: l['warehouse'] === undefined ? undefined : c.warehouse(l['warehouse'], `${path}.warehouse`),
    qty: l['qty'] === undefined ? undefined : c.qty(l['qty'], `${path}.qty`),
    lot: c.optStr(l['lot']),
    amount: c.money(l['amount'], `${path}.amount`),
    tax: c.money(l['tax'], `${path}.tax`),
    account: c.optStr(l['account']),
    cost: c.unitCost(l['cost'], `${path}.cost`),
    description: c.optStr(l['description']),
  };
}

function saleCreditLine(c: Converter, l: Raw, path: string): SaleCreditLine {
  const product = l['product'] === undefined ? undefined : c.product(l['product'], `${path}.product`);
  const qty = l['qty'] === undefined ? undefined : c.qty(l['qty'], `${path}.qty`);
  const line = {
    product,
    warehouse: l['warehouse'] === undefined ? undefined : c.warehouse(l['warehouse'], `${path}.warehouse`),
    qty,
    lot: c.optStr(l['lot']),
    amount: c.money(l['amount'], `${path}.amount`),
    tax: c.money(l['tax'], `${path}.tax`),
    account: c.optStr(l['account']),
    cost: c.unitCost(l['cost'], `${path}.cost`),
    description: c.optStr(l['description']),
    shipment: c.optStr(l['shipment']),
  };
  return l['restock'] !== false && product !== undefined && qty !== undefined ? { ...line, restock: true, product, qty } : { ...line, restock: false };
}

/** Why the event does not match the schema: INVALID_DATE for a date field, INVALID_EVENT otherwise. */
function schemaFailure(raw: unknown, id: string): Failure {
  const e = compiled?.errors?.[0];
  if (e && isDateSchemaError(e)) return dateSchemaFailure(raw, e.instancePath, { event: id }, `Event ${id}: `);
  let message = 'does not match the event schema';
  if (e) {
    const where = e.instancePath === '' ? 'the event' : e.instancePath;
    const extra = e.keyword === 'additionalProperties' ? ` ("${String((e.params as Raw)['additionalProperty'])}")` : e.keyword === 'enum' ? ` (${JSON.stringify((e.params as Raw)['allowedValues'])})` : '';
    message = `${where} ${e.message ?? 'is invalid'}${extra}`;
  }
  return failure('INVALID_EVENT', `Event ${id}: ${message}.`, 'Correct the event; docs/events.md and docs/events.schema.json describe every field.', { event: id });
}

/**
 * The cheap check a stored event gets instead of the schema: an object with a string id, a
 * known type and a string date, and any lists it gives as arrays. Anything else is not what
 * the ledger stored (the store was written to by other means).
 */
function storedShape(raw: unknown): boolean {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const e = raw as Raw;
  if (typeof e['id'] !== 'string' || typeof e['type'] !== 'string' || typeof e['date'] !== 'string') return false;
  for (const k of LISTS) if (e[k] !== undefined && !Array.isArray(e[k])) return false;
  return e['type'] === 'assembly' ? Array.isArray(e['components']) : e['type'] === 'disassembly' ? Array.isArray(e['outputs']) : true;
}
const LISTS = ['lines', 'components', 'outputs', 'services'] as const;

function notStored(id: string): Failure {
  return failure('INVALID_EVENT', `Event ${id}: the stored event is not an event the ledger accepted (it lacks an id, a known type, a date, or a list it names).`, 'Restore the store from a backup: its events table was changed by other means.', { event: id });
}

/** Parses one raw event (already JSON-decoded). Never throws for bad input. */
export function parseEvent(raw: unknown, co: Company, source: EventSource = 'input'): Result<BookEvent> {
  const checked = source === 'input';
  const flaw = checked ? findTextFlaw(raw, '') : undefined;
  if (flaw) {
    const shown = flaw.field === 'id' ? '?' : eventIdOf(raw); // an id that cannot be stored is not repeated back
    return err(invalidText(`Event ${shown}`, flaw, { event: shown }));
  }
  const id = eventIdOf(raw);
  const type = typeof raw === 'object' && raw !== null ? (raw as Raw)['type'] : undefined;
  if (typeof type === 'string' && !EVENT_TYPES.includes(type)) {
    return err(failure('UNKNOWN_EVENT_TYPE', `Event ${id} has type "${type}", which stockbook does not know.`, `Use one of: ${EVENT_TYPES.join(', ')}.`, { event: id, type }));
  }
  // A stored event was checked against the schema when it was accepted: replaying it checks
  // only the shape the converter reads (issue 11: ajv was a large part of a cold open).
  if (checked ? !validate(raw) : !storedShape(raw)) return err(checked ? schemaFailure(raw, id) : notStored(id));
  const e = raw as Raw;
  const currency = typeof e['currency'] === 'string' ? e['currency'] : co.baseCurrency;
  let rate: bigint | undefined;
  if (currency !== co.baseCurrency) {
    if (typeof e['rate'] !== 'string') {
      return err(failure('RATE_MISSING', `Event ${id} is in ${currency} but carries no "rate" to ${co.baseCurrency}.`, `Add "rate": base ${co.baseCurrency} per 1 ${currency}, e.g. "0.65".`, { event: id, currency }));
    }
    const r = parseDecimal(e['rate'], RATE_SCALE);
    if (!r.ok || r.value === 0n) return err(failure('INVALID_EVENT', `Event ${id}: rate "${e['rate']}" is not a positive decimal with at most ${RATE_SCALE} places.`, 'Correct the rate.', { event: id }));
    if (checked && r.value > MAX_RATE) {
      return err(outOfRange(`Event ${id}: rate is`, formatTrimmed(r.value, RATE_SCALE), formatTrimmed(MAX_RATE, RATE_SCALE), `Give the rate as ${co.baseCurrency} per one ${currency}; a currency worth more than that cannot be booked.`, { event: id, field: 'rate' }));
    }
    rate = r.value;
  }
  try {
    const c = new Converter(id, co, currency, rate, source);
    return ok(convertEvent(c, type as EventType, e, c.date(e['date'], 'date')));
  } catch (x) {
    if (x instanceof FailureError) return err(x.failure);
    throw x;
  }
}

/** The id a raw event gives itself, or "?". */
export function eventIdOf(raw: unknown): string {
  return typeof raw === 'object' && raw !== null && typeof (raw as Raw)['id'] === 'string' ? String((raw as Raw)['id']) : '?';
}

/** A stable text of an event's content, used to tell a true resubmission from a conflict. */
export function fingerprint(ev: BookEvent): string {
  return JSON.stringify(ev, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
}

