/** Small shared pieces of the UI: data loading, tables, tabs, messages, money, progress. */
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
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

/** Renders the loaded data, a spinner, or the problem. */
export function Loaded<T>({ load, children }: { load: Load<T>; children: (data: T) => ComponentChildren }): JSX.Element {
  if (load.state === 'loading') return <p class="loading" aria-busy="true">Loading…</p>;
  if (load.state === 'error') return <ProblemBox problem={load.problem} />;
  return <>{children(load.data)}</>;
}

/** Money as the API sends it (exact decimal strings), right-aligned, negatives marked. */
export function Money({ value }: { value: string | undefined | null }): JSX.Element {
  if (value === undefined || value === null) return <span class="num muted">—</span>;
  return <span class={`num${value.startsWith('-') ? ' neg' : ''}`}>{value}</span>;
}

export interface Column<R> {
  label: string;
  /** Cell content. */
  cell: (row: R) => ComponentChildren;
  numeric?: boolean;
}

export function Table<R>({ rows, columns, caption, empty, rowKey }: { rows: readonly R[]; columns: Column<R>[]; caption?: string; empty?: string; rowKey?: (r: R, i: number) => string }): JSX.Element {
  return (
    <div class="table-wrap">
      <table>
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>{columns.map((c) => <th scope="col" class={c.numeric ? 'num' : ''}>{c.label}</th>)}</tr>
        </thead>
        <tbody>
          {rows.length === 0 && (
            <tr><td colSpan={columns.length} class="muted">{empty ?? 'Nothing to show.'}</td></tr>
          )}
          {rows.map((r, i) => (
            <tr key={rowKey?.(r, i) ?? String(i)}>{columns.map((c) => <td class={c.numeric ? 'num' : ''}>{c.cell(r)}</td>)}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
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
