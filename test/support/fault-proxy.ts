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

export async function startFaultProxy(o: FaultProxyOptions): Promise<FaultProxy> {
  const upstream = new URL(o.upstream);
  const seen = new Map<string, number>();
  const counts = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let requests = 0;

  const choose = (req: IncomingMessage): FaultKind | undefined => {
    const path = (req.url ?? '').split('?')[0]!;
    if (!path.startsWith(o.pathPrefix)) return undefined;
    const key = `${req.method} ${path.slice(o.pathPrefix.length).replace(ID, ':id')}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    if (o.script) {
      const scripted = o.script(key, n);
      if (scripted !== undefined) counts[scripted]++;
      return scripted;
    }
    const [p, q] = draw(o.seed, `${key}#${n}`);
    if (p >= o.rate) return undefined;
    const kind = FAULT_KINDS[Math.floor(q * FAULT_KINDS.length)]!;
    // An answer lost after a read is just a reset: that kind is kept for writes.
    if (counts[kind] >= o.caps[kind] || (kind === 'lostAfterWrite' && req.method === 'GET')) return undefined;
    counts[kind]++;
    return kind;
  };

  const reply = (res: ServerResponse, up: Upstream): void => {
    const headers = { ...up.headers };
    delete headers['transfer-encoding'];
    headers['content-length'] = String(up.body.length);
    res.writeHead(up.status, headers);
    res.end(up.body);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    requests++;
    const body = await readBody(req);
    const fault = choose(req);
    if (fault === 'throttle') {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': String(o.retryAfterSeconds), 'x-rate-limit-problem': 'minute' });
      res.end(JSON.stringify({ Title: 'Too Many Requests', Status: 429, Detail: 'fault proxy: minute limit' }));
      return;
    }
    if (fault === 'unavailable') {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Title: 'Service Unavailable', Status: 503, Detail: 'fault proxy: unavailable' }));
      return;
    }
    if (fault === 'resetBefore') return void req.socket.destroy();
    const up = await forward(upstream, req, body);
    if (fault === 'lostAfterWrite') return void req.socket.destroy();
    if (fault === 'held') {
      const t = setTimeout(() => {
        timers.delete(t);
        req.socket.destroy();
      }, o.holdMs);
      timers.add(t);
      return;
    }
    reply(res, up);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
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
    faults: () => ({ ...counts }),
    close: async () => {
      for (const t of timers) clearTimeout(t);
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
