/**
 * The Xero connection of one company, through the official SDK (xero-node): the OAuth2 token
 * set, Xero's call limits, retries and error classification.
 *
 * - Token sets live in the sync log (action `token`), newest wins. A token about to expire is
 *   refreshed under the company's write lock, so one process refreshes at a time, and the new
 *   set is stored in that same transaction before anything uses it (Xero rotates refresh
 *   tokens: a set used but not stored would lock the company out).
 * - Limits per tenant, in this process: 5 calls in flight, 60 per rolling minute, 5,000 per day.
 *   A 429 is obeyed: wait Retry-After, then try again. `timeScale` shrinks Xero's minute for the
 *   sandbox (tests and the benchmark); against Xero it is 1.
 * - Every call has a timeout (`sync.xero.timeoutMs`, default 30 s): an answer held longer is
 *   TARGET_UNAVAILABLE at once, not retried (the request may have been applied; the engine
 *   looks the record up before sending it again).
 * - Errors: 401/403 → TARGET_AUTH (run-stopping: reconnect); 5xx, network, exhausted retries,
 *   timeouts or the day limit → TARGET_UNAVAILABLE; 400 → TARGET_REJECTED with Xero's messages
 *   verbatim.
 */
import { createRequire } from 'node:module';
import type { AxiosStatic } from 'axios';
import { XeroClient, type AccountingApi } from 'xero-node';
import { failure, FailureError, type Failure } from '../../domain/errors.js';
import { isRecord } from '../../domain/values.js';
import type { LedgerStore } from '../../store/store.js';
import type { XeroConnection } from '../config.js';

export const XERO_TARGET = 'xero';
const XERO_TOKEN_URL = 'https://identity.xero.com/connect/token';

export interface TokenSetData {
  access_token: string;
  refresh_token: string;
  /** Unix seconds. */
  expires_at: number;
  token_type?: string | undefined;
  scope?: string | undefined;
  id_token?: string | undefined;
}

export function isTokenSet(x: unknown): x is TokenSetData {
  return isRecord(x) && typeof x['access_token'] === 'string' && typeof x['refresh_token'] === 'string' && typeof x['expires_at'] === 'number';
}

export interface Limits { concurrent: number; perMinute: number; perDay: number }
export const XERO_LIMITS: Limits = { concurrent: 5, perMinute: 60, perDay: 5000 };

/**
 * xero-node require()s axios: the CommonJS build, a different instance from the one an ESM
 * `import` gets. Its token requests are only seen by interceptors on that instance.
 */
const axios = createRequire(import.meta.url)('axios') as AxiosStatic;

/** What axios says when a call's timeout passes (set as its timeoutErrorMessage, so it is recognised). */
const TIMED_OUT = 'stockbook: no answer before the timeout';

/** Token endpoint (when it is not Xero's own, e.g. the sandbox) and timeout of OAuth apps, by client id. */
const identities = new Map<string, { url: string | undefined; timeoutMs: number }>();
let interceptorInstalled = false;

/**
 * xero-node posts refreshes to Xero's fixed identity URL, with no timeout: a configured
 * identityUrl redirects them, and the connection's timeout applies.
 */
function configureIdentity(clientId: string, url: string | undefined, timeoutMs: number): void {
  identities.set(clientId, { url: url === XERO_TOKEN_URL ? undefined : url, timeoutMs });
  if (interceptorInstalled) return;
  interceptorInstalled = true;
  axios.interceptors.request.use((cfg) => {
    if (cfg.url !== XERO_TOKEN_URL) return cfg;
    const auth = String(cfg.headers?.['Authorization'] ?? '');
    const id = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString('utf8').split(':')[0] ?? '';
    const to = identities.get(id);
    if (to?.url !== undefined) cfg.url = to.url;
    if (to !== undefined) {
      cfg.timeout = to.timeoutMs;
      cfg.timeoutErrorMessage = TIMED_OUT;
    }
    return cfg;
  });
}

/** Per-tenant call limiter shared by every connection in the process. */
class Limiter {
  private inFlight = 0;
  private readonly waiters: (() => void)[] = [];
  private readonly recent: number[] = [];
  private day = { start: 0, count: 0 };
  constructor(private readonly limits: Limits, private readonly scale: number, private readonly now: () => number) {}

  private get minute(): number { return 60_000 / this.scale; }

  async acquire(): Promise<void> {
    if (this.inFlight >= this.limits.concurrent) await new Promise<void>((r) => this.waiters.push(r));
    this.inFlight++;
    for (;;) {
      const t = this.now();
      while (this.recent.length > 0 && this.recent[0]! <= t - this.minute) this.recent.shift();
      if (this.recent.length < this.limits.perMinute) break;
      await sleep(this.recent[0]! + this.minute - t + 1);
    }
    const t = this.now();
    if (t - this.day.start >= 24 * 60 * this.minute) this.day = { start: t, count: 0 };
    if (this.day.count >= this.limits.perDay) {
      this.release();
      throw new FailureError(failure('TARGET_UNAVAILABLE', `Xero's limit of ${this.limits.perDay} calls a day for this organisation is used up.`, 'Sync again tomorrow; unposted records stay queued.'));
    }
    this.day.count++;
    this.recent.push(t);
  }

  release(): void {
    this.inFlight--;
    this.waiters.shift()?.();
  }
}

const limiters = new Map<string, Limiter>();

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, Math.max(0, ms)));
}

/** What xero-node rejects with: a JSON string (API calls) or an axios error (token calls). */
interface XeroError { status: number; body: unknown; headers: Record<string, string> }

function xeroError(e: unknown): XeroError {
  let o: unknown = e;
  if (typeof e === 'string') {
    try { o = JSON.parse(e); } catch { return { status: 0, body: e, headers: {} }; }
  }
  const r = isRecord(o) && isRecord(o['response']) ? o['response'] : isRecord(o) ? o : {};
  const status = typeof r['statusCode'] === 'number' ? r['statusCode'] : typeof r['status'] === 'number' ? r['status'] : 0;
  const headers = isRecord(r['headers']) ? Object.fromEntries(Object.entries(r['headers']).map(([k, v]) => [k.toLowerCase(), String(v)])) : {};
  return { status, body: r['body'] ?? r['data'] ?? (e instanceof Error ? e.message : String(e)), headers };
}

/** Xero's validation messages from an error body (element-level or top-level), verbatim. */
export function validationMessages(body: unknown): string[] {
  const out: string[] = [];
  const walk = (x: unknown, depth: number): void => {
    if (depth > 6) return;
    if (Array.isArray(x)) return x.forEach((y) => walk(y, depth + 1));
    if (!isRecord(x)) return;
    for (const [k, v] of Object.entries(x)) {
      if ((k === 'ValidationErrors' || k === 'validationErrors') && Array.isArray(v)) v.forEach((m) => isRecord(m) && typeof (m['Message'] ?? m['message']) === 'string' && out.push(String(m['Message'] ?? m['message'])));
      else if (typeof v === 'object') walk(v, depth + 1);
    }
  };
  walk(body, 0);
  if (out.length === 0 && isRecord(body) && typeof body['Message'] === 'string') out.push(body['Message']);
  if (out.length === 0 && isRecord(body) && typeof body['Detail'] === 'string') out.push(body['Detail']);
  return [...new Set(out)];
}

export interface ConnectionOptions {
  store: LedgerStore;
  company: string;
  conn: XeroConnection;
  now?: () => number;
  limits?: Limits;
  /** Retries of one call after 429s and transient failures. Default 6. */
  retries?: number;
}

export class XeroConnectionClient {
  readonly xero: XeroClient;
  private readonly now: () => number;
  private readonly retries: number;
  private tokenLoaded: TokenSetData | undefined;
  private callCount = 0;
  private readonly limiter: Limiter;
  /** The OAuth app's secret: the configuration's, else $XERO_CLIENT_SECRET. */
  private readonly secret: string;

  constructor(private readonly o: ConnectionOptions) {
    this.now = o.now ?? Date.now;
    this.retries = o.retries ?? 6;
    this.secret = o.conn.clientSecret ?? process.env['XERO_CLIENT_SECRET'] ?? '';
    this.xero = new XeroClient({ clientId: o.conn.clientId, clientSecret: this.secret, grantType: 'refresh_token' });
    if (o.conn.apiUrl !== undefined) this.xero.accountingApi.basePath = o.conn.apiUrl;
    // xero-node applies the default authentication to every request's axios options: the timeout goes there.
    this.xero.accountingApi.setDefaultAuthentication({ applyToRequest: (req) => { req.timeout = o.conn.timeoutMs; req.timeoutErrorMessage = TIMED_OUT; } });
    configureIdentity(o.conn.clientId, o.conn.identityUrl, o.conn.timeoutMs);
    const key = `${o.conn.apiUrl ?? 'xero'}|${o.conn.tenantId ?? o.company}`;
    let l = limiters.get(key);
    if (!l) limiters.set(key, (l = new Limiter(o.limits ?? XERO_LIMITS, o.conn.timeScale, this.now)));
    this.limiter = l;
  }

  get calls(): number { return this.callCount; }

  /** Refresh a token this long before it expires (a Xero minute). */
  private get margin(): number { return 60_000 / this.o.conn.timeScale; }

  /** The sync log's target: one per Xero organisation, so a record posted to one is unposted for another. */
  get target(): string {
    return this.o.conn.tenantId === undefined ? XERO_TARGET : `${XERO_TARGET}:${this.o.conn.tenantId}`;
  }

  get tenantId(): string {
    return this.o.conn.tenantId ?? '';
  }

  private notConnected(): Failure {
    return failure('SYNC_NOT_CONFIGURED', `Company "${this.o.company}" has no Xero token set.`, `Connect it: \`stockbook sync connect --company ${this.o.company} --token-file <token set JSON>\` (the token set from Xero's OAuth2 consent flow).`, { company: this.o.company });
  }

  private authFailure(detail: string): Failure {
    return failure('TARGET_AUTH', `Xero refused the connection of company "${this.o.company}": ${detail}.`, `Reconnect to Xero (OAuth2 consent) and store the new token set with \`stockbook sync connect --company ${this.o.company} --token-file <file>\`; unposted records stay queued.`, { company: this.o.company });
  }

  /** The latest stored token set, refreshed (once, under the company lock) if it is about to expire. */
  private async token(force = false): Promise<TokenSetData> {
    const [row] = await this.o.store.syncEntries(this.o.company, this.target, { actions: ['token'], last: 1 });
    const stored = row?.data === undefined ? undefined : (JSON.parse(row.data) as unknown);
    if (!isTokenSet(stored)) throw new FailureError(this.notConnected());
    if (!force && stored.expires_at * 1000 > this.now() + this.margin) return stored;
    return this.o.store.write(this.o.company, async (tx) => {
      const [again] = await this.o.store.syncEntries(this.o.company, this.target, { actions: ['token'], last: 1 });
      const cur = JSON.parse(again!.data!) as TokenSetData;
      // Another process refreshed while we waited for the lock: use its set.
      if (cur.access_token !== stored.access_token && cur.expires_at * 1000 > this.now() + this.margin) return cur;
      let fresh: TokenSetData;
      try {
        const t = await this.xero.refreshWithRefreshToken(this.o.conn.clientId, this.secret, cur.refresh_token);
        fresh = { access_token: String(t.access_token), refresh_token: String(t.refresh_token), expires_at: Number(t.expires_at ?? Math.floor(this.now() / 1000) + 1800), token_type: t.token_type, scope: t.scope };
      } catch (e) {
        const x = xeroError(e);
        throw new FailureError(this.authFailure(`refreshing the token failed (${x.status || 'no answer'} ${JSON.stringify(x.body).slice(0, 200)})`));
      }
      await tx.appendSync([{ target: this.target, record: '', version: 0, action: 'token', run: undefined, at: new Date(this.now()).toISOString(), data: JSON.stringify(fresh) }]);
      return fresh;
    });
  }

  /** One API call under the limits, with the current token; retried on 429 and transient failures. */
  async call<T>(fn: (api: AccountingApi, tenant: string) => Promise<{ body: T }>): Promise<T> {
    let refreshed = false;
    for (let attempt = 0; ; attempt++) {
      const tok = await this.token();
      this.xero.setTokenSet(tok as unknown as Parameters<XeroClient['setTokenSet']>[0]);
      await this.limiter.acquire();
      let err: XeroError;
      try {
        this.callCount++;
        return (await fn(this.xero.accountingApi, this.tenantId)).body;
      } catch (e) {
        if (e instanceof FailureError) throw e;
        err = xeroError(e);
      } finally {
        this.limiter.release();
      }
      if (err.status === 0 && err.body === TIMED_OUT) throw new FailureError(this.timedOut());
      if (err.status === 401 && !refreshed) {
        refreshed = true;
        await this.token(true);
        continue;
      }
      if (err.status === 401 || err.status === 403) throw new FailureError(this.authFailure(`${err.status} ${validationMessages(err.body).join('; ') || 'unauthorised'}`));
      if (err.status === 429 && err.headers['x-rate-limit-problem'] === 'day') throw new FailureError(failure('TARGET_UNAVAILABLE', "Xero's daily call limit for this organisation is used up.", 'Sync again tomorrow; unposted records stay queued.'));
      const transient = err.status === 429 || err.status === 0 || err.status >= 500;
      if (transient && attempt < this.retries) {
        const after = Number(err.headers['retry-after'] ?? '1');
        await sleep(((Number.isFinite(after) ? after : 1) * 1000) / this.o.conn.timeScale);
        continue;
      }
      if (transient) throw new FailureError(failure('TARGET_UNAVAILABLE', `Xero did not answer usefully after ${attempt + 1} attempts (${err.status || 'no answer'}).`, 'Sync again later; unposted records stay queued.'));
      throw new XeroRejected(err.status, err.body);
    }
  }

  private timedOut(): Failure {
    return failure('TARGET_UNAVAILABLE', `Xero did not answer within ${this.o.conn.timeoutMs} ms (sync.xero.timeoutMs); it may still have acted on the request.`, 'Sync again later: the record stays unposted, and the next run looks it up in Xero before sending anything again.', { company: this.o.company });
  }

  /** Stores a token set obtained from Xero's consent flow (or the sandbox). */
  async connect(tokenSet: TokenSetData): Promise<void> {
    await this.o.store.write(this.o.company, (tx) => tx.appendSync([{ target: this.target, record: '', version: 0, action: 'token', run: undefined, at: new Date(this.now()).toISOString(), data: JSON.stringify(tokenSet) }]));
  }
}

/** A 4xx other than authentication: the request itself was refused. */
export class XeroRejected extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    super(`Xero refused the request (${status}): ${validationMessages(body).join('; ')}`);
  }
}
