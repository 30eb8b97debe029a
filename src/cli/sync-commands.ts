/**
 * What `stockbook sync <command>` does (src/cli/sync.ts declares the commands): open the
 * company's sync, call the engine, print. Each returns the exit code: 0 done, 1 a failure (or a
 * record that failed to sync), 2 unreadable input.
 */
import { readFileSync } from 'node:fs';
import { SingleBar, Presets } from 'cli-progress';
import { failure, type Failure } from '../domain/errors.js';
import type { RecordType } from '../posting/types.js';
import type { LedgerStore } from '../store/store.js';
import type { RunSummary } from '../sync/engine.js';
import { noBigints, syncEntryJson } from '../sync/json.js';
import { openSync, type CompanySync } from '../sync/open.js';
import { isTokenSet, type TokenSetData } from '../sync/xero/client.js';
import { failureJson, type Io } from './format.js';
import { EXIT, isFailure } from './input.js';
import { badSyncCursor, parseSyncCursor } from '../sync/engine.js';
import { listCsv, listTable, runsTable, runTable, showText } from './sync-format.js';

export type SyncIo = Io;

export interface CompanyOpts { company: string }
export type ListFormat = 'table' | 'json' | 'csv';
export type OutFormat = 'table' | 'json';

const json = (x: unknown): string => JSON.stringify(x, noBigints);

function failed(io: SyncIo, f: Failure, code: number = EXIT.eventsFailed): number {
  io.writeErr(json(failureJson(f)));
  return code;
}

/** The company's sync, or undefined after printing why it cannot be opened. */
async function open(store: LedgerStore, company: string, io: SyncIo): Promise<CompanySync | undefined> {
  const s = await openSync(store, company);
  if (!isFailure(s)) return s;
  failed(io, s);
  return undefined;
}

/**
 * The sync list: every record, or with --limit one page of them after --after (a page's
 * cursor); a page that leaves records out says how to ask for the next (in JSON as `next`).
 */
export async function list(store: LedgerStore, o: CompanyOpts & { type?: RecordType; all?: boolean; limit?: number; after?: string; format: ListFormat }, io: SyncIo): Promise<number> {
  const afterSeq = o.after === undefined ? undefined : parseSyncCursor(o.after);
  if (o.after !== undefined && afterSeq === undefined) return failed(io, badSyncCursor(), EXIT.badInput);
  const s = await open(store, o.company, io);
  if (!s) return EXIT.eventsFailed;
  const found = await s.engine.list({ type: o.type, all: o.all === true, limit: o.limit, afterSeq });
  if (o.format === 'json') io.write(json(found));
  else io.write(o.format === 'csv' ? listCsv(found.records) : listTable(found));
  if (found.next !== undefined && o.format !== 'json') io.writeErr(`More records follow: add --after ${found.next} for the next page.`);
  return EXIT.ok;
}

/** A progress bar on stderr fed by the engine's onProgress. */
function progressBar(enabled: boolean): { onProgress: ((done: number, total: number) => void) | undefined; stop(): void } {
  if (!enabled) return { onProgress: undefined, stop: () => undefined };
  const bar = new SingleBar({ format: 'syncing [{bar}] {value}/{total} records', stream: process.stderr }, Presets.shades_classic);
  let started = false;
  return {
    onProgress: (done, total) => {
      if (!started) bar.start(total, 0);
      started = true;
      bar.update(done);
    },
    stop: () => void (started && bar.stop()),
  };
}

/** Prints a run's results; exit 1 when it stopped or any record failed. */
function printRun(s: RunSummary, format: OutFormat, io: SyncIo): number {
  io.write(format === 'json' ? json(s) : runTable(s));
  if (s.stopped) return failed(io, s.stopped);
  return s.results.some((r) => r.status === 'failed' || r.status === 'would-fail' || r.status === 'aborted') ? EXIT.eventsFailed : EXIT.ok;
}

export async function run(store: LedgerStore, o: CompanyOpts & { type: RecordType; dryRun?: boolean; format: OutFormat; progress: boolean }, io: SyncIo): Promise<number> {
  const s = await open(store, o.company, io);
  if (!s) return EXIT.eventsFailed;
  const bar = progressBar(o.progress);
  let summary: RunSummary;
  try {
    summary = await s.engine.run({ type: o.type, dryRun: o.dryRun === true, onProgress: bar.onProgress });
  } finally {
    bar.stop();
  }
  return printRun(summary, o.format, io);
}

export async function mark(store: LedgerStore, o: CompanyOpts, action: 'hold' | 'release', ids: string[], io: SyncIo): Promise<number> {
  const s = await open(store, o.company, io);
  if (!s) return EXIT.eventsFailed;
  const f = action === 'hold' ? await s.engine.hold(ids) : await s.engine.release(ids);
  if (f) return failed(io, f);
  io.write(`${action === 'hold' ? 'Held' : 'Released'} ${ids.length} record${ids.length === 1 ? '' : 's'}: ${ids.join(', ')}${action === 'hold' ? ' (kept out of syncs until released)' : ''}.`);
  return EXIT.ok;
}

export async function repost(store: LedgerStore, o: CompanyOpts, id: string, io: SyncIo): Promise<number> {
  const s = await open(store, o.company, io);
  if (!s) return EXIT.eventsFailed;
  const f = await s.engine.repost(id);
  if (f) return failed(io, f);
  const found = await s.engine.record(id);
  const version = isFailure(found) ? '?' : String(found.record.version);
  io.write(`Record ${id} is unposted again (version ${version}); Xero no longer holds its earlier version, and the next sync posts it.`);
  return EXIT.ok;
}

export async function voidAndRepost(store: LedgerStore, o: CompanyOpts & { format: OutFormat }, id: string, io: SyncIo): Promise<number> {
  const s = await open(store, o.company, io);
  if (!s) return EXIT.eventsFailed;
  const r = await s.engine.voidAndRepost(id);
  return isFailure(r) ? failed(io, r) : printRun(r, o.format, io);
}

export async function show(store: LedgerStore, o: CompanyOpts & { format: OutFormat }, id: string, io: SyncIo): Promise<number> {
  const s = await open(store, o.company, io);
  if (!s) return EXIT.eventsFailed;
  const found = await s.engine.record(id);
  if (isFailure(found)) return failed(io, found);
  io.write(o.format === 'json' ? json({ record: found.record, history: found.history.map(syncEntryJson) }) : showText(found));
  return EXIT.ok;
}

export async function runs(store: LedgerStore, o: CompanyOpts & { limit: number; format: OutFormat }, io: SyncIo): Promise<number> {
  const s = await open(store, o.company, io);
  if (!s) return EXIT.eventsFailed;
  const list = await s.engine.runs(o.limit);
  io.write(o.format === 'json' ? json(list) : runsTable(list));
  return EXIT.ok;
}

/** A token set from a file (or - for standard input). */
function readTokenSet(path: string): TokenSetData | Failure {
  const fix = 'Give --token-file a JSON file holding the token set from Xero\'s OAuth2 consent flow: {"access_token", "refresh_token", "expires_at" (Unix seconds), …}.';
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path === '-' ? 0 : path, 'utf8'));
  } catch (x) {
    return failure('INVALID_CONFIG', `Cannot read the token set "${path}": ${(x as Error).message}.`, fix, { file: path });
  }
  return isTokenSet(raw) ? raw : failure('INVALID_CONFIG', `"${path}" is not a Xero token set: it needs access_token and refresh_token (strings) and expires_at (a number).`, fix, { file: path });
}

export async function connect(store: LedgerStore, o: CompanyOpts & { tokenFile: string }, io: SyncIo): Promise<number> {
  const tokenSet = readTokenSet(o.tokenFile);
  if (isFailure(tokenSet)) return failed(io, tokenSet, EXIT.badInput);
  const s = await open(store, o.company, io);
  if (!s) return EXIT.eventsFailed;
  await s.client.connect(tokenSet);
  io.write(`Connected company ${o.company} to Xero${s.client.tenantId === '' ? '' : ` (tenant ${s.client.tenantId})`}; the access token expires at ${new Date(tokenSet.expires_at * 1000).toISOString()} and is refreshed when needed.`);
  return EXIT.ok;
}
