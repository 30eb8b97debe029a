/**
 * "Sync <type>" and "Dry run" (seed 001): the run is streamed so the bar moves as each chunk of
 * 50 records posts; then one row per record with what Xero now holds, its warnings or its error.
 * The progress lives here, not in the screen, so the long record list does not re-render on
 * every progress line.
 */
import type { JSX } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { can, type Problem } from '../../api';
import { ProblemBox, Progress, toProblem } from '../../components/ui';
import { eventHref } from '../../router';
import { TYPE_LABELS, type RecordType } from '../../wire';
import { eventOfRecordId, runSync, type RecordResult, type ResultStatus, type RunSummary } from './sync';

const STATUS_LABEL: Record<ResultStatus, string> = {
  posted: 'posted',
  warnings: 'posted with warnings',
  failed: 'failed',
  aborted: 'aborted',
  'would-post': 'would post',
  'would-fail': 'would fail',
};

/** Problems first: a run of two thousand records is read for what needs attention. */
const ORDER: Record<ResultStatus, number> = { failed: 0, 'would-fail': 0, aborted: 1, warnings: 2, posted: 3, 'would-post': 3 };

function summaryText(s: RunSummary): string {
  const c = s.counts;
  const what = s.dryRun ? `Dry run of ${TYPE_LABELS[s.type].toLowerCase()}` : `Sync of ${TYPE_LABELS[s.type].toLowerCase()}`;
  if (s.results.length === 0) return `${what}: nothing to post.`;
  const verb = s.dryRun ? 'would post' : 'posted';
  return `${what} done: ${c.posted} ${verb} (${c.warnings} with warnings), ${c.failed} failed, ${c.aborted} aborted.`;
}

function IdsCell({ r }: { r: RecordResult }): JSX.Element {
  const ids = r.ids ?? {};
  return (
    <>
      {ids.documentNumber && <div>{ids.documentKind ? `${ids.documentKind} ` : ''}{ids.documentNumber}</div>}
      {ids.journalNumber && <div>{ids.journalNumber}</div>}
    </>
  );
}

function ResultRow({ r }: { r: RecordResult }): JSX.Element {
  return (
    <tr>
      <th scope="row" class="nowrap"><a href={eventHref(eventOfRecordId(r.record))}>{r.record}</a></th>
      <td><span class={`status ${r.status}`}>{STATUS_LABEL[r.status]}</span></td>
      <td class="nowrap"><IdsCell r={r} /></td>
      <td>{r.warnings.map((w) => <div class="warning"><strong class="code">{w.code}</strong>: {w.message}</div>)}</td>
      <td>
        {r.error && (
          <div class="rec-error"><strong class="code">{r.error.code}</strong>: {r.error.message}<div class="fix">Fix: {r.error.fix}</div></div>
        )}
      </td>
    </tr>
  );
}

/** How often each warning and error code occurs, so a long run is read at a glance. */
function CodeTally({ results }: { results: RecordResult[] }): JSX.Element | null {
  const tally = new Map<string, number>();
  for (const r of results) for (const c of [...r.warnings.map((w) => w.code), ...(r.error ? [r.error.code] : [])]) tally.set(c, (tally.get(c) ?? 0) + 1);
  if (tally.size === 0) return null;
  return (
    <p class="tally">
      Codes: {[...tally].map(([code, n]) => <span class="chip"><span class="code">{code}</span> × {n}</span>)}
    </p>
  );
}

function SyncResults({ summary }: { summary: RunSummary }): JSX.Element {
  const [problemsOnly, setProblemsOnly] = useState(false);
  // Sorted once per run, not on every render of the accounting screen around it.
  const sorted = useMemo(() => [...summary.results].sort((a, b) => ORDER[a.status] - ORDER[b.status]), [summary]);
  const rows = problemsOnly ? sorted.filter((r) => ORDER[r.status] < 3) : sorted;
  return (
    <section aria-labelledby="sync-results-title">
      <h2 id="sync-results-title">{summary.dryRun ? 'Dry run results' : 'Sync results'}</h2>
      {summary.stopped && <ProblemBox problem={{ code: summary.stopped.code, title: 'Run stopped', detail: summary.stopped.message, fix: summary.stopped.fix, status: 409 }} />}
      <CodeTally results={summary.results} />
      <label class="inline"><input type="checkbox" checked={problemsOnly} onChange={(e) => setProblemsOnly(e.currentTarget.checked)} /> Only failures and warnings</label>
      <div class="table-wrap tall">
        <table data-testid="sync-results">
          <caption>One row per record, failures and warnings first</caption>
          <thead>
            <tr><th scope="col">Record</th><th scope="col">Status</th><th scope="col">In Xero</th><th scope="col">Warnings</th><th scope="col">Error</th></tr>
          </thead>
          <tbody>
            {rows.length === 0 && <tr><td colSpan={5} class="muted">No records.</td></tr>}
            {rows.map((r) => <ResultRow key={r.record} r={r} />)}
          </tbody>
        </table>
      </div>
    </section>
  );
}

type RunState = { phase: 'idle' } | { phase: 'running'; dryRun: boolean; done: number; total: number } | { phase: 'done'; summary: RunSummary } | { phase: 'error'; problem: Problem };

/** The buttons, the live progress and the results; `onDone` refreshes the list after a real run. */
export function SyncPanel({ type, onDone, shown, onShown }: { type: RecordType; onDone: () => void; shown: RunSummary | undefined; onShown: (s: RunSummary | undefined) => void }): JSX.Element {
  const [state, setState] = useState<RunState>({ phase: 'idle' });
  // A run goes on when the user switches to another type's tab; its answer then belongs to no screen.
  const live = useRef(true);
  useEffect(() => () => void (live.current = false), []);
  const running = state.phase === 'running';
  const start = (dryRun: boolean): void => {
    onShown(undefined);
    setState({ phase: 'running', dryRun, done: 0, total: 0 });
    runSync(type, dryRun, (done, total) => live.current && setState({ phase: 'running', dryRun, done, total })).then(
      (summary) => {
        if (!live.current) return;
        setState({ phase: 'done', summary });
        onShown(summary);
        if (!dryRun) onDone();
      },
      (e: unknown) => live.current && setState({ phase: 'error', problem: toProblem(e) }),
    );
  };
  const label = TYPE_LABELS[type];
  return (
    <div class="sync-panel">
      {can('export') ? (
        <div class="actions">
          <button type="button" data-testid="sync-button" disabled={running} onClick={() => start(false)}>Sync {label}</button>
          <button type="button" class="secondary" data-testid="dry-run-button" disabled={running} onClick={() => start(true)}>Dry run</button>
        </div>
      ) : (
        <p class="muted">Your key can view the queue; syncing needs an exporter or admin key.</p>
      )}
      <div data-testid="sync-progress" aria-live="polite" class="sync-status">
        {state.phase === 'running' && <Progress done={state.done} total={state.total} label={`${state.dryRun ? 'Planning' : 'Syncing'} ${label.toLowerCase()}`} />}
        {state.phase === 'done' && <p class="run-summary">{summaryText(state.summary)}</p>}
      </div>
      {state.phase === 'error' && <ProblemBox problem={state.problem} />}
      {shown && <SyncResults summary={shown} key={shown.run} />}
    </div>
  );
}
