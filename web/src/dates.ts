/**
 * Dates the UI sends to the API (report and journal filters, the count date), checked with the
 * ledger's own parser (src/domain/calendar-date.ts) before any request. A date that is not a
 * real day, or a `from` after its `to`, becomes the very problem the API would answer
 * (INVALID_DATE, INVALID_RANGE; src/api/problems.ts), and nothing is sent.
 */
import { dateField, rangeFailure } from '../../src/domain/calendar-date';
import { problemOf } from '../../src/api/problems';
import { ApiError, type Problem } from './api';

type Params = Readonly<Record<string, string | undefined>>;

const given = (v: string | undefined): string | undefined => (v === undefined || v === '' ? undefined : v);

/** The problem of the first named parameter that is not a real date, or of `from` after `to`; undefined when the dates are fine. */
export function dateProblem(params: Params, names: readonly string[]): Problem | undefined {
  for (const name of names) {
    const value = given(params[name]);
    if (value === undefined) continue;
    const r = dateField(name, value);
    if (!r.ok) return problemOf(r.error);
  }
  const range = names.includes('from') && names.includes('to') ? rangeFailure({ field: 'from', value: given(params['from']) }, { field: 'to', value: given(params['to']) }) : undefined;
  return range === undefined ? undefined : problemOf(range);
}

/** Runs `call` once the dates among `params` are checked; a refused date rejects with its problem, unsent. */
export function withDates<T>(params: Params, names: readonly string[], call: () => Promise<T>): Promise<T> {
  const problem = dateProblem(params, names);
  return problem === undefined ? call() : Promise.reject(new ApiError(problem));
}
