/**
 * The costing codec: an accepted event's costs and links as the costing state stores them
 * (costing_events.state), and back. Integers are decimal strings; a move's result is a tuple
 * in MoveResult's field order, its takes tuples of (source, lot, expiry, qty, value). The
 * event itself is its stored body, and its moves are planned again from it (Book.restore).
 */
import type { Take } from '../costing/pool.js';
import type { MoveResult } from '../posting/types.js';
import type { Stored } from '../book/state.js';

type TakeTuple = [source: string, lot: string | null, expiry: string | null, qty: string, value: string];
type ResultTuple = [qty: string, value: string, variance: string, trueUp: string, toCogs: string, shortQty: string, takes: TakeTuple[] | null];

interface SavedJson {
  r: ResultTuple[];
  p: string[];
  v: string | null;
  d: string[] | null;
  c: number;
}

export type Saved = Pick<Stored, 'results' | 'pools' | 'voidedBy' | 'dependents' | 'corrections'>;

/** A take in the shape the pool makes it (src/costing/pool.ts: source, lot, expiry, qty, value). */
function takeOf(t: TakeTuple): Take {
  return { source: t[0], lot: t[1] ?? undefined, expiry: t[2] ?? undefined, qty: BigInt(t[3]), value: BigInt(t[4]) };
}

export function encodeSaved(s: Saved): string {
  const r = s.results.map((x): ResultTuple => [
    x.qty.toString(), x.value.toString(), x.variance.toString(), x.trueUp.toString(), x.toCogs.toString(), x.shortQty.toString(),
    x.takes === undefined ? null : x.takes.map((t): TakeTuple => [t.source, t.lot ?? null, t.expiry ?? null, t.qty.toString(), t.value.toString()]),
  ]);
  const json: SavedJson = { r, p: s.pools, v: s.voidedBy ?? null, d: s.dependents && s.dependents.size > 0 ? [...s.dependents] : null, c: s.corrections };
  return JSON.stringify(json);
}

export function decodeSaved(text: string): Saved {
  const j = JSON.parse(text) as SavedJson;
  const results = j.r.map((x): MoveResult => ({ qty: BigInt(x[0]), value: BigInt(x[1]), takes: x[6] === null ? undefined : x[6].map(takeOf), variance: BigInt(x[2]), trueUp: BigInt(x[3]), toCogs: BigInt(x[4]), shortQty: BigInt(x[5]) }));
  return { results, pools: j.p, voidedBy: j.v ?? undefined, dependents: j.d === null ? undefined : new Set(j.d), corrections: j.c };
}
