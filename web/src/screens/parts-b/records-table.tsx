/**
 * The records of one sync type (seed 001's Accounting Interface): what the next sync posts,
 * with its last error, and per row the marks its status allows. Every row is rendered (a
 * type can hold a couple of thousand) inside a scrolling box, so any record can be found
 * with the browser's own search and reached by keyboard.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { can, type Problem } from '../../api';
import { ProblemBox, toProblem } from '../../components/ui';
import { eventHref } from '../../router';
import { markRecord, type Mark, type RunSummary, type SyncRecord } from './sync';

const MARK_LABEL: Record<Mark, string> = { hold: 'Hold', release: 'Release', repost: 'Re-post', 'void-and-repost': 'Void & re-post' };

/** Which marks a status allows (docs/sync.md: held records wait; posted ones can be sent again). */
function marksOf(r: SyncRecord): Mark[] {
  switch (r.status) {
    case 'unposted':
    case 'failed': return ['hold'];
    case 'held': return ['release'];
    case 'posted': return ['repost', 'void-and-repost'];
    default: return [];
  }
}

function ErrorCell({ r }: { r: SyncRecord }): JSX.Element | null {
  if (!r.error) return null;
  return (
    <div class="rec-error">
      <strong class="code">{r.error.code}</strong> <span>{r.error.message}</span>
      <div class="fix">Fix: {r.error.fix}</div>
    </div>
  );
}

function PostedCell({ r }: { r: SyncRecord }): JSX.Element | null {
  const p = r.posted;
  if (!p) return null;
  const ids = [p.documentNumber, p.journalNumber].filter((x): x is string => x !== undefined && x !== '');
  return (
    <div>
      {ids.join(' · ')}
      {(p.warnings ?? []).map((w) => <div class="warning"><strong class="code">{w.code}</strong>: {w.message}</div>)}
    </div>
  );
}

function RowActions({ r, busy, onMark }: { r: SyncRecord; busy: boolean; onMark: (r: SyncRecord, m: Mark) => void }): JSX.Element {
  return (
    <div class="row-actions">
      {marksOf(r).map((m) => (
        <button type="button" class={m === 'hold' || m === 'release' ? 'secondary small' : 'secondary small warn'} data-testid={`${m}-${r.id}`} disabled={busy}
          aria-label={`${MARK_LABEL[m]} ${r.id}`} onClick={() => onMark(r, m)}>
          {MARK_LABEL[m]}
        </button>
      ))}
    </div>
  );
}

function Row({ r, all, busy, onMark }: { r: SyncRecord; all: boolean; busy: boolean; onMark: (r: SyncRecord, m: Mark) => void }): JSX.Element {
  return (
    <tr id={`rec-${r.id}`}>
      <th scope="row" class="nowrap"><a href={eventHref(r.event)}>{r.id}</a>{r.kind !== 'document' && <span class="muted"> ({r.kind})</span>}</th>
      <td class="nowrap">{r.date}</td>
      <td>{r.eventType}</td>
      <td>{r.reference ?? ''}</td>
      <td><span class={`status ${r.status}`}>{r.status}</span>{r.version > 1 && <span class="muted"> v{r.version}</span>}</td>
      <td><ErrorCell r={r} /></td>
      {all && <td><PostedCell r={r} /></td>}
      {can('export') && <td><RowActions r={r} busy={busy} onMark={onMark} /></td>}
    </tr>
  );
}

/** Confirms the marks that touch the accounting system; hold and release only change the queue. */
function confirmed(r: SyncRecord, m: Mark): boolean {
  if (m === 'repost') return confirm(`Re-post ${r.id}? stockbook first asks Xero: if Xero still holds its posted document or journal unvoided, nothing changes and you are told what to void (or use Void & re-post). Otherwise it becomes unposted under a new version and the next sync posts it again.`);
  if (m === 'void-and-repost') return confirm(`Void ${r.id}'s documents in Xero and post it again now?`);
  return true;
}

interface Props {
  records: SyncRecord[];
  all: boolean;
  /** A record's new state as the mark answered it; the list is then reloaded for the counts. */
  onChanged: (record: SyncRecord | undefined) => void;
  /** Void & re-post answers a run summary, shown like a sync's. */
  onRun: (summary: RunSummary) => void;
}

export function RecordsTable({ records, all, onChanged, onRun }: Props): JSX.Element {
  const [busy, setBusy] = useState<string | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [said, setSaid] = useState('');
  const mark = (r: SyncRecord, m: Mark): void => {
    if (!confirmed(r, m)) return;
    setBusy(r.id);
    setProblem(undefined);
    markRecord(r.id, m).then(
      (answer) => {
        setSaid(`${r.id}: ${MARK_LABEL[m].toLowerCase()} done.`);
        if (m === 'void-and-repost') onRun(answer as RunSummary);
        onChanged((answer as { record?: SyncRecord }).record);
      },
      (e: unknown) => setProblem(toProblem(e)),
    ).finally(() => setBusy(undefined));
  };
  return (
    <>
      <p class="sr" aria-live="polite">{said}</p>
      {problem && <ProblemBox problem={problem} />}
      <div class="table-wrap tall">
        <table data-testid="unposted-table">
          <caption>{all ? 'All records' : 'Unposted records'} ({records.length})</caption>
          <thead>
            <tr>
              <th scope="col">Record</th><th scope="col">Date</th><th scope="col">Event type</th><th scope="col">Reference</th>
              <th scope="col">Status</th><th scope="col">Last error</th>{all && <th scope="col">In Xero</th>}{can('export') && <th scope="col">Actions</th>}
            </tr>
          </thead>
          <tbody>
            {records.length === 0 && <tr><td colSpan={8} class="muted">Nothing to post: every record of this type is in Xero.</td></tr>}
            {records.map((r) => <Row key={r.id} r={r} all={all} busy={busy === r.id} onMark={mark} />)}
          </tbody>
        </table>
      </div>
    </>
  );
}
