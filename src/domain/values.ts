/** Small value helpers shared by every layer. */

/** Orders strings by code point: stable, locale-free, and the same in SQLite and PostgreSQL ("C"). */
export function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A plain JSON object (not null, not an array). */
export function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
