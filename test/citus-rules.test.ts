/**
 * The rules Citus needs to distribute the store by company (docs/scale-out.md), checked on a
 * migrated store on both dialects: every table is distributed by its company column (with the
 * company in front of every primary key, unique key and index, and co-located foreign keys) or
 * is a reference table listed below with why; and every statement the store runs — traced while
 * the query-plan workload calls every store method (test/store-support/workload.ts) — is bound
 * to one company and joins tables only on equal company, but for the statements listed below
 * with why. The checks themselves are shown to fail on a synthetic table and statements.
 */
import { describe, it, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { SqliteStore } from '../src/store/sqlite.js';
import { PostgresStore } from '../src/store/postgres.js';
import { SQL } from '../src/store/statements.js';
import type { LedgerStore } from '../src/store/store.js';
import { PG_URL, pgUnavailable } from './store-support/harness.js';
import { fixed, seed, tracer, workload, type Traced } from './store-support/workload.js';
import { keyProblems, pgKeys, sqliteKeys, statementProblems, type Key, type TableRules } from './store-support/citus.js';

const pgDown = await pgUnavailable();

/** How each table distributes. A new table must be added here (the key check fails on a table in neither list). */
const RULES: TableRules = {
  distributed: {
    // A company's own row: its key is the company, so it is distributed by it and co-located with the ledger.
    companies: 'id',
    events: 'company',
    journals: 'company',
    journal_lines: 'company',
    account_day_totals: 'company',
    sync_log: 'company',
    api_keys: 'company',
    event_refusals: 'company',
    // The costing state (issue 11): derived per company, co-located with its events.
    costing_meta: 'company',
    costing_events: 'company',
    costing_pools: 'company',
    costing_entries: 'company',
    costing_checkpoints: 'company',
    // Journals counted per kind and event type (the sync list's counts), kept with them.
    journal_counts: 'company',
  },
  reference: {
    schema_migrations: 'the schema version: one row per migration, the same for every company, written only by migrate()',
  },
};

/** Statements that may read more than one company, with why (each must still break the rule, or it leaves this list). */
const MULTI_COMPANY: Readonly<Record<string, string>> = {
  [SQL.companies]: 'listCompanies: the CLI lists every company (`stockbook db …`); on Citus a multi-shard read of one small row per company, never on a request path',
};

function checkStatements(seen: Traced, dialect: 'sqlite' | 'postgres'): void {
  for (const sql of fixed(dialect)) assert.ok(seen.has(sql), `the workload runs ${sql.slice(0, 80)}`);
  const bad: string[] = [];
  for (const [sql, params] of seen) {
    const problems = statementProblems(sql, params, RULES);
    if (MULTI_COMPANY[sql] !== undefined) assert.notDeepEqual(problems, [], `listed as multi-company but keeps the rules: ${sql}`);
    else if (problems.length > 0) bad.push(`${sql.replace(/\s+/g, ' ')}\n    → ${problems.join('; ')}`);
  }
  assert.deepEqual(bad, [], `statements that break the Citus rules:\n${bad.join('\n')}`);
  // Not vacuous: with the company column renamed away, every statement on a table distributed by company breaks a rule.
  const byCompany = Object.entries(RULES.distributed).filter(([, c]) => c === 'company').map(([t]) => t);
  const unbound = [...seen].filter(([sql]) => byCompany.some((t) => new RegExp(`\\b${t}\\b`).test(sql)));
  assert.ok(unbound.length > 30, `${unbound.length} statements on tables distributed by company`);
  for (const [sql, params] of unbound) assert.notDeepEqual(statementProblems(sql.replace(/\bcompany\b/g, 'tenant'), params, RULES), [], `without its company filter: ${sql}`);
}

async function load(store: LedgerStore & { migrate(): Promise<void> }): Promise<void> {
  await store.migrate();
  for (const id of ['big', 'small']) await store.putCompany({ id, name: id, config: {} });
  await seed(store, 'big', 2000, 100);
  await seed(store, 'small', 300, 30);
  await store.close();
}

/** A synthetic schema that breaks each key rule once (the same DDL on both dialects). */
const BAD_TABLES = `
  CREATE TABLE notes (id TEXT PRIMARY KEY, company TEXT NOT NULL REFERENCES companies (id), body TEXT, UNIQUE (body, company));
  CREATE INDEX notes_body ON notes (body);
  CREATE TABLE tags (company TEXT NOT NULL, note TEXT NOT NULL, PRIMARY KEY (company, note), FOREIGN KEY (note) REFERENCES notes (id));
  CREATE TABLE settings (name TEXT PRIMARY KEY, company TEXT REFERENCES companies (id));
  CREATE TABLE orphans (x TEXT);
`;
const BAD_RULES: TableRules = {
  distributed: { ...RULES.distributed, notes: 'company', tags: 'company' },
  reference: { ...RULES.reference, settings: 'a synthetic reference table that refers to a distributed one' },
};

/** What the key check must say of BAD_TABLES (index names differ by dialect, so matched by pattern). */
function checkBadKeys(problems: readonly string[]): void {
  const expect = [
    /^notes: primary key .*\(id\) does not lead with company/,
    /^notes: unique key .*\(body, company\) does not lead with company/,
    /^notes: index key notes_body \(body\) does not lead with company/,
    /^tags: foreign key .*\(note\) → notes \(id\): does not map company/,
    /^settings: foreign key .*\(company\) → companies \(id\): a reference table refers to a distributed one/,
    /^orphans: neither a distributed nor a reference table/,
  ];
  for (const e of expect) assert.ok(problems.some((p) => e.test(p)), `expected ${e} among:\n${problems.join('\n')}`);
  assert.equal(problems.length, expect.length, problems.join('\n'));
}

describe('Citus rules: SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-citus-'));
  const path = join(dir, 'citus.sqlite');
  const seen: Traced = new Map();
  before(async () => {
    await load(new SqliteStore(path));
    const store = new SqliteStore(path, { trace: tracer(seen) });
    try {
      await workload(store);
    } finally {
      await store.close();
    }
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('every table is distributed by company (first in every key) or a listed reference table', () => {
    const db = new Database(path, { readonly: true });
    try {
      const { tables, keys } = sqliteKeys(db);
      assert.deepEqual([...tables].sort(), Object.keys({ ...RULES.distributed, ...RULES.reference }).sort());
      assert.ok(keys.filter((k: Key) => k.kind === 'index').length >= 5, 'the indexes are seen');
      assert.deepEqual(keyProblems(tables, keys, RULES), []);
    } finally {
      db.close();
    }
  });

  it('every statement the store runs is bound to one company and joins on equal company', () => checkStatements(seen, 'sqlite'));

  it('the key check fails a table that breaks a rule', () => {
    const db = new Database(path);
    try {
      db.exec(`SAVEPOINT bad; ${BAD_TABLES}`);
      const { tables, keys } = sqliteKeys(db);
      checkBadKeys(keyProblems(tables, keys, BAD_RULES));
      db.exec('ROLLBACK TO bad; RELEASE bad');
    } finally {
      db.close();
    }
  });
});

if (pgDown && process.env['CI']) test('PostgreSQL is reachable (CI must run the Citus rules suite)', () => assert.fail(pgDown));

describe('Citus rules: PostgreSQL', { skip: pgDown && `${pgDown}; start it or set STOCKBOOK_TEST_PG` }, () => {
  const schema = `stockbook_citus_${process.pid}_${randomBytes(4).toString('hex')}`;
  const seen: Traced = new Map();
  const admin = new pg.Client({ connectionString: PG_URL });
  before(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    await load(new PostgresStore(PG_URL, { schema }));
    const store = new PostgresStore(PG_URL, { schema, trace: tracer(seen) });
    try {
      await workload(store);
    } finally {
      await store.close();
    }
  });
  after(async () => {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
  });

  it('every table is distributed by company (first in every key) or a listed reference table', async () => {
    const { tables, keys } = await pgKeys(admin, schema);
    assert.deepEqual([...tables].sort(), Object.keys({ ...RULES.distributed, ...RULES.reference }).sort());
    assert.ok(keys.filter((k) => k.kind === 'foreign').length >= 3, 'the foreign keys are seen');
    assert.deepEqual(keyProblems(tables, keys, RULES), []);
  });

  it('every statement the store runs is bound to one company and joins on equal company', () => checkStatements(seen, 'postgres'));

  it('the key check fails a table that breaks a rule', async () => {
    await admin.query(`BEGIN; SET LOCAL search_path TO ${schema}; ${BAD_TABLES}`);
    try {
      const { tables, keys } = await pgKeys(admin, schema);
      checkBadKeys(keyProblems(tables, keys, BAD_RULES));
    } finally {
      await admin.query('ROLLBACK');
    }
  });
});

test('the statement check fails the statements it should', () => {
  const ok = (sql: string, params: unknown[] = ['a', 'a', 'a']): void => assert.deepEqual(statementProblems(sql, params, RULES), [], sql);
  const bad = (sql: string, what: RegExp, params: unknown[] = ['a', 'a', 'a']): void => {
    const problems = statementProblems(sql, params, RULES);
    assert.ok(problems.some((p) => what.test(p)), `${sql}\n  expected ${what}, got ${JSON.stringify(problems)}`);
  };
  ok('SELECT * FROM journals j JOIN journal_lines l ON l.company = j.company AND l.journal_seq = j.seq WHERE j.company = ?');
  ok('INSERT INTO events (company, seq) VALUES (?, ?), (?, ?)', ['a', 1n, 'a', 2n]);
  ok('SELECT version FROM schema_migrations');
  bad('SELECT * FROM events WHERE id = ?', /^events is not bound/);
  bad('SELECT * FROM companies', /^companies is not bound/);
  // A join on the journal alone: the lines of every company with that number.
  bad('SELECT * FROM journals j JOIN journal_lines l ON l.journal_seq = j.seq WHERE j.company = ?', /^journal_lines l is not bound/);
  bad('SELECT * FROM journals j JOIN journal_lines l ON l.company <> j.company WHERE j.company = ?', /compares company by <>/);
  bad('SELECT * FROM journals j JOIN journal_lines l ON l.company = j.event_id WHERE j.company = ?', /^journal_lines l is not bound/);
  bad('SELECT * FROM journals j, journal_lines l WHERE j.company = ? AND l.company = ?', /company filters take 2 values/, ['a', 'b']);
  bad('SELECT * FROM events WHERE company IN (?, ?)', /compares company by IN/);
  bad('INSERT INTO events (seq, id) VALUES (?, ?)', /^events is not bound/);
  bad("INSERT INTO events (company, seq) VALUES (?, ?), ('b', ?)", /^events is not bound/, ['a', 1n, 2n]);
  bad('INSERT INTO events (company, seq) VALUES (?, ?), (?, ?)', /company filters take 2 values/, ['a', 1n, 'b', 2n]);
  bad('UPDATE api_keys SET company = ? WHERE company = ? AND id = ?', /SET changes company/);
  bad('INSERT INTO api_keys (company, id) VALUES (?, ?) ON CONFLICT (id) DO NOTHING', /ON CONFLICT \(id\) lacks company/);
});
