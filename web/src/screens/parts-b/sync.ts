/**
 * The sync API as the accounting screen uses it (docs/sync.md): the record list, the per-record
 * marks, and a run streamed as JSON Lines so the progress bar moves while records post.
 */
import { api, apiLines, ApiError, type Problem } from '../../api';
import { RECORD_TYPES, type RecordType } from '../../wire';

export const isRecordType = (x: string | undefined): x is RecordType => (RECORD_TYPES as readonly string[]).includes(x ?? '');

interface Failure { code: string; message: string; fix: string }
interface Warning { code: string; message: string }
interface TargetIds { documentNumber?: string; documentKind?: string; journalNumber?: string }

type RecordStatus = 'unposted' | 'failed' | 'held' | 'in-progress' | 'posted' | 'cancelled';

export interface SyncRecord {
  id: string;
  type: RecordType;
  kind: 'document' | 'correction' | 'void';
  eventType: string;
  event: string;
  date: string;
  reference?: string;
  status: RecordStatus;
  version: number;
  error?: Failure;
  posted?: TargetIds & { warnings?: Warning[] };
}

/** One page of the record list; `next` is the cursor of the following page (null on the last). */
export interface RecordList { counts: Record<RecordType, number>; records: SyncRecord[]; next: string | null }

export type ResultStatus = 'posted' | 'warnings' | 'failed' | 'aborted' | 'would-post' | 'would-fail';

export interface RecordResult { record: string; status: ResultStatus; version: number; ids?: TargetIds; warnings: Warning[]; error?: Failure }

export interface RunSummary {
  run: string;
  type: RecordType;
  dryRun: boolean;
  counts: { posted: number; warnings: number; failed: number; aborted: number };
  stopped?: Failure;
  results: RecordResult[];
}

export type Mark = 'hold' | 'release' | 'repost' | 'void-and-repost';

/** A page of records: the first, or the one after a page's `next` cursor. */
export function listRecords(type: RecordType, all: boolean, after?: string): Promise<RecordList> {
  return api<RecordList>(`/v1/sync/records?type=${type}${all ? '&all=true' : ''}${after === undefined ? '' : `&after=${encodeURIComponent(after)}`}`);
}

/** Ids of corrections contain '/', so the id is one encoded path segment. */
export function markRecord(id: string, mark: Mark): Promise<unknown> {
  return api(`/v1/sync/records/${encodeURIComponent(id)}/${mark}`, { method: 'POST' });
}

type Line = { progress?: { done: number; total: number }; summary?: RunSummary; problem?: { code: string; detail?: string; title?: string; fix?: string } };

/** Runs a sync, reporting progress; resolves with the summary, or throws the problem the stream ended with. */
export async function runSync(type: RecordType, dryRun: boolean, onProgress: (done: number, total: number) => void): Promise<RunSummary> {
  let summary: RunSummary | undefined;
  let problem: Problem | undefined;
  await apiLines('/v1/sync/runs', { type, dryRun }, (raw) => {
    const line = raw as Line;
    if (line.progress) onProgress(line.progress.done, line.progress.total);
    if (line.summary) summary = line.summary;
    if (line.problem) problem = { code: line.problem.code, title: line.problem.title ?? 'Sync failed', detail: line.problem.detail ?? '', fix: line.problem.fix ?? 'Try the run again; if it keeps failing, see the server log.', status: 500 };
  });
  if (problem) throw new ApiError(problem);
  if (!summary) throw new ApiError({ code: 'SYNC_INCOMPLETE', title: 'Sync incomplete', detail: 'The run ended without a summary.', fix: 'Reload the list to see which records posted, then run again.', status: 0 });
  return summary;
}

/** A record id of a correction names its event before "/c<n>". */
export function eventOfRecordId(id: string): string {
  return id.replace(/\/c\d+$/, '');
}
