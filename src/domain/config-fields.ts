/**
 * The fields a company configuration may carry (docs/config.md, and docs/sync.md for `contacts`
 * and `sync`), as a tree. A configuration sent to stockbook (`PUT /v1/company`) is checked
 * against it, so a misspelt or unknown field is refused by name instead of being stored and
 * silently ignored. Configurations already stored are not re-checked.
 */
import { failure, type Failure } from './errors.js';
import { isRecord } from './values.js';

/** An object's known fields (each a subtree), an array of one shape, or a leaf value. */
type Shape = { fields: Readonly<Record<string, Shape>> } | { items: Shape } | 'leaf' | 'mapping';

const leaf = 'leaf' as const;
const obj = (fields: Record<string, Shape>): Shape => ({ fields });
const list = (item: Record<string, Shape>): Shape => ({ items: obj(item) });

/** A mapping's keys are roles, which loadConfig checks with its own message. */
const mapping = 'mapping' as const;

export const CONFIG_SHAPE: Shape = obj({
  company: obj({ id: leaf, name: leaf, baseCurrency: leaf }),
  settings: obj({ costingMethod: leaf, cogsTiming: leaf, purchaseRecognition: leaf, negativeStock: leaf, rounding: leaf, lockDate: leaf, lockMode: leaf, inventorySystem: leaf }),
  accounts: list({ code: leaf, name: leaf, type: leaf }),
  mapping,
  warehouses: list({ code: leaf, name: leaf, mapping }),
  categories: list({ code: leaf, name: leaf, mapping }),
  products: list({ sku: leaf, name: leaf, category: leaf, stocked: leaf, costingMethod: leaf, standardCost: leaf, mapping }),
  contacts: list({ code: leaf, name: leaf, contactNumber: leaf, email: leaf, termsDays: leaf }),
  sync: obj({
    target: leaf, tolerance: leaf, salesTaxType: leaf, purchaseTaxType: leaf, noTaxType: leaf, salesTermsDays: leaf, billTermsDays: leaf,
    xero: obj({ clientId: leaf, clientSecret: leaf, tenantId: leaf, apiUrl: leaf, identityUrl: leaf, timeScale: leaf }),
  }),
});

/** The paths of fields the configuration carries that are not in the shape (`products[3].colour`), at most `limit`. */
export function unknownConfigFields(raw: unknown, limit = 10): string[] {
  const out: string[] = [];
  const walk = (v: unknown, shape: Shape, path: string): void => {
    if (out.length >= limit || shape === leaf || shape === mapping) return;
    if ('items' in shape) {
      if (Array.isArray(v)) v.forEach((item, i) => walk(item, shape.items, `${path}[${i}]`));
      return;
    }
    if (!isRecord(v)) return;
    for (const [k, child] of Object.entries(v)) {
      const at = path === '' ? k : `${path}.${k}`;
      const known = Object.hasOwn(shape.fields, k) ? shape.fields[k] : undefined;
      if (known === undefined) {
        if (out.length < limit) out.push(at);
      } else walk(child, known, at);
    }
  };
  walk(raw, CONFIG_SHAPE, '');
  return out;
}

/**
 * INVALID_CONFIG naming the unknown fields of a configuration sent to stockbook (`PUT
 * /v1/company`, `import --config`, `post --config`), or undefined when every field is known.
 */
export function configFieldsFailure(raw: unknown, company: string | undefined, keysHint: string): Failure | undefined {
  const unknown = unknownConfigFields(raw);
  if (unknown.length === 0) return undefined;
  const names = unknown.join(', ');
  return failure(
    'INVALID_CONFIG',
    `The configuration carries ${unknown.length === 1 ? 'a field' : 'fields'} stockbook does not know: ${names}.`,
    `Remove or correct ${names}; docs/config.md (and docs/sync.md for contacts and sync) lists every field. ${keysHint}`,
    { ...(company === undefined ? {} : { company }), field: unknown[0]! },
  );
}
