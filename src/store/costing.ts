/**
 * The costing state's rows (migration 7): what the book knows of a company's events and pools,
 * kept beside the ledger so that no process replays history to post or report. The rows are
 * text and integers here; src/ledger/costing-codec.ts gives them meaning. Every statement is
 * written once for both dialects (`?` placeholders, each dialect's bulk form of appends.ts, ON CONFLICT upserts), is
 * keyed by company first, and reads an index range of the company.
 *
 * Unlike events and journals, these rows are derived and replaced as costs change: a write
 * upserts the events and pools it changed, rewrites a pool's entries from the first one that
 * changed, and its checkpoints when they changed. Each row carries the seq of the event whose
 * write last touched it (`version`), so a process that did not make the write can tell which of
 * its cached rows are out of date (`changedSince`).
 */
import { big, fromHalves, idSlices, smallInt } from './common.js';
import { assert } from '../domain/errors.js';
import type { Statement } from './statements.js';
import { bulkRows, insertSql, type AppendTable, type BulkForm } from './appends.js';
import type { CostingCheckpoint, CostingEntry, CostingEventRow, CostingMeta, CostingPoolRow, CostingReads, CostingWrite, OnHandRow } from './store.js';

type Query = <R>(sql: string, params: readonly unknown[]) => Promise<R[]>;

/**
 * A pool's key as stored: the book names a pool "product NUL warehouse", and PostgreSQL's text
 * holds no NUL, so the column holds the JSON array [product, warehouse] (one text per pool,
 * the same in both dialects, and no code can make two pools' texts equal).
 */
export function poolColumn(key: string): string {
  const at = key.indexOf('\u0000');
  return JSON.stringify([key.slice(0, at), key.slice(at + 1)]);
}

/** The code units keyColumn escapes, and its escapes. */
// eslint-disable-next-line no-control-regex
const NEEDS_ESCAPE = /[\u0000-\u001f\u007f-\uffff]/g;
// eslint-disable-next-line no-control-regex
const ESCAPES_ONE = /[\u0000-\u001f\u007f-\uffff]/;
// eslint-disable-next-line no-control-regex
const ESCAPE = /\u0001([0-9a-f]{2})|\u007f([0-9a-f]{4})/g;

function escapeUnit(c: string): string {
  const code = c.charCodeAt(0);
  return code < 0x20 ? `\x01${code.toString(16).padStart(2, '0')}` : `\x7f${code.toString(16).padStart(4, '0')}`;
}

/**
 * An order key (date, time, id: src/domain/events.ts) as stored, in a form whose byte order in
 * both stores is the book's order, which compares UTF-16 code units: printable ASCII stays as
 * it is, code units below 0x20 (the key's NUL separator) become \x01 + two hex digits, and
 * code units from 0x7F up become \x7F + four hex digits. The text is ASCII without NUL, so
 * SQLite's binary collation and PostgreSQL's "C" collation order it the same way.
 */
export function keyColumn(key: string): string {
  // Most keys have one NUL (between time and id) and nothing else to escape.
  const at = key.indexOf('\u0000');
  if (at >= 0 && key.indexOf('\u0000', at + 1) < 0) {
    const head = key.slice(0, at);
    const tail = key.slice(at + 1);
    if (!ESCAPES_ONE.test(head) && !ESCAPES_ONE.test(tail)) return `${head}\x0100${tail}`;
  }
  return key.replace(NEEDS_ESCAPE, escapeUnit);
}

export function keyFromColumn(column: string): string {
  const at = column.indexOf('\x01');
  if (at >= 0 && column.startsWith('00', at + 1) && column.indexOf('\x01', at + 3) < 0 && column.indexOf('\x7f') < 0) return `${column.slice(0, at)}\u0000${column.slice(at + 3)}`;
  return column.replace(ESCAPE, (_m, two: string | undefined, four: string | undefined) => String.fromCharCode(Number.parseInt(two ?? four ?? '', 16)));
}

function poolFromColumn(column: string): string {
  const [product, warehouse] = JSON.parse(column) as [string, string];
  return `${product}\u0000${warehouse}`;
}

const HALVES = 'COALESCE(SUM(amount >> 32), 0) AS hi, COALESCE(SUM(amount & 4294967295), 0) AS lo';
const EVENT_COLUMNS = 'c.id, c.seq, c.version, c.state, e.body';
const POOL_COLUMNS = 'pool, product, warehouse, version, entries, last_key, qty, value, state';

export const COSTING_SQL = {
  meta: 'SELECT costing, through, first_date, last_date FROM costing_meta WHERE company = ?',
  putMeta: `INSERT INTO costing_meta (company, costing, through, first_date, last_date) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (company) DO UPDATE SET costing = excluded.costing, through = excluded.through, first_date = excluded.first_date, last_date = excluded.last_date`,
  /** Void events by the partial index events_voids (migration 8): O(voids), however many events. */
  voids: "SELECT seq, id, body FROM events WHERE company = ? AND type = 'void' AND seq > ? ORDER BY seq",
  /** An event's state with its body, by the key; the body is the event's own row (same company, seq). */
  eventsPage: `SELECT ${EVENT_COLUMNS} FROM costing_events c JOIN events e ON e.company = c.company AND e.seq = c.seq WHERE c.company = ? AND c.seq > ? AND c.seq <= ? ORDER BY c.seq`,
  allPools: `SELECT ${POOL_COLUMNS} FROM costing_pools WHERE company = ? ORDER BY pool`,
  checkpoints: 'SELECT idx, state FROM costing_checkpoints WHERE company = ? AND pool = ? ORDER BY idx',
  entries: 'SELECT idx, key, event, move, qty, value FROM costing_entries WHERE company = ? AND pool = ? AND idx >= ? AND idx < ? ORDER BY idx',
  /** The first entry at or after a key: one probe of (company, pool, key, idx). */
  entryAtKey: 'SELECT idx FROM costing_entries WHERE company = ? AND pool = ? AND key >= ? ORDER BY key, idx LIMIT 1',
  /** Each pool that has moved, with its on-hand figures after its last entry up to a key (none: nothing on hand). */
  onHandAsOf: `SELECT p.pool, p.product, p.warehouse,
      (SELECT e.qty FROM costing_entries e WHERE e.company = p.company AND e.pool = p.pool AND e.key <= ? ORDER BY e.key DESC, e.idx DESC LIMIT 1) AS qty,
      (SELECT e.value FROM costing_entries e WHERE e.company = p.company AND e.pool = p.pool AND e.key <= ? ORDER BY e.key DESC, e.idx DESC LIMIT 1) AS value
    FROM costing_pools p WHERE p.company = ? AND p.entries > 0 ORDER BY p.pool`,
  changedEvents: 'SELECT id FROM costing_events WHERE company = ? AND version > ?',
  changedPools: 'SELECT pool FROM costing_pools WHERE company = ? AND version > ?',
  dropEntries: 'DELETE FROM costing_entries WHERE company = ? AND pool = ? AND idx >= ?',
  dropCheckpoint: 'DELETE FROM costing_checkpoints WHERE company = ? AND pool = ? AND idx = ?',
  clear: ['costing_meta', 'costing_events', 'costing_pools', 'costing_entries', 'costing_checkpoints'].map((t) => `DELETE FROM ${t} WHERE company = ?`),
} as const;

interface EventRowRaw { id: string; seq: unknown; version: unknown; state: string; body: string }
interface PoolRowRaw { pool: string; product: string; warehouse: string; version: unknown; entries: unknown; last_key: string; qty: unknown; value: unknown; state: string }
interface EntryRowRaw { idx: unknown; key: string; event: string; move: unknown; qty: unknown; value: unknown }

const toEventRow = (r: EventRowRaw): CostingEventRow => ({ id: r.id, seq: big(r.seq), version: big(r.version), state: r.state, body: r.body });
const toPoolRow = (r: PoolRowRaw): CostingPoolRow => ({ pool: poolFromColumn(r.pool), product: r.product, warehouse: r.warehouse, version: big(r.version), entries: smallInt(r.entries), lastKey: keyFromColumn(r.last_key), qty: big(r.qty), value: big(r.value), state: r.state });
const toEntry = (r: EntryRowRaw): CostingEntry => ({ idx: smallInt(r.idx), key: keyFromColumn(r.key), event: r.event, move: smallInt(r.move), qty: big(r.qty), value: big(r.value) });

const upsert = (key: string, columns: readonly string[]): string => `ON CONFLICT (${key}) DO UPDATE SET ${columns.map((c) => `${c} = excluded.${c}`).join(', ')}`;

/**
 * The costing tables as appended rows are (appends.ts): a write sends each table's rows in the
 * dialect's bulk form, so a batch that moves 3,000 pools is one statement per table on
 * PostgreSQL, not one per pool. Events, pools and checkpoints are upserted (a write replaces what
 * it changed; checkpoints thinned out are dropped by idx); entries are inserted after the rows
 * they replace are dropped.
 */
export const COSTING_TABLES = {
  events: { name: 'costing_events', columns: [['id', 'text'], ['seq', 'bigint'], ['version', 'bigint'], ['state', 'text']], onConflict: upsert('company, id', ['seq', 'version', 'state']) },
  pools: {
    name: 'costing_pools',
    columns: [['pool', 'text'], ['product', 'text'], ['warehouse', 'text'], ['version', 'bigint'], ['entries', 'bigint'], ['last_key', 'text'], ['qty', 'bigint'], ['value', 'bigint'], ['state', 'text']],
    onConflict: upsert('company, pool', ['product', 'warehouse', 'version', 'entries', 'last_key', 'qty', 'value', 'state']),
  },
  entries: { name: 'costing_entries', columns: [['pool', 'text'], ['idx', 'bigint'], ['key', 'text'], ['event', 'text'], ['move', 'bigint'], ['qty', 'bigint'], ['value', 'bigint']] },
  checkpoints: { name: 'costing_checkpoints', columns: [['pool', 'text'], ['idx', 'bigint'], ['state', 'text']], onConflict: upsert('company, pool, idx', ['state']) },
} as const satisfies Record<string, AppendTable>;

type CostingTable = keyof typeof COSTING_TABLES;

/** Each costing table's INSERT in a form, made once per form. */
const COSTING_INSERTS: Record<BulkForm, Record<CostingTable, string>> = {
  rows: tableInserts('rows'),
  arrays: tableInserts('arrays'),
};

function tableInserts(form: BulkForm): Record<CostingTable, string> {
  const out = {} as Record<CostingTable, string>;
  for (const k of Object.keys(COSTING_TABLES) as CostingTable[]) out[k] = insertSql(COSTING_TABLES[k], form);
  return out;
}

/** The statements of one write of the costing state (the caller holds the company's lock). */
export function costingWrite(company: string, w: CostingWrite, form: BulkForm): Statement[] {
  const v = w.meta.through;
  const rows: Record<CostingTable, unknown[][]> = {
    events: w.events.map((e) => [e.id, e.seq, v, e.state]),
    pools: w.pools.map((p) => [poolColumn(p.pool), p.product, p.warehouse, v, BigInt(p.entries), keyColumn(p.lastKey), p.qty, p.value, p.state]),
    entries: [],
    checkpoints: [],
  };
  const out: Statement[] = [];
  // Every drop runs before every insert, so a pool's entries and checkpoints come once per write.
  assert(new Set(w.entries.map((e) => e.pool)).size === w.entries.length && new Set(w.checkpoints.map((c) => c.pool)).size === w.checkpoints.length, 'a costing write names each pool once');
  for (const e of w.entries) {
    const pool = poolColumn(e.pool);
    if (e.truncate) out.push({ sql: COSTING_SQL.dropEntries, params: [company, pool, BigInt(e.from)] });
    for (const r of e.rows) rows.entries.push([pool, BigInt(r.idx), keyColumn(r.key), r.event, BigInt(r.move), r.qty, r.value]);
  }
  for (const c of w.checkpoints) {
    const pool = poolColumn(c.pool);
    for (const idx of c.drop) out.push({ sql: COSTING_SQL.dropCheckpoint, params: [company, pool, BigInt(idx)] });
    for (const r of c.rows) rows.checkpoints.push([pool, BigInt(r.idx), r.state]);
  }
  const sql = COSTING_INSERTS[form];
  // One by one: a void that rewrites a million entries makes ten thousand statements, too many to spread.
  for (const k of Object.keys(COSTING_TABLES) as CostingTable[]) for (const st of bulkRows(sql[k], COSTING_TABLES[k], company, rows[k], form)) out.push(st);
  out.push({ sql: COSTING_SQL.putMeta, params: [company, w.meta.costing, w.meta.through, w.meta.span?.first ?? null, w.meta.span?.last ?? null] });
  return out;
}

/** The costing state's reads for one company, over a store's reader or a write's transaction. */
export class CostingRows implements CostingReads {
  constructor(private readonly query: Query, private readonly company: string) {}

  async meta(): Promise<CostingMeta | undefined> {
    const [r] = await this.query<{ costing: string; through: unknown; first_date: string | null; last_date: string | null }>(COSTING_SQL.meta, [this.company]);
    if (!r) return undefined;
    assert((r.first_date === null) === (r.last_date === null), `costing_meta of ${this.company} has both dates or neither`);
    return { costing: r.costing, through: big(r.through), span: r.first_date === null ? undefined : { first: r.first_date, last: r.last_date! } };
  }

  async voids(afterSeq: bigint): Promise<{ seq: bigint; id: string; target: string }[]> {
    const rows = await this.query<{ seq: unknown; id: string; body: string }>(COSTING_SQL.voids, [this.company, afterSeq]);
    return rows.map((r) => {
      const target = (JSON.parse(r.body) as { target?: unknown }).target;
      assert(typeof target === 'string', `void event ${r.id} names its target`);
      return { seq: big(r.seq), id: r.id, target };
    });
  }

  async events(ids: readonly string[]): Promise<CostingEventRow[]> {
    const out: CostingEventRow[] = [];
    for (const slice of idSlices(ids)) {
      const sql = `SELECT ${EVENT_COLUMNS} FROM costing_events c JOIN events e ON e.company = c.company AND e.seq = c.seq WHERE c.company = ? AND c.id IN (${slice.map(() => '?').join(', ')})`;
      out.push(...(await this.query<EventRowRaw>(sql, [this.company, ...slice])).map(toEventRow));
    }
    return out;
  }

  async bodies(ids: readonly string[]): Promise<{ id: string; body: string }[]> {
    const out: { id: string; body: string }[] = [];
    for (const slice of idSlices(ids)) {
      out.push(...(await this.query<{ id: string; body: string }>(`SELECT id, body FROM events WHERE company = ? AND id IN (${slice.map(() => '?').join(', ')})`, [this.company, ...slice])));
    }
    return out;
  }

  /** Events by seq in (after, after + limit]: their seqs are the events' own, which have no gaps. */
  async eventsPage(after: bigint, limit: number): Promise<CostingEventRow[]> {
    return (await this.query<EventRowRaw>(COSTING_SQL.eventsPage, [this.company, after, after + BigInt(limit)])).map(toEventRow);
  }

  async pools(keys: readonly string[]): Promise<CostingPoolRow[]> {
    const out: CostingPoolRow[] = [];
    for (const slice of idSlices(keys)) {
      const sql = `SELECT ${POOL_COLUMNS} FROM costing_pools WHERE company = ? AND pool IN (${slice.map(() => '?').join(', ')})`;
      out.push(...(await this.query<PoolRowRaw>(sql, [this.company, ...slice.map(poolColumn)])).map(toPoolRow));
    }
    return out;
  }

  async allPools(): Promise<CostingPoolRow[]> {
    return (await this.query<PoolRowRaw>(COSTING_SQL.allPools, [this.company])).map(toPoolRow);
  }

  async checkpoints(pool: string): Promise<CostingCheckpoint[]> {
    return (await this.query<{ idx: unknown; state: string }>(COSTING_SQL.checkpoints, [this.company, poolColumn(pool)])).map((r) => ({ idx: smallInt(r.idx), state: r.state }));
  }

  async poolCheckpoints(pools: readonly string[]): Promise<Map<string, CostingCheckpoint[]>> {
    const out = new Map<string, CostingCheckpoint[]>();
    for (const slice of idSlices(pools)) {
      const sql = `SELECT pool, idx, state FROM costing_checkpoints WHERE company = ? AND pool IN (${slice.map(() => '?').join(', ')}) ORDER BY pool, idx`;
      for (const r of await this.query<{ pool: string; idx: unknown; state: string }>(sql, [this.company, ...slice.map(poolColumn)])) {
        const key = poolFromColumn(r.pool);
        let list = out.get(key);
        if (!list) out.set(key, (list = []));
        list.push({ idx: smallInt(r.idx), state: r.state });
      }
    }
    return out;
  }

  async entries(pool: string, from: number, to: number): Promise<CostingEntry[]> {
    return (await this.query<EntryRowRaw>(COSTING_SQL.entries, [this.company, poolColumn(pool), BigInt(from), BigInt(to)])).map(toEntry);
  }

  async entryAtKey(pool: string, key: string): Promise<number | undefined> {
    const [r] = await this.query<{ idx: unknown }>(COSTING_SQL.entryAtKey, [this.company, poolColumn(pool), keyColumn(key)]);
    return r && smallInt(r.idx);
  }

  async onHandAsOf(key: string): Promise<OnHandRow[]> {
    const rows = await this.query<{ pool: string; product: string; warehouse: string; qty: unknown; value: unknown }>(COSTING_SQL.onHandAsOf, [keyColumn(key), keyColumn(key), this.company]);
    return rows.map((r) => ({ pool: poolFromColumn(r.pool), product: r.product, warehouse: r.warehouse, qty: r.qty === null ? 0n : big(r.qty), value: r.value === null ? 0n : big(r.value) }));
  }

  async changedSince(seq: bigint): Promise<{ events: string[]; pools: string[] }> {
    const events = (await this.query<{ id: string }>(COSTING_SQL.changedEvents, [this.company, seq])).map((r) => r.id);
    const pools = (await this.query<{ pool: string }>(COSTING_SQL.changedPools, [this.company, seq])).map((r) => poolFromColumn(r.pool));
    return { events, pools };
  }

  async accountBalances(accounts: readonly string[]): Promise<Map<string, bigint>> {
    const balances = new Map<string, bigint>();
    for (const slice of idSlices(accounts)) {
      const sql = `SELECT account, ${HALVES} FROM account_day_totals WHERE company = ? AND account IN (${slice.map(() => '?').join(', ')}) GROUP BY account`;
      for (const r of await this.query<{ account: string; hi: unknown; lo: unknown }>(sql, [this.company, ...slice])) balances.set(r.account, fromHalves(r));
    }
    return balances;
  }

  async accountDays(accounts: readonly string[], from: string, to: string): Promise<[account: string, date: string, amount: bigint][]> {
    const days: [string, string, bigint][] = [];
    for (const slice of idSlices(accounts)) {
      const sql = `SELECT account, date, amount FROM account_day_totals WHERE company = ? AND account IN (${slice.map(() => '?').join(', ')}) AND date >= ? AND date <= ?`;
      for (const r of await this.query<{ account: string; date: string; amount: unknown }>(sql, [this.company, ...slice, from, to])) days.push([r.account, r.date, big(r.amount)]);
    }
    return days;
  }

}
