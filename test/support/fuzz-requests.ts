/**
 * Fuzz requests: one generated HTTP request per draw, over the operations of the OpenAPI
 * document, each valid (parameters and body from the route's schemas) or hostile (one hostile
 * value, a dropped or unknown field, a duplicated parameter, a body that is not JSON, a wrong
 * content type, no key, a forged key or a key of a role without the permission).
 */
import fc from 'fast-check';
import { HOSTILE_STRINGS, hostileValue, mutated } from './hostile.js';
import { resolve, valueOf, type Schema, type SchemaContext } from './schema-arb.js';

export interface Operation {
  method: 'GET' | 'POST' | 'PUT';
  /** The OpenAPI path, e.g. /v1/events/{id}. */
  route: string;
  parameters: { name: string; in: 'path' | 'query'; required: boolean; schema: Schema }[];
  body: Schema | undefined;
}

export type KeyChoice = 'admin' | 'poster' | 'viewer' | 'exporter' | 'none' | 'malformed' | 'forged' | 'not-bearer';

export interface FuzzRequest {
  op: Operation;
  url: string;
  key: KeyChoice;
  /** A JSON body, or raw text sent as is (`raw`). */
  body: { json: unknown } | { raw: string } | undefined;
  contentType: string | undefined;
  hostile: boolean;
}

/** The operations of an OpenAPI document (GET, POST and PUT). */
export function operationsOf(doc: Schema): Operation[] {
  const out: Operation[] = [];
  for (const [route, ops] of Object.entries(doc['paths'] as Record<string, Record<string, Schema>>)) {
    for (const [m, op] of Object.entries(ops)) {
      const method = m.toUpperCase();
      if (method !== 'GET' && method !== 'POST' && method !== 'PUT') continue;
      const content = ((op['requestBody'] as Schema | undefined)?.['content'] ?? {}) as Record<string, Schema>;
      const body = content['application/json']?.['schema'] as Schema | undefined;
      const parameters = ((op['parameters'] ?? []) as Schema[]).map((p) => resolve(p, doc) as unknown as Operation['parameters'][number]);
      out.push({ method, route, parameters, body });
    }
  }
  return out;
}

/** Text as a client would put it in a URL: encoded, or (for hostile text) sometimes raw. */
function urlText(s: string, raw: boolean): string {
  if (raw) return s.replace(/[ #?&/]/g, (c) => encodeURIComponent(c));
  try {
    return encodeURIComponent(s);
  } catch {
    // A lone surrogate: its UTF-16 code unit as CESU-8 bytes, which is what a careless client sends.
    return [...s].map((c) => (c.length === 1 && c.charCodeAt(0) >= 0xd800 && c.charCodeAt(0) <= 0xdfff ? `%${[0xe0 | (c.charCodeAt(0) >> 12), 0x80 | ((c.charCodeAt(0) >> 6) & 0x3f), 0x80 | (c.charCodeAt(0) & 0x3f)].map((b) => b.toString(16).toUpperCase()).join('%')}` : encodeURIComponent(c))).join('');
  }
}

const asText = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v) ?? '');
const hostileText = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), hostileValue.map(asText));

type Parts = { path: Record<string, string>; query: [string, string][] };

/** Path and query parameters, valid; `hostile` replaces, drops, duplicates or adds one. */
function parametersOf(op: Operation, ctx: SchemaContext, hostile: boolean): fc.Arbitrary<{ parts: Parts; raw: boolean }> {
  const each = op.parameters.map((p) => {
    const v = valueOf(p.schema, ctx, p.in === 'path' ? `${op.route}:${p.name}` : p.name).map(asText);
    return p.required || p.in === 'path' ? v.map((x) => [p.name, x] as const) : fc.option(v.map((x) => [p.name, x] as const), { nil: undefined, freq: 2 });
  });
  const valid = fc.tuple(...each).map((list) => {
    const parts: Parts = { path: {}, query: [] };
    list.forEach((entry, i) => {
      if (entry === undefined) return;
      if (op.parameters[i]!.in === 'path') parts.path[entry[0]] = entry[1];
      else parts.query.push([entry[0], entry[1]]);
    });
    return parts;
  });
  if (!hostile || op.parameters.length === 0) return valid.map((parts) => ({ parts, raw: false }));
  const names = op.parameters.map((p) => p.name);
  return fc.tuple(valid, fc.constantFrom(...names), hostileText, fc.constantFrom('replace', 'replace', 'replace', 'drop', 'duplicate', 'unknown'), fc.boolean()).map(([parts, name, text, how, raw]) => {
    const isPath = op.parameters.find((p) => p.name === name)!.in === 'path';
    const path = { ...parts.path };
    let query = parts.query.filter(([n]) => n !== name || how === 'duplicate' || how === 'unknown');
    if (how === 'replace' && isPath) path[name] = text;
    else if (how === 'replace') query = [...query, [name, text]];
    else if (how === 'duplicate') query = [...query, [name, text], [name, text]];
    else if (how === 'unknown') query = [...query, ['unknownParam', text]];
    else if (isPath) path[name] = '';
    return { parts: { path, query }, raw };
  });
}

function urlOf(op: Operation, parts: Parts, raw: boolean): string {
  const path = op.route.replace(/\{(\w+)\}/g, (_m, n: string) => urlText(parts.path[n] ?? '', raw));
  const query = parts.query.map(([n, v]) => `${encodeURIComponent(n)}=${urlText(v, raw)}`).join('&');
  return query === '' ? path : `${path}?${query}`;
}

/** Bodies: the route's own examples (`bodies`) or values of its schema, then maybe mutated. */
function bodyOf(op: Operation, ctx: SchemaContext, bodies: readonly unknown[], hostile: boolean): fc.Arbitrary<Pick<FuzzRequest, 'body' | 'contentType'>> {
  if (op.body === undefined) {
    if (!hostile) return fc.constant({ body: undefined, contentType: undefined });
    return fc.option(hostileValue.map((json) => ({ body: { json }, contentType: 'application/json' })), { nil: { body: undefined, contentType: undefined }, freq: 3 });
  }
  const fromSchema = valueOf(op.body, ctx, op.route);
  const valid = bodies.length > 0 ? fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...bodies) }, { weight: 2, arbitrary: fromSchema }) : fromSchema;
  const json = (v: fc.Arbitrary<unknown>): fc.Arbitrary<Pick<FuzzRequest, 'body' | 'contentType'>> => v.map((j) => ({ body: { json: j }, contentType: 'application/json' }));
  if (!hostile) return json(valid);
  return fc.oneof(
    { weight: 8, arbitrary: json(valid.chain(mutated)) },
    { weight: 1, arbitrary: json(hostileValue) },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', 'nul', '\u0000', '[1,2', '{"id":"\uD800"}', '"x"', '1e999999').map((raw) => ({ body: { raw }, contentType: 'application/json' })) },
    { weight: 1, arbitrary: fc.constantFrom('text/plain', 'application/xml', 'application/json; charset=latin-9', 'multipart/form-data; boundary=x', 'application/x-www-form-urlencoded').chain((contentType) => valid.map((v) => ({ body: { raw: JSON.stringify(v) }, contentType }))) },
  );
}

const VALID_KEYS: fc.Arbitrary<KeyChoice> = fc.oneof({ weight: 5, arbitrary: fc.constant<KeyChoice>('admin') }, { weight: 3, arbitrary: fc.constantFrom<KeyChoice>('poster', 'viewer', 'exporter') });
const HOSTILE_KEYS: fc.Arbitrary<KeyChoice> = fc.constantFrom<KeyChoice>('none', 'malformed', 'forged', 'not-bearer', 'viewer', 'poster', 'exporter');

/** Routes that take the richest input get more draws (the rest one share each). */
const WEIGHTS: Readonly<Record<string, number>> = { 'POST /v1/events': 8, 'PUT /v1/company': 2 };

/**
 * One request to one of `ops` (every route is hit; the event route most): 45% valid, 40% hostile
 * parameters or body, 15% hostile authentication of an otherwise valid request.
 */
export function fuzzRequest(ops: readonly Operation[], ctx: SchemaContext, bodies: Readonly<Record<string, readonly unknown[]>>): fc.Arbitrary<FuzzRequest> {
  const route = fc.oneof(...ops.map((op) => ({ weight: WEIGHTS[`${op.method} ${op.route}`] ?? 1, arbitrary: fc.constant(op) })));
  const built = new Map<string, fc.Arbitrary<FuzzRequest>>();
  const requestOf = (op: Operation, mode: 'valid' | 'input' | 'auth'): fc.Arbitrary<FuzzRequest> => {
    const hostile = mode === 'input';
    const examples = bodies[`${op.method} ${op.route}`] ?? [];
    return fc.record({ params: parametersOf(op, ctx, hostile), body: bodyOf(op, ctx, examples, hostile), key: mode === 'auth' ? HOSTILE_KEYS : VALID_KEYS }).map(({ params, body, key }) => ({
      op,
      url: urlOf(op, params.parts, params.raw),
      key,
      ...body,
      hostile: mode !== 'valid',
    }));
  };
  return fc.tuple(route, fc.constantFrom('valid', 'valid', 'valid', 'input', 'input', 'input', 'auth') as fc.Arbitrary<'valid' | 'input' | 'auth'>).chain(([op, mode]) => {
    const k = `${op.method} ${op.route} ${mode}`;
    if (!built.has(k)) built.set(k, requestOf(op, mode));
    return built.get(k)!;
  });
}
