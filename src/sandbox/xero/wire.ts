/**
 * The Xero wire format at the sandbox's edge: JSON numbers to exact bigint units and back,
 * and Xero's date shapes ("YYYY-MM-DD" in, "/Date(ms+0000)/" out).
 *
 * Money never lives in a JS number here: an incoming number is read through `String(n)` (the
 * shortest decimal that round-trips to the same double, i.e. what the sender wrote), parsed
 * digit by digit, and rounded to the field's places half away from zero as Xero does. A result
 * becomes a number again only in the response, and only after checking that it reads back as
 * the same units.
 */
import { formatDecimal, parseDecimal } from '../../domain/decimal.js';
import { divRound } from '../../domain/rounding.js';

/** Places kept for money (Xero stores amounts to the cent). */
export const MONEY_DP = 2;
/** Places kept for quantities (Xero: up to 4). */
export const QTY_DP = 4;
/** Places kept for unit amounts internally (4 with `unitdp=4`, else rounded to 2 first). */
export const UNIT_DP = 4;
/** Places kept for tax rates (Xero: up to 4). */
export const RATE_DP = 4;

/** A value the client sent that Xero would refuse; the message becomes a ValidationError. */
export class WireError extends Error {}

/** Xero rounds half away from zero (3.335 → 3.34, −3.335 → −3.34). */
export const XERO_ROUNDING = 'half-away-from-zero' as const;

/** "1e-7" / "1.5e+21" (how String() writes very small or large numbers) as a plain decimal. */
function expandExponent(text: string): string {
  const m = /^(-?)(\d+)(?:\.(\d+))?e([+-]\d+)$/.exec(text);
  if (!m) return text;
  const sign = m[1] ?? '';
  const digits = (m[2] ?? '') + (m[3] ?? '');
  const point = (m[2] ?? '').length + Number(m[4]);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return sign + digits + '0'.repeat(point - digits.length);
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** Exact units of 10^-dp of a decimal string, rounding extra places with Xero's rule. */
export function unitsOfText(text: string, dp: number, field: string): bigint {
  const plain = expandExponent(text);
  const places = plain.split('.')[1]?.length ?? 0;
  const parsed = parseDecimal(plain, places);
  if (!parsed.ok) throw new WireError(`${field} is not a number (${parsed.reason})`);
  if (places <= dp) return parsed.value * 10n ** BigInt(dp - places);
  return divRound(parsed.value, 10n ** BigInt(places - dp), XERO_ROUNDING);
}

/** Orders two numbers (or decimal strings) exactly, as decimals to 10 places, never as doubles. */
export function compareDecimals(a: number | string, b: number | string, field: string): number {
  const x = unitsOfText(String(a), 10, field);
  const y = unitsOfText(String(b), 10, field);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** A JSON number from a request as exact units of 10^-dp. */
export function fromWire(n: unknown, dp: number, field: string): bigint {
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new WireError(`${field} must be a number`);
  const text = String(n);
  // String() is the shortest decimal that reads back as the same double; check it anyway.
  if (Number(text) !== n) throw new Error(`assertion: ${field} ${text} does not round-trip`);
  return unitsOfText(text, dp, field);
}

/** Like fromWire, but absent (undefined/null) stays absent. */
export function optionalFromWire(n: unknown, dp: number, field: string): bigint | undefined {
  return n === undefined || n === null ? undefined : fromWire(n, dp, field);
}

/** Exact units of 10^-dp as a JSON number for a response; asserts it reads back exactly. */
export function toWire(units: bigint, dp: number): number {
  const text = formatDecimal(units, dp);
  const n = Number(text);
  if (unitsOfText(String(n), dp, 'response') !== units) {
    throw new Error(`assertion: ${text} does not survive as a JSON number`);
  }
  return n;
}

export const money = (cents: bigint): number => toWire(cents, MONEY_DP);

/** A string field of a request, or undefined when absent, empty or not a string. */
export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** A decimal string in a response or message ("100.00"). */
export const moneyText = (cents: bigint): string => formatDecimal(cents, MONEY_DP);

// ---- dates -------------------------------------------------------------------------------

const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const MS_DATE_RE = /^\/Date\((-?\d+)([+-]\d{4})?\)\/$/;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** Milliseconds at midnight UTC of a YYYY-MM-DD day (dates are calendar days, no zone). */
export function dayMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

export function dayOfMs(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

function isCalendarDay(day: string): boolean {
  const ms = dayMs(day);
  return Number.isFinite(ms) && dayOfMs(ms) === day;
}

/** A request date ("2026-04-01", "2026-04-01T00:00:00", "/Date(ms+0000)/") as YYYY-MM-DD. */
export function parseWireDate(v: unknown, field: string): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw new WireError(`${field} must be a date string`);
  const ms = MS_DATE_RE.exec(v);
  if (ms) return dayOfMs(Number(ms[1]));
  const m = DAY_RE.exec(v);
  const day = m ? `${m[1]}-${m[2]}-${m[3]}` : '';
  if (!m || !isCalendarDay(day)) throw new WireError(`${field} "${v}" is not a valid date`);
  return day;
}

/** Xero's JSON date: "/Date(1775001600000+0000)/". */
export const msDate = (day: string): string => `/Date(${dayMs(day)}+0000)/`;
export const msDateTime = (ms: number): string => `/Date(${ms}+0000)/`;
/** The DateString Xero sends beside Date: "2026-04-01T00:00:00". */
export const dateString = (day: string): string => `${day}T00:00:00`;

/** The epoch milliseconds of a "/Date(ms…)/" string, if it is one. */
export function msOfMsDate(v: string): number | undefined {
  const m = MS_DATE_RE.exec(v);
  return m ? Number(m[1]) : undefined;
}

/** "30-Nov-2018", the form Xero's lock-date message uses. */
export function lockDateText(day: string): string {
  const [y, m, d] = day.split('-');
  return `${d}-${MONTHS[Number(m) - 1] ?? m}-${y}`;
}

export function addDays(day: string, days: number): string {
  return dayOfMs(dayMs(day) + days * 86_400_000);
}

/** The last day of the month `offset` months after the day's month. */
export function endOfMonth(day: string, offset = 0): string {
  const d = new Date(dayMs(day));
  return dayOfMs(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset + 1, 0));
}

/** Day `n` of the month `offset` months after the day's month (clamped to the month's end). */
export function dayOfMonth(day: string, n: number, offset: number): string {
  const end = endOfMonth(day, offset);
  const last = Number(end.slice(8));
  return `${end.slice(0, 8)}${String(Math.min(Math.max(n, 1), last)).padStart(2, '0')}`;
}

/** Today (UTC) as YYYY-MM-DD. */
export const today = (nowMs: number): string => dayOfMs(nowMs);

/** "04/09/2023 05:16:59", the form of Xero's TokenExpired detail. */
export function tokenExpiryText(ms: number): string {
  const iso = new Date(ms).toISOString();
  return `${iso.slice(5, 7)}/${iso.slice(8, 10)}/${iso.slice(0, 4)} ${iso.slice(11, 19)}`;
}
