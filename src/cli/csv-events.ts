/**
 * Events from CSV (docs/csv.md): one row per event line; consecutive rows with the same id
 * form one event. Event-level columns are read from an event's first row. Cells stay text, so
 * amounts and quantities keep every digit; the events then go through the same schema and
 * checks as JSON Lines.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';

/** Columns that describe the whole event (the rest describe one line of it). */
const EVENT_COLUMNS = new Set([
  'id', 'type', 'date', 'time', 'currency', 'rate', 'reference', 'memo', 'supplier', 'customer', 'from', 'to', 'target',
  'sale', 'invoice', 'bill', 'receipt', 'depositApplied', 'prepaymentApplied', 'dropship', 'issuesStock', 'purchase',
]);
const LINE_COLUMNS = new Set([
  'product', 'warehouse', 'qty', 'lot', 'expiry', 'amount', 'tax', 'account', 'cost', 'unitCost', 'valuation', 'counted',
  'capitalise', 'description', 'restock', 'shipment',
]);
export const CSV_COLUMNS = [...EVENT_COLUMNS, ...LINE_COLUMNS];
/** Event types whose rows are lines; the others take every column at event level. */
const LINE_TYPES = new Set([
  'purchase_invoice', 'expense_bill', 'stock_receipt', 'purchase_credit_note', 'manual_journal', 'sale_invoice', 'shipment',
  'sale_credit_note', 'stock_adjustment', 'stocktake', 'transfer', 'write_off',
]);
/** write_off names its expense account once, for the event. */
const EVENT_ACCOUNT_TYPES = new Set(['write_off']);
const BOOLEANS = new Set(['dropship', 'issuesStock', 'capitalise', 'restock']);

type Row = Record<string, string>;

function cell(column: string, value: string): unknown {
  if (!BOOLEANS.has(column)) return value;
  if (value === 'true') return true;
  if (value === 'false') return false;
  return value; // left for the schema to refuse, with the field named
}

function startEvent(row: Row): Record<string, unknown> {
  const type = row['type'] ?? '';
  const ev: Record<string, unknown> = {};
  const lined = LINE_TYPES.has(type);
  for (const [k, v] of Object.entries(row)) {
    if (v === '') continue;
    const eventLevel = !lined || EVENT_COLUMNS.has(k) || (k === 'account' && EVENT_ACCOUNT_TYPES.has(type));
    if (eventLevel) ev[k] = cell(k, v);
  }
  if (lined) ev['lines'] = [];
  return ev;
}

function addLine(ev: Record<string, unknown>, row: Row): void {
  const lines = ev['lines'] as Record<string, unknown>[] | undefined;
  if (!lines) return;
  const line: Record<string, unknown> = {};
  const type = String(ev['type']);
  for (const [k, v] of Object.entries(row)) {
    if (v === '' || EVENT_COLUMNS.has(k) || (k === 'account' && EVENT_ACCOUNT_TYPES.has(type))) continue;
    line[k] = cell(k, v);
  }
  if (Object.keys(line).length > 0) lines.push(line);
}

export interface CsvEvent { n: number; raw: unknown; bytes: number }
export type CsvProblem = { n: number; message: string };

/**
 * Streams events from a CSV file (or - for stdin). Unknown columns are a problem reported
 * once, before any event; a row that cannot be read ends the stream with its line number.
 */
export async function* csvEvents(path: string, onProblem: (p: CsvProblem) => void): AsyncGenerator<CsvEvent> {
  const input = path === '-' ? process.stdin : createReadStream(path);
  const parser = input.pipe(parse({ columns: true, skip_empty_lines: true, trim: true, info: true, bom: true }));
  let current: Record<string, unknown> | undefined;
  let first = 0;
  let checked = false;
  let bytes = 0;
  try {
    for await (const rec of parser as AsyncIterable<{ record: Row; info: { lines: number; bytes: number } }>) {
      const row = rec.record;
      if (!checked) {
        const unknown = Object.keys(row).filter((k) => !EVENT_COLUMNS.has(k) && !LINE_COLUMNS.has(k));
        if (unknown.length > 0) {
          onProblem({ n: 1, message: `unknown column(s) ${unknown.map((u) => `"${u}"`).join(', ')}; the columns are described in docs/csv.md` });
          return;
        }
        checked = true;
      }
      const line = rec.info.lines;
      if (current && row['id'] === current['id']) {
        addLine(current, row);
      } else {
        if (current) yield { n: first, raw: current, bytes: rec.info.bytes - bytes };
        bytes = rec.info.bytes;
        current = startEvent(row);
        first = line;
        addLine(current, row);
      }
    }
    if (current) yield { n: first, raw: current, bytes: 0 };
  } catch (x) {
    onProblem({ n: first, message: (x as Error).message });
  }
}
