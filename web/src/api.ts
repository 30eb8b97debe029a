/**
 * The UI talks to the same HTTP API as everyone else (/v1, OpenAPI at /docs), with the
 * signed-in company's API key. Money arrives as exact decimal strings and is shown as such.
 */
export interface Problem { code: string; title: string; detail: string; fix: string; status: number; record?: Record<string, unknown> }

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

export interface Session {
  key: string;
  company: string;
  name: string;
  role: string;
  permissions: string[];
  currency: string;
}

let current: Session | undefined;

export function session(): Session {
  if (!current) throw new Error('not signed in');
  return current;
}

export function setSession(s: Session | undefined): void {
  current = s;
}

export function can(permission: 'read' | 'post' | 'export' | 'admin'): boolean {
  return current?.permissions.includes(permission) ?? false;
}

async function problemOf(res: Response): Promise<Problem> {
  try {
    const p = (await res.json()) as Problem;
    if (typeof p.code === 'string') return p;
  } catch {
    // not a problem document
  }
  return { code: 'HTTP_' + res.status, title: res.statusText, detail: `The server answered ${res.status} ${res.statusText}.`, fix: 'Try again.', status: res.status };
}

function headers(key: string, json: boolean): Record<string, string> {
  const h: Record<string, string> = { authorization: `Bearer ${key}` };
  if (json) h['content-type'] = 'application/json';
  return h;
}

/** A JSON call; failures throw ApiError with the RFC 7807 problem. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; key?: string } = {}): Promise<T> {
  const key = init.key ?? session().key;
  const res = await fetch(path, { method: init.method ?? 'GET', headers: headers(key, init.body !== undefined), body: init.body === undefined ? null : JSON.stringify(init.body) });
  if (!res.ok) throw new ApiError(await problemOf(res));
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** A text answer (CSV). */
export async function apiText(path: string): Promise<string> {
  const res = await fetch(path, { headers: headers(session().key, false) });
  if (!res.ok) throw new ApiError(await problemOf(res));
  return res.text();
}

/** A streamed JSON Lines answer: each line is handed over as it arrives. */
export async function apiLines(path: string, body: unknown, onLine: (line: unknown) => void): Promise<void> {
  const res = await fetch(path, { method: 'POST', headers: { ...headers(session().key, true), accept: 'application/x-ndjson' }, body: JSON.stringify(body) });
  if (!res.ok || !res.body) throw new ApiError(await problemOf(res));
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line !== '') onLine(JSON.parse(line));
    }
  }
  if (buf.trim() !== '') onLine(JSON.parse(buf));
}

/** Saves a text as a file download (CSV reports). */
export function download(name: string, text: string, type = 'text/csv'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
