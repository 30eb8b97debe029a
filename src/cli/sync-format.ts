/** How `stockbook sync` shows records, run results, runs and a record's history: tables and CSV. */
import Table from 'cli-table3';
import type { Failure } from '../domain/errors.js';
import type { RecordType } from '../posting/types.js';
import type { SyncEntry } from '../store/store.js';
import type { ListedRecord, RecordResult, RunSummary } from '../sync/engine.js';
import type { ClaimData, FailedData, PostedData, TargetIds } from '../sync/state.js';
import { RECORD_TYPES } from '../sync/records.js';
import { csv } from '../reports/csv.js';

function table(head: string[], rows: string[][]): string {
  const t = new Table({ head, style: { head: [], border: [], compact: true } });
  for (const r of rows) t.push(r);
  return t.toString();
}

export function errorText(f: Failure | undefined): string {
  return f === undefined ? '' : `${f.code}: ${f.message} — ${f.fix}`;
}

function idsText(ids: TargetIds | undefined): string {
  return [ids?.documentNumber, ids?.journalNumber].filter((x) => x !== undefined).join(', ');
}

// ---- sync list ------------------------------------------------------------------------------

export function countsLine(counts: Record<RecordType, number>): string {
  return `Unposted: ${RECORD_TYPES.map((t) => `${t} ${counts[t]}`).join(' · ')}`;
}

const LIST_HEAD = ['Record', 'Type', 'Kind', 'Event type', 'Date', 'Reference', 'Status', 'Version', 'Last error (code — fix)'];

function listRow(r: ListedRecord): string[] {
  return [r.id, r.type, r.kind, r.eventType, r.date, r.reference ?? '', r.status, String(r.version), r.error ? `${r.error.code} — ${r.error.fix}` : ''];
}

export function listTable(list: { counts: Record<RecordType, number>; records: ListedRecord[] }): string {
  const body = list.records.length === 0 ? 'No records.' : table(LIST_HEAD, list.records.map(listRow));
  return `${countsLine(list.counts)}\n${body}`;
}

export function listCsv(records: readonly ListedRecord[]): string {
  const head = ['record', 'type', 'kind', 'event_type', 'event', 'date', 'reference', 'status', 'version', 'error_code', 'error_message', 'error_fix'];
  const rows = records.map((r) => [r.id, r.type, r.kind, r.eventType, r.event, r.date, r.reference ?? '', r.status, String(r.version), r.error?.code ?? '', r.error?.message ?? '', r.error?.fix ?? '']);
  return csv([head, ...rows]);
}

// ---- sync run -------------------------------------------------------------------------------

const STATUS_TEXT: Record<RecordResult['status'], string> = {
  posted: 'posted', warnings: 'posted with warnings', failed: 'failed', aborted: 'aborted', 'would-post': 'would post', 'would-fail': 'would fail',
};

function targetText(r: RecordResult): string {
  if (r.requests !== undefined) return r.requests.length === 0 ? 'nothing to send' : `would send ${r.requests.map((q) => q.kind).join(', ')}`;
  return idsText(r.ids);
}

function resultRow(r: RecordResult): string[] {
  return [r.record, STATUS_TEXT[r.status], targetText(r), r.warnings.map((w) => `${w.code}: ${w.message}`).join('\n'), errorText(r.error)];
}

/** What a run did, counted from its results (posted includes posted with warnings). */
export function runCounts(s: RunSummary): { posted: number; warnings: number; failed: number; aborted: number } {
  const n = (...st: RecordResult['status'][]): number => s.results.filter((r) => st.includes(r.status)).length;
  return { posted: n('posted', 'warnings', 'would-post'), warnings: s.results.filter((r) => r.warnings.length > 0 && r.status !== 'failed' && r.status !== 'would-fail').length, failed: n('failed', 'would-fail'), aborted: n('aborted') };
}

export function summaryLine(s: RunSummary): string {
  const c = runCounts(s);
  if (s.dryRun) return `Dry run of ${s.type}: ${c.posted} would post (${c.warnings} with warnings), ${c.failed} would fail; nothing was sent (${s.calls} calls to read ${s.target}'s reference data).`;
  return `Run ${s.run} of ${s.type}: ${c.posted} posted (${c.warnings} with warnings), ${c.failed} failed, ${c.aborted} aborted; ${s.calls} calls to ${s.target}.`;
}

export function runTable(s: RunSummary): string {
  const body = s.results.length === 0 ? `Nothing to sync: no unposted ${s.type} records.` : table(['Record', 'Status', 'Target', 'Warnings', 'Error (code: message — fix)'], s.results.map(resultRow));
  const stopped = s.stopped ? `\nStopped: ${s.stopped.message}\nFix: ${s.stopped.fix}` : '';
  return `${body}\n${summaryLine(s)}${stopped}`;
}

// ---- sync runs ------------------------------------------------------------------------------

export function runsTable(runs: readonly RunSummary[]): string {
  if (runs.length === 0) return 'No sync runs yet.';
  return table(
    ['Run', 'Finished', 'Type', 'Posted', 'With warnings', 'Failed', 'Aborted', 'Calls', 'Stopped'],
    runs.map((s) => {
      const c = runCounts(s);
      return [s.run, s.finishedAt, s.type, String(c.posted), String(c.warnings), String(c.failed), String(c.aborted), String(s.calls), s.stopped ? s.stopped.code : ''];
    }),
  );
}

// ---- sync show ------------------------------------------------------------------------------

function parse<T>(data: string | undefined): Partial<T> {
  return data === undefined ? {} : (JSON.parse(data) as Partial<T>);
}

function entryDetail(e: SyncEntry): string {
  switch (e.action) {
    case 'posted': {
      const p = parse<PostedData>(e.data);
      return [idsText(p), ...(p.warnings ?? []).map((w) => w.code)].filter((x) => x !== '').join('; ');
    }
    case 'failed': case 'aborted': {
      const f = parse<FailedData>(e.data).error;
      return f ? `${f.code}: ${f.message}` : '';
    }
    case 'claim': return parse<ClaimData>(e.data).journalNumber ?? '';
    case 'voided': return `voided ${(parse<{ voided: string[] }>(e.data).voided ?? []).join(', ')}`;
    default: return '';
  }
}

export function showText(found: { record: ListedRecord; history: SyncEntry[] }): string {
  const r = found.record;
  const fields: [string, string][] = [
    ['Record', r.id], ['Type', `${r.type} (${r.kind})`], ['Event', `${r.event} (${r.eventType})`], ['Date', r.date], ['Reference', r.reference ?? ''],
    ['Status', r.status], ['Version', String(r.version)], ['Target ids', idsText(r.posted)],
    ['Warnings', (r.posted?.warnings ?? []).map((w) => `${w.code}: ${w.message}`).join('\n')], ['Last error', errorText(r.error)],
  ];
  const state = table(['Field', 'Value'], fields.filter(([, v]) => v !== ''));
  const history = found.history.length === 0 ? 'No sync history.' : table(['Seq', 'At', 'Action', 'Version', 'Run', 'Detail'], found.history.map((e) => [e.seq.toString(), e.at, e.action, String(e.version), e.run ?? '', entryDetail(e)]));
  return `${state}\n${history}`;
}
