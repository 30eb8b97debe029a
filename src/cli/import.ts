/**
 * `stockbook import`: posts a JSON Lines file of events into the durable ledger, in batches
 * (one transaction each), with a progress bar on a terminal. It reads up to `--sort-window`
 * events at a time and posts them in costing order (date, time, id; references after what they
 * name), so a file that fits in one window books the journals of its sorted stream whatever
 * the order of its lines. Each event gets one outcome —
 * posted, exists (a resubmission), conflict or a coded error (refused) — and rerunning an
 * interrupted import is safe: what was stored answers "exists", the rest is posted. An event
 * posted now that an earlier import refused (the same id and content: a void refused for
 * stock, accepted once a later void ran) is counted apart, with its id, so a rerun says what
 * changed.
 */
import { SingleBar, Presets } from 'cli-progress';
import { failure } from '../domain/errors.js';
import { CompanyLedger, putCompany, MAX_BATCH, type PostOutcome } from '../ledger/service.js';
import type { LedgerStore } from '../store/store.js';
import { failureJson } from './format.js';
import { EXIT, jsonLines, readConfigFile, isFailure, sizeOf } from './input.js';
import { csvEvents } from './csv-events.js';
import { parseEvent } from '../domain/events.js';
import { costingOrder, DEFAULT_SORT_WINDOW, orderable } from '../book/batch-order.js';

export interface ImportOptions {
  company?: string | undefined;
  config?: string | undefined;
  batch: number;
  progress: boolean;
  csv?: boolean | undefined;
  /** Events read and sorted before posting (default DEFAULT_SORT_WINDOW): the memory bound of the sort. */
  sortWindow?: number | undefined;
}

/** What `import` prints on standard output when it ends, as {"imported": …}. */
export interface ImportSummary {
  /** Posted now, never refused before. */
  new: number;
  /** Posted now, refused by an earlier import (or POST) with the same content. */
  nowAccepted: number;
  exists: number;
  conflict: number;
  refused: number;
  /** The ids of the `nowAccepted` events (the first 100). */
  nowAcceptedEvents: string[];
}

/** How many ids of events accepted after a refusal the summary lists. */
const LISTED = 100;

/** JSON Lines as events; a line that is not JSON is reported and skipped. */
async function* jsonEvents(path: string, bad: (n: number, message: string, fix: string) => void): AsyncGenerator<{ n: number; raw: unknown; bytes: number }> {
  for await (const { n, text, bytes } of jsonLines(path)) {
    try {
      yield { n, raw: JSON.parse(text) as unknown, bytes };
    } catch (x) {
      bad(n, `not valid JSON: ${(x as Error).message}`, 'Write one JSON object per line (JSON Lines).');
    }
  }
}

export async function importEvents(store: LedgerStore, eventsPath: string, opts: ImportOptions, errOut: (s: string) => void): Promise<{ code: number; summary: ImportSummary }> {
  const summary: ImportSummary = { new: 0, nowAccepted: 0, exists: 0, conflict: 0, refused: 0, nowAcceptedEvents: [] };
  let companyId = opts.company;
  if (opts.config !== undefined) {
    const raw = readConfigFile(opts.config);
    const co = isFailure(raw) ? raw : await putCompany(store, raw);
    if (isFailure(co)) {
      errOut(JSON.stringify(failureJson(co)));
      return { code: EXIT.badInput, summary };
    }
    companyId ??= co.id;
  }
  if (companyId === undefined) {
    errOut(JSON.stringify(failureJson(failure('UNKNOWN_COMPANY', 'No company given.', 'Pass --company <id>, or --config <company.json> to create or update it.'))));
    return { code: EXIT.badInput, summary };
  }
  const ledger = await CompanyLedger.open(store, companyId);
  if (isFailure(ledger)) {
    errOut(JSON.stringify(failureJson(ledger)));
    return { code: EXIT.badInput, summary };
  }
  const batchSize = Math.max(1, Math.min(MAX_BATCH, opts.batch));
  const windowSize = Math.max(1, opts.sortWindow ?? DEFAULT_SORT_WINDOW);
  const total = sizeOf(eventsPath);
  const bar = opts.progress && total !== undefined ? new SingleBar({ format: 'importing [{bar}] {percentage}% | {events} events | {eta_formatted} left', stream: process.stderr }, Presets.shades_classic) : undefined;
  bar?.start(total!, 0, { events: 0 });
  let done = 0;
  let bytes = 0;
  let window: Line[] = [];
  const flush = async (): Promise<void> => {
    const outcomes = await postWindow(ledger, window, batchSize, (n) => {
      done += n;
      bar?.update(bytes, { events: done });
    });
    outcomes.forEach((o, i) => count(summary, o, window[i]!.n, errOut));
    window = [];
  };
  const csv = opts.csv ?? /\.csv$/i.test(eventsPath);
  const bad = (n: number, message: string, fix: string): void => {
    summary.refused++;
    errOut(JSON.stringify(failureJson(failure('INVALID_EVENT', `Line ${n}: ${message}.`, fix, { line: n }), n)));
  };
  try {
    for await (const item of csv ? csvEvents(eventsPath, (p) => bad(p.n, p.message, 'Correct the CSV; docs/csv.md lists its columns.')) : jsonEvents(eventsPath, bad)) {
      bytes += item.bytes;
      window.push({ n: item.n, raw: item.raw });
      if (window.length >= windowSize) await flush();
    }
    await flush();
  } finally {
    bar?.stop();
  }
  return { code: summary.conflict + summary.refused > 0 ? EXIT.eventsFailed : EXIT.ok, summary };
}

interface Line { n: number; raw: unknown }

/**
 * Posts a window of lines in costing order (sorted by date, time and id, references kept
 * resolvable: src/book/batch-order.ts), cut into batches of `batchSize` (one transaction each).
 * A line that does not parse goes last: it is refused whatever its place. The outcomes come
 * back in the window's line order.
 */
async function postWindow(ledger: CompanyLedger, window: readonly Line[], batchSize: number, progress: (n: number) => void): Promise<PostOutcome[]> {
  const parsed = window.map((l) => parseEvent(l.raw, ledger.co));
  const order = costingOrder(parsed.map((p) => (p.ok ? orderable(p.value) : undefined)));
  parsed.forEach((p, i) => {
    if (!p.ok) order.push(i);
  });
  const out: PostOutcome[] = new Array<PostOutcome>(window.length);
  for (let k = 0; k < order.length; k += batchSize) {
    const slice = order.slice(k, k + batchSize);
    const outcomes = await ledger.postBatch(slice.map((i) => window[i]!.raw));
    outcomes.forEach((o, j) => (out[slice[j]!] = o));
    progress(slice.length);
  }
  return out;
}

/** Counts one outcome; failures, and events accepted after an earlier refusal, get a line on stderr. */
function count(summary: ImportSummary, o: PostOutcome, line: number, errOut: (s: string) => void): void {
  if (o.status === 'ok' && o.refusedEarlier !== undefined) {
    summary.nowAccepted++;
    if (summary.nowAcceptedEvents.length < LISTED) summary.nowAcceptedEvents.push(o.event);
    errOut(JSON.stringify({ acceptedAfterRefusal: { event: o.event, refusedWith: o.refusedEarlier.code, refusedAt: o.refusedEarlier.at }, line }));
  } else if (o.status === 'ok') summary.new++;
  else if (o.status === 'exists') summary.exists++;
  else {
    summary[o.status === 'conflict' ? 'conflict' : 'refused']++;
    errOut(JSON.stringify(failureJson(o.error, line)));
  }
}
