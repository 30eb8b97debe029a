/**
 * Arbitraries from JSON Schemas: fast-check values that match a schema of the OpenAPI document
 * (the subset it uses: type, enum, const, properties/required/additionalProperties, items,
 * min/maxItems, oneOf/anyOf, $ref, pattern, min/maxLength, minimum/maximum). Strings of a field
 * the company knows (product, warehouse, account, …) are drawn from its vocabulary most of the
 * time, so generated requests reach the posting rules instead of stopping at "unknown product".
 */
import fc from 'fast-check';

export type Schema = Record<string, unknown>;

export interface SchemaContext {
  /** The whole OpenAPI document, for $ref. */
  root: Schema;
  /** Known values per property name (e.g. product: the company's SKUs). */
  vocabulary: Readonly<Record<string, readonly string[]>>;
}

/** Values the schema accepts: the property name picks a vocabulary. */
export function valueOf(schema: Schema, ctx: SchemaContext, name = '', depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(schema, ctx.root);
  if ('const' in s) return fc.constant(s['const']);
  if (Array.isArray(s['enum'])) return fc.constantFrom(...(s['enum'] as unknown[]));
  const alternatives = (s['oneOf'] ?? s['anyOf']) as Schema[] | undefined;
  if (alternatives !== undefined) return fc.oneof(...alternatives.map((a) => valueOf({ ...withoutAlternatives(s), ...resolve(a, ctx.root) }, ctx, name, depth)));
  switch (typeOf(s)) {
    case 'object':
      return objectOf(s, ctx, depth);
    case 'array': {
      const max = Math.min(Number(s['maxItems'] ?? 3), depth > 1 ? 1 : 3);
      return fc.array(valueOf((s['items'] as Schema | undefined) ?? {}, ctx, name, depth + 1), { minLength: Math.min(Number(s['minItems'] ?? 0), max), maxLength: max });
    }
    case 'integer':
      return fc.integer({ min: Number(s['minimum'] ?? -1000), max: Number(s['maximum'] ?? 100000) });
    case 'number':
      return fc.oneof(fc.integer({ min: Number(s['minimum'] ?? 0), max: Number(s['maximum'] ?? 1000) }), fc.double({ min: 0, max: 1000, noNaN: true, noDefaultInfinity: true }));
    case 'boolean':
      return fc.boolean();
    case 'string':
      return stringOf(s, ctx, name);
    default:
      return fc.constant(null);
  }
}

const withoutAlternatives = (s: Schema): Schema => {
  const { oneOf: _o, anyOf: _a, discriminator: _d, ...rest } = s;
  return rest;
};

/** A schema with its $ref followed (JSON pointers into the document). */
export function resolve(schema: Schema, root: Schema): Schema {
  let s = schema;
  for (let hops = 0; typeof s['$ref'] === 'string' && hops < 10; hops++) {
    const path = (s['$ref'] as string).replace(/^#\//, '').split('/');
    s = path.reduce<Schema>((at, p) => (at[decodeURIComponent(p).replace(/~1/g, '/').replace(/~0/g, '~')] ?? {}) as Schema, root);
  }
  return s;
}

function typeOf(s: Schema): string | undefined {
  const t = s['type'];
  if (Array.isArray(t)) return t.find((x) => x !== 'null') as string | undefined;
  if (typeof t === 'string') return t;
  if (s['properties'] !== undefined) return 'object';
  return undefined;
}

function objectOf(s: Schema, ctx: SchemaContext, depth: number): fc.Arbitrary<unknown> {
  const props = (s['properties'] ?? {}) as Record<string, Schema>;
  const required = new Set((s['required'] ?? []) as string[]);
  if (depth > 4) return fc.constant({});
  const shape = Object.fromEntries(Object.entries(props).map(([k, v]) => [k, valueOf(v, ctx, k, depth + 1)]));
  return fc.record(shape, { requiredKeys: Object.keys(props).filter((k) => required.has(k)) });
}

function stringOf(s: Schema, ctx: SchemaContext, name: string): fc.Arbitrary<string> {
  const known = ctx.vocabulary[name];
  const min = Number(s['minLength'] ?? 0);
  const max = Math.min(Number(s['maxLength'] ?? 24), 40);
  const free = typeof s['pattern'] === 'string' ? fc.stringMatching(new RegExp(s['pattern'])) : fc.string({ minLength: min, maxLength: Math.max(min, max) });
  return known !== undefined && known.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...known) }, { weight: 1, arbitrary: free }) : free;
}
