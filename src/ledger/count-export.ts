/**
 * The inventory adjustments export (seed 002). A *count* is a date with a live stocktake; its
 * valuation is the stock on hand as of that date, valued by the company's costing method. For
 * each inventory category (its inventory asset and COGS accounts, the GL account map) the
 * export reverses the prior ending inventory (Dr COGS, Cr asset) and posts the count's value
 * (Dr asset, Cr COGS), dated at the count date, so the category's asset balance becomes the
 * count's valuation. The export is a `count_export` event: journal, idempotency, voids and the
 * sync queue (procurement/inventory) come with it. A count is exported once (ALREADY_EXPORTED)
 * unless its export is voided.
 *
 * "Prior ending inventory" is the category's balance on its asset account as of the count
 * date: in periodic books, what the last export left there; in perpetual books, what the
 * movements posted (so the export trues the GL up to the count).
 *
 * It reads what the count needs, by index (issue 11): the stocktakes and exports by the
 * events_dated index, the stock on hand at the two counts by the pools' entries, and the
 * movements between them from the events the entries of that range name.
 */
import { failure, type Failure } from '../domain/errors.js';
import { datedPages, type DatedEvent } from '../store/dated-events.js';
import { byCodePoint } from '../domain/values.js';
import { formatMoney } from '../domain/money.js';
import { mappedAccount, type Company } from '../domain/config.js';
import type { CompanyLedger, PostOutcome } from './service.js';
import type { EventOf } from '../domain/events.js';
import type { EventView } from '../posting/types.js';

export interface CountInfo {
  date: string;
  /** The live export of this count, if any. */
  exportedBy: string | undefined;
  /** Not exported, and dated before the latest export: it can no longer be exported in order. */
  superseded: boolean;
}

/** Value into (+) or out of (−) the category's stock by kind of event; `other` is what no event kind explains (true-ups of negative stock). */
export interface Movements { receipts: bigint; sales: bigint; transfers: bigint; production: bigint; adjustments: bigint; other: bigint }

export interface CategoryAdjustment {
  category: string;
  name: string;
  asset: string;
  cogs: string;
  /** Valuation at the prior count (or zero), and the movements since, by kind: opening + movements = current. */
  opening: bigint;
  movements: Movements;
  /** The category's balance on its asset account before this export: reversed. */
  prior: bigint;
  /** The count's valuation of the category: posted. */
  current: bigint;
}

export interface Entry { debit: string; credit: string; amount: bigint; memo: string }

export interface CountPreview {
  company: string;
  currency: string;
  count: string;
  priorCount: string | undefined;
  inventorySystem: 'perpetual' | 'periodic';
  categories: CategoryAdjustment[];
  entries: Entry[];
  totals: { debit: bigint; credit: bigint };
  balanced: boolean;
  exportedBy: string | undefined;
}

const NONE = '';
/** How a count_export line names the products without a category. */
const UNCATEGORISED = '(none)';

/** A type's events dated in [from, to] (both optional), oldest first, by the events_dated index. */
async function dated(ledger: CompanyLedger, type: 'stocktake' | 'count_export', range: { from?: string; to?: string } = {}): Promise<DatedEvent[]> {
  const out: DatedEvent[] = [];
  for await (const page of datedPages(ledger.store, ledger.id, type, range)) out.push(...page);
  return out;
}

/** Every count (a date with a live stocktake), oldest first, with its live export: the stocktakes and exports by index, not every event. */
export async function counts(ledger: CompanyLedger): Promise<CountInfo[]> {
  const voided = await ledger.current.voided();
  const dates = new Set<string>();
  const exported = new Map<string, string>();
  for (const e of await dated(ledger, 'stocktake')) if (!voided.has(e.id)) dates.add(e.date);
  // In (date, seq) order: of a date's live exports, the last accepted is the one kept.
  for (const e of await dated(ledger, 'count_export')) if (!voided.has(e.id)) exported.set(e.date, e.id);
  const latest = [...exported.keys()].sort().pop();
  return [...dates].sort().map((date) => ({ date, exportedBy: exported.get(date), superseded: !exported.has(date) && latest !== undefined && date < latest }));
}

/** The latest live export dated before `date`: the one a new export follows (of one date, the first accepted). */
async function previousExport(ledger: CompanyLedger, date: string): Promise<string | undefined> {
  const voided = await ledger.current.voided();
  let best: DatedEvent | undefined;
  for (const e of await dated(ledger, 'count_export', { to: date })) {
    if (voided.has(e.id) || e.date >= date) continue;
    if (!best || e.date > best.date) best = e;
  }
  return best?.id;
}

function categoryOf(co: Company, product: string): string {
  return co.products.get(product)?.category ?? NONE;
}

/**
 * A line of the export: a category on one pair of accounts. The accounts are resolved per
 * pool exactly as postings resolve them (product → category → warehouse → company), so stock
 * whose warehouse has its own inventory account is adjusted on that account.
 */
export interface Slot { category: string; asset: string; cogs: string }

export const slotKey = (s: Slot): string => `${s.category}\u0000${s.asset}\u0000${s.cogs}`;

export class Slots {
  readonly all = new Map<string, Slot>();
  private readonly cache = new Map<string, Slot | undefined>();
  constructor(readonly co: Company) {}

  /** The slot of a pool; undefined when its accounts are not mapped (reported by `missing`). */
  of(product: string, warehouse: string): Slot | undefined {
    const k = `${product}\u0000${warehouse}`;
    if (this.cache.has(k)) return this.cache.get(k);
    const asset = mappedAccount(this.co, 'inventory', { product, warehouse });
    const cogs = mappedAccount(this.co, 'cogs', { product, warehouse });
    const slot = asset === undefined || cogs === undefined ? undefined : this.add({ category: categoryOf(this.co, product), asset, cogs });
    this.cache.set(k, slot);
    return slot;
  }

  add(s: Slot): Slot {
    const k = slotKey(s);
    const have = this.all.get(k);
    if (have) return have;
    this.all.set(k, s);
    return s;
  }
}

/** MAPPING_MISSING naming every category (and the roles) a stocked product lacks an account for, in any warehouse. */
function missingMappings(co: Company): Failure | undefined {
  const missing = new Map<string, Set<string>>();
  for (const p of co.products.values()) {
    if (!p.stocked) continue;
    for (const w of co.warehouses.keys()) {
      for (const role of ['inventory', 'cogs'] as const) {
        if (mappedAccount(co, role, { product: p.sku, warehouse: w }) !== undefined) continue;
        const c = p.category ?? NONE;
        if (!missing.has(c)) missing.set(c, new Set());
        missing.get(c)!.add(role);
      }
    }
  }
  if (missing.size === 0) return undefined;
  const list = [...missing].sort(([a], [b]) => byCodePoint(a, b)).map(([c, roles]) => `${c === NONE ? '(no category)' : c} (${[...roles].join(' and ')})`);
  return failure('MAPPING_MISSING', `Company "${co.id}": ${list.length} inventory categor${list.length === 1 ? 'y has' : 'ies have'} no GL account for the export: ${list.join(', ')}.`, 'Map "inventory" and "cogs" on each category (categories[].mapping), or on its products, warehouses or the company, then export again.', { company: co.id, categories: list.join(', ') });
}

/** Value on hand per slot as of a date (end of day). */
async function valuation(ledger: CompanyLedger, slots: Slots, date: string | undefined): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>();
  if (date === undefined) return out;
  for (const p of await ledger.current.onHandAsOf(date)) {
    const s = slots.of(p.product, p.warehouse);
    if (s) out.set(slotKey(s), (out.get(slotKey(s)) ?? 0n) + p.value);
  }
  return out;
}

const KIND: Record<string, keyof Movements> = {
  purchase_invoice: 'receipts', stock_receipt: 'receipts', landed_cost: 'receipts', purchase_credit_note: 'receipts',
  sale_invoice: 'sales', shipment: 'sales', sale_credit_note: 'sales',
  transfer: 'transfers', assembly: 'production', disassembly: 'production',
  stock_adjustment: 'adjustments', stocktake: 'adjustments', write_off: 'adjustments',
};

const zero = (): Movements => ({ receipts: 0n, sales: 0n, transfers: 0n, production: 0n, adjustments: 0n, other: 0n });

/**
 * The events that moved stock dated in (from, to]: those each pool's entries name between the
 * two dates' ends, found by two probes of the pool's (key, idx) index and read as one range.
 */
async function movedEvents(ledger: CompanyLedger, from: string | undefined, to: string): Promise<string[]> {
  const rows = ledger.store.costing(ledger.id);
  const ids = new Set<string>();
  for (const p of await rows.allPools()) {
    if (p.entries === 0) continue;
    const first = from === undefined ? 0 : (await rows.entryAtKey(p.pool, endOf(from))) ?? p.entries;
    const end = (await rows.entryAtKey(p.pool, endOf(to))) ?? p.entries;
    if (first < end) for (const e of await rows.entries(p.pool, first, end)) ids.add(e.event);
  }
  return [...ids].sort(byCodePoint);
}

/** Value moved per slot and kind by live events dated in (from, to]: the events the pools' entries name in that range. */
async function movements(ledger: CompanyLedger, slots: Slots, from: string | undefined, to: string): Promise<Map<string, Movements>> {
  const out = new Map<string, Movements>();
  for (const id of await movedEvents(ledger, from, to)) {
    const v = await ledger.current.view(id);
    if (!v || v.voidedBy !== undefined || v.event.date > to || (from !== undefined && v.event.date <= from)) continue;
    addMoves(out, slots, v);
  }
  return out;
}

/** A live event's moves added to the movements of their slots, under its kind of event. */
export function addMoves(out: Map<string, Movements>, slots: Slots, v: EventView): void {
  const kind = KIND[v.event.type];
  if (!kind) return;
  v.moves.forEach((m, i) => {
    const r = v.results[i];
    const s = slots.of(m.product, m.warehouse);
    if (!r || !s) return;
    const mv = out.get(slotKey(s)) ?? zero();
    mv[kind] += m.kind === 'out' ? -r.value : r.value;
    out.set(slotKey(s), mv);
  });
}

/** After every order key of a date, before any of the next (src/domain/events.ts orderKey). */
const endOf = (date: string): string => `${date}T\uffff`;

/**
 * Each slot's balance on its asset account as of the date (before the export `except`): what
 * earlier exports left there, plus, in perpetual books, what the movements posted — the slot's
 * stock value, since perpetual books keep each inventory account equal to the pools mapped to
 * it (the reconciliation invariant). Attributed this way, a share of an account used by
 * several categories needs no product on every journal line.
 */
async function priorBalances(ledger: CompanyLedger, slots: Slots, date: string, current: ReadonlyMap<string, bigint>, except: string | undefined): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>(ledger.co.settings.inventorySystem === 'perpetual' ? current : []);
  const voided = await ledger.current.voided();
  const ids = (await dated(ledger, 'count_export', { to: date })).map((e) => e.id).filter((id) => !voided.has(id) && id !== except);
  const events = await ledger.current.events(ids);
  for (const id of ids) {
    const event = events.get(id);
    if (event?.type === 'count_export') addExport(out, slots, event);
  }
  return out;
}

/** What a live export left on each slot's asset account, added to the balances. */
export function addExport(out: Map<string, bigint>, slots: Slots, event: EventOf<'count_export'>): void {
  for (const l of event.lines) {
    const k = slotKey(slots.add({ category: l.category === UNCATEGORISED ? NONE : l.category, asset: l.asset, cogs: l.cogs }));
    out.set(k, (out.get(k) ?? 0n) + l.current - l.prior);
  }
}

function noCount(co: Company, date: string | undefined, available: readonly CountInfo[]): Failure {
  const open = available.filter((c) => c.exportedBy === undefined && !c.superseded).map((c) => c.date);
  if (date === undefined) return failure('NO_COUNT', `Company "${co.id}" has no count left to export${available.length > 0 ? ` (every count is exported: ${available.map((c) => c.date).join(', ')})` : ''}.`, 'Record a count (stocktake events) first; a count whose export is voided can be exported again.', { company: co.id });
  return failure('NO_COUNT', `Company "${co.id}" has no count on ${date}.`, open.length > 0 ? `Choose one of the counts: ${open.join(', ')}.` : 'Record a count (stocktake events) on that date first.', { company: co.id, count: date });
}

/** What the export reads of the history: by index here; the tests' oracle reads it whole, and computes the rest with this module. */
export interface CountReads {
  counts(ledger: CompanyLedger): Promise<CountInfo[]>;
  movements(ledger: CompanyLedger, slots: Slots, from: string | undefined, to: string): Promise<Map<string, Movements>>;
  priorBalances(ledger: CompanyLedger, slots: Slots, date: string, current: ReadonlyMap<string, bigint>, except: string | undefined): Promise<Map<string, bigint>>;
}

const INDEXED: CountReads = { counts, movements, priorBalances };

/** The journal adjustment report for a count (default: the latest count not exported). */
export async function preview(ledger: CompanyLedger, date?: string, reads: CountReads = INDEXED): Promise<CountPreview | Failure> {
  return previewOf(ledger, await reads.counts(ledger), date, reads);
}

async function previewOf(ledger: CompanyLedger, all: readonly CountInfo[], date: string | undefined, reads: CountReads): Promise<CountPreview | Failure> {
  const chosen = date === undefined ? [...all].reverse().find((c) => c.exportedBy === undefined && !c.superseded) : all.find((c) => c.date === date);
  if (!chosen) return noCount(ledger.co, date, all);
  const co = ledger.co;
  const prior = [...all].reverse().find((c) => c.date < chosen.date)?.date;
  const problem = missingMappings(co);
  if (problem) return problem;
  const slots = new Slots(co);
  const current = await valuation(ledger, slots, chosen.date);
  const opening = await valuation(ledger, slots, prior);
  const moved = await reads.movements(ledger, slots, prior, chosen.date);
  const priors = await reads.priorBalances(ledger, slots, chosen.date, current, chosen.exportedBy);
  const ordered = [...slots.all].sort(([a], [b]) => byCodePoint(a, b));
  const categories: CategoryAdjustment[] = ordered.map(([k, sl]) => {
    const mv = moved.get(k) ?? zero();
    const open = opening.get(k) ?? 0n;
    const now = current.get(k) ?? 0n;
    mv.other = now - open - (mv.receipts + mv.sales + mv.transfers + mv.production + mv.adjustments);
    const c = sl.category;
    return { category: c, name: c === NONE ? '(no category)' : (co.categories.get(c)?.name || c), asset: sl.asset, cogs: sl.cogs, opening: open, movements: mv, prior: priors.get(k) ?? 0n, current: now };
  });
  const entries = categories.flatMap((c) => [
    entry(c.cogs, c.asset, c.prior, `${c.category || '(no category)'}: prior ending inventory reversed`),
    entry(c.asset, c.cogs, c.current, `${c.category || '(no category)'}: ending inventory counted ${chosen.date}`),
  ]).filter((e) => e.amount !== 0n);
  const { totals, balanced } = totalsOf(entries);
  return { company: co.id, currency: co.baseCurrency, count: chosen.date, priorCount: prior, inventorySystem: co.settings.inventorySystem, categories, entries, totals, balanced, exportedBy: chosen.exportedBy };
}

/** A negative amount (negative stock) is shown the other way round: Dr and Cr swapped. */
function entry(debit: string, credit: string, amount: bigint, memo: string): Entry {
  return amount < 0n ? { debit: credit, credit: debit, amount: -amount, memo } : { debit, credit, amount, memo };
}

/**
 * Gross totals of the entries' debit and credit sides, as seed 002's journal adjustment report
 * shows them. Each entry debits and credits the same amount, so they agree by construction;
 * the report still states it, and the journal itself is checked when posted.
 */
function totalsOf(entries: readonly Entry[]): { totals: { debit: bigint; credit: bigint }; balanced: boolean } {
  const total = entries.reduce((s, e) => s + e.amount, 0n);
  return { totals: { debit: total, credit: total }, balanced: true };
}

export interface ExportResult { preview: CountPreview; event: string; outcome: PostOutcome }

/** Posts the count's adjustment journal (a `count_export` event dated at the count). */
export async function exportCount(ledger: CompanyLedger, date?: string): Promise<ExportResult | Failure> {
  const all = await counts(ledger);
  const p = await previewOf(ledger, all, date, INDEXED);
  if (!('count' in p)) return p;
  const later = all.filter((c) => c.exportedBy !== undefined && c.date > p.count).map((c) => c.exportedBy!);
  if (p.exportedBy === undefined && later.length > 0) {
    return failure('COUNT_SUPERSEDED', `Count ${p.count} of company "${ledger.id}" is dated before the export ${later[later.length - 1]}; exporting it now would undo the balances that export left.`, `Export counts in date order: void ${later.reverse().join(', then ')} first (latest first), then export ${p.count}.`, { company: ledger.id, count: p.count, event: later[0]! });
  }
  if (p.exportedBy !== undefined) return failure('ALREADY_EXPORTED', `Count ${p.count} of company "${ledger.id}" was already exported by ${p.exportedBy}.`, `Nothing to do. To export it again, void ${p.exportedBy} first (a void event), then export.`, { company: ledger.id, count: p.count, event: p.exportedBy });
  // Voided exports of the date count too: a new export takes a fresh id.
  const earlier = (await dated(ledger, 'count_export', { from: p.count, to: p.count })).length;
  const id = earlier === 0 ? `CX-${p.count}` : `CX-${p.count}-${earlier + 1}`;
  const lines = p.categories.filter((c) => c.prior !== 0n || c.current !== 0n).map((c) => ({ category: c.category || UNCATEGORISED, asset: c.asset, cogs: c.cogs, prior: formatMoney(c.prior, ledger.co.baseCurrency), current: formatMoney(c.current, ledger.co.baseCurrency) }));
  if (lines.length === 0) return failure('NO_COUNT', `Count ${p.count} of company "${ledger.id}" values no stock and no prior inventory: there is nothing to export.`, 'Check the count date.', { company: ledger.id, count: p.count });
  const previous = await previousExport(ledger, p.count);
  const outcome = await ledger.post({ id, type: 'count_export', date: p.count, time: '23:59:59', memo: `Inventory adjustments export of the count on ${p.count}`, ...(previous === undefined ? {} : { previous }), lines });
  if (outcome.status === 'exists') return failure('ALREADY_EXPORTED', `Count ${p.count} of company "${ledger.id}" was just exported by ${id}.`, 'Nothing to do.', { company: ledger.id, count: p.count, event: id });
  if (outcome.status !== 'ok') return outcome.error;
  return { preview: { ...p, exportedBy: id }, event: id, outcome };
}
