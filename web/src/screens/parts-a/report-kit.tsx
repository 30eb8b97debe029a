/**
 * What every report tab shares: a filter form whose values live in the route query (so a
 * report has an address and back/forward work), and a CSV download of the same report.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { api, apiText, download, type Problem } from '../../api';
import { isZero, ProblemBox, toProblem } from '../../components/ui';
import { dateProblem, withDates } from '../../dates';
import { go, href } from '../../router';

export interface Field {
  name: string;
  label: string;
  type: 'date' | 'select';
  options?: { value: string; label: string }[];
  required?: boolean;
}

/** The query values the fields name, non-empty only (what goes in the API path and the route). */
export function pick(query: URLSearchParams, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of names) {
    const v = query.get(n);
    if (v) out[n] = v;
  }
  return out;
}

const dateNames = (fields: readonly Field[]): string[] => fields.filter((f) => f.type === 'date').map((f) => f.name);

/** The report's JSON, once its date filters are checked: a date that is not a real day is its INVALID_DATE problem, and nothing is sent. */
export function loadReport<T>(path: string, values: Record<string, string>, fields: readonly Field[]): Promise<T> {
  return withDates(values, dateNames(fields), () => api<T>(path));
}

export function apiPath(path: string, params: Record<string, string | undefined>): string {
  const q = new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')).toString();
  return q ? `${path}?${q}` : path;
}

function Input({ f, value }: { f: Field; value: string }): JSX.Element {
  const id = `filter-${f.name}`;
  return (
    <label for={id}>
      {f.label}
      {/* Uncontrolled: the route holds the applied values, the form only what is being typed. */}
      {f.type === 'date'
        ? <input id={id} name={f.name} type="date" defaultValue={value} required={f.required} />
        : <select id={id} name={f.name} required={f.required}>{f.options?.map((o) => <option value={o.value} selected={o.value === value}>{o.label}</option>)}</select>}
    </label>
  );
}

/**
 * Submitting writes the fields into the route (`#/reports/<report>?…`); the report reloads from
 * there. The form is keyed by the applied values, so back/forward resets the fields.
 */
export function FilterForm({ report, fields, values }: { report: string; fields: Field[]; values: Record<string, string> }): JSX.Element {
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const applied = JSON.stringify(values);
  useEffect(() => setProblem(undefined), [applied]); // back/forward: the refused entry is gone
  const submit = (e: Event): void => {
    e.preventDefault();
    const data = new FormData(e.currentTarget as HTMLFormElement);
    const next = Object.fromEntries(fields.map((f) => [f.name, String(data.get(f.name) ?? '')]));
    // A date that is not a real day (or a from after its to) stays in the form with its problem.
    const bad = dateProblem(next, dateNames(fields));
    setProblem(bad);
    if (bad === undefined) go(`reports/${report}`, next);
  };
  return (
    <form class="filters" onSubmit={submit} aria-label="Report filters" key={applied}>
      {fields.map((f) => <Input f={f} value={values[f.name] ?? ''} />)}
      <div class="filter-actions">
        <button type="submit">Show</button>
        <a class="button secondary" href={href(`reports/${report}`)}>Reset</a>
      </div>
      {problem && <ProblemBox problem={problem} />}
    </form>
  );
}

/** Fetches the CSV (or builds it, when `make` is given) and saves it as a file. */
export function DownloadCsv({ path, filename, make }: { path: string; filename: string; make?: () => string }): JSX.Element {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const run = (): void => {
    setBusy(true);
    setProblem(undefined);
    const text = make ? Promise.resolve(make()) : apiText(`${path}${path.includes('?') ? '&' : '?'}format=csv`);
    text.then((t) => download(filename, t), (e: unknown) => setProblem(toProblem(e))).finally(() => setBusy(false));
  };
  return (
    <>
      <button type="button" class="secondary" onClick={run} disabled={busy}>{busy ? 'Preparing CSV…' : 'Download CSV'}</button>
      {problem && <ProblemBox problem={problem} />}
    </>
  );
}

/** The line above a report's table: what it covers, and the download. */
export function ReportHead({ children, download: dl }: { children: ComponentChildren; download: ComponentChildren }): JSX.Element {
  return (
    <div class="report-head">
      <p>{children}</p>
      <div class="actions">{dl}</div>
    </div>
  );
}

/** "0", "0.00", "-0.00" → "" so that in/out columns show only what moved. */
export function blankZero(s: string | null | undefined): string {
  return s === null || s === undefined || isZero(s) ? '' : s;
}

/** A date range in words for the report's heading. */
export function period(from: string | null | undefined, to: string | null | undefined): string {
  if (from && to) return `from ${from} to ${to}`;
  if (from) return `from ${from}`;
  if (to) return `up to ${to}`;
  return 'over all dates';
}

/** File names say what and when: "valuation-2026-06-30.csv". */
export function csvName(report: string, ...parts: (string | null | undefined)[]): string {
  return [report, ...parts.filter((p): p is string => !!p)].join('-') + '.csv';
}

/** RFC 4180, as src/reports/csv.ts writes it (for the one report the API has no CSV of). */
export function toCsv(rows: readonly string[][]): string {
  const field = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  return rows.map((r) => r.map(field).join(',')).join('\n') + '\n';
}
