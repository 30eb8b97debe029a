/**
 * A calendar date: a day that exists in the (proleptic) Gregorian calendar, written YYYY-MM-DD,
 * years 0001–9999. `parseCalendarDate` is the one way to make one: every date that comes in
 * (event fields, HTTP query parameters and bodies, CLI flags, CSV, configuration, the web UI)
 * goes through it, and a date it refuses is the coded failure INVALID_DATE naming the field and
 * the value. A range whose `from` comes after its `to` is INVALID_RANGE. Because the text is
 * fixed-width, comparing two CalendarDates as strings compares the days.
 *
 * One exception, for the append-only ledger: an event stored before dates were checked may
 * carry a day that does not exist (storedDate); it replays as stored, and is never accepted anew.
 */
import { assert, failure, type Failure } from './errors.js';

declare const calendarDateBrand: unique symbol;
/** A YYYY-MM-DD text naming a day that exists; only the parser below makes one. */
export type CalendarDate = string & { readonly [calendarDateBrand]: true };

export type DateParse = { ok: true; value: CalendarDate } | { ok: false; reason: string };

const SHAPE = /^(\d{4})-(\d{2})-(\d{2})$/;
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Days in a month (1–12) of a year. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** Reads a date written YYYY-MM-DD; anything else, or a day that does not exist, is refused with the reason. */
export function parseCalendarDate(text: string): DateParse {
  const m = SHAPE.exec(text);
  if (m === null) return { ok: false, reason: 'it is not written YYYY-MM-DD (four-digit year, two-digit month and day)' };
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (year === 0) return { ok: false, reason: 'there is no year 0000 (years run from 0001 to 9999)' };
  if (month < 1 || month > 12) return { ok: false, reason: `there is no month ${m[2]!} (months run from 01 to 12)` };
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return { ok: false, reason: `${MONTHS[month - 1]!} ${m[1]!} has ${days} days${month === 2 && days === 28 ? ` (${m[1]!} is not a leap year)` : ''}` };
  return { ok: true, value: text as CalendarDate };
}

export function isCalendarDate(text: string): text is CalendarDate {
  return parseCalendarDate(text).ok;
}

/** A date the code itself writes (a constant, a generated day): one that is not real is a programmer error. */
export function calendarDate(text: string): CalendarDate {
  const r = parseCalendarDate(text);
  assert(r.ok, `"${text}" is a calendar date`);
  return r.value;
}

/** The value as a short quoted text for a message (a non-string as JSON). */
function shown(value: unknown): string {
  const s = typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

/**
 * INVALID_DATE for a field: the message names the field (as the caller's input spells it:
 * `asOf`, `--as-of`, `lines[2].expiry`) and the value; `prefix` says whose field it is.
 */
export function invalidDate(field: string, value: unknown, reason: string, record: Record<string, string | number> = {}, prefix = ''): Failure {
  return failure(
    'INVALID_DATE',
    `${prefix}${field} ${shown(value)} is not a real date: ${reason}.`,
    `Give ${field} as YYYY-MM-DD naming a day that exists, e.g. 2026-03-05 (February has 29 days only in leap years: 2024-02-29, not 2026-02-29).`,
    { ...record, field, value: typeof value === 'string' ? value : shown(value) },
  );
}

/** Parses the value of a named field: the date, or INVALID_DATE naming the field. */
export function dateField(field: string, value: unknown, record: Record<string, string | number> = {}, prefix = ''): { ok: true; value: CalendarDate } | { ok: false; error: Failure } {
  if (typeof value !== 'string') return { ok: false, error: invalidDate(field, value, 'it is not a text', record, prefix) };
  const r = parseCalendarDate(value);
  return r.ok ? r : { ok: false, error: invalidDate(field, value, r.reason, record, prefix) };
}

/** A bound of a date range, with the name its caller gave it (`from`, `--to`). */
export interface RangeBound { field: string; value: string | undefined }

/** INVALID_RANGE when both bounds are given and the first comes after the second; undefined otherwise. */
export function rangeFailure(from: RangeBound, to: RangeBound): Failure | undefined {
  if (from.value === undefined || to.value === undefined || from.value <= to.value) return undefined;
  return failure(
    'INVALID_RANGE',
    `The date range is empty: ${from.field} ${from.value} comes after ${to.field} ${to.value}.`,
    `Give ${from.field} on or before ${to.field} (swap them: ${from.field} ${to.value} ${to.field} ${from.value}), or leave one of them out.`,
    { field: `${from.field},${to.field}`, [from.field]: from.value, [to.field]: to.value },
  );
}

/** The day `n` days after (or, negative, before) a date. Pure calendar arithmetic: no clock, no time zone. */
export function addDays(date: CalendarDate, n: number): CalendarDate {
  const d = new Date(0);
  d.setUTCFullYear(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)) + n);
  const y = d.getUTCFullYear();
  return `${String(y).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}` as CalendarDate;
}

/**
 * A date read back from the store. Before stockbook checked dates, an event could be stored on
 * a day that does not exist (any month 01–12, any day 01–31: 2026-02-30). It was accepted then
 * and the ledger is append-only, so it replays with the date it was stored with (a void and a
 * correctly dated event replace it); only ever the store's events are read this way.
 */
export function storedDate(text: string): CalendarDate | undefined {
  return isCalendarDate(text) || UNCHECKED.test(text) ? (text as CalendarDate) : undefined;
}
const UNCHECKED = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;

/**
 * Where a value comes from: new input, whose dates must be real days, or the store, which
 * gives back what it was given once (storedDate).
 */
export type DateSource = 'input' | 'store';

/** dateField for a value from `source`: the store's dates are read as stored. */
export function readDate(source: DateSource, field: string, value: unknown, record: Record<string, string | number> = {}, prefix = ''): { ok: true; value: CalendarDate } | { ok: false; error: Failure } {
  const stored = source === 'store' && typeof value === 'string' ? storedDate(value) : undefined;
  return stored === undefined ? dateField(field, value, record, prefix) : { ok: true, value: stored };
}

// ---- JSON Schema ---------------------------------------------------------------------------

/** The shape part of a date, for validators that do not check formats. */
export const DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';

/**
 * A date in a JSON Schema (events, API parameters and bodies). `format: "date"` is RFC 3339's
 * full-date, a day that exists; stockbook's validators check it with `parseCalendarDate`
 * (DATE_FORMAT), and a date refused there is answered INVALID_DATE (isDateSchemaError).
 */
export const DATE_SCHEMA = {
  type: 'string',
  format: 'date',
  pattern: DATE_PATTERN,
  description: 'A calendar date YYYY-MM-DD that exists (2024-02-29 is one, 2026-02-29 and 2026-04-31 are not).',
} as const;

/** ajv's `formats` entry that makes `format: "date"` mean parseCalendarDate. */
export const DATE_FORMAT = { type: 'string', validate: isCalendarDate } as const;
/** The same for events read back from the store (storedDate). */
export const STORED_DATE_FORMAT = { type: 'string', validate: (s: string): boolean => storedDate(s) !== undefined } as const;

/** Whether an ajv error is a DATE_SCHEMA refusing its value. */
export function isDateSchemaError(e: { keyword: string; params: Record<string, unknown> }): boolean {
  return (e.keyword === 'format' && e.params['format'] === 'date') || (e.keyword === 'pattern' && e.params['pattern'] === DATE_PATTERN);
}

/** `/lines/2/expiry` (a JSON pointer, as ajv reports it) → `lines[2].expiry`. */
export function fieldOfPointer(pointer: string): string {
  return pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((out, p) => (/^\d+$/.test(p) ? `${out}[${p}]` : out === '' ? p : `${out}.${p}`), '');
}

/** The value a JSON pointer names inside a document (undefined when it names nothing). */
export function valueAtPointer(doc: unknown, pointer: string): unknown {
  let at: unknown = doc;
  for (const p of pointer.split('/').slice(1)) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[p.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  return at;
}

/** INVALID_DATE for an ajv date error inside a document, naming the field by its path. */
export function dateSchemaFailure(doc: unknown, pointer: string, record: Record<string, string | number> = {}, prefix = ''): Failure {
  const value = valueAtPointer(doc, pointer);
  const field = fieldOfPointer(pointer);
  const r = dateField(field, value, record, prefix);
  // ajv refused it, so the parser does too; a pattern-only refusal of a non-string is said as such.
  return r.ok ? invalidDate(field, value, 'it is not written YYYY-MM-DD', record, prefix) : r.error;
}
