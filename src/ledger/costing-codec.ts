/**
 * The costing codec: an accepted event's costs and links as the costing state stores them
 * (costing_events.state), and back. The text is JSON: a move's result is a tuple in
 * MoveResult's field order, its takes tuples of (source, lot, expiry, qty, value). An integer
 * is a JSON number when it is a safe integer and a decimal string when it is not (a ledger
 * written before numbers were used holds strings throughout; both decode). The event itself
 * is its stored body, and its moves are planned again from it (Book.restore).
 *
 * Every event a re-cost reads is decoded, and every one it changes encoded, so both are
 * written out by hand: the text is built without intermediate arrays, and a number decodes
 * without a string conversion.
 */
import type { Take } from '../costing/pool.js';
import type { MoveResult } from '../posting/types.js';
import type { Stored } from '../book/state.js';

type Int = number | string;
type TakeTuple = [source: string, lot: string | null, expiry: string | null, qty: Int, value: Int];
type ResultTuple = [qty: Int, value: Int, variance: Int, trueUp: Int, toCogs: Int, shortQty: Int, takes: TakeTuple[] | null];

interface SavedJson {
  r: ResultTuple[];
  p: string[];
  v: string | null;
  d: string[] | null;
  c: number;
}

export type Saved = Pick<Stored, 'results' | 'pools' | 'voidedBy' | 'dependents' | 'corrections'>;

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** An integer as the text holds it: a number when exact, else a quoted decimal. */
function int(x: bigint): string {
  return x <= MAX_SAFE && x >= -MAX_SAFE ? String(x) : `"${x}"`;
}

function big(x: Int): bigint {
  return x === 0 ? 0n : BigInt(x);
}

function text(s: string | undefined): string {
  return s === undefined ? 'null' : JSON.stringify(s);
}

function strings(xs: Iterable<string>): string {
  let out = '';
  for (const x of xs) out += (out === '' ? '' : ',') + JSON.stringify(x);
  return `[${out}]`;
}

function takesText(takes: readonly Take[]): string {
  let out = '';
  for (const t of takes) out += `${out === '' ? '' : ','}[${JSON.stringify(t.source)},${text(t.lot)},${text(t.expiry)},${int(t.qty)},${int(t.value)}]`;
  return `[${out}]`;
}

export function encodeSaved(s: Saved): string {
  let r = '';
  for (const x of s.results) {
    r += `${r === '' ? '' : ','}[${int(x.qty)},${int(x.value)},${int(x.variance)},${int(x.trueUp)},${int(x.toCogs)},${int(x.shortQty)},${x.takes === undefined ? 'null' : takesText(x.takes)}]`;
  }
  const d = s.dependents && s.dependents.size > 0 ? strings(s.dependents) : 'null';
  return `{"r":[${r}],"p":${strings(s.pools)},"v":${text(s.voidedBy)},"d":${d},"c":${s.corrections}}`;
}

/** A take in the shape the pool makes it (src/costing/pool.ts: source, lot, expiry, qty, value). */
function takeOf(t: TakeTuple): Take {
  return { source: t[0], lot: t[1] ?? undefined, expiry: t[2] ?? undefined, qty: big(t[3]), value: big(t[4]) };
}

function resultOf(x: ResultTuple): MoveResult {
  const takes = x[6];
  let ts: Take[] | undefined;
  if (takes !== null) {
    ts = new Array<Take>(takes.length);
    for (let i = 0; i < takes.length; i++) ts[i] = takeOf(takes[i]!);
  }
  // MoveResult's field order (src/book/book.ts `result`): one hidden class for every result.
  return { qty: big(x[0]), value: big(x[1]), takes: ts, variance: big(x[2]), trueUp: big(x[3]), toCogs: big(x[4]), shortQty: big(x[5]) };
}

export function decodeSaved(source: string): Saved {
  const j = JSON.parse(source) as SavedJson;
  const results = new Array<MoveResult>(j.r.length);
  for (let i = 0; i < j.r.length; i++) results[i] = resultOf(j.r[i]!);
  return { results, pools: j.p, voidedBy: j.v ?? undefined, dependents: j.d === null ? undefined : new Set(j.d), corrections: j.c };
}
