/**
 * Line items and their totals, computed as Xero does and exactly (bigint, half away from zero):
 *
 * - LineAmount = Quantity × UnitAmount (less DiscountRate %), rounded to the cent, unless given;
 *   UnitAmount keeps 4 places with unitdp=4 and is rounded to 2 first otherwise.
 * - Tax is per line, rounded per line: Exclusive → LineAmount × rate ÷ 100; Inclusive (the
 *   LineAmount includes tax) → LineAmount × rate ÷ (100 + rate); NoTax → 0. A given TaxAmount
 *   overrides the computed one.
 * - SubTotal, TotalTax and Total are sums of the rounded lines, so three lines of 3.33 at 10%
 *   carry 0.99 of tax, not 1.00.
 */
import { randomUUID } from 'node:crypto';
import { divRound } from '../../domain/rounding.js';
import { isRecord } from '../../domain/values.js';
import type { AccountRecord, LineAmountType, LineRecord, LinesDoc } from './books.js';
import type { BatchContext } from './batch.js';
import { MONEY_DP, optionalFromWire, QTY_DP, RATE_DP, str, UNIT_DP, WireError, XERO_ROUNDING } from './wire.js';

const LINE_AMOUNT_TYPES: readonly LineAmountType[] = ['Exclusive', 'Inclusive', 'NoTax'];
/** 100% in units of 10^-RATE_DP. */
const HUNDRED_PERCENT = 100n * 10n ** BigInt(RATE_DP);
const ONE_QTY = 10n ** BigInt(QTY_DP);
/** Quantity × UnitAmount has QTY_DP + UNIT_DP places; money has MONEY_DP. */
const EXTENSION_DIVISOR = 10n ** BigInt(QTY_DP + UNIT_DP - MONEY_DP);

export function lineAmountTypeOf(v: unknown, fallback: LineAmountType = 'Exclusive'): LineAmountType {
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v === 'string' && LINE_AMOUNT_TYPES.includes(v as LineAmountType)) return v as LineAmountType;
  throw new WireError(`LineAmountTypes ${String(v)} is not valid; use Exclusive, Inclusive or NoTax.`);
}

/** Tax on one line, rounded to the cent. */
export function lineTax(lineAmount: bigint, rate: bigint, lat: LineAmountType): bigint {
  if (lat === 'NoTax' || rate === 0n) return 0n;
  if (lat === 'Inclusive') return divRound(lineAmount * rate, HUNDRED_PERCENT + rate, XERO_ROUNDING);
  return divRound(lineAmount * rate, HUNDRED_PERCENT, XERO_ROUNDING);
}

/** A unit amount from the wire, kept at UNIT_DP places after rounding to the request's unitdp. */
function unitAmountOf(v: unknown, unitdp: number): bigint | undefined {
  const u = optionalFromWire(v, unitdp, 'UnitAmount');
  return u === undefined ? undefined : u * 10n ** BigInt(UNIT_DP - unitdp);
}

function extend(quantity: bigint, unit: bigint, discount: bigint | undefined): bigint {
  if (discount === undefined) return divRound(quantity * unit, EXTENSION_DIVISOR, XERO_ROUNDING);
  return divRound(quantity * unit * (HUNDRED_PERCENT - discount), EXTENSION_DIVISOR * HUNDRED_PERCENT, XERO_ROUNDING);
}

/** UnitAmount implied by a LineAmount and a Quantity, at the request's unitdp. */
function impliedUnit(lineAmount: bigint, quantity: bigint, unitdp: number): bigint {
  if (quantity === 0n) return 0n;
  const scale = 10n ** BigInt(UNIT_DP - unitdp);
  return divRound(lineAmount * EXTENSION_DIVISOR, quantity * scale, XERO_ROUNDING) * scale;
}

export interface LineRules {
  /** Approving (not DRAFT): every line with an amount needs an account. */
  approving: boolean;
}

function accountOf(raw: Record<string, unknown>, ctx: BatchContext, errors: string[]): AccountRecord | undefined {
  const code = str(raw.AccountCode);
  const id = str(raw.AccountID);
  const account = ctx.books.accountOf(code, id);
  if ((code !== undefined || id !== undefined) && !account) errors.push(`Account code '${code ?? id}' does not match a recognised account.`);
  if (account?.type === 'BANK') errors.push(`Account code '${account.code}' is not a valid code for this document.`);
  return account;
}

/** The line's tax type (given, else the account's default) and its rate; an unknown one is an error. */
export function taxTypeOf(raw: Record<string, unknown>, account: AccountRecord | undefined, lat: LineAmountType, ctx: BatchContext, errors: string[]): { taxType: string; rate: bigint } {
  const given = str(raw.TaxType);
  if (given !== undefined && !ctx.books.taxRates.has(given)) {
    errors.push(`The TaxType code '${given}' does not exist or cannot be used with this type of transaction.`);
  }
  const taxType = given ?? (lat === 'NoTax' ? 'NONE' : (account?.taxType ?? 'NONE'));
  return { taxType, rate: ctx.books.taxRates.get(taxType)?.rate ?? 0n };
}

function buildLine(raw: unknown, lat: LineAmountType, ctx: BatchContext, rules: LineRules, errors: string[]): LineRecord | undefined {
  if (!isRecord(raw)) {
    errors.push('A line item must be an object.');
    return undefined;
  }
  const quantity = optionalFromWire(raw.Quantity, QTY_DP, 'Quantity') ?? ONE_QTY;
  const discountRate = optionalFromWire(raw.DiscountRate, RATE_DP, 'DiscountRate');
  const givenUnit = unitAmountOf(raw.UnitAmount, ctx.unitdp);
  const givenAmount = optionalFromWire(raw.LineAmount, MONEY_DP, 'LineAmount');
  const lineAmount = givenAmount ?? extend(quantity, givenUnit ?? 0n, discountRate);
  const unitAmount = givenUnit ?? (givenAmount === undefined ? 0n : impliedUnit(givenAmount, quantity, ctx.unitdp));
  const account = accountOf(raw, ctx, errors);
  if (!account && rules.approving && lineAmount !== 0n && str(raw.AccountCode) === undefined && str(raw.AccountID) === undefined) {
    errors.push('Account code or ID must be specified.');
  }
  const { taxType, rate } = taxTypeOf(raw, account, lat, ctx, errors);
  const givenTax = optionalFromWire(raw.TaxAmount, MONEY_DP, 'TaxAmount');
  const taxAmount = lat === 'NoTax' ? 0n : (givenTax ?? lineTax(lineAmount, rate, lat));
  return {
    lineItemId: randomUUID(),
    description: str(raw.Description),
    quantity,
    unitAmount,
    discountRate,
    itemCode: str(raw.ItemCode),
    accountCode: account?.code,
    taxType,
    taxAmount,
    lineAmount,
  };
}

/** The lines of a document and their totals; problems go to `errors`. */
export function buildLines(raw: unknown, lat: LineAmountType, ctx: BatchContext, rules: LineRules, errors: string[]): LinesDoc {
  const list = Array.isArray(raw) ? raw : [];
  const lines = list.flatMap((l) => buildLine(l, lat, ctx, rules, errors) ?? []);
  return { lineAmountTypes: lat, lines, ...totals(lines, lat) };
}

export function totals(lines: readonly LineRecord[], lat: LineAmountType): { subTotal: bigint; totalTax: bigint; total: bigint } {
  let sum = 0n;
  let tax = 0n;
  for (const l of lines) {
    sum += l.lineAmount;
    tax += l.taxAmount;
  }
  return lat === 'Inclusive' ? { subTotal: sum - tax, totalTax: tax, total: sum } : { subTotal: sum, totalTax: tax, total: sum + tax };
}
