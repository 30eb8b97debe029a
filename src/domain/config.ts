/**
 * Company configuration: chart of accounts, account-role mappings at each level, products,
 * warehouses, categories and settings. `loadConfig` turns the documented JSON (docs/config.md)
 * into a checked, indexed `Company`; account resolution walks line override → product →
 * category → warehouse → company default and fails with MAPPING_MISSING naming every level.
 */
import { isRoundingMode, type RoundingMode, DEFAULT_ROUNDING } from './rounding.js';
import { isCurrencyCode } from './money.js';
import { isRecord } from './values.js';
import { formatTrimmed, parseDecimal, UNIT_COST_SCALE } from './decimal.js';
import { failure, fail, ok, err, type Failure, type Result } from './errors.js';
import { readDate, type CalendarDate, type DateSource } from './calendar-date.js';
import { MAX_UNIT_COST, withinBound } from './bounds.js';
import { findTextFlaw, invalidText } from './text.js';

export const ROLES = [
  'inventory', 'cogs', 'ap', 'ar', 'sales', 'tax', 'bank', 'supplierDeposits', 'customerPrepayments',
  'inventoryDiscrepancy', 'wip', 'labour', 'overheads', 'ppv', 'grni', 'rounding', 'writeOff', 'expense',
] as const;
export type Role = (typeof ROLES)[number];

export const COSTING_METHODS = ['fifo', 'fefo', 'lifo', 'average', 'standard', 'specific'] as const;
export type CostingMethod = (typeof COSTING_METHODS)[number];

/** Xero's account types, so a chart can be synced without translation. */
export const ACCOUNT_TYPES = [
  'BANK', 'CURRENT', 'CURRLIAB', 'DEPRECIATN', 'DIRECTCOSTS', 'EQUITY', 'EXPENSE', 'FIXED', 'INVENTORY',
  'LIABILITY', 'NONCURRENT', 'OTHERINCOME', 'OVERHEADS', 'PREPAYMENT', 'REVENUE', 'SALES', 'TERMLIAB',
] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

export type Mapping = Partial<Record<Role, string>>;

export interface Account { code: string; name: string; type: AccountType }
export interface Warehouse { code: string; name: string; mapping: Mapping }
export interface Category { code: string; name: string; mapping: Mapping }
export interface Product {
  sku: string;
  name: string;
  category: string | undefined;
  /** false for services / non-inventory items: they never enter a cost pool. */
  stocked: boolean;
  costingMethod: CostingMethod;
  /** Standard cost in minor units per QTY_ONE at UNIT_COST_SCALE precision (major units). */
  standardCost: bigint | undefined;
  mapping: Mapping;
}

export interface Settings {
  costingMethod: CostingMethod;
  cogsTiming: 'shipment' | 'invoice';
  purchaseRecognition: 'bill' | 'receipt';
  negativeStock: 'block' | 'allow';
  rounding: RoundingMode;
  /** Journals may not be dated on or before this date (YYYY-MM-DD). */
  lockDate: CalendarDate | undefined;
  /** reject: refuse such events (PERIOD_LOCKED); shift: date their journals at the first open date. */
  lockMode: 'reject' | 'shift';
  /** perpetual: every movement posts; periodic: movements value stock, only count exports post to inventory (seed 002). */
  inventorySystem: 'perpetual' | 'periodic';
}

export interface Company {
  id: string;
  name: string;
  baseCurrency: string;
  settings: Settings;
  accounts: ReadonlyMap<string, Account>;
  mapping: Mapping;
  warehouses: ReadonlyMap<string, Warehouse>;
  categories: ReadonlyMap<string, Category>;
  products: ReadonlyMap<string, Product>;
}

export interface AccountContext {
  product?: string | undefined;
  warehouse?: string | undefined;
  override?: string | undefined;
  event?: string | undefined;
}

type Raw = Record<string, unknown>;

const isObj: (x: unknown) => x is Raw = isRecord;

class ConfigReader {
  constructor(readonly source: DateSource) {}
  problems: string[] = [];
  /** Date fields that are not real dates: the configuration is then refused as INVALID_DATE. */
  badDates: Failure[] = [];
  str(o: Raw, key: string, where: string, required = true): string | undefined {
    const v = o[key];
    if (v === undefined && !required) return undefined;
    if (typeof v !== 'string' || v.trim() === '') {
      this.problems.push(`${where}.${key} must be a non-empty string`);
      return undefined;
    }
    return v;
  }
  list(o: Raw, key: string, where: string): Raw[] {
    const v = o[key];
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every(isObj)) {
      this.problems.push(`${where}.${key} must be an array of objects`);
      return [];
    }
    return v;
  }
  mapping(o: Raw, where: string): Mapping {
    const v = o['mapping'];
    if (v === undefined) return {};
    if (!isObj(v)) {
      this.problems.push(`${where}.mapping must be an object of role → account code`);
      return {};
    }
    const out: Mapping = {};
    for (const [role, code] of Object.entries(v)) {
      if (!(ROLES as readonly string[]).includes(role)) this.problems.push(`${where}.mapping: unknown role "${role}" (roles: ${ROLES.join(', ')})`);
      else if (typeof code !== 'string') this.problems.push(`${where}.mapping.${role} must be an account code string`);
      else out[role as Role] = code;
    }
    return out;
  }
  oneOf<T extends string>(o: Raw, key: string, where: string, allowed: readonly T[], dflt: T): T {
    const v = o[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
      this.problems.push(`${where}.${key} must be one of ${allowed.join(', ')}`);
      return dflt;
    }
    return v as T;
  }
}

function readSettings(r: ConfigReader, raw: unknown): Settings {
  const s = isObj(raw) ? raw : {};
  const rounding = s['rounding'] ?? DEFAULT_ROUNDING;
  if (!isRoundingMode(rounding)) r.problems.push(`settings.rounding "${String(rounding)}" is not a rounding mode`);
  return {
    costingMethod: r.oneOf(s, 'costingMethod', 'settings', COSTING_METHODS, 'fifo'),
    cogsTiming: r.oneOf(s, 'cogsTiming', 'settings', ['shipment', 'invoice'] as const, 'shipment'),
    purchaseRecognition: r.oneOf(s, 'purchaseRecognition', 'settings', ['bill', 'receipt'] as const, 'bill'),
    negativeStock: r.oneOf(s, 'negativeStock', 'settings', ['block', 'allow'] as const, 'block'),
    rounding: isRoundingMode(rounding) ? rounding : DEFAULT_ROUNDING,
    lockDate: readLockDate(r, s['lockDate']),
    lockMode: r.oneOf(s, 'lockMode', 'settings', ['reject', 'shift'] as const, 'reject'),
    inventorySystem: r.oneOf(s, 'inventorySystem', 'settings', ['perpetual', 'periodic'] as const, 'perpetual'),
  };
}

function readLockDate(r: ConfigReader, v: unknown): CalendarDate | undefined {
  if (v === undefined || v === null) return undefined;
  const d = readDate(r.source, 'settings.lockDate', v);
  if (d.ok) return d.value;
  r.problems.push(d.error.message.replace(/\.$/, ''));
  r.badDates.push(d.error);
  return undefined;
}

function indexUnique<T extends { code: string }>(r: ConfigReader, items: T[], what: string): Map<string, T> {
  const m = new Map<string, T>();
  for (const it of items) {
    if (m.has(it.code)) r.problems.push(`${what} "${it.code}" is defined twice`);
    m.set(it.code, it);
  }
  return m;
}

function readProduct(r: ConfigReader, p: Raw, i: number, settings: Settings): Product {
  const where = `products[${i}]`;
  const sku = r.str(p, 'sku', where) ?? `#${i}`;
  let standardCost: bigint | undefined;
  if (p['standardCost'] !== undefined) {
    const parsed = typeof p['standardCost'] === 'string' ? parseDecimal(p['standardCost'], UNIT_COST_SCALE) : undefined;
    if (!parsed || !parsed.ok) r.problems.push(`${where}.standardCost must be a decimal string such as "12.50"`);
    else if (!withinBound(parsed.value, MAX_UNIT_COST)) r.problems.push(`${where}.standardCost is outside the bound of ±${formatTrimmed(MAX_UNIT_COST, UNIT_COST_SCALE)} (docs/design.md, "Bounds")`);
    else standardCost = parsed.value;
  }
  if (p['stocked'] !== undefined && typeof p['stocked'] !== 'boolean') r.problems.push(`${where}.stocked must be true or false`);
  const stocked = p['stocked'] !== false;
  const costingMethod = r.oneOf(p, 'costingMethod', where, COSTING_METHODS, settings.costingMethod);
  if (costingMethod === 'standard' && standardCost === undefined) r.problems.push(`${where} (${sku}) is costed at standard but has no standardCost`);
  return { sku, name: r.str(p, 'name', where, false) ?? sku, category: r.str(p, 'category', where, false), stocked, costingMethod, standardCost, mapping: r.mapping(p, where) };
}

/**
 * Checks and indexes a raw configuration object. All problems are reported at once. A stored
 * configuration (`source` "store") keeps a lockDate stored before dates were checked.
 */
export function loadConfig(raw: unknown, source: DateSource = 'input'): Result<Company> {
  const r = new ConfigReader(source);
  if (!isObj(raw)) return err(failure('INVALID_CONFIG', 'The configuration must be a JSON object.', 'See docs/config.md for the format.'));
  const flaw = findTextFlaw(raw, '');
  if (flaw) return err(invalidText('The configuration', flaw));
  const company = isObj(raw['company']) ? raw['company'] : {};
  const id = r.str(company, 'id', 'company') ?? '';
  const baseCurrency = r.str(company, 'baseCurrency', 'company') ?? 'USD';
  if (!isCurrencyCode(baseCurrency)) r.problems.push(`company.baseCurrency "${baseCurrency}" is not an ISO 4217 code`);
  const settings = readSettings(r, raw['settings']);
  const accountsList = r.list(raw, 'accounts', 'config').map((a, i) => ({
    code: r.str(a, 'code', `accounts[${i}]`) ?? `#${i}`,
    name: r.str(a, 'name', `accounts[${i}]`) ?? '',
    type: r.oneOf(a, 'type', `accounts[${i}]`, ACCOUNT_TYPES, 'CURRENT'),
  }));
  const accounts = indexUnique(r, accountsList, 'account');
  const warehouses = indexUnique(r, r.list(raw, 'warehouses', 'config').map((w, i) => ({
    code: r.str(w, 'code', `warehouses[${i}]`) ?? `#${i}`, name: r.str(w, 'name', `warehouses[${i}]`, false) ?? '', mapping: r.mapping(w, `warehouses[${i}]`),
  })), 'warehouse');
  const categories = indexUnique(r, r.list(raw, 'categories', 'config').map((c, i) => ({
    code: r.str(c, 'code', `categories[${i}]`) ?? `#${i}`, name: r.str(c, 'name', `categories[${i}]`, false) ?? '', mapping: r.mapping(c, `categories[${i}]`),
  })), 'category');
  const productList = r.list(raw, 'products', 'config').map((p, i) => readProduct(r, p, i, settings));
  const products = new Map<string, Product>();
  for (const p of productList) {
    if (products.has(p.sku)) r.problems.push(`product "${p.sku}" is defined twice`);
    if (p.category !== undefined && !categories.has(p.category)) r.problems.push(`product "${p.sku}" names unknown category "${p.category}"`);
    products.set(p.sku, p);
  }
  const mapping = r.mapping(raw, 'config');
  const checkCodes = (m: Mapping, where: string): void => {
    for (const [role, code] of Object.entries(m)) if (!accounts.has(code)) r.problems.push(`${where} maps ${role} to account "${code}", which is not in the chart`);
  };
  checkCodes(mapping, 'company mapping');
  for (const w of warehouses.values()) checkCodes(w.mapping, `warehouse "${w.code}"`);
  for (const c of categories.values()) checkCodes(c.mapping, `category "${c.code}"`);
  for (const p of products.values()) checkCodes(p.mapping, `product "${p.sku}"`);
  if (r.problems.length > 0) {
    const bad = r.badDates[0];
    const code = bad === undefined ? 'INVALID_CONFIG' : 'INVALID_DATE';
    const fix = bad === undefined ? 'Correct the configuration file; docs/config.md describes every field.' : `${bad.fix} Correct the other problems listed, if any; docs/config.md describes every field.`;
    return err(failure(code, `The configuration has ${r.problems.length} problem(s): ${r.problems.join('; ')}.`, fix, { company: id, ...(bad === undefined ? {} : bad.record) }));
  }
  return ok({ id, name: typeof company['name'] === 'string' ? company['name'] : id, baseCurrency, settings, accounts, mapping, warehouses, categories, products });
}

/** The account a role is mapped to for a product and warehouse (product → category → warehouse → company), or undefined when none is. */
export function mappedAccount(co: Company, role: Role, at: { product?: string | undefined; warehouse?: string | undefined }): string | undefined {
  const product = at.product === undefined ? undefined : co.products.get(at.product);
  const category = product?.category === undefined ? undefined : co.categories.get(product.category);
  const warehouse = at.warehouse === undefined ? undefined : co.warehouses.get(at.warehouse);
  return product?.mapping[role] ?? category?.mapping[role] ?? warehouse?.mapping[role] ?? co.mapping[role];
}

/** Resolves a role to an account code, or throws MAPPING_MISSING naming every level searched. */
export function resolveAccount(co: Company, role: Role, ctx: AccountContext): string {
  if (ctx.override !== undefined) {
    if (!co.accounts.has(ctx.override)) {
      fail('UNKNOWN_ACCOUNT', `Account "${ctx.override}" (given for ${role} on event ${ctx.event ?? '?'}) is not in the chart of accounts.`, 'Use an account code from the chart, or add the account to the configuration.', { event: ctx.event ?? '', account: ctx.override, role });
    }
    return ctx.override;
  }
  const code = mappedAccount(co, role, ctx);
  if (code !== undefined) return code;
  const product = ctx.product === undefined ? undefined : co.products.get(ctx.product);
  const category = product?.category === undefined ? undefined : co.categories.get(product.category);
  const warehouse = ctx.warehouse === undefined ? undefined : co.warehouses.get(ctx.warehouse);
  const levels = [
    product ? `product "${product.sku}"` : undefined,
    category ? `category "${category.code}"` : undefined,
    warehouse ? `warehouse "${warehouse.code}"` : undefined,
    'the company default',
  ].filter((x): x is string => x !== undefined);
  const record: Record<string, string> = { role, event: ctx.event ?? '' };
  if (product) record['product'] = product.sku;
  if (category) record['category'] = category.code;
  if (warehouse) record['warehouse'] = warehouse.code;
  return fail('MAPPING_MISSING', `No account is mapped for role "${role}" on event ${ctx.event ?? '?'} (searched ${levels.join(', ')}).`, `Map "${role}" to an account in the configuration at one of those levels (for example "mapping": {"${role}": "<code>"} on the company).`, record);
}

/** Inventory accounts are those mapped to the inventory role anywhere, or typed INVENTORY. */
export function inventoryAccounts(co: Company): Set<string> {
  const out = new Set<string>();
  for (const a of co.accounts.values()) if (a.type === 'INVENTORY') out.add(a.code);
  const add = (m: Mapping): void => {
    if (m.inventory) out.add(m.inventory);
  };
  add(co.mapping);
  co.warehouses.forEach((w) => add(w.mapping));
  co.categories.forEach((c) => add(c.mapping));
  co.products.forEach((p) => add(p.mapping));
  return out;
}
