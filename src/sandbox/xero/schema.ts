/**
 * Xero's own OpenAPI document (vendor/xero/xero_accounting.yaml) as the sandbox's contract:
 * every request body is checked against the operation's requestBody schema and every 200
 * response against its response schema, so the sandbox can neither accept what Xero would not
 * parse nor answer in a shape the SDK does not expect.
 *
 * The document is read and compiled once per process (it is ~900 KB; compiling is the slow
 * part, validating is fast). All component schemas are added to one ajv instance under one $id,
 * so the spec's own `#/components/schemas/X` references resolve unchanged.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import * as formats from 'ajv-formats';
import { isRecord } from '../../domain/values.js';

const SPEC_URL = new URL('../../../vendor/xero/xero_accounting.yaml', import.meta.url);
const ROOT_ID = 'xero-accounting';

type Json = Record<string, unknown>;

interface Spec {
  ajv: Ajv;
  schemas: Json;
  paths: Json;
  validators: Map<string, ValidateFunction | null>;
}

let cached: Spec | undefined;

/** ajv-formats is CommonJS; under NodeNext its plugin is the module's default export object. */
function addFormats(ajv: Ajv): void {
  const plugin = (formats as unknown as { default: (a: Ajv) => Ajv }).default;
  plugin(ajv);
  // OpenAPI's numeric formats only describe the storage size; the JSON type is checked already.
  for (const f of ['double', 'float', 'int32', 'int64']) ajv.addFormat(f, { type: 'number', validate: () => true });
}

function load(): Spec {
  if (cached) return cached;
  const doc: unknown = parse(readFileSync(fileURLToPath(SPEC_URL), 'utf8'));
  if (!isRecord(doc) || !isRecord(doc.components) || !isRecord(doc.components.schemas) || !isRecord(doc.paths)) {
    throw new Error('assertion: vendor/xero/xero_accounting.yaml is not an OpenAPI document');
  }
  // strict:false because the spec carries OpenAPI keywords (example, x-*, externalDocs) that are
  // not JSON Schema; ajv 8 understands OpenAPI's `nullable` itself. No defaults, no coercion:
  // the check must not change the body it checks.
  const ajv = new Ajv({ strict: false, allErrors: true, useDefaults: false, coerceTypes: false });
  addFormats(ajv);
  ajv.addSchema({ $id: ROOT_ID, components: { schemas: doc.components.schemas } });
  cached = { ajv, schemas: doc.components.schemas, paths: doc.paths, validators: new Map() };
  return cached;
}

/** The `$ref` of an operation's JSON request body or 200 response, if it has one. */
function operationRef(spec: Spec, method: string, path: string, part: 'request' | 'response'): string | undefined {
  const item = spec.paths[path];
  const op = isRecord(item) ? item[method.toLowerCase()] : undefined;
  if (!isRecord(op)) throw new Error(`assertion: the spec has no ${method} ${path}`);
  const holder = part === 'request' ? op.requestBody : isRecord(op.responses) ? op.responses['200'] : undefined;
  const content = isRecord(holder) && isRecord(holder.content) ? holder.content['application/json'] : undefined;
  const schema = isRecord(content) ? content.schema : undefined;
  return isRecord(schema) && typeof schema.$ref === 'string' ? schema.$ref : undefined;
}

/** The compiled validator of one operation's request or response (null if it has no body). */
export function validatorFor(method: string, path: string, part: 'request' | 'response'): ValidateFunction | null {
  const spec = load();
  const key = `${part} ${method} ${path}`;
  const known = spec.validators.get(key);
  if (known !== undefined) return known;
  const ref = operationRef(spec, method, path, part);
  const fn = ref ? spec.ajv.compile({ $ref: `${ROOT_ID}${ref}` }) : null;
  spec.validators.set(key, fn);
  return fn;
}

/** ajv's errors as one line ("body/Invoices/0/LineItems must be array; …"). */
export function errorsText(errors: ErrorObject[] | null | undefined): string {
  return load().ajv.errorsText(errors, { dataVar: 'body', separator: '; ' });
}

/** Loads and compiles everything the sandbox uses, so the first call is not the slow one. */
export function warmUp(operations: ReadonlyArray<{ method: string; specPath: string }>): void {
  for (const op of operations) {
    validatorFor(op.method, op.specPath, 'request');
    validatorFor(op.method, op.specPath, 'response');
  }
}

function deref(spec: Spec, node: unknown): Json | undefined {
  let n = node;
  for (let i = 0; i < 10 && isRecord(n) && typeof n.$ref === 'string'; i++) {
    n = spec.schemas[n.$ref.replace('#/components/schemas/', '')];
  }
  return isRecord(n) ? n : undefined;
}

/**
 * Whether a dotted field path exists on a component schema (`Contact.ContactNumber` on
 * `Invoice`), following $refs and arrays, so a `where` filter can reject unknown fields the way
 * Xero does instead of silently matching nothing.
 */
export function schemaHasPath(schemaName: string, path: readonly string[]): boolean {
  const spec = load();
  let node = deref(spec, spec.schemas[schemaName]);
  for (const name of path) {
    const props = node && isRecord(node.properties) ? node.properties : undefined;
    const key = props ? Object.keys(props).find((k) => k.toLowerCase() === name.toLowerCase()) : undefined;
    if (!props || key === undefined) return false;
    node = deref(spec, props[key]);
    if (node && node.type === 'array') node = deref(spec, node.items);
  }
  return true;
}
