/**
 * The store's statements, written once for both dialects with `?` placeholders (PostgreSQL
 * numbers them: `numbered`): every read, the numbers a writer hands out, and the writes of
 * companies, API keys and refusals. Fixed statements are the constants of `SQL`; the statements
 * whose shape follows a filter or a list are built here too, by the functions below. Every one
 * is answered from an index range of the company (test/query-plans.test.ts checks each plan on
 * both dialects). The rows a write appends to the ledger's tables have their INSERTs in
 * appends.ts; the DDL is in migrations.ts.
 */
import { checkLimit, checkSeq, idSlices } from './common.js';
import type { JournalFilter, LinePosition, Refusal, SyncQuery } from './store.js';

/** A statement and its parameters, in placeholder order. */
export interface Statement {
  sql: string;
  params: unknown[];
}

const JOURNAL_COLUMNS = `sel.seq, sel.event_seq, sel.id, sel.event_id, sel.event_type, sel.kind, sel.date, sel.currency,
           sel.cause, sel.reverses, sel.reference, sel.memo, sel.shifted_from,
           l.line_no, l.account, l.amount, l.product, l.warehouse, l.memo AS line_memo`;

/** An amount column summed as its high and low 32-bit halves (0 over no rows), recombined by `fromHalves`. */
const HALVES = 'COALESCE(SUM(amount >> 32), 0) AS hi, COALESCE(SUM(amount & 4294967295), 0) AS lo';

/** The columns of an api_keys query, in ApiKeyRow's names (common.ts). */
const API_KEY_COLUMNS = 'company, id, name, role, hash, created_at, last_used_at, revoked_at';

export const SQL = {
  company: 'SELECT id, name, config, config_version FROM companies WHERE id = ?',
  companies: 'SELECT id, name, config, config_version FROM companies',
  configVersion: 'SELECT config_version FROM companies WHERE id = ?',
  putCompany: 'INSERT INTO companies (id, name, config) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET name = excluded.name, config = excluded.config, config_version = companies.config_version + 1',
  event: 'SELECT seq, id, type, body FROM events WHERE company = ? AND id = ?',
  /** Events are numbered 1, 2, 3, … without gaps, so the last number is their count. */
  lastEventSeq: 'SELECT COALESCE((SELECT seq FROM events WHERE company = ? ORDER BY seq DESC LIMIT 1), 0) AS n',
  /** The numbers a writer hands out next (under the company's lock). */
  /** Written as the last row of the (company, seq) key: PostgreSQL without statistics planned MAX(seq) over the (company, id) index, every row of the company (bench/scale-out.ts). */
  lastSeqs: 'SELECT COALESCE((SELECT seq FROM events WHERE company = ? ORDER BY seq DESC LIMIT 1), 0) AS e, COALESCE((SELECT seq FROM journals WHERE company = ? ORDER BY seq DESC LIMIT 1), 0) AS j',
  lastSyncSeq: 'SELECT COALESCE(MAX(seq), 0) AS n FROM sync_log WHERE company = ?',
  journalHeaders: 'SELECT j.* FROM journals j WHERE j.company = ? AND j.seq > ? ORDER BY j.seq LIMIT ?',
  journalCounts: 'SELECT kind, event_type, n FROM journal_counts WHERE company = ?',
  /** The counts again from the journals themselves (verify: one pass over the company's journals). */
  recountJournals: 'SELECT kind, event_type, COUNT(*) AS n FROM journals WHERE company = ? GROUP BY kind, event_type',
  journalsOfEvent: journalsSql('SELECT j.* FROM journals j WHERE j.company = ? AND j.event_seq = ? ORDER BY j.seq'),
  /** Each account's balance and first day as kept (migration 9): a row per account. */
  balances: 'SELECT account, hi, lo, first_date FROM account_balances WHERE company = ?',
  /** The balances again from the day totals (verify). Sums are of 32-bit halves, so they cannot overflow (common.ts, BalanceRow). */
  recountBalances: `SELECT account, ${HALVES} FROM account_day_totals WHERE company = ? GROUP BY account`,
  /**
   * An account's balance through a line position: its day totals before the day, plus its
   * lines of that day up to and including the position (an index range of one account and day).
   */
  balanceThrough: `SELECT d.hi + l.hi AS hi, d.lo + l.lo AS lo
    FROM (SELECT ${HALVES} FROM account_day_totals WHERE company = ? AND account = ? AND date < ?) d,
         (SELECT ${HALVES} FROM journal_lines WHERE company = ? AND account = ? AND date = ? AND (journal_seq, line_no) <= (?, ?)) l`,
  /** The applied migrations (migrate() reads them under the migration lock to know what is pending). */
  migrations: 'SELECT version, name FROM schema_migrations ORDER BY version',
  addApiKey: 'INSERT INTO api_keys (company, id, name, role, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  apiKeys: `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE company = ? ORDER BY created_at, id`,
  apiKey: `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE company = ? AND id = ?`,
  apiKeyByHash: `SELECT ${API_KEY_COLUMNS} FROM api_keys WHERE company = ? AND hash = ?`,
  /** A revoked key keeps the time it was first revoked. */
  revokeApiKey: 'UPDATE api_keys SET revoked_at = ? WHERE company = ? AND id = ? AND revoked_at IS NULL',
  /** Last use is written only when the stored one is older than `since` (at most one write per key per interval). */
  markApiKeyUsed: 'UPDATE api_keys SET last_used_at = ? WHERE company = ? AND id = ? AND (last_used_at IS NULL OR last_used_at < ?)',
} as const;

/** Records an applied migration (in the transaction that applied it; not in `SQL`, since only migrate() runs it). */
export const RECORD_MIGRATION = 'INSERT INTO schema_migrations (version, name) VALUES (?, ?)';

/** `?` placeholders as PostgreSQL's `$1`, `$2`, … (no statement here has a `?` in a literal). */
export function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/**
 * The selected journals (`sel`, a query over `journals j`) joined to their lines, in seq and
 * line order. `sel` is MATERIALIZED: flattened into the join, SQLite would rather walk the
 * company's whole primary key in seq order than sort the few journals an index finds.
 */
function journalsSql(select: string): string {
  return `WITH sel AS MATERIALIZED (${select})
    SELECT ${JOURNAL_COLUMNS}
    FROM sel LEFT JOIN journal_lines l ON l.company = sel.company AND l.journal_seq = sel.seq
    ORDER BY sel.seq, l.line_no`;
}

/**
 * The accounts' day totals on one side of a date, summed per account: `upTo` the date, or
 * `after` it. The accounts are listed, so each is one range of (company, account, date).
 */
export function dayTotalsBeside(company: string, accounts: readonly string[], date: string, side: 'upTo' | 'after'): Statement[] {
  const op = side === 'upTo' ? '<=' : '>';
  return [...idSlices(accounts)].map((slice) => ({
    sql: `SELECT account, ${HALVES} FROM account_day_totals WHERE company = ? AND account IN (${slice.map(() => '?').join(', ')}) AND date ${op} ? GROUP BY account`,
    params: [company, ...slice, date],
  }));
}

/** Day totals of some accounts in (after, through], summed per account and month (the month is the date's first 7 characters). */
export function monthlyMovements(company: string, accounts: readonly string[], after: string, through: string): Statement[] {
  return [...idSlices(accounts)].map((slice) => ({
    sql: `SELECT account, substr(date, 1, 7) AS month, ${HALVES} FROM account_day_totals WHERE company = ? AND account IN (${slice.map(() => '?').join(', ')}) AND date > ? AND date <= ? GROUP BY account, substr(date, 1, 7)`,
    params: [company, ...slice, after, through],
  }));
}

/**
 * Journal headers by their ids or their events' ids (any number: in slices), in no order (the
 * caller sorts them): ordered by seq, SQLite walked the company's (company, seq) key to skip a
 * sort, every journal of the company (370 ms for 500 events at 1M events).
 */
export function journalHeadersBy(company: string, column: 'id' | 'event_id', values: readonly string[]): Statement[] {
  return [...idSlices(values)].map((slice) => ({ sql: `SELECT j.* FROM journals j WHERE j.company = ? AND j.${column} IN (${slice.map(() => '?').join(', ')})`, params: [company, ...slice] }));
}

/**
 * Events after `seq`, at most `limit` of them. Events are numbered without gaps, so a page is
 * the range (seq, seq + limit] of the (company, seq) key: bounded at both ends, it reads one
 * page of rows whatever the planner's statistics say. (Bounded only by `seq > ?` and a LIMIT,
 * PostgreSQL without ANALYZE estimates fewer rows than the LIMIT, so it plans a bitmap scan of
 * every later event of the company and sorts them: each page costs the rest of the history,
 * bench/pg-pages.ts. `ORDER BY company, seq` does not help: the planner already drops the
 * constant company from the order.)
 */
export function eventsAfter(company: string, seq: bigint, limit: number | undefined): Statement {
  checkSeq(seq);
  checkLimit(limit);
  if (limit === undefined) return { sql: 'SELECT seq, id, type, body FROM events WHERE company = ? AND seq > ? ORDER BY seq', params: [company, seq] };
  const last = seq + BigInt(limit);
  return { sql: 'SELECT seq, id, type, body FROM events WHERE company = ? AND seq > ? AND seq <= ? ORDER BY seq', params: [company, seq, last > MAX_SEQ ? MAX_SEQ : last] };
}

/** The largest number a BIGINT holds (the bound of a page that would run past it). */
const MAX_SEQ = 2n ** 63n - 1n;

/**
 * Journals and their lines in one statement (one snapshot in either dialect), in seq order.
 * Which index drives it depends on the filter:
 * - `event`: the event's journals (company, event_id, seq); an `account` is then kept by the
 *   caller (`keepAccount`), since an event has a handful of journals;
 * - `account`: the account's lines in journal order (company, account, journal_seq, date),
 *   distinct journals, then each journal by its key — never an EXISTS per journal;
 * - otherwise the company's journals by seq (the primary key), dates filtered on the way.
 */
export function journals(company: string, f: JournalFilter): Statement {
  checkLimit(f.limit);
  if (f.afterSeq !== undefined) checkSeq(f.afterSeq, 'afterSeq');
  const params: unknown[] = [];
  const p = (v: unknown): string => (params.push(v), '?');
  const range = (col: string): string[] => [
    ...(f.from === undefined ? [] : [`${col}date >= ${p(f.from)}`]),
    ...(f.to === undefined ? [] : [`${col}date <= ${p(f.to)}`]),
  ];
  const after = (col: string): string[] => (f.afterSeq === undefined ? [] : [`${col} > ${p(f.afterSeq)}`]);
  const limit = (): string => (f.limit === undefined || (f.event !== undefined && f.account !== undefined) ? '' : ` LIMIT ${p(BigInt(f.limit))}`);
  if (f.account !== undefined && f.event === undefined) {
    const w = [`a.company = ${p(company)}`, `a.account = ${p(f.account)}`, ...range('a.'), ...after('a.journal_seq')];
    const keys = `SELECT DISTINCT a.journal_seq FROM journal_lines a WHERE ${w.join(' AND ')} ORDER BY a.journal_seq${limit()}`;
    // CROSS JOIN keeps the account's lines as the outer loop in SQLite (left to itself it walks
    // the company's journals in seq order to skip a sort); PostgreSQL plans it as any join.
    const sql = journalsSql(`SELECT j.* FROM (${keys}) k CROSS JOIN journals j WHERE j.company = ${p(company)} AND j.seq = k.journal_seq ORDER BY j.seq`);
    return { sql, params };
  }
  const w = [`j.company = ${p(company)}`, ...(f.event === undefined ? [] : [`j.event_id = ${p(f.event)}`]), ...range('j.'), ...after('j.seq')];
  return { sql: journalsSql(`SELECT j.* FROM journals j WHERE ${w.join(' AND ')} ORDER BY j.seq${limit()}`), params };
}

/** With both `event` and `account`: the event's journals that have a line on the account, at most `limit`. */
export function keepAccount<J extends { lines: readonly { account: string }[] }>(list: J[], f: JournalFilter): J[] {
  if (f.event === undefined || f.account === undefined) return list;
  const kept = list.filter((j) => j.lines.some((l) => l.account === f.account));
  return f.limit === undefined ? kept : kept.slice(0, f.limit);
}

/** Lines on one account in (date, journal seq, line) order after a position, with their journal (GL detail pages). */
export function accountLines(company: string, account: string, q: { from?: string | undefined; to?: string | undefined; after?: LinePosition | undefined; limit: number }): Statement {
  checkLimit(q.limit);
  const params: unknown[] = [company, account];
  const w = ['l.company = ?', 'l.account = ?'];
  if (q.from !== undefined) {
    w.push('l.date >= ?');
    params.push(q.from);
  }
  if (q.to !== undefined) {
    w.push('l.date <= ?');
    params.push(q.to);
  }
  if (q.after !== undefined) {
    checkSeq(q.after.journalSeq, 'after.journalSeq');
    w.push('(l.date, l.journal_seq, l.line_no) > (?, ?, ?)');
    params.push(q.after.date, q.after.journalSeq, BigInt(q.after.lineNo));
  }
  params.push(BigInt(q.limit));
  const sql = `SELECT l.date, l.journal_seq, l.line_no, l.amount, l.product, l.warehouse, l.memo AS line_memo,
      j.id, j.kind, j.event_id, j.event_type, j.memo
    FROM journal_lines l JOIN journals j ON j.company = l.company AND j.seq = l.journal_seq
    WHERE ${w.join(' AND ')}
    ORDER BY l.date, l.journal_seq, l.line_no LIMIT ?`;
  return { sql, params };
}

/** The sync log of one target, by the (company, target, action, seq) or (company, target, record, seq) index or the key. */
export function syncEntries(company: string, target: string, q: SyncQuery): Statement {
  checkLimit(q.last);
  const params: unknown[] = [];
  const p = (v: unknown): string => (params.push(v), '?');
  const where = [`company = ${p(company)}`, `target = ${p(target)}`];
  if (q.record !== undefined) where.push(`record = ${p(q.record)}`);
  if (q.afterSeq !== undefined) where.push(`seq > ${p(q.afterSeq)}`);
  if (q.actions !== undefined) where.push(q.actions.length === 0 ? 'FALSE' : `action IN (${q.actions.map((a) => p(a)).join(', ')})`);
  const order = q.last === undefined ? 'ORDER BY seq' : `ORDER BY seq DESC LIMIT ${p(BigInt(q.last))}`;
  return { sql: `SELECT seq, target, record, version, action, run, at, data FROM sync_log WHERE ${where.join(' AND ')} ${order}`, params };
}

/** Rows per statement of `addRefusals`: five parameters each, far below either dialect's limit. */
const REFUSALS_PER_STATEMENT = 100;

/** Notes refusals, many rows per statement; a refusal already noted (same company, event and hash) is kept as it was. */
export function addRefusals(company: string, refusals: readonly Refusal[]): Statement[] {
  const out: Statement[] = [];
  for (let i = 0; i < refusals.length; i += REFUSALS_PER_STATEMENT) {
    const slice = refusals.slice(i, i + REFUSALS_PER_STATEMENT);
    const rows = slice.map(() => '(?, ?, ?, ?, ?)').join(', ');
    out.push({
      sql: `INSERT INTO event_refusals (company, event_id, hash, code, at) VALUES ${rows} ON CONFLICT (company, event_id, hash) DO NOTHING`,
      params: slice.flatMap((r) => [company, r.event, r.hash, r.code, r.at]),
    });
  }
  return out;
}

/** The refusals noted for these event ids, by the (company, event_id, hash) key: one statement per slice of ids (`idSlices`). */
export function refusalsOf(company: string, eventIds: readonly string[]): Statement[] {
  return [...idSlices(eventIds)].map((ids) => ({
    sql: `SELECT event_id, hash, code, at FROM event_refusals WHERE company = ? AND event_id IN (${ids.map(() => '?').join(', ')})`,
    params: [company, ...ids],
  }));
}
