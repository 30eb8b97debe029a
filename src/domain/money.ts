/**
 * Money is a bigint count of a currency's minor units. Currencies carry their ISO 4217
 * exponent; conversion, scaling and splitting always name a rounding mode, and splits
 * allocate the remainder so the parts always add back to the whole.
 */
import { divRound, type RoundingMode } from './rounding.js';
import { parseDecimal, formatDecimal, QTY_SCALE, UNIT_COST_SCALE } from './decimal.js';

const ZERO_DECIMALS = new Set([
  'BIF', 'CLP', 'DJF', 'GNF', 'ISK', 'JPY', 'KMF', 'KRW', 'PYG', 'RWF', 'UGX', 'UYI', 'VND', 'VUV', 'XAF', 'XOF', 'XPF',
]);
const THREE_DECIMALS = new Set(['BHD', 'IQD', 'JOD', 'KWD', 'LYD', 'OMR', 'TND']);

const CURRENCY_RE = /^[A-Z]{3}$/;

export function isCurrencyCode(code: unknown): code is string {
  return typeof code === 'string' && CURRENCY_RE.test(code);
}

/** Number of minor-unit digits of an ISO 4217 currency (2 unless listed otherwise). */
export function currencyExponent(code: string): number {
  if (ZERO_DECIMALS.has(code)) return 0;
  if (THREE_DECIMALS.has(code)) return 3;
  return 2;
}

export function parseMoney(text: string, currency: string): ReturnType<typeof parseDecimal> {
  return parseDecimal(text, currencyExponent(currency));
}

export function formatMoney(minor: bigint, currency: string): string {
  return formatDecimal(minor, currencyExponent(currency));
}

/** Rates are "base units per one unit of the document currency", up to this many decimals. */
export const RATE_SCALE = 10;

/** Converts an amount in `from` minor units to `to` minor units at `rate` (scaled by RATE_SCALE). */
export function convert(amount: bigint, from: string, to: string, rate: bigint, mode: RoundingMode): bigint {
  if (from === to) return amount;
  const num = amount * rate * 10n ** BigInt(currencyExponent(to));
  const den = 10n ** BigInt(RATE_SCALE + currencyExponent(from));
  return divRound(num, den, mode);
}

/** Value of `qty` (QTY_SCALE) at `unitCost` (UNIT_COST_SCALE, major units) in minor units. */
export function extend(qty: bigint, unitCost: bigint, currency: string, mode: RoundingMode): bigint {
  const num = qty * unitCost * 10n ** BigInt(currencyExponent(currency));
  const den = 10n ** BigInt(QTY_SCALE + UNIT_COST_SCALE);
  return divRound(num, den, mode);
}

/** `value * part / whole`, the share of a value that belongs to part of a quantity. */
export function share(value: bigint, part: bigint, whole: bigint, mode: RoundingMode): bigint {
  if (part === whole) return value; // the last unit takes the remainder: exact, no rounding
  return divRound(value * part, whole, mode);
}

/**
 * Splits `total` across `weights` so the parts sum to exactly `total` (largest remainder;
 * ties go to the earlier weight so the split is deterministic). Zero weights get nothing
 * unless every weight is zero, in which case the split is even.
 */
export function allocate(total: bigint, weights: readonly bigint[]): bigint[] {
  if (weights.length === 0) throw new Error('assertion: allocate needs at least one weight');
  if (weights.some((w) => w < 0n)) throw new Error('assertion: allocate weights must be >= 0');
  let ws = weights;
  let sum = ws.reduce((a, b) => a + b, 0n);
  if (sum === 0n) {
    ws = weights.map(() => 1n);
    sum = BigInt(ws.length);
  }
  const negative = total < 0n;
  const abs = negative ? -total : total;
  const parts = ws.map((w) => (abs * w) / sum);
  let left = abs - parts.reduce((a, b) => a + b, 0n);
  const order = ws
    .map((w, i) => ({ i, rem: (abs * w) % sum }))
    .sort((a, b) => (a.rem === b.rem ? a.i - b.i : a.rem > b.rem ? -1 : 1));
  for (let k = 0; left > 0n; k++, left--) {
    const idx = order[k % order.length]!.i;
    parts[idx] = parts[idx]! + 1n;
  }
  return negative ? parts.map((p) => -p) : parts;
}
