/**
 * The fuzz suite's rules: what an answer to a generated request must be, and the failure class
 * (rule, status, code, route) of each rule an answer breaks.
 */
import type { FuzzRequest } from './fuzz-requests.js';

export interface Answer { status: number; type: string; body: string }
export interface LedgerState { events: bigint; tb: string }

export interface Verdict {
  /** The failure class: rule, status, code (or content type) and route. */
  key: string;
}

export interface Exchange {
  request: FuzzRequest;
  answer: Answer;
  before: LedgerState;
  after: LedgerState;
  documented: ReadonlySet<string>;
}

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

/** The failure classes of one exchange (none when the answer is right). */
export function fuzzVerdict(x: Exchange): Verdict[] {
  return broken(x).map((rule) => ({ key: `${rule}: ${x.answer.status} ${codeOf(x.answer)} on ${x.request.op.method} ${x.request.op.route}` }));
}
