/**
 * Every statement the stores run has an index-backed plan, on both dialects. A seeded store (a
 * big company and a small one, several accounts, many journals, API keys and refusals) runs a
 * workload that calls every store method with every filter shape; the store's trace lists each statement it ran,
 * and each is explained against the same data: `EXPLAIN QUERY PLAN` on SQLite (no ANALYZE, as
 * a deployment has it), `EXPLAIN (FORMAT JSON)` on PostgreSQL (after ANALYZE). A plan fails on
 * a scan of a checked table (the ledger's, api_keys, event_refusals) that no index bounds
 * (`SCAN journals`, a Seq Scan, an index scan without a condition) or on a correlated
 * subquery, which runs once per row.
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
import { COSTING_SQL } from '../src/store/costing.js';
import { numbered } from '../src/store/statements.js';
import { PG_URL, pgUnavailable } from './store-support/harness.js';
import { fixed, seed, seedCosting, tracer, workload, type Traced } from './store-support/workload.js';

// Asked first: the SQLite suite's seeding keeps the event loop busy.
const pgDown = await pgUnavailable();
/** The tables no statement may walk: the ledger's, and the keys and refusals read on every request or post. */
const CHECKED_TABLES = ['events', 'journals', 'journal_lines', 'account_day_totals', 'sync_log', 'api_keys', 'event_refusals', 'costing_events', 'costing_pools', 'costing_entries', 'costing_checkpoints'];
/** Table aliases of a statement that stand for a checked table (`journals j` → j). */
function ledgerAliases(sql: string): Set<string> {
  const out = new Set<string>(CHECKED_TABLES);
  for (const m of sql.matchAll(/\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(?!WHERE\b|JOIN\b|ON\b|LEFT\b|ORDER\b|GROUP\b|LIMIT\b)(\w+))?/gi)) {
    if (CHECKED_TABLES.includes(m[1]!) && m[2] !== undefined) out.add(m[2]);
  }
  return out;
}

/**
 * Whether a statement filters a checked table by equality on a column besides the company
 * (`j.event_seq = ?`, `account = ?`): then an index on the company alone walks all of it.
 */
function filtersBeyondCompany(sql: string, aliases: ReadonlySet<string>): boolean {
  for (const m of sql.matchAll(/(?:\b(\w+)\.)?\b(\w+) = \?/g)) {
    const [, alias, column] = m;
    if (column !== 'company' && (alias === undefined || aliases.has(alias))) return true;
  }
  return false;
}

/** What is wrong with a SQLite plan (its detail lines), if anything. */
export function sqliteProblems(sql: string, details: readonly string[]): string[] {
  const aliases = ledgerAliases(sql);
  const beyond = filtersBeyondCompany(sql, aliases);
  return details.filter((d) => {
    const scan = /^(SCAN|SEARCH) (\w+)(?: USING (?:COVERING )?INDEX \w+ \((.*)\))?/.exec(d);
    const onLedger = scan !== null && aliases.has(scan[2]!);
    const companyOnly = scan?.[3] === 'company=?';
    return (onLedger && (scan[1] === 'SCAN' || (companyOnly && beyond))) || /CORRELATED/.test(d);
  });
}

interface PgNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Filter?: string;
  'Parent Relationship'?: string;
  Plans?: PgNode[];
}

/** What is wrong with a PostgreSQL plan, if anything. */
export function pgProblems(node: PgNode): string[] {
  const out: string[] = [];
  const visit = (n: PgNode): void => {
    const what = `${n['Node Type']} ${n['Relation Name'] ?? n['Index Name'] ?? ''}`.trim();
    if (n['Node Type'] === 'Seq Scan' && CHECKED_TABLES.includes(n['Relation Name'] ?? '')) out.push(what);
    if (/Index/.test(n['Node Type']) && n['Index Name'] !== undefined && n['Index Cond'] === undefined) out.push(`${what} without an index condition`);
    // An index used for the company alone while the rows are filtered by more: a walk of the company.
    if (/^\(company = [^()]*\)$/.test(n['Index Cond'] ?? '') && / = /.test(n.Filter ?? '')) out.push(`${what} on the company alone, filtering ${n.Filter}`);
    if (n['Parent Relationship'] === 'SubPlan') out.push(`${what}: a subplan run per row`);
    n.Plans?.forEach(visit);
  };
  visit(node);
  return out;
}

/**
 * Statements whose subquery per row is the plan wanted, with why. Only that problem is forgiven:
 * each must still show it (or leave this list), and no other.
 */
const PER_ROW: Readonly<Record<string, string>> = {
  [COSTING_SQL.onHandAsOf]: 'one probe of (company, pool, key, idx) per pool for its last entry up to a date: pools × log(entries), bounded by products × warehouses, never by the history',
};
const perRowProblem = (p: string): boolean => /CORRELATED|a subplan run per row/.test(p);

function checkAll(seen: Traced, dialect: 'sqlite' | 'postgres', explain: (sql: string, params: readonly unknown[]) => Promise<string[]>): Promise<void> {
  return (async () => {
    for (const sql of fixed(dialect)) assert.ok(seen.has(sql), `the workload runs ${sql.slice(0, 80)}`);
    for (const table of CHECKED_TABLES) {
      for (const verb of ['FROM', 'INTO']) assert.ok([...seen.keys()].some((sql) => sql.includes(`${verb} ${table} `)), `the workload runs a statement ${verb} ${table}`);
    }
    assert.ok(seen.size > 40, `the workload ran ${seen.size} distinct statements`);
    const bad: string[] = [];
    for (const [sql, params] of seen) {
      let problems = await explain(sql, params);
      if (PER_ROW[sql] !== undefined) {
        assert.ok(problems.some(perRowProblem), `listed as a probe per row but planned otherwise: ${sql}`);
        problems = problems.filter((p) => !perRowProblem(p));
      }
      if (problems.length > 0) bad.push(`${sql.replace(/\s+/g, ' ')}\n    → ${problems.join('; ')}`);
    }
    assert.deepEqual(bad, [], `statements without an index-backed plan:\n${bad.join('\n')}`);
  })();
}

describe('query plans: SQLite', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-plans-'));
  const seen: Traced = new Map();
  let store: SqliteStore;
  before(async () => {
    const loader = new SqliteStore(join(dir, 'plans.sqlite'));
    await loader.migrate();
    for (const id of ['big', 'small']) await loader.putCompany({ id, name: id, config: {} });
    await seed(loader, 'big', 30_000, 1000);
    await seed(loader, 'small', 300, 30);
    await seedCosting(loader, 'big', 400, 64);
    await loader.close();
    store = new SqliteStore(join(dir, 'plans.sqlite'), { trace: tracer(seen) });
    await workload(store);
  });
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('every statement is answered from an index range (no SCAN of a checked table, no correlated subquery)', async () => {
    const db = new Database(join(dir, 'plans.sqlite'), { readonly: true });
    try {
      await checkAll(seen, 'sqlite', async (sql, params) => {
        const details = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
        return sqliteProblems(sql, details);
      });
    } finally {
      db.close();
    }
  });

  it('the check itself fails the plans it should', () => {
    assert.deepEqual(sqliteProblems('SELECT * FROM journals j WHERE j.date > ?', ['SCAN j']), ['SCAN j']);
    assert.equal(sqliteProblems('SELECT 1', ['CORRELATED SCALAR SUBQUERY 1']).length, 1);
    assert.deepEqual(sqliteProblems('SELECT * FROM journals j', ['SEARCH j USING INDEX journals_date (company=?)', 'SCAN sel']), []);
    // The resend bug: the journals of one event found by walking the company's key in seq order.
    const ofEvent = 'SELECT j.* FROM journals j WHERE j.company = ? AND j.event_seq = ? ORDER BY j.seq';
    assert.equal(sqliteProblems(ofEvent, ['SEARCH j USING INDEX sqlite_autoindex_journals_1 (company=?)']).length, 1);
    assert.deepEqual(sqliteProblems(ofEvent, ['SEARCH j USING INDEX journals_event_seq (company=? AND event_seq=?)']), []);
  });
});

if (pgDown && process.env['CI']) test('PostgreSQL is reachable (CI must run the query plan suite)', () => assert.fail(pgDown));

describe('query plans: PostgreSQL', { skip: pgDown && `${pgDown}; start it or set STOCKBOOK_TEST_PG` }, () => {
  const schema = `stockbook_plans_${process.pid}_${randomBytes(4).toString('hex')}`;
  const seen: Traced = new Map();
  const admin = new pg.Client({ connectionString: PG_URL });
  let store: PostgresStore;
  before(async () => {
    await admin.connect();
    await admin.query(`CREATE SCHEMA ${schema}`);
    const loader = new PostgresStore(PG_URL, { schema });
    await loader.migrate();
    for (const id of ['big', 'small']) await loader.putCompany({ id, name: id, config: {} });
    await seed(loader, 'big', 30_000, 1000);
    await seed(loader, 'small', 300, 30);
    await seedCosting(loader, 'big', 400, 64);
    await loader.close();
    await admin.query(`SET search_path TO ${schema}`);
    await admin.query('ANALYZE');
    store = new PostgresStore(PG_URL, { schema, trace: tracer(seen) });
    await workload(store);
  });
  after(async () => {
    await store?.close();
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
  });

  it('every statement is answered from an index range (no Seq Scan of a checked table, no subplan per row)', async () => {
    await checkAll(seen, 'postgres', async (sql, params) => {
      const { rows } = await admin.query<{ 'QUERY PLAN': [{ Plan: PgNode }] }>(`EXPLAIN (FORMAT JSON) ${numbered(sql)}`, params as unknown[]);
      return pgProblems(rows[0]!['QUERY PLAN'][0].Plan);
    });
  });

  it('the check itself fails the plans it should', () => {
    assert.equal(pgProblems({ 'Node Type': 'Seq Scan', 'Relation Name': 'journals' }).length, 1);
    assert.equal(pgProblems({ 'Node Type': 'Index Scan', 'Relation Name': 'journals', 'Index Name': 'journals_pkey' }).length, 1);
    assert.equal(pgProblems({ 'Node Type': 'Result', Plans: [{ 'Node Type': 'Index Scan', 'Index Name': 'x', 'Index Cond': '(a = 1)', 'Parent Relationship': 'SubPlan' }] }).length, 1);
    assert.deepEqual(pgProblems({ 'Node Type': 'Index Scan', 'Relation Name': 'journals', 'Index Name': 'journals_pkey', 'Index Cond': "(company = 'a')" }), []);
    assert.equal(pgProblems({ 'Node Type': 'Index Scan', 'Relation Name': 'journals', 'Index Name': 'journals_pkey', 'Index Cond': "(company = 'a')", Filter: '(event_seq = 5)' }).length, 1);
  });
});
