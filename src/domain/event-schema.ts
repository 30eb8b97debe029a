/**
 * JSON Schema (draft 2020-12 subset understood by ajv) for stockbook events. This object is
 * the single definition: ajv validates input against it and docs/events.schema.json is a
 * copy of it that a test keeps identical.
 */
import { DATE_SCHEMA } from './calendar-date.js';
import { ID_MAX_LENGTH } from './bounds.js';

const money = { type: 'string', pattern: '^-?\\d+(\\.\\d+)?$', description: 'Decimal string in the document currency, e.g. "100.00".' };
const positiveMoney = { type: 'string', pattern: '^\\d+(\\.\\d+)?$', description: 'Non-negative decimal string.' };
const qty = {
  description: 'Quantity: a decimal string (up to 6 places) or a whole number.',
  anyOf: [{ type: 'string', pattern: '^-?\\d+(\\.\\d+)?$' }, { type: 'integer' }],
};
const code = { type: 'string', minLength: 1, maxLength: 64 };
const ref = { type: 'string', minLength: 1, maxLength: ID_MAX_LENGTH, description: 'Id of another event.' };
const date = DATE_SCHEMA;
const text = { type: 'string', maxLength: 1000 };

const common = {
  id: { type: 'string', minLength: 1, maxLength: ID_MAX_LENGTH, description: 'Caller-supplied unique id; resubmitting it is idempotent.' },
  date,
  time: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d(:[0-5]\\d)?$', description: 'Optional time of day, orders events within a date.' },
  currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'Document currency; defaults to the company base currency.' },
  rate: { type: 'string', pattern: '^\\d+(\\.\\d+)?$', description: 'Base-currency units per one document-currency unit; required for a foreign currency.' },
  reference: text,
  memo: text,
};
const commonRequired = ['id', 'type', 'date'];

function event(type: string, props: Record<string, unknown>, required: string[] = []): Record<string, unknown> {
  return {
    type: 'object',
    properties: { type: { const: type }, ...common, ...props },
    required: [...commonRequired, ...required],
    additionalProperties: false,
  };
}
function lines(item: Record<string, unknown>, required: string[]): Record<string, unknown> {
  return {
    type: 'array',
    minItems: 1,
    maxItems: 1000,
    items: { type: 'object', properties: item, required, additionalProperties: false },
  };
}
const services = lines(
  { role: { enum: ['labour', 'overheads'] }, account: code, amount: positiveMoney, description: text },
  ['amount'],
);
const stockLine = { product: code, warehouse: code, qty, lot: code };

const EVENTS: Record<string, Record<string, unknown>> = {
  supplier_deposit: event('supplier_deposit', { supplier: code, amount: positiveMoney, bankAccount: code }, ['supplier', 'amount']),
  supplier_payment: event('supplier_payment', { supplier: code, amount: positiveMoney, bankAccount: code }, ['supplier', 'amount']),
  customer_prepayment: event('customer_prepayment', { customer: code, amount: positiveMoney, bankAccount: code }, ['customer', 'amount']),
  customer_payment: event('customer_payment', { customer: code, amount: positiveMoney, bankAccount: code }, ['customer', 'amount']),
  purchase_invoice: event('purchase_invoice', {
    supplier: code,
    dropship: { type: 'boolean' },
    receipt: ref,
    depositApplied: positiveMoney,
    lines: lines({ ...stockLine, expiry: date, amount: money, tax: money, account: code, capitalise: { type: 'boolean' }, description: text }, ['amount']),
  }, ['supplier', 'lines']),
  expense_bill: event('expense_bill', {
    supplier: code,
    lines: lines({ account: code, amount: money, tax: money, description: text }, ['account', 'amount']),
  }, ['supplier', 'lines']),
  stock_receipt: event('stock_receipt', {
    supplier: code,
    lines: lines({ ...stockLine, expiry: date, amount: positiveMoney }, ['product', 'warehouse', 'qty', 'amount']),
  }, ['lines']),
  purchase_credit_note: event('purchase_credit_note', {
    supplier: code,
    bill: ref,
    lines: lines({ ...stockLine, amount: positiveMoney, tax: positiveMoney, account: code, description: text }, ['amount']),
  }, ['supplier', 'lines']),
  landed_cost: event('landed_cost', { amount: positiveMoney, account: code, purchase: ref, sale: ref }, ['amount']),
  count_export: event('count_export', {
    previous: { ...ref, description: 'The export of the prior count, which this one follows (it cannot be voided while this one stands).' },
    lines: lines({ category: code, asset: code, cogs: code, prior: money, current: money }, ['category', 'asset', 'cogs', 'prior', 'current']),
  }, ['lines']),
  manual_journal: event('manual_journal', {
    lines: { type: 'array', minItems: 2, maxItems: 1000, items: { type: 'object', properties: { account: code, amount: money, description: text }, required: ['account', 'amount'], additionalProperties: false } },
  }, ['lines']),
  sale_invoice: event('sale_invoice', {
    customer: code,
    issuesStock: { type: 'boolean', description: 'PSA style (seed 000): stocked lines issue stock at the invoice. Defaults to settings.cogsTiming = "invoice".' },
    prepaymentApplied: positiveMoney,
    lines: lines({ ...stockLine, amount: money, tax: money, account: code, cost: positiveMoney, description: text }, ['amount']),
  }, ['customer', 'lines']),
  shipment: event('shipment', {
    sale: ref,
    lines: lines({ ...stockLine, date, cost: positiveMoney }, ['product', 'warehouse', 'qty']),
  }, ['lines']),
  sale_credit_note: event('sale_credit_note', {
    customer: code,
    invoice: ref,
    lines: lines({ ...stockLine, amount: money, tax: money, account: code, restock: { type: 'boolean' }, shipment: ref, description: text }, ['amount']),
  }, ['customer', 'lines']),
  stock_adjustment: event('stock_adjustment', {
    lines: lines({ ...stockLine, expiry: date, unitCost: positiveMoney, valuation: { enum: ['average', 'last', 'standard'] }, account: code }, ['product', 'warehouse', 'qty']),
  }, ['lines']),
  stocktake: event('stocktake', {
    lines: lines({ product: code, warehouse: code, counted: qty, account: code }, ['product', 'warehouse', 'counted']),
  }, ['lines']),
  transfer: event('transfer', {
    from: code,
    to: code,
    lines: lines({ product: code, qty, lot: code }, ['product', 'qty']),
  }, ['from', 'to', 'lines']),
  assembly: event('assembly', {
    product: code, warehouse: code, qty, lot: code, expiry: date,
    components: lines({ ...stockLine }, ['product', 'qty']),
    services,
  }, ['product', 'warehouse', 'qty', 'components']),
  disassembly: event('disassembly', {
    product: code, warehouse: code, qty, lot: code,
    outputs: lines({ product: code, warehouse: code, qty, lot: code, weight: positiveMoney }, ['product', 'qty']),
    services,
  }, ['product', 'warehouse', 'qty', 'outputs']),
  write_off: event('write_off', {
    account: code,
    lines: lines({ ...stockLine }, ['product', 'warehouse', 'qty']),
    services,
  }, ['lines']),
  void: event('void', { target: ref }, ['target']),
};

export const EVENT_TYPES = Object.keys(EVENTS);

export const EVENT_SCHEMA = {
  $schema: 'https://json-schema.org/draft/2020-12/schema',
  $id: 'https://stockbook.dev/schemas/events.schema.json',
  title: 'stockbook event',
  description: 'One line of an events.jsonl file. See docs/events.md.',
  type: 'object',
  required: ['type'],
  properties: { type: { enum: EVENT_TYPES } },
  allOf: EVENT_TYPES.map((t) => ({ if: { properties: { type: { const: t } } }, then: EVENTS[t] })),
} as const;

export const EVENT_SCHEMAS_BY_TYPE: Readonly<Record<string, Record<string, unknown>>> = EVENTS;
