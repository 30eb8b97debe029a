/**
 * Sync results as the faces (CLI, API) show them: JSON without bigints. A sync log row's
 * position becomes a decimal string and its payload parsed JSON.
 */
import type { SyncEntry } from '../store/store.js';

export interface SyncEntryJson {
  seq: string;
  target: string;
  record: string;
  version: number;
  action: SyncEntry['action'];
  run: string | null;
  at: string;
  data: unknown;
}

function parsed(data: string | undefined): unknown {
  if (data === undefined) return null;
  try {
    return JSON.parse(data) as unknown;
  } catch {
    return data;
  }
}

export function syncEntryJson(e: SyncEntry): SyncEntryJson {
  return { seq: e.seq.toString(), target: e.target, record: e.record, version: e.version, action: e.action, run: e.run ?? null, at: e.at, data: parsed(e.data) };
}

/** JSON.stringify replacer: bigints as decimal strings. */
export function noBigints(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}
