/**
 * The bounds of every number stockbook sums or stores, and of ids. Both stores hold 64-bit
 * integers (SQLite INTEGER, PostgreSQL BIGINT: ±9.22e18); every bound below sits at least 90
 * times inside that, so no stored figure and no sum the stores compute can overflow
 * (docs/design.md, "Bounds"). Input is checked against them when an event or a configuration is
 * parsed, and the book checks the totals an event would leave before anything is written.
 * Each bound is inclusive and applies to the magnitude (|x| ≤ bound).
 */
import { failure, type Failure } from './errors.js';

/** Any one amount of an event or configuration, in minor units (10,000,000,000,000.00 in a 2-decimal currency), before and after conversion. */
export const MAX_AMOUNT = 10n ** 15n;
/** Any one quantity, in QTY_SCALE units (10^-6): one billion units. */
export const MAX_QTY = 10n ** 15n;
/** Any one unit cost or weight, in UNIT_COST_SCALE units (10^-10 of the major unit): one hundred million per unit. */
export const MAX_UNIT_COST = 10n ** 18n;
/** An exchange rate, in RATE_SCALE units (10^-10): at most one million base units per document unit (and above zero). */
export const MAX_RATE = 10n ** 16n;
/** One journal line, and an account's net movement on one day (a row of account_day_totals), in minor units. */
export const MAX_DAY_TOTAL = 10n ** 17n;
/** An account's running balance (all its journal lines), in minor units. */
export const MAX_BALANCE = 10n ** 17n;
/** Quantity on hand in one pool (product × warehouse), in QTY_SCALE units: 10^11 units. */
export const MAX_POOL_QTY = 10n ** 17n;
/** Value on hand in one pool, in minor units. */
export const MAX_POOL_VALUE = 10n ** 17n;
/** What a store column holds: the largest 64-bit signed integer. */
export const STORE_INT_MAX = 2n ** 63n - 1n;

/** Longest event id or reference to one, in code points. */
export const ID_MAX_LENGTH = 128;
/** Longest sync record id (an event or journal id, e.g. "<event>/c2"), in code points. */
export const RECORD_ID_MAX_LENGTH = 2 * ID_MAX_LENGTH;
/** Longest path parameter in characters as sent: every code point of a record id percent-encoded as 4 UTF-8 bytes (12 characters). */
export const PATH_PARAM_MAX_CHARS = 12 * RECORD_ID_MAX_LENGTH;

export function withinBound(value: bigint, bound: bigint): boolean {
  return value <= bound && value >= -bound;
}

/**
 * VALUE_OUT_OF_RANGE: `subject` ("Event E1: lines[0].amount is", "Event E2 would take … to")
 * is completed by the value `shown` and the bound. `record` names the event and the field, or
 * the account and day.
 */
export function outOfRange(subject: string, shown: string, boundShown: string, fix: string, record: Record<string, string | number>): Failure {
  return failure('VALUE_OUT_OF_RANGE', `${subject} ${shown}, outside the bound of ±${boundShown} (docs/design.md, "Bounds").`, fix, { ...record, bound: boundShown });
}
