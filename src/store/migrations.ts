/**
 * Versioned schema migrations, one list for both dialects. Each migration runs once, in order,
 * inside the transaction that records it in `schema_migrations`; `migrate()` of each store
 * applies the pending ones under a lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: a transaction-level
 * advisory lock), so several processes may migrate at once and exactly one does the work.
 *
 * Rules for new migrations: append, never edit or reorder a shipped one; money columns are
 * BIGINT minor units (never REAL, NUMERIC or DOUBLE); events, journals and journal_lines are
 * append-only (no UPDATE or DELETE against them, here or in the stores).
 *
 * Dates are ISO 8601 text (`YYYY-MM-DD`, which sorts as it reads) in both dialects, so they
 * round-trip exactly and compare the same way.
 */
import { DATED_INDEX } from './dated-events.js';

export interface Migration {
  /** Strictly increasing, starting at 1. */
  version: number;
  name: string;
  sqlite: string;
  postgres: string;
}

/** The costing state's tables (migration 7): the same DDL in both dialects but for the integer type. */
function costingTables(int: string, text: string, key: string, clustered = ''): string {
  return `
      CREATE TABLE costing_meta (
        company    ${text} PRIMARY KEY,
        costing    ${text} NOT NULL,
        through    ${int} NOT NULL
      );
      CREATE TABLE costing_events (
        company ${text} NOT NULL,
        id      ${text} NOT NULL,
        seq     ${int} NOT NULL,
        version ${int} NOT NULL,
        state   ${text} NOT NULL,
        PRIMARY KEY (company, id)
      );
      CREATE INDEX costing_events_seq ON costing_events (company, seq);
      CREATE INDEX costing_events_version ON costing_events (company, version);
      CREATE TABLE costing_pools (
        company   ${text} NOT NULL,
        pool      ${text} NOT NULL,
        product   ${text} NOT NULL,
        warehouse ${text} NOT NULL,
        version   ${int} NOT NULL,
        entries   ${int} NOT NULL,
        last_key  ${key} NOT NULL,
        qty       ${int} NOT NULL,
        value     ${int} NOT NULL,
        state     ${text} NOT NULL,
        PRIMARY KEY (company, pool)
      );
      CREATE INDEX costing_pools_version ON costing_pools (company, version);
      CREATE TABLE costing_entries (
        company ${text} NOT NULL,
        pool    ${text} NOT NULL,
        idx     ${int} NOT NULL,
        key     ${key} NOT NULL,
        event   ${text} NOT NULL,
        move    ${int} NOT NULL,
        qty     ${int} NOT NULL,
        value   ${int} NOT NULL,
        PRIMARY KEY (company, pool, idx)
      )${clustered};
      CREATE INDEX costing_entries_key ON costing_entries (company, pool, key, idx);
      CREATE TABLE costing_checkpoints (
        company ${text} NOT NULL,
        pool    ${text} NOT NULL,
        idx     ${int} NOT NULL,
        state   ${text} NOT NULL,
        PRIMARY KEY (company, pool, idx)
      )${clustered};
  `;
}

/** Migration 8, the same in both dialects but for the integer type (one ADD COLUMN per statement, as SQLite requires). */
function reportIndexes(int: string): string {
  return `
      ALTER TABLE costing_meta ADD COLUMN first_date TEXT;
      ALTER TABLE costing_meta ADD COLUMN last_date TEXT;
      UPDATE costing_meta SET
        first_date = (SELECT MIN(e.date) FROM events e WHERE e.company = costing_meta.company),
        last_date = (SELECT MAX(e.date) FROM events e WHERE e.company = costing_meta.company);
      CREATE INDEX events_voids ON events (company, seq) WHERE type = 'void';
      CREATE TABLE journal_counts (
        company    TEXT NOT NULL,
        kind       TEXT NOT NULL,
        event_type TEXT NOT NULL,
        n          ${int} NOT NULL,
        PRIMARY KEY (company, kind, event_type)
      );
      INSERT INTO journal_counts (company, kind, event_type, n)
        SELECT company, kind, event_type, COUNT(*) FROM journals GROUP BY company, kind, event_type;
  `;
}

function balancesTable(int: string): string {
  return `
      CREATE TABLE account_balances (
        company TEXT NOT NULL,
        account TEXT NOT NULL,
        hi         ${int} NOT NULL,
        lo         ${int} NOT NULL,
        first_date TEXT NOT NULL,
        PRIMARY KEY (company, account)
      );
      INSERT INTO account_balances (company, account, hi, lo, first_date)
        SELECT company, account, SUM(amount >> 32), SUM(amount & 4294967295), MIN(date) FROM account_day_totals GROUP BY company, account;
  `;
}

/** A record's sync log rows in order (migration 10). */
const SYNC_RECORD_INDEX = 'CREATE INDEX sync_log_record ON sync_log (company, target, record, seq);';

/** Bookkeeping table; created (if missing) by migrate() itself, before the list runs. */
export const MIGRATIONS_TABLE = {
  sqlite: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
  )`,
  postgres: `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
  )`,
} as const;

/** Tables of migration 6 that read the same in both dialects. */
const API_KEYS_TABLE = `
      CREATE TABLE api_keys (
        company      TEXT NOT NULL,
        id           TEXT NOT NULL,
        name         TEXT NOT NULL,
        role         TEXT NOT NULL,
        hash         TEXT NOT NULL,
        created_at   TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at   TEXT,
        PRIMARY KEY (company, id),
        UNIQUE (company, hash)
      );`;
const EVENT_REFUSALS_TABLE = `CREATE TABLE event_refusals (
        company  TEXT NOT NULL,
        event_id TEXT NOT NULL,
        hash     TEXT NOT NULL,
        code     TEXT NOT NULL,
        at       TEXT NOT NULL,
        PRIMARY KEY (company, event_id, hash)
      )`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'ledger tables',
    sqlite: `
      CREATE TABLE companies (
        id     TEXT PRIMARY KEY,
        name   TEXT NOT NULL,
        config TEXT NOT NULL
      );
      CREATE TABLE events (
        company     TEXT NOT NULL REFERENCES companies (id),
        seq         INTEGER NOT NULL,
        id          TEXT NOT NULL,
        type        TEXT NOT NULL,
        date        TEXT NOT NULL,
        body        TEXT NOT NULL,
        recorded_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        PRIMARY KEY (company, seq),
        UNIQUE (company, id)
      );
      CREATE TABLE journals (
        company    TEXT NOT NULL,
        seq        INTEGER NOT NULL,
        event_seq  INTEGER NOT NULL,
        id         TEXT NOT NULL,
        event_id   TEXT NOT NULL,
        event_type TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('original', 'correction', 'reversal')),
        date       TEXT NOT NULL,
        currency   TEXT NOT NULL,
        cause      TEXT,
        reverses   TEXT,
        reference  TEXT,
        memo       TEXT,
        PRIMARY KEY (company, seq),
        UNIQUE (company, id),
        FOREIGN KEY (company, event_seq) REFERENCES events (company, seq)
      );
      CREATE INDEX journals_event_seq ON journals (company, event_seq);
      CREATE INDEX journals_event_id ON journals (company, event_id);
      CREATE INDEX journals_date ON journals (company, date);
      CREATE TABLE journal_lines (
        company     TEXT NOT NULL,
        journal_seq INTEGER NOT NULL,
        line_no     INTEGER NOT NULL,
        account     TEXT NOT NULL,
        amount      INTEGER NOT NULL CHECK (typeof(amount) = 'integer'),
        product     TEXT,
        warehouse   TEXT,
        memo        TEXT,
        date        TEXT NOT NULL,
        PRIMARY KEY (company, journal_seq, line_no),
        FOREIGN KEY (company, journal_seq) REFERENCES journals (company, seq)
      );
      CREATE INDEX journal_lines_account_date ON journal_lines (company, account, date);
    `,
    postgres: `
      CREATE TABLE companies (
        id     TEXT PRIMARY KEY,
        name   TEXT NOT NULL,
        config TEXT NOT NULL
      );
      CREATE TABLE events (
        company     TEXT NOT NULL REFERENCES companies (id),
        seq         BIGINT NOT NULL,
        id          TEXT NOT NULL,
        type        TEXT NOT NULL,
        date        TEXT NOT NULL,
        body        TEXT NOT NULL,
        recorded_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        PRIMARY KEY (company, seq),
        UNIQUE (company, id)
      );
      CREATE TABLE journals (
        company    TEXT NOT NULL,
        seq        BIGINT NOT NULL,
        event_seq  BIGINT NOT NULL,
        id         TEXT NOT NULL,
        event_id   TEXT NOT NULL,
        event_type TEXT NOT NULL,
        kind       TEXT NOT NULL CHECK (kind IN ('original', 'correction', 'reversal')),
        date       TEXT NOT NULL,
        currency   TEXT NOT NULL,
        cause      TEXT,
        reverses   TEXT,
        reference  TEXT,
        memo       TEXT,
        PRIMARY KEY (company, seq),
        UNIQUE (company, id),
        FOREIGN KEY (company, event_seq) REFERENCES events (company, seq)
      );
      CREATE INDEX journals_event_seq ON journals (company, event_seq);
      CREATE INDEX journals_event_id ON journals (company, event_id);
      CREATE INDEX journals_date ON journals (company, date);
      CREATE TABLE journal_lines (
        company     TEXT NOT NULL,
        journal_seq BIGINT NOT NULL,
        line_no     INTEGER NOT NULL,
        account     TEXT NOT NULL,
        amount      BIGINT NOT NULL,
        product     TEXT,
        warehouse   TEXT,
        memo        TEXT,
        date        TEXT NOT NULL,
        PRIMARY KEY (company, journal_seq, line_no),
        FOREIGN KEY (company, journal_seq) REFERENCES journals (company, seq)
      );
      CREATE INDEX journal_lines_account_date ON journal_lines (company, account, date);
    `,
  },
  {
    // The period lock may date a journal after the date it belongs to; keep that date.
    version: 2,
    name: 'journals.shifted_from',
    sqlite: 'ALTER TABLE journals ADD COLUMN shifted_from TEXT;',
    postgres: 'ALTER TABLE journals ADD COLUMN shifted_from TEXT;',
  },
  {
    // Net movement per account per day, kept with the lines in the same transaction, so a
    // trial balance as of any date sums days × accounts rows, not every journal line. It is
    // an index of journal_lines (rebuilt from them here), never a source of truth.
    version: 3,
    name: 'account_day_totals',
    sqlite: `
      CREATE TABLE account_day_totals (
        company TEXT NOT NULL,
        account TEXT NOT NULL,
        date    TEXT NOT NULL,
        amount  INTEGER NOT NULL CHECK (typeof(amount) = 'integer'),
        PRIMARY KEY (company, account, date)
      ) WITHOUT ROWID;
      INSERT INTO account_day_totals (company, account, date, amount)
        SELECT company, account, date, SUM(amount) FROM journal_lines GROUP BY company, account, date;
    `,
    postgres: `
      CREATE TABLE account_day_totals (
        company TEXT NOT NULL,
        account TEXT NOT NULL,
        date    TEXT NOT NULL,
        amount  BIGINT NOT NULL,
        PRIMARY KEY (company, account, date)
      );
      INSERT INTO account_day_totals (company, account, date, amount)
        SELECT company, account, date, SUM(amount) FROM journal_lines GROUP BY company, account, date;
    `,
  },
  {
    // Sync state (issue 4), append-only like the ledger: holds, claims, outcomes, re-posts,
    // run summaries and the target's token sets are rows; a record's state is its latest rows.
    version: 4,
    name: 'sync_log',
    sqlite: `
      CREATE TABLE sync_log (
        company TEXT NOT NULL,
        seq     INTEGER NOT NULL,
        target  TEXT NOT NULL,
        record  TEXT NOT NULL,
        version INTEGER NOT NULL,
        action  TEXT NOT NULL,
        run     TEXT,
        at      TEXT NOT NULL,
        data    TEXT,
        PRIMARY KEY (company, seq)
      );
      CREATE INDEX sync_log_action ON sync_log (company, target, action, seq);
    `,
    postgres: `
      CREATE TABLE sync_log (
        company TEXT NOT NULL,
        seq     BIGINT NOT NULL,
        target  TEXT NOT NULL,
        record  TEXT NOT NULL,
        version INTEGER NOT NULL,
        action  TEXT NOT NULL,
        run     TEXT,
        at      TEXT NOT NULL,
        data    TEXT,
        PRIMARY KEY (company, seq)
      );
      CREATE INDEX sync_log_action ON sync_log (company, target, action, seq);
    `,
  },  {
    // Bounded queries (issue 10): every statement is answered from an index range.
    // - A journal's event (by seq or id) in seq order: the index also gives the order, so the
    //   planner no longer walks the company's whole primary key to avoid a sort.
    // - Journals with a line on an account: the lines on the account in journal order (with
    //   their date, for date filters), joined to the journals, instead of an EXISTS per journal.
    // - GL detail pages: the lines on an account in (date, journal, line) order.
    // - A target's sync log in seq order, without walking other targets' rows.
    // - The configuration's version, bumped by every write of it, so a request reads one
    //   integer and reuses the configuration it parsed before (src/ledger/config-cache.ts).
    version: 5,
    name: 'bounded queries',
    sqlite: `
      DROP INDEX journals_event_seq;
      DROP INDEX journals_event_id;
      DROP INDEX journal_lines_account_date;
      CREATE INDEX journals_event_seq ON journals (company, event_seq, seq);
      CREATE INDEX journals_event_id ON journals (company, event_id, seq);
      CREATE INDEX journal_lines_account_seq ON journal_lines (company, account, journal_seq, date);
      CREATE INDEX journal_lines_account_date ON journal_lines (company, account, date, journal_seq, line_no);
      CREATE INDEX sync_log_target ON sync_log (company, target, seq);
      ALTER TABLE companies ADD COLUMN config_version INTEGER NOT NULL DEFAULT 1;
    `,
    postgres: `
      DROP INDEX journals_event_seq;
      DROP INDEX journals_event_id;
      DROP INDEX journal_lines_account_date;
      CREATE INDEX journals_event_seq ON journals (company, event_seq, seq);
      CREATE INDEX journals_event_id ON journals (company, event_id, seq);
      CREATE INDEX journal_lines_account_seq ON journal_lines (company, account, journal_seq, date);
      CREATE INDEX journal_lines_account_date ON journal_lines (company, account, date, journal_seq, line_no);
      CREATE INDEX sync_log_target ON sync_log (company, target, seq);
      ALTER TABLE companies ADD COLUMN config_version BIGINT NOT NULL DEFAULT 1;
    `,
  },
  {
    // API keys move out of the company configuration into their own table (issue 10): names,
    // last use and revocation, checked against the store on every request. The refusal log
    // notes events the ledger refused (they are not ledger events), so a re-import can say an
    // event it now posts was refused before. Both are append-only but for a key's last use and
    // revocation, which are configuration.
    version: 6,
    name: 'api_keys and event_refusals',
    sqlite: `${API_KEYS_TABLE}
      INSERT OR IGNORE INTO api_keys (company, id, name, role, hash, created_at)
        SELECT c.id, json_extract(k.value, '$.id'), json_extract(k.value, '$.id'), json_extract(k.value, '$.role'), json_extract(k.value, '$.hash'), json_extract(k.value, '$.createdAt')
        FROM companies c, json_each(c.config, '$.apiKeys') k
        WHERE json_type(c.config, '$.apiKeys') = 'array' AND json_type(k.value, '$.id') = 'text' AND json_type(k.value, '$.role') = 'text'
          AND json_type(k.value, '$.hash') = 'text' AND json_type(k.value, '$.createdAt') = 'text';
      UPDATE companies SET config = json_remove(config, '$.apiKeys') WHERE json_type(config, '$.apiKeys') IS NOT NULL;
      ${EVENT_REFUSALS_TABLE} WITHOUT ROWID;
    `,
    postgres: `${API_KEYS_TABLE}
      INSERT INTO api_keys (company, id, name, role, hash, created_at)
        SELECT c.id, k->>'id', k->>'id', k->>'role', k->>'hash', k->>'createdAt'
        FROM companies c
        CROSS JOIN LATERAL jsonb_array_elements(CASE WHEN jsonb_typeof(c.config::jsonb->'apiKeys') = 'array' THEN c.config::jsonb->'apiKeys' ELSE '[]'::jsonb END) k
        WHERE jsonb_typeof(k->'id') = 'string' AND jsonb_typeof(k->'role') = 'string' AND jsonb_typeof(k->'hash') = 'string' AND jsonb_typeof(k->'createdAt') = 'string'
        ON CONFLICT DO NOTHING;
      UPDATE companies SET config = (config::jsonb - 'apiKeys')::text WHERE config::jsonb ? 'apiKeys';
      ${EVENT_REFUSALS_TABLE};
    `,
  },
  {
    // The costing state (issue 11): what the book knows, kept beside the ledger so no process
    // replays a company's history to post or report. Derived from the events (a rebuild
    // replays them) and versioned: each row carries the seq of the event that last wrote it,
    // so a process's cache drops what another process changed. Unlike the ledger's tables these
    // rows are replaced as costs change; `stockbook verify` proves them equal to a rebuild.
    // - costing_meta: the costing configuration the state was built under and its last event.
    // - costing_events: each accepted event's current costs and links (its moves are planned
    //   again from the event, so they are not stored).
    // - costing_pools: each pool's layers and totals, and how many entries it has.
    // - costing_entries: each pool's history, in (date, time, id) order, with the on-hand
    //   quantity and value after each move: "as of a date" is one index probe per pool.
    // - costing_checkpoints: a pool's state every K entries, where a re-cost restarts.
    version: 7,
    name: 'costing state',
    // SQLite keeps entries and checkpoints in key order (WITHOUT ROWID), as PostgreSQL's index does.
    sqlite: costingTables('INTEGER', 'TEXT', 'TEXT', ' WITHOUT ROWID'),
    // Order keys compare byte by byte in both (PostgreSQL's default collation may follow a locale).
    postgres: costingTables('BIGINT', 'TEXT', 'TEXT COLLATE "C"'),
  },
  {
    // What reports read of the whole history without reading it (issue 11):
    // - costing_meta's first and last event dates (the dashboard's month range), kept with the
    //   state they describe and filled here from the events of a state built before;
    // - the void events, indexed by themselves (a partial index: written only for voids), so
    //   the set of voided events is read in O(voids), not by reading every event;
    // - journal_counts: how many journals the company has of each kind and event type (what
    //   the sync list counts its records by), kept with the journals in the same transaction
    //   as account_day_totals is, and filled here from the journals written before.
    version: 8,
    name: 'event dates, voids and journal counts',
    sqlite: reportIndexes('INTEGER'),
    postgres: reportIndexes('BIGINT'),
  },
  {
    // Each account's balance and first day, kept with its day totals in the same transaction
    // (issue 11): a trial balance reads a row per account, and one as of a date reads the balance less the
    // days after it, or the days up to it, whichever side of the date is shorter. Like
    // account_day_totals it is an index of journal_lines, filled here from the day totals;
    // `stockbook verify` proves it equal to them. A balance is kept as the sums of its amounts'
    // 32-bit halves (common.ts, BalanceRow): a ledger accepted before the bounds may hold one
    // beyond 64 bits (test/bounds-store.test.ts).
    version: 9,
    name: 'account_balances',
    sqlite: balancesTable('INTEGER'),
    postgres: balancesTable('BIGINT'),
  },
  {
    // The events reports look up by date (issue 11): sales, shipments and sale credit notes
    // (gross profit), stocktakes and count exports (the count export), under a partial index
    // of (company, type, date, seq), so a report reads the events its date range holds and no
    // other; the other event types are not indexed (src/store/dated-events.ts). And a
    // record's sync log rows by record, so one record's history and state are read by index,
    // not by reading the target's whole log.
    version: 10,
    name: 'events_dated and sync_log_record',
    sqlite: `${DATED_INDEX}\n      ${SYNC_RECORD_INDEX}`,
    postgres: `${DATED_INDEX}\n      ${SYNC_RECORD_INDEX}`,
  },
];

/** The migrations not yet applied, in order. Throws if the list itself is malformed. */
export function pending(applied: ReadonlySet<number>, list: readonly Migration[] = MIGRATIONS): Migration[] {
  checkOrder(list);
  return list.filter((m) => !applied.has(m.version));
}

export function checkOrder(list: readonly Migration[]): void {
  let last = 0;
  for (const m of list) {
    if (!Number.isInteger(m.version) || m.version <= last) throw new Error(`migration versions must increase from 1: ${m.version} after ${last}`);
    last = m.version;
  }
}
