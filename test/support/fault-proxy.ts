/**
 * A fault-injecting HTTP proxy, put between the sync and the Xero sandbox in the hostile suite
 * (test/sync-faults.test.ts). It forwards every request, except that a seeded share of them
 * meets one of the faults a network and Xero can produce:
 *
 *   throttle        429 with Retry-After, not forwarded
 *   unavailable     503, not forwarded
 *   resetBefore     the connection is reset before the request is forwarded
 *   lostAfterWrite  a write forwarded (the sandbox acts on it), then the connection reset unanswered
 *   held            forwarded, and the answer held longer than the client's timeout, then reset
 *
 * Which request gets which fault is a function of the seed, the request's method and path
 * (ids masked) and how many such requests came before: the same seed gives the same faults
 * whatever order concurrent requests arrive in. Each kind has a cap, so a run is bounded.
 */
import { createHash } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export const FAULT_KINDS = ['throttle', 'unavailable', 'resetBefore', 'lostAfterWrite', 'held'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultProxyOptions {
  /** Where requests go: the sandbox's origin, e.g. http://127.0.0.1:4567. */
  upstream: string;
  seed: number;
  /** Share of requests that meet a fault (0–1), while the kind's cap allows. */
  rate: number;
  /** Most faults of each kind. */
  caps: Record<FaultKind, number>;
  /** How long a held answer is held (longer than the client's timeout), in ms. */
  holdMs: number;
  /** Retry-After of a 429, in (Xero) seconds. */
  retryAfterSeconds: number;
  /** Only requests whose path starts with this are faulted (the Accounting API, not the token endpoint). */
  pathPrefix: string;
  /**
   * Instead of the seeded draw: the fault for the n-th (from 1) request of this method and path
   * (ids masked as :id, without the prefix), e.g. `(route, n) => route === 'PUT /Invoices' && n === 1 ? 'held' : undefined`.
   */
  script?: ((route: string, n: number) => FaultKind | undefined) | undefined;
}

/** Options for a proxy in front of a sandbox's Accounting API. */
export function proxyOptions(sb: { url: string; apiBase: string }, o: Partial<FaultProxyOptions> & Pick<FaultProxyOptions, 'holdMs'>): FaultProxyOptions {
  const none = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  return { upstream: sb.url, pathPrefix: new URL(sb.apiBase).pathname, seed: 0, rate: 0, caps: none, retryAfterSeconds: 1, ...o };
}

/** The Accounting API base to configure (sync.xero.apiUrl) so calls go through the proxy. */
export function apiThrough(proxy: FaultProxy, sb: { apiBase: string }): string {
  return proxy.origin + new URL(sb.apiBase).pathname;
}

export interface FaultProxy {
  /** The proxy's origin, to put in place of the sandbox's. */
  origin: string;
  requests(): number;
  faults(): Record<FaultKind, number>;
  close(): Promise<void>;
}

const ID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** A number in [0, 1) and a second one, from the seed and the request's place among its kind. */
function draw(seed: number, key: string): [number, number] {
  const h = createHash('sha256').update(`${seed}\u0000${key}`).digest();
  return [h.readUInt32BE(0) / 2 ** 32, h.readUInt32BE(4) / 2 ** 32];
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

interface Upstream { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

function forward(upstream: URL, req: IncomingMessage, body: Buffer): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const headers = { ...req.headers, host: upstream.host };
    const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (res) => {
      readBody(res).then((b) => resolve({ status: res.statusCode ?? 502, headers: res.headers, body: b }), reject);
    });
    out.on('error', reject);
    out.end(body);
  });
}

/** Which request meets which fault: the script's choice, or the seeded draw within the caps. */
class FaultPlan {
  readonly counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  private readonly seen = new Map<string, number>();
  constructor(private readonly o: FaultProxyOptions) {}

  choose(req: IncomingMessage): FaultKind | undefined {
    const path = (req.url ?? '').split('?')[0]!;
    if (!path.startsWith(this.o.pathPrefix)) return undefined;
    const key = `${req.method} ${path.slice(this.o.pathPrefix.length).replace(ID, ':id')}`;
    const n = (this.seen.get(key) ?? 0) + 1;
    this.seen.set(key, n);
    const kind = this.o.script ? this.o.script(key, n) : this.drawn(key, n, req.method === 'GET');
    if (kind !== undefined) this.counts[kind]++;
    return kind;
  }

  private drawn(key: string, n: number, read: boolean): FaultKind | undefined {
    const [p, q] = draw(this.o.seed, `${key}#${n}`);
    if (p >= this.o.rate) return undefined;
    const kind = FAULT_KINDS[Math.floor(q * FAULT_KINDS.length)]!;
    // An answer lost after a read is just a reset: that kind is kept for writes.
    return this.counts[kind] >= this.o.caps[kind] || (kind === 'lostAfterWrite' && read) ? undefined : kind;
  }
}

function reply(res: ServerResponse, status: number, headers: Record<string, string | string[] | undefined>, body: Buffer): void {
  const h: Record<string, string | string[] | undefined> = { ...headers, 'content-length': String(body.length) };
  delete h['transfer-encoding'];
  res.writeHead(status, h);
  res.end(body);
}

/** One request: answered by the fault, or forwarded (and then perhaps never answered). */
async function handle(o: FaultProxyOptions, plan: FaultPlan, timers: Set<NodeJS.Timeout>, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const fault = plan.choose(req);
  if (fault === 'throttle' || fault === 'unavailable') {
    const status = fault === 'throttle' ? 429 : 503;
    const headers = fault === 'throttle' ? { 'retry-after': String(o.retryAfterSeconds), 'x-rate-limit-problem': 'minute' } : {};
    return reply(res, status, { 'content-type': 'application/json', ...headers }, Buffer.from(JSON.stringify({ Status: status, Detail: `fault proxy: ${fault}` })));
  }
  if (fault === 'resetBefore') return void req.socket.destroy();
  const up = await forward(new URL(o.upstream), req, body);
  if (fault === 'lostAfterWrite') return void req.socket.destroy();
  if (fault === 'held') {
    const t = setTimeout(() => {
      timers.delete(t);
      req.socket.destroy();
    }, o.holdMs);
    timers.add(t);
    return;
  }
  reply(res, up.status, up.headers, up.body);
}

export async function startFaultProxy(o: FaultProxyOptions): Promise<FaultProxy> {
  const plan = new FaultPlan(o);
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    handle(o, plan, timers, req, res).catch(() => req.socket.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests: () => requests,
    faults: () => ({ ...plan.counts }),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
