/**
 * Account resolution as the ledger does it (src/domain/config.ts `resolveAccount`, without a
 * line override): product → its category → the warehouse → the company default. The settings
 * screen runs it for every stocked product in every warehouse to show gaps before an event
 * fails on them with MAPPING_MISSING.
 */
import type { CompanyData, Mapping } from '../../wire';

export type Level = 'product' | 'category' | 'warehouse' | 'company';

export interface Resolved {
  role: string;
  /** The account code, or undefined when no level maps the role (a gap). */
  account: string | undefined;
  /** Where the code came from. */
  level: Level | undefined;
  /** False when the product does not use the role (ppv off standard cost): no gap. */
  needed: boolean;
}

export interface PoolMapping {
  product: string;
  productName: string;
  warehouse: string | undefined;
  costingMethod: string;
  roles: Resolved[];
}

/** The roles a stocked product's events resolve; ppv only when it is costed at standard. */
export const PRODUCT_ROLES = ['inventory', 'cogs', 'sales', 'ppv'] as const;

function resolve(role: string, levels: [Level, Mapping | undefined][]): Pick<Resolved, 'account' | 'level'> {
  for (const [level, m] of levels) {
    const code = m?.[role];
    if (code !== undefined) return { account: code, level };
  }
  return { account: undefined, level: undefined };
}

/** One row per stocked product and warehouse (one per product when there are no warehouses). */
export function poolMappings(co: CompanyData): PoolMapping[] {
  const warehouses = co.warehouses.length > 0 ? co.warehouses : [undefined];
  const out: PoolMapping[] = [];
  for (const p of co.products.filter((x) => x.stocked !== false)) {
    const category = co.categories.find((c) => c.code === p.category);
    const costingMethod = p.costingMethod ?? co.settings.costingMethod;
    for (const w of warehouses) {
      const levels: [Level, Mapping | undefined][] = [['product', p.mapping], ['category', category?.mapping], ['warehouse', w?.mapping], ['company', co.mapping]];
      const roles = PRODUCT_ROLES.map((role) => ({ role, ...resolve(role, levels), needed: role !== 'ppv' || costingMethod === 'standard' }));
      out.push({ product: p.sku, productName: p.name ?? p.sku, warehouse: w?.code, costingMethod, roles });
    }
  }
  return out;
}

export function isGap(r: Resolved): boolean {
  return r.needed && r.account === undefined;
}
