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
  /** Whether an earlier request posted an amount of 13 or more digits (the SQL sums may overflow since). */
  holdsHugeAmounts: boolean;
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
const IMPOSSIBLE_DATE = /\b\d{4}-(02-3[01]|02-29|(04|06|09|11)-31|13-\d\d|00-00)\b|\b\d{4}-\d-\d\b|\b\d{1,2}\/\d{1,2}\/\d{4}\b/;

/**
 * Failure classes other engineers of issue 10 are fixing on their branches. Each is allowed only
 * when its trigger is in the request. THE INTEGRATOR DELETES THIS LIST after merging those
 * branches: the fuzz suite must then pass with it empty.
 */
export const KNOWN_UNTIL_MERGE: readonly { name: string; when: (x: Exchange, rule: string) => boolean }[] = [
  {
    // Scope 1: impossible dates (2026-02-30, 2026-3-5) accepted or failing deep inside.
    name: 'impossible dates',
    when: (x, rule) => rule === '5xx' && IMPOSSIBLE_DATE.test(textOf(x.request)),
  },
  {
    // Scope 2: amounts past what the stores hold ("99999999999999999999.99"), and the SQL sums
    // that overflow once such an amount is posted.
    name: 'value bounds',
    when: (x, rule) => rule === '5xx' && (/\d{13,}|e\+?\d{2,}/i.test(textOf(x.request)) || x.holdsHugeAmounts),
  },
  {
    // Scope 2: NUL and lone surrogates in text.
    name: 'NUL and lone surrogates',
    when: (x, rule) => rule === '5xx' && /\u0000|[\uD800-\uDFFF]|%00|%ED%[AB]/i.test(`${x.request.url} ${textOf(x.request)}`),
  },
  {
    // Scope 2: ids of 101–128 characters post, but fastify answers its own 414 on the path.
    name: 'id length 414',
    when: (x, rule) => rule === 'not a problem' && x.answer.status === 414,
  },
  {
    // Scope 2: fastify's own errors (bad percent-encoding, …) are not RFC 7807 problems.
    name: 'framework errors not RFC 7807',
    when: (x, rule) => rule === 'not a problem' && /"code":"FST_/.test(x.answer.body),
  },
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
  if (a.status >= 500 && !upstream) out.push('5xx');
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

/** The failure classes of one exchange, each marked with the known class that covers it. */
export function fuzzVerdict(x: Exchange): Verdict[] {
  return broken(x).map((rule) => ({
    key: `${rule}: ${x.answer.status} ${codeOf(x.answer)} on ${x.request.op.method} ${x.request.op.route}`,
    known: KNOWN_UNTIL_MERGE.find((k) => k.when(x, rule))?.name,
  }));
}
