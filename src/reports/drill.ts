/**
 * Drill-down from a journal (or one of its lines) to the event it books — type, date and the
 * event as it was sent — and, for stock moves, to the cost layers each move consumed: which
 * receipt, lot and expiry, how many units at what value. Costs are the book's current view of
 * the event (after any re-costing), which is what the journal and its corrections add up to.
 */
import type { Company } from '../domain/config.js';
import { failure, type Failure } from '../domain/errors.js';
import { moveLot, type Move, type MoveResult } from '../posting/types.js';
import type { StoredJournal } from '../store/store.js';
import { formatUnitCost, money, qty, unitCostOf, type ReportSource } from './common.js';

export interface DrillOptions {
  journal: string;
  /** 1-based line of the journal; its product and warehouse select the moves shown. */
  line?: number | undefined;
}

export interface DrillLayer {
  /** The layer's source: a receipt "eventId#line", a pooled method's name, or "short:…" for units issued beyond stock. */
  source: string;
  /** The receipt that created the layer, when the source names one. */
  receipt: { event: string; line: number; type: string | undefined; date: string | undefined } | undefined;
  lot: string | undefined;
  expiry: string | undefined;
  qty: bigint;
  value: bigint;
  /** Scaled by 10^4. */
  unitCost: bigint | undefined;
}

export interface DrillMove {
  index: number;
  kind: Move['kind'];
  product: string;
  warehouse: string;
  lot: string | undefined;
  qty: bigint;
  value: bigint;
  variance: bigint;
  trueUp: bigint;
  toCogs: bigint;
  shortQty: bigint;
  layers: DrillLayer[];
}

export interface DrillLine {
  n: number;
  account: string;
  accountName: string;
  amount: bigint;
  product: string | undefined;
  warehouse: string | undefined;
  memo: string | undefined;
}

export interface DrillReport {
  company: string;
  currency: string;
  journal: { id: string; kind: string; event: string; eventType: string; date: string; memo: string | undefined; reference: string | undefined; cause: string | undefined; reverses: string | undefined; shiftedFrom: string | undefined; lines: DrillLine[] };
  line: DrillLine | undefined;
  event: { id: string; type: string; date: string; voidedBy: string | undefined; body: unknown } | undefined;
  moves: DrillMove[];
}

/** Finds a journal by id: an original carries its event's id, a correction "event/cN", a reversal its void's id. */
async function findJournal(src: ReportSource, id: string): Promise<StoredJournal | undefined> {
  const { co, store, current: book } = src;
  const candidates = new Set<string>();
  const v = await book.view(id);
  if (v?.event.type === 'void') candidates.add(v.event.target);
  candidates.add(id);
  const m = /^(.*)\/[cg]\d+$/.exec(id);
  if (m) candidates.add(m[1]!);
  for (const event of candidates) {
    const found = (await store.journals(co.id, { event })).find((j) => j.id === id);
    if (found) return found;
  }
  return undefined;
}

async function receiptOf(src: ReportSource, source: string): Promise<DrillLayer['receipt']> {
  const m = /^(.*)#(\d+)$/.exec(source);
  if (!m) return undefined;
  const v = await src.current.view(m[1]!);
  return { event: m[1]!, line: Number.parseInt(m[2]!, 10), type: v?.event.type, date: v?.event.date };
}

async function drillMove(src: ReportSource, index: number, m: Move, r: MoveResult): Promise<DrillMove> {
  const layers: DrillLayer[] = [];
  for (const t of r.takes ?? []) layers.push({ source: t.source, receipt: await receiptOf(src, t.source), lot: t.lot, expiry: t.expiry, qty: t.qty, value: t.value, unitCost: unitCostOf(src.co, t.value, t.qty) });
  return {
    index,
    kind: m.kind,
    product: m.product,
    warehouse: m.warehouse,
    lot: moveLot(m),
    qty: r.qty,
    value: r.value,
    variance: r.variance,
    trueUp: r.trueUp,
    toCogs: r.toCogs,
    shortQty: r.shortQty,
    layers,
  };
}

export async function drill(src: ReportSource, opts: DrillOptions): Promise<DrillReport | Failure> {
  const { co, store, current: book } = src;
  const j = await findJournal(src, opts.journal);
  if (!j) return failure('UNKNOWN_REFERENCE', `Journal "${opts.journal}" does not exist in company "${co.id}".`, 'Give --journal the id of a stored journal (stockbook journals lists them).', { journal: opts.journal });
  const lines: DrillLine[] = j.lines.map((l, i) => ({ n: i + 1, account: l.account, accountName: co.accounts.get(l.account)?.name ?? '', amount: l.amount, product: l.product, warehouse: l.warehouse, memo: l.memo }));
  let line: DrillLine | undefined;
  if (opts.line !== undefined) {
    line = lines[opts.line - 1];
    if (!line) return failure('UNKNOWN_REFERENCE', `Journal "${j.id}" has no line ${opts.line} (it has ${lines.length}).`, `Give --line a number from 1 to ${lines.length}.`, { journal: j.id, line: opts.line });
  }
  const stored = await store.findEvent(co.id, j.event);
  const view = await book.view(j.event);
  const event = view || stored ? {
    id: j.event,
    type: view?.event.type ?? stored!.type,
    date: view?.event.date ?? j.date,
    voidedBy: view?.voidedBy,
    body: stored ? (JSON.parse(stored.body) as unknown) : undefined,
  } : undefined;
  const moves: DrillMove[] = [];
  for (const [i, m] of (view?.moves ?? []).entries()) {
    const r = view?.results[i];
    if (!r) continue;
    // A line that names a product (and warehouse) shows the moves of that pool only.
    if (line?.product !== undefined && (m.product !== line.product || (line.warehouse !== undefined && m.warehouse !== line.warehouse))) continue;
    moves.push(await drillMove(src, i, m, r));
  }
  return {
    company: co.id,
    currency: co.baseCurrency,
    journal: { id: j.id, kind: j.kind, event: j.event, eventType: j.eventType, date: j.date, memo: j.memo, reference: j.reference, cause: j.cause, reverses: j.reverses, shiftedFrom: j.shiftedFrom, lines },
    line,
    event,
    moves,
  };
}

// ---- output ------------------------------------------------------------------------------

function lineJson(co: Company, l: DrillLine): Record<string, unknown> {
  return { n: l.n, account: l.account, accountName: l.accountName, amount: money(co, l.amount), product: l.product ?? null, warehouse: l.warehouse ?? null, memo: l.memo ?? null };
}

export function drillJson(r: DrillReport, co: Company): Record<string, unknown> {
  const j = r.journal;
  return {
    report: 'drill',
    company: r.company,
    currency: r.currency,
    journal: { id: j.id, kind: j.kind, event: j.event, eventType: j.eventType, date: j.date, memo: j.memo ?? null, reference: j.reference ?? null, cause: j.cause ?? null, reverses: j.reverses ?? null, shiftedFrom: j.shiftedFrom ?? null, lines: j.lines.map((l) => lineJson(co, l)) },
    line: r.line ? lineJson(co, r.line) : null,
    event: r.event ? { id: r.event.id, type: r.event.type, date: r.event.date, voidedBy: r.event.voidedBy ?? null, body: r.event.body ?? null } : null,
    moves: r.moves.map((m) => ({
      index: m.index, kind: m.kind, product: m.product, warehouse: m.warehouse, lot: m.lot ?? null,
      qty: qty(m.qty), value: money(co, m.value), unitCost: formatUnitCost(unitCostOf(co, m.value, m.qty)) || null,
      variance: money(co, m.variance), trueUp: money(co, m.trueUp), toCogs: money(co, m.toCogs), shortQty: qty(m.shortQty),
      layers: m.layers.map((t) => ({
        source: t.source, receipt: t.receipt ? { event: t.receipt.event, line: t.receipt.line, type: t.receipt.type ?? null, date: t.receipt.date ?? null } : null,
        lot: t.lot ?? null, expiry: t.expiry ?? null, qty: qty(t.qty), value: money(co, t.value), unitCost: formatUnitCost(t.unitCost) || null,
      })),
    })),
  };
}

/** One row per consumed layer (a move that consumed none is one row on its own), led by the journal and event columns. */
export function drillRows(r: DrillReport, co: Company): string[][] {
  const rows = [['journal', 'line', 'account', 'amount', 'event', 'event_type', 'event_date', 'move', 'kind', 'product', 'warehouse', 'move_qty', 'move_value', 'layer_source', 'receipt', 'receipt_date', 'lot', 'expiry', 'layer_qty', 'layer_value', 'layer_unit_cost']];
  const head = [r.journal.id, r.line ? String(r.line.n) : '', r.line?.account ?? '', r.line ? money(co, r.line.amount) : '', r.event?.id ?? r.journal.event, r.event?.type ?? r.journal.eventType, r.event?.date ?? ''];
  if (r.moves.length === 0) rows.push([...head, '', '', '', '', '', '', '', '', '', '', '', '', '', '']);
  for (const m of r.moves) {
    const mv = [String(m.index), m.kind, m.product, m.warehouse, qty(m.qty), money(co, m.value)];
    if (m.layers.length === 0) rows.push([...head, ...mv, '', '', '', m.lot ?? '', '', '', '', '']);
    for (const t of m.layers) rows.push([...head, ...mv, t.source, t.receipt?.event ?? '', t.receipt?.date ?? '', t.lot ?? '', t.expiry ?? '', qty(t.qty), money(co, t.value), formatUnitCost(t.unitCost)]);
  }
  return rows;
}
