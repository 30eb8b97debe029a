/**
 * Xero's wire carries amounts as JSON numbers. Money stays bigint everywhere else; it becomes a
 * number only here, at the boundary, through its exact decimal text, and comes back the same
 * way (String(n) is the shortest decimal that round-trips, so any amount of at most 15
 * significant digits survives both directions exactly). Each conversion checks that it did: a
 * figure that would not survive is VALUE_OUT_OF_RANGE for its record, which is then not sent.
 */
import { formatMoney, parseMoney } from '../../domain/money.js';
import { formatTrimmed, parseDecimal } from '../../domain/decimal.js';
import { FailureError, failure } from '../../domain/errors.js';

const MAX_EXACT = 10n ** 15n;

/**
 * VALUE_OUT_OF_RANGE for a figure Xero's JSON numbers cannot carry exactly: the record is
 * refused (its plan fails) rather than sent rounded. Within the documented bounds an amount
 * can still exceed 15 significant digits, and a unit price (amount ÷ quantity, 4 decimals) more so.
 */
function beyondWire(what: string, text: string): never {
  throw new FailureError(failure('VALUE_OUT_OF_RANGE', `${what} ${text} has more than 15 significant digits, which Xero's JSON numbers do not carry exactly.`, 'Enter the document in Xero by hand, then hold this record so it is not synced; or split it into smaller events.', { amount: text }));
}

/** Minor units → the JSON number Xero takes (e.g. 12345n USD → 123.45). */
export function toWire(minor: bigint, currency: string): number {
  const text = formatMoney(minor, currency);
  if (minor >= MAX_EXACT || minor <= -MAX_EXACT) beyondWire('The amount', text);
  const n = Number(text);
  if (fromWire(n, currency) !== minor) beyondWire('The amount', text);
  return n;
}

/** A JSON number from Xero → minor units; undefined when it is not an exact amount of the currency. */
export function fromWire(n: number, currency: string): bigint | undefined {
  if (!Number.isFinite(n)) return undefined;
  const p = parseMoney(String(n), currency);
  return p.ok ? p.value : undefined;
}

/** A fixed-scale decimal (units of 10^-scale) → JSON number, when it has at most `dp` decimals. */
export function decimalToWire(units: bigint, scale: number, dp: number): number | undefined {
  const step = 10n ** BigInt(scale - dp);
  if (units % step !== 0n) return undefined;
  const text = formatTrimmed(units, scale);
  const n = Number(text);
  const back = parseDecimal(String(n), scale);
  if (!back.ok || back.value !== units) beyondWire('The figure', text);
  return n;
}

/** Xero's percentage rates (e.g. 12.5) → units of 10^-4 percent. */
export function rateFromWire(n: number): bigint | undefined {
  const p = parseDecimal(String(n), 4);
  return p.ok ? p.value : undefined;
}
