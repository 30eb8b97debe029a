/**
 * Appended rows: the rows a write adds to the ledger's tables (events, journals, their lines,
 * the per-account day totals and balances, the journal counts and the sync log), and each table's INSERT, written once as its
 * columns after the company. A write gathers its rows here and sends them in a batch — before
 * any other statement of its transaction and before COMMIT — in one of two forms, each written
 * once for every table. Which form is the dialect's one true difference in writing:
 * - `rows` (SQLite): an `INSERT … VALUES (?, …), (?, …)` of ROWS_PER_INSERT rows at a time,
 *   then one per row for the rest. SQLite runs in process and has no arrays; a prepared
 *   statement of many rows crosses from JS into the driver once for all of them (journal lines
 *   took about half the time per row at 100 rows a statement as at one).
 * - `arrays` (PostgreSQL): an `INSERT … SELECT ?, t.* FROM unnest(?::type[], …)` per table,
 *   its columns sent as arrays: one round trip per table per batch, whatever its size, and one
 *   statement text for the server to parse.
 */
import type { Statement } from './statements.js';

/** How a dialect sends a batch of rows: a statement per row, or a statement per table of column arrays. */
export type BulkForm = 'rows' | 'arrays';

/** A ledger table rows are appended to: keyed (company, …), so `company` comes first and is not listed. */
export interface AppendTable {
  readonly name: string;
  /** The columns after `company`, each with its PostgreSQL type (its array's element type in the `arrays` form). */
  readonly columns: readonly (readonly [column: string, pgType: string])[];
  /** What a row whose key is taken does instead (none: the insert fails). */
  readonly onConflict?: string;
}

/** The appended tables, in the order a batch writes them (a journal's event first, a line's journal first). */
export const APPEND_TABLES = {
  events: { name: 'events', columns: [['seq', 'bigint'], ['id', 'text'], ['type', 'text'], ['date', 'text'], ['body', 'text']] },
  journals: {
    name: 'journals',
    columns: [['seq', 'bigint'], ['event_seq', 'bigint'], ['id', 'text'], ['event_id', 'text'], ['event_type', 'text'], ['kind', 'text'], ['date', 'text'], ['currency', 'text'],
      ['cause', 'text'], ['reverses', 'text'], ['reference', 'text'], ['memo', 'text'], ['shifted_from', 'text']],
  },
  lines: { name: 'journal_lines', columns: [['journal_seq', 'bigint'], ['line_no', 'int'], ['account', 'text'], ['amount', 'bigint'], ['product', 'text'], ['warehouse', 'text'], ['memo', 'text'], ['date', 'text']] },
  /** One row per (account, date) of a batch, summed first: an upsert may not touch one row twice in a statement. */
  dayTotals: {
    name: 'account_day_totals',
    columns: [['account', 'text'], ['date', 'text'], ['amount', 'bigint']],
    onConflict: 'ON CONFLICT (company, account, date) DO UPDATE SET amount = account_day_totals.amount + excluded.amount',
  },
  /** One row per account of a batch, summed first. */
  balances: {
    name: 'account_balances',
    columns: [['account', 'text'], ['hi', 'bigint'], ['lo', 'bigint'], ['first_date', 'text']],
    onConflict: `ON CONFLICT (company, account) DO UPDATE SET hi = account_balances.hi + excluded.hi, lo = account_balances.lo + excluded.lo,
      first_date = CASE WHEN excluded.first_date < account_balances.first_date THEN excluded.first_date ELSE account_balances.first_date END`,
  },
  /** One row per (kind, event type) of a batch, counted first. */
  journalCounts: {
    name: 'journal_counts',
    columns: [['kind', 'text'], ['event_type', 'text'], ['n', 'bigint']],
    onConflict: 'ON CONFLICT (company, kind, event_type) DO UPDATE SET n = journal_counts.n + excluded.n',
  },
  sync: { name: 'sync_log', columns: [['seq', 'bigint'], ['target', 'text'], ['record', 'text'], ['version', 'int'], ['action', 'text'], ['run', 'text'], ['at', 'text'], ['data', 'text']] },
} as const satisfies Record<string, AppendTable>;

export type AppendTableName = keyof typeof APPEND_TABLES;
const ORDER = Object.keys(APPEND_TABLES) as AppendTableName[];

/** A table's INSERT in a form (`?` placeholders; PostgreSQL numbers them). */
export function insertSql(t: AppendTable, form: BulkForm): string {
  const names = ['company', ...t.columns.map(([c]) => c)].join(', ');
  const conflict = t.onConflict === undefined ? '' : ` ${t.onConflict}`;
  if (form === 'rows') return `INSERT INTO ${t.name} (${names}) VALUES (${['?', ...t.columns.map(() => '?')].join(', ')})${conflict}`;
  const arrays = t.columns.map(([, type]) => `?::${type}[]`).join(', ');
  return `INSERT INTO ${t.name} (${names}) SELECT ?, t.* FROM unnest(${arrays}) AS t(${t.columns.map(([c]) => c).join(', ')})${conflict}`;
}

/** Every append statement of a form, by table (the plan test checks that a workload runs each). */
export function appendStatements(form: BulkForm): Record<AppendTableName, string> {
  return Object.fromEntries(ORDER.map((k) => [k, insertSql(APPEND_TABLES[k], form)])) as Record<AppendTableName, string>;
}

/**
 * Rows appended but not yet sent, by table, plus the day totals their lines add up to. Values
 * are as both drivers take them: integers as bigint, absent text as null.
 */
export class Appended {
  private rows = new Map<AppendTableName, unknown[][]>();
  private totals = new Map<string, [account: string, date: string, amount: bigint]>();
  private counts = new Map<string, [kind: string, eventType: string, n: bigint]>();
  /** Per account, the sums of its amounts' 32-bit halves (as account_balances keeps them) and its first date. */
  private balances = new Map<string, [account: string, hi: bigint, lo: bigint, firstDate: string]>();
  /** Rows waiting (day totals not counted). */
  pending = 0;

  get empty(): boolean {
    return this.rows.size === 0;
  }

  add(table: Exclude<AppendTableName, 'dayTotals' | 'balances' | 'journalCounts'>, row: unknown[]): void {
    this.pending++;
    let list = this.rows.get(table);
    if (list === undefined) this.rows.set(table, (list = []));
    list.push(row);
  }

  /** A line's amount, added to its account's total for the day and to its balance. */
  addToDay(account: string, date: string, amount: bigint): void {
    const k = `${account}\u0000${date}`;
    const t = this.totals.get(k);
    if (t) t[2] += amount;
    else this.totals.set(k, [account, date, amount]);
    const hi = amount >> 32n;
    const lo = amount & 0xffffffffn;
    const b = this.balances.get(account);
    if (!b) this.balances.set(account, [account, hi, lo, date]);
    else {
      b[1] += hi;
      b[2] += lo;
      if (date < b[3]) b[3] = date;
    }
  }

  /** A journal, counted under its kind and event type. */
  countJournal(kind: string, eventType: string): void {
    const k = `${kind}\u0000${eventType}`;
    const c = this.counts.get(k);
    if (c) c[2] += 1n;
    else this.counts.set(k, [kind, eventType, 1n]);
  }

  /** The statements that send every pending row, in table order; the buffer is empty afterwards. */
  take(company: string, form: BulkForm, sql: Record<AppendTableName, string>): Statement[] {
    const rows = this.rows;
    if (this.totals.size > 0) rows.set('dayTotals', [...this.totals.values()]);
    if (this.counts.size > 0) rows.set('journalCounts', [...this.counts.values()]);
    if (this.balances.size > 0) rows.set('balances', [...this.balances.values()]);
    this.rows = new Map();
    this.totals = new Map();
    this.counts = new Map();
    this.balances = new Map();
    this.pending = 0;
    const out: Statement[] = [];
    for (const table of ORDER) {
      const list = rows.get(table);
      if (list !== undefined) for (const st of bulkRows(sql[table], APPEND_TABLES[table], company, list, form)) out.push(st);
    }
    return out;
  }
}

/** Rows per multi-row INSERT of the `rows` form: at most 14 parameters a row, far below SQLite's limit of 32,766. */
export const ROWS_PER_INSERT = 100;

/** Each table's INSERT of ROWS_PER_INSERT rows, made once. */
const MANY_ROWS = new Map<string, string>();

function manyRowsSql(t: AppendTable): string {
  let sql = MANY_ROWS.get(t.name);
  if (sql === undefined) {
    const row = `(${['?', ...t.columns.map(() => '?')].join(', ')})`;
    const conflict = t.onConflict === undefined ? '' : ` ${t.onConflict}`;
    sql = `INSERT INTO ${t.name} (${['company', ...t.columns.map(([c]) => c)].join(', ')}) VALUES ${Array<string>(ROWS_PER_INSERT).fill(row).join(', ')}${conflict}`;
    MANY_ROWS.set(t.name, sql);
  }
  return sql;
}

/**
 * The statements that send a table's rows in a form (none for no rows): `sql` is the table's
 * INSERT in that form (insertSql), of one row in the `rows` form, which sends whole slices of
 * ROWS_PER_INSERT rows first.
 */
export function bulkRows(sql: string, t: AppendTable, company: string, list: readonly unknown[][], form: BulkForm): Statement[] {
  if (list.length === 0) return [];
  if (form === 'arrays') return [{ sql, params: [company, ...t.columns.map((_, i) => list.map((r) => r[i]))] }];
  const out: Statement[] = [];
  let i = 0;
  for (; i + ROWS_PER_INSERT <= list.length; i += ROWS_PER_INSERT) {
    const params: unknown[] = [];
    for (let k = i; k < i + ROWS_PER_INSERT; k++) params.push(company, ...list[k]!);
    out.push({ sql: manyRowsSql(t), params });
  }
  for (; i < list.length; i++) out.push({ sql, params: [company, ...list[i]!] });
  return out;
}
