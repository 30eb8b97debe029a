/**
 * Idempotency-Key on PUT/POST, as Xero documents it: a retry with the same key and the same
 * request within 24 hours gets the first response again and changes nothing; the same key on a
 * different request is refused (HTTP 400) rather than guessed at.
 *
 * "The same request" is the method, the path with its query, and the body compared as
 * canonical JSON (key order does not matter). The first response is kept whatever its status
 * (a validation failure replays as the same failure). A key whose first request is still being
 * answered gets 409, so two racing retries cannot both create.
 */
import { byCodePoint } from '../../domain/values.js';

export const MAX_KEY_LENGTH = 128;
const TTL_XERO_MS = 24 * 3_600_000;

export interface StoredResponse {
  status: number;
  body: unknown;
}

type Entry = { fingerprint: string; at: number; response?: StoredResponse };

export type KeyLookup =
  | { kind: 'new' }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch'; firstRequest: string }
  | { kind: 'pending' };

/** JSON with object keys sorted, so equal bodies have equal text. */
export function canonicalJson(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonicalJson).join(',')}]`;
  if (typeof x === 'object' && x !== null) {
    const entries = Object.entries(x).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => byCodePoint(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(x) ?? 'null';
}

export class IdempotencyStore {
  private readonly entries = new Map<string, Entry>();
  private readonly ttlRealMs: number;

  constructor(timeScale: number, private readonly now: () => number) {
    this.ttlRealMs = TTL_XERO_MS / timeScale;
  }

  /** What to do with a request carrying `key`; a 'new' key is reserved until finish/abort. */
  begin(key: string, route: string, body: unknown): KeyLookup {
    const fingerprint = `${route}\n${canonicalJson(body)}`;
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry && entry.at + this.ttlRealMs > now) {
      if (entry.fingerprint !== fingerprint) return { kind: 'mismatch', firstRequest: entry.fingerprint.split('\n')[0] ?? '' };
      return entry.response ? { kind: 'replay', response: entry.response } : { kind: 'pending' };
    }
    this.entries.set(key, { fingerprint, at: now });
    return { kind: 'new' };
  }

  finish(key: string, response: StoredResponse): void {
    const entry = this.entries.get(key);
    if (entry) entry.response = response;
  }

  /** Forgets a reservation whose request never got an answer (e.g. the sandbox threw). */
  abort(key: string): void {
    const entry = this.entries.get(key);
    if (entry && !entry.response) this.entries.delete(key);
  }
}
