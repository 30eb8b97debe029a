/**
 * The fuzz suite's rules: what an answer to a generated request must be, and the failure
 * classes other branches of issue 10 are fixing (KNOWN_UNTIL_MERGE), each narrow enough to
 * name what triggers it.
 */
import type { FuzzRequest } from './fuzz-requests.js';

export interface Answer { status: number; type: string; body: string }
export interface LedgerState { events: bigint; tb: string }

export interface Verdict {
  /** The failure class: rule, status, code (or content type) and route. */
  key: string;
  /** The KNOWN_UNTIL_MERGE entry that covers it, if any. */
  known: string | undefined;
}

export interface Exchange {
  request: FuzzRequest;
  answer: Answer;
  before: LedgerState;
  after: LedgerState;
  documented: ReadonlySet<string>;
  /** Lasting known classes an earlier request posted the trigger of. */
  poisoned: ReadonlySet<string>;
}

const textOf = (r: FuzzRequest): string => {
  let url = r.url;
  try {
    url = decodeURIComponent(r.url);
  } catch {
    // bad percent-encoding: keep the raw text
  }
  return `${url} ${r.body === undefined ? '' : 'raw' in r.body ? r.body.raw : JSON.stringify(r.body.json)}`;
};
/** A lone surrogate, or NUL / a lone surrogate as JSON or percent escapes (JSON.stringify escapes both). */
const NUL_OR_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\\u0000|\\ud[89a-f][0-9a-f]{2}|%00|%ED%[AB]/i;
const IMPOSSIBLE_DATE = /\b\d{4}-(02-3[01]|02-29|(04|06|09|11)-31|13-\d\d|00-00)\b|\b\d{4}-\d-\d\b|\b\d{1,2}\/\d{1,2}\/\d{4}\b/;

export interface KnownClass {
  name: string;
  /** The rule it breaks. */
  rule: 'a 5xx' | 'not a problem';
  /** Whether the request carries what triggers it. */
  trigger: (x: Exchange) => boolean;
  /** Whether, once a request carrying the trigger has posted, every later request may break the rule (the ledger holds the bad value). */
  lasting: boolean;
}

/**
 * Failure classes other engineers of issue 10 are fixing on their branches. Each is allowed only
 * when its trigger is in the request (or, when lasting, in an event posted earlier). THE
 * INTEGRATOR DELETES THIS LIST after merging those branches: the suite must then pass with it empty.
 */
export const KNOWN_UNTIL_MERGE: readonly KnownClass[] = [

];

const ALLOWED_5XX_ON_SYNC: Readonly<Record<number, string>> = { 502: 'TARGET_REJECTED', 503: 'TARGET_UNAVAILABLE' };

/** The problem body of an answer, if it is one with a documented code. */
function problemError(a: Answer, documented: ReadonlySet<string>): string | undefined {
  if (!/^application\/problem\+json/.test(a.type)) return 'not a problem';
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(a.body) as Record<string, unknown>;
  } catch {
    return 'not a problem';
  }
  if (typeof body['code'] !== 'string' || !documented.has(body['code'])) return 'undocumented code';
  if (body['status'] !== a.status || typeof body['detail'] !== 'string' || typeof body['fix'] !== 'string' || body['type'] !== `https://stockbook.dev/errors/${body['code']}`) return 'malformed problem';
  return undefined;
}

const codeOf = (a: Answer): string => {
  try {
    const c = (JSON.parse(a.body) as { code?: unknown }).code;
    return typeof c === 'string' ? c : a.type.split(';')[0]!;
  } catch {
    return a.type.split(';')[0] || 'no content type';
  }
};

/** Rules broken by one exchange (none when the answer is right). */
function broken(x: Exchange): string[] {
  const { request: r, answer: a } = x;
  const out: string[] = [];
  const upstream = r.op.route.startsWith('/v1/sync/') && ALLOWED_5XX_ON_SYNC[a.status] === codeOf(a);
  if (a.status >= 500 && !upstream) out.push('a 5xx');
  if (a.status >= 400) {
    const p = problemError(a, x.documented);
    if (p !== undefined) out.push(p);
    if (x.after.events !== x.before.events || x.after.tb !== x.before.tb) out.push('refused but the ledger changed');
  } else if (r.op.method === 'GET' && (x.after.events !== x.before.events || x.after.tb !== x.before.tb)) out.push('a GET changed the ledger');
  else if (r.op.route === '/v1/events' && r.op.method === 'POST') {
    const posted = (a.body.match(/"status":"ok"/g) ?? []).length;
    if (x.after.events - x.before.events !== BigInt(posted)) out.push(`posted ${posted} but the ledger grew by ${x.after.events - x.before.events}`);
  }
  return out;
}

/** The lasting known classes whose trigger this exchange posted into the ledger. */
export function poisonsOf(x: Exchange): string[] {
  if (x.answer.status >= 300 || x.after.events <= x.before.events) return [];
  return KNOWN_UNTIL_MERGE.filter((k) => k.lasting && k.trigger(x)).map((k) => k.name);
}

/** The known class a broken rule belongs to: one its request triggers, else the lasting ones posted earlier. */
function knownClassOf(x: Exchange, rule: string): string | undefined {
  const classes = KNOWN_UNTIL_MERGE.filter((k) => k.rule === rule);
  const direct = classes.find((k) => k.trigger(x));
  if (direct !== undefined) return direct.name;
  const earlier = classes.filter((k) => x.poisoned.has(k.name)).map((k) => k.name);
  return earlier.length === 0 ? undefined : `posted earlier: ${earlier.join(' or ')}`;
}

/** The failure classes of one exchange, each marked with the known class that covers it. */
export function fuzzVerdict(x: Exchange): Verdict[] {
  return broken(x).map((rule) => ({
    key: `${rule}: ${x.answer.status} ${codeOf(x.answer)} on ${x.request.op.method} ${x.request.op.route}`,
    known: knownClassOf(x, rule),
  }));
}
