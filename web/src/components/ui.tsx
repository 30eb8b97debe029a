/** Small shared pieces of the UI: data loading, tables, tabs, messages, money, progress. */
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Problem } from '../api';

export type Load<T> = { state: 'loading' } | { state: 'ok'; data: T } | { state: 'error'; problem: Problem };

/** Runs `fetcher` whenever `deps` change; the latest answer wins. */
export function useLoad<T>(fetcher: () => Promise<T>, deps: unknown[]): [Load<T>, () => void] {
  const [load, setLoad] = useState<Load<T>>({ state: 'loading' });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let live = true;
    setLoad({ state: 'loading' });
    fetcher().then(
      (data) => live && setLoad({ state: 'ok', data }),
      (e: unknown) => live && setLoad({ state: 'error', problem: toProblem(e) }),
    );
    return () => void (live = false);
  }, [...deps, tick]);
  return [load, () => setTick((t) => t + 1)];
}

export interface Quiet<T> { data: T | undefined; problem: Problem | undefined; reload: () => void; set: (f: (d: T) => T) => void }

/**
 * Like useLoad, but a reload (after an action) keeps the current data shown until the new
 * answer arrives, so the screen does not blank out and lose what the user was looking at.
 * A change of `deps` clears it. Only the latest request's answer is used.
 */
export function useQuietLoad<T>(fetcher: () => Promise<T>, deps: unknown[]): Quiet<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const latest = useRef(0);
  const reload = (): void => {
    const n = ++latest.current;
    fetcher().then(
      (d) => n === latest.current && (setData(d), setProblem(undefined)),
      (e: unknown) => n === latest.current && setProblem(toProblem(e)),
    );
  };
  useEffect(() => {
    setData(undefined);
    setProblem(undefined);
    reload();
  }, deps);
  const set = (f: (d: T) => T): void => setData((d) => (d === undefined ? d : f(d)));
  return { data, problem, reload, set };
}

export function toProblem(e: unknown): Problem {
  if (e instanceof ApiError) return e.problem;
  return { code: 'CLIENT_ERROR', title: 'Error', detail: e instanceof Error ? e.message : String(e), fix: 'Reload the page.', status: 0 };
}

/** A coded failure as the API gives it: code, message, fix. */
export function ProblemBox({ problem }: { problem: Problem }): JSX.Element {
  return (
    <div class="problem" role="alert">
      <strong>{problem.code}</strong> {problem.detail}
      {problem.fix && <div class="fix">Fix: {problem.fix}</div>}
    </div>
  );
}

const Loading = (): JSX.Element => <p class="loading" aria-busy="true">Loading…</p>;

/** Renders the loaded data, a spinner, or the problem. */
export function Loaded<T>({ load, children }: { load: Load<T>; children: (data: T) => ComponentChildren }): JSX.Element {
  if (load.state === 'loading') return <Loading />;
  if (load.state === 'error') return <ProblemBox problem={load.problem} />;
  return <>{children(load.data)}</>;
}

/** Loaded for useQuietLoad: a failed reload shows its problem above the data still on screen. */
export function QuietLoaded<T>({ load, children }: { load: Quiet<T>; children: (data: T) => ComponentChildren }): JSX.Element {
  return (
    <>
      {load.problem && <ProblemBox problem={load.problem} />}
      {load.data !== undefined ? children(load.data) : !load.problem && <Loading />}
    </>
  );
}

/** Money as the API sends it (exact decimal strings), right-aligned, negatives marked. */
export function Money({ value }: { value: string | undefined | null }): JSX.Element {
  if (value === undefined || value === null) return <span class="num muted">—</span>;
  return <span class={`num${value.startsWith('-') ? ' neg' : ''}`}>{value}</span>;
}

/** Zero as the API writes it ("0", "0.00", "-0.00"): tested as text, money is never parsed. */
export const isZero = (v: string): boolean => /^-?0(\.0*)?$/.test(v);

/** A percentage string of the API ("12.50"), or a dash when there is none (no revenue). */
export const percent = (p: string | null): string => (p === null ? '—' : `${p} %`);

export interface Column<R> {
  label: string;
  /** Cell content. */
  cell: (row: R) => ComponentChildren;
  numeric?: boolean;
}

/** A summary row of a table: its label is the row header, then one cell per remaining column. */
export interface SummaryRow {
  /** Row header ("Total", "Closing balance"). */
  label: string;
  /** Cells after the label, one per remaining column (`undefined` leaves it empty). */
  cells: ComponentChildren[];
  className?: string;
}

interface TableProps<R> {
  rows: readonly R[];
  columns: Column<R>[];
  caption?: string;
  empty?: string;
  testid?: string;
  /** Rows above the data (an opening balance). */
  head?: SummaryRow[];
  /** Rows in <tfoot> (totals, a closing balance). */
  foot?: SummaryRow[];
  rowClass?: (r: R) => string;
  rowKey?: (r: R, i: number) => string;
  /** Long tables (a year of movements): scroll inside a box with the column heads kept in view, cells unwrapped. */
  long?: boolean;
}

function Summary({ row, columns }: { row: SummaryRow; columns: Column<never>[] }): JSX.Element {
  return (
    <tr class={`summary ${row.className ?? ''}`}>
      <th scope="row">{row.label}</th>
      {columns.slice(1).map((c, i) => <td class={c.numeric ? 'num' : ''}>{row.cells[i]}</td>)}
    </tr>
  );
}

export function Table<R>({ rows, columns, caption, empty, testid, head = [], foot = [], rowClass, rowKey, long }: TableProps<R>): JSX.Element {
  return (
    <div class={long ? 'table-wrap long' : 'table-wrap'} tabIndex={long ? 0 : undefined} role={long ? 'region' : undefined} aria-label={long ? caption : undefined}>
      <table data-testid={testid}>
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>{columns.map((c) => <th scope="col" class={c.numeric ? 'num' : ''}>{c.label}</th>)}</tr>
        </thead>
        <tbody>
          {head.map((h) => <Summary row={h} columns={columns} />)}
          {rows.length === 0 && <tr><td colSpan={columns.length} class="muted">{empty ?? 'Nothing to show.'}</td></tr>}
          {rows.map((r, i) => (
            <tr key={rowKey?.(r, i) ?? String(i)} class={rowClass?.(r)}>
              {columns.map((c) => <td class={c.numeric ? 'num' : ''}>{c.cell(r)}</td>)}
            </tr>
          ))}
        </tbody>
        {foot.length > 0 && <tfoot>{foot.map((f) => <Summary row={f} columns={columns} />)}</tfoot>}
      </table>
    </div>
  );
}

/** "✓ ties" or "DIFFERENCE": the word carries the meaning, the colour only repeats it. */
export function TieStatus({ ties }: { ties: boolean }): JSX.Element {
  return ties ? <span class="status tie">✓ ties</span> : <span class="status difference">DIFFERENCE</span>;
}

/** Tabs as links (each tab has its own address), keyboard-reachable like any link. */
export function Tabs({ tabs, active, label }: { tabs: { id: string; label: string; href: string; badge?: number | undefined }[]; active: string; label: string }): JSX.Element {
  return (
    <nav class="tabs" aria-label={label}>
      {tabs.map((t) => (
        <a href={t.href} class={t.id === active ? 'tab active' : 'tab'} aria-current={t.id === active ? 'page' : undefined}>
          {t.label}
          {t.badge !== undefined && <span class="badge">{t.badge}</span>}
        </a>
      ))}
    </nav>
  );
}

export function Progress({ done, total, label }: { done: number; total: number; label: string }): JSX.Element {
  return (
    <div class="progress-wrap">
      <progress max={Math.max(total, 1)} value={done} aria-label={label} />
      <span>{total === 0 ? label : `${label}: ${done} of ${total}`}</span>
    </div>
  );
}

export function Page({ title, children, actions }: { title: string; children: ComponentChildren; actions?: ComponentChildren }): JSX.Element {
  return (
    <section class="page" aria-labelledby="page-title">
      <header class="page-head">
        <h1 id="page-title">{title}</h1>
        {actions && <div class="actions">{actions}</div>}
      </header>
      {children}
    </section>
  );
}
