/**
 * The refusal log: which events the ledger refused, by id and content hash. A refused event is
 * not a ledger event (nothing of it is posted); the log only lets a later post of the same
 * event say that it was refused before and is accepted now — e.g. a void refused for stock,
 * posted by a re-import once a later void made the stock available again.
 */
import { createHash } from 'node:crypto';
import type { Refusal } from '../store/store.js';

/** JSON with object keys in code-point order, so the same event hashes the same however it was written. */
function canonical(x: unknown): string {
  if (Array.isArray(x)) return `[${x.map(canonical).join(',')}]`;
  if (typeof x === 'object' && x !== null) {
    const keys = Object.keys(x).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical((x as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(x) ?? 'null';
}

/** SHA-256 of an event's canonical JSON, lower-case hex. */
export function contentHash(raw: unknown): string {
  return createHash('sha256').update(canonical(raw), 'utf8').digest('hex');
}

/** The refusal of `raw` that `refusals` (read for its id) holds, if any: same id, same content. */
export function earlierRefusal(refusals: readonly Refusal[], id: string, raw: unknown): Refusal | undefined {
  const mine = refusals.filter((r) => r.event === id);
  if (mine.length === 0) return undefined;
  const hash = contentHash(raw);
  return mine.find((r) => r.hash === hash);
}
