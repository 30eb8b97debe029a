/**
 * Xero's wire carries amounts as JSON numbers. Money stays bigint everywhere else; it becomes a
 * number only here, at the boundary, through its exact decimal text, and comes back the same
 * way (String(n) is the shortest decimal that round-trips, so any amount of at most 15
 * significant digits survives both directions exactly). Each conversion asserts that it did.
 */
import { formatMoney, parseMoney } from '../../domain/money.js';
import { formatTrimmed, parseDecimal } from '../../domain/decimal.js';
import { assert } from '../../domain/errors.js';

const MAX_EXACT = 10n ** 15n;

/** Minor units → the JSON number Xero takes (e.g. 12345n USD → 123.45). */
export function toWire(minor: bigint, currency: string): number {
  assert(minor < MAX_EXACT && minor > -MAX_EXACT, `amount ${minor} fits 15 significant digits`);
  const n = Number(formatMoney(minor, currency));
  assert(fromWire(n, currency) === minor, `amount ${minor} round-trips through the wire`);
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
  assert(back.ok && back.value === units, `decimal ${text} round-trips through the wire`);
  return n;
}

/** Xero's percentage rates (e.g. 12.5) → units of 10^-4 percent. */
export function rateFromWire(n: number): bigint | undefined {
  const p = parseDecimal(String(n), 4);
  return p.ok ? p.value : undefined;
}
