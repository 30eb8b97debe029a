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
import { appendStatements } from '../src/store/appends.js';
import { numbered, SQL } from '../src/store/statements.js';
import type { JournalFilter, LedgerStore, SyncAction, Trace } from '../src/store/store.js';
import { PG_URL, pgUnavailable } from './store-support/harness.js';
import { entry, event, journal, line } from './store-support/fixtures.js';

// Asked first: the SQLite suite's seeding keeps the event loop busy.
const pgDown = await pgUnavailable();
/** The tables no statement may walk: the ledger's, and the keys and refusals read on every request or post. */
const CHECKED_TABLES = ['events', 'journals', 'journal_lines', 'account_day_totals', 'sync_log', 'api_keys', 'event_refusals'];
const ACCOUNTS = ['1300', '2100', '4000', '5000', '1200'];

/**
 * Journals for `count` events of a company: two or three lines over the accounts, dates over
 * `days` days; an API key for every tenth event and a refusal noted for every tenth, so the big
 * company's keys and refusals outnumber the small one's as its journals do.
 */
async function seed(store: LedgerStore, company: string, count: number, days: number, first = 0): Promise<void> {
  for (let start = first; start < first + count; start += 1000) {
    await store.write(company, async (tx) => {
      for (let i = start; i < Math.min(first + count, start + 1000); i++) {
        const date = new Date(Date.UTC(2026, 0, 1) + (i % days) * 86_400_000).toISOString().slice(0, 10);
        const id = `${company}-${i}`;
        const seq = await tx.appendEvent(event(id, date));
        const a = ACCOUNTS[i % 4]!;
        const b = ACCOUNTS[(i + 1) % 4]!;
        const js = i % 3 === 0
          ? [journal(id, id, date, [line(a, 300n), line(b, -100n), line(ACCOUNTS[(i + 2) % 4]!, -200n)])]
          : [entry(id, id, date, a, b, BigInt(i + 1))];
        if (i % 500 === 7) js.push(entry(`${id}/rare`, id, date, '1200', '2100', 5n, { kind: 'correction' }));
        await tx.appendJournals(seq, js);
        if (i % 10 === 0) await tx.appendSync([{ target: 'xero', record: id, version: 1, action: i % 20 === 0 ? 'posted' : 'claim', run: undefined, at: `${date}T00:00:00Z`, data: undefined }]);
        if (i % 10 === 3) await tx.appendRefusals([{ event: id, hash: `hash-${id}`, code: 'INSUFFICIENT_STOCK', at: `${date}T00:00:00Z` }]);
        if (i % 10 === 5) await store.addApiKey({ company, id: `key-${id}`, name: id, role: 'viewer', hash: `hash-${id}`, createdAt: `${date}T00:00:00Z` });
      }
    });
  }
}

/** Calls every store method, with every filter shape, against the small company (and pages of the big one). */
async function workload(store: LedgerStore & { migrations(): Promise<unknown> }): Promise<void> {
  await store.getCompany('small');
  await store.configVersion('small');
  await store.listCompanies();
  await store.putCompany({ id: 'small', name: 'Small', config: { company: { id: 'small' } } });
  await store.findEvent('small', 'small-5');
  await store.countEvents('small');
  await store.eventsAfter('small', 10n);
  await store.eventsAfter('big', 10n, 100);
  await store.journalsOfEvent('small', 5n);
  await store.journalsOfEvent('big', 5n);
  await store.trialBalance('small');
  await store.trialBalance('small', '2026-01-15');
  const keys = ['from', 'to', 'account', 'event', 'afterSeq', 'limit'] as const;
  const values: Required<JournalFilter> = { from: '2026-01-10', to: '2026-01-20', account: '1200', event: 'big-7', afterSeq: 3n, limit: 50 };
  for (let mask = 0; mask < 1 << keys.length; mask++) {
    const f: JournalFilter = {};
    keys.forEach((k, i) => mask & (1 << i) && Object.assign(f, { [k]: values[k] }));
    await store.journals('small', { ...f, event: f.event && 'small-7' });
    if (f.limit !== undefined || f.event !== undefined) await store.journals('big', f);
  }
  for (let mask = 0; mask < 8; mask++) {
    const after = mask & 4 ? { date: '2026-01-12', journalSeq: 40n, lineNo: 1 } : undefined;
    const q = { from: mask & 1 ? '2026-01-10' : undefined, to: mask & 2 ? '2026-02-20' : undefined, after, limit: 100 };
    await store.accountLines('big', '1300', q);
    await store.accountLines('small', '1300', { ...q, limit: 1000 });
  }
  await store.balanceThrough('big', '1300', { date: '2026-01-12', journalSeq: 40n, lineNo: 1 });
  const actions: SyncAction[][] = [[], ['posted', 'failed']];
  await store.write('small', (tx) => tx.appendSync([{ target: 'xero', record: 'r', version: 1, action: 'claim', run: 'x', at: '2026-01-01T00:00:00Z', data: undefined }]));
  for (let mask = 0; mask < 12; mask++) {
    await store.syncEntries('small', 'xero', { afterSeq: mask & 1 ? 1n : undefined, last: mask & 2 ? 10 : undefined, actions: mask & 4 ? actions[0] : mask & 8 ? actions[1] : undefined });
  }
  await store.write('small', (tx) => tx.eventsAfter(0n));
  await store.addApiKey({ company: 'small', id: 'key-new', name: 'new', role: 'poster', hash: 'hash-new', createdAt: '2026-02-01T00:00:00Z' });
  await store.apiKeys('small');
  await store.apiKeyByHash('big', 'hash-big-15');
  await store.markApiKeyUsed('small', 'key-new', '2026-02-02T00:00:00Z', '2026-02-01T12:00:00Z');
  await store.revokeApiKey('small', 'key-new', '2026-02-03T00:00:00Z');
  await store.write('small', (tx) => tx.appendRefusals([{ event: 'small-3', hash: 'hash-other', code: 'INSUFFICIENT_STOCK', at: '2026-02-01T00:00:00Z' }]));
  await store.refusalsOf('small', ['small-3', 'small-13', 'small-4']);
  await store.refusalsOf('big', ['big-13']);
  await seed(store, 'small', 1, 1, 300);
  await store.migrations();
}

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

type Traced = Map<string, readonly unknown[]>;
const tracer = (seen: Traced): Trace => (sql, params) => void (seen.has(sql) || seen.set(sql, params));

/** The fixed statements a dialect must have run (the dynamic ones come from the filter shapes): the shared ones and its form of the appends. */
function fixed(dialect: 'sqlite' | 'postgres'): string[] {
  return [...Object.values(SQL), ...Object.values(appendStatements(dialect === 'sqlite' ? 'rows' : 'arrays'))];
}

function checkAll(seen: Traced, dialect: 'sqlite' | 'postgres', explain: (sql: string, params: readonly unknown[]) => Promise<string[]>): Promise<void> {
  return (async () => {
    for (const sql of fixed(dialect)) assert.ok(seen.has(sql), `the workload runs ${sql.slice(0, 80)}`);
    for (const table of CHECKED_TABLES) {
      for (const verb of ['FROM', 'INTO']) assert.ok([...seen.keys()].some((sql) => sql.includes(`${verb} ${table} `)), `the workload runs a statement ${verb} ${table}`);
    }
    assert.ok(seen.size > 40, `the workload ran ${seen.size} distinct statements`);
    const bad: string[] = [];
    for (const [sql, params] of seen) {
      const problems = await explain(sql, params);
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
