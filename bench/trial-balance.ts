/**
 * Trial balance as of a date over N journal lines (default 10M), SQLite and PostgreSQL.
 * The journals are generated in SQL (two-line journals over three years and 40 accounts);
 * the per-day account totals are built from them exactly as migration 3 builds them, then
 * `store.trialBalance(company, asOf)` is timed (median of 7). bench/trial-balance.ts [LINES]
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openStore } from '../src/store/open.js';
import type { LedgerStore } from '../src/store/store.js';

const LINES = Number(process.argv[2] ?? 10_000_000);
const JOURNALS = Math.floor(LINES / 2);
const DAYS = 1095;
const PG_URL = process.env['STOCKBOOK_TEST_PG'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Journal n: on day n mod 1095, debit account 1000 + n mod 40, credit 2000 + n mod 40, n mod 100000 + 1 minor units. */
const SQLITE_FILL = `
  WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i + 1 < ${JOURNALS})
  INSERT INTO journal_lines (company, journal_seq, line_no, account, amount, product, warehouse, memo, date)
  SELECT 'tb', i + 1, side, CASE side WHEN 1 THEN CAST(1000 + i % 40 AS TEXT) ELSE CAST(2000 + i % 40 AS TEXT) END,
         CASE side WHEN 1 THEN i % 100000 + 1 ELSE -(i % 100000 + 1) END, NULL, NULL, NULL,
         date('2024-01-01', '+' || (i % ${DAYS}) || ' days')
  FROM n, (SELECT 1 AS side UNION ALL SELECT 2)`;

async function time(store: LedgerStore): Promise<{ asOfMs: number; allMs: number; accounts: number; balanced: boolean }> {
  const runs = async (asOf?: string): Promise<{ ms: number; accounts: number; balanced: boolean }> => {
    const ms: number[] = [];
    let last: { account: string; balance: bigint }[] = [];
    for (let k = 0; k < 7; k++) {
      const t = process.hrtime.bigint();
      last = await store.trialBalance('tb', asOf);
      ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    ms.sort((a, b) => a - b);
    return { ms: Number(ms[3]!.toFixed(2)), accounts: last.length, balanced: last.reduce((a, b) => a + b.balance, 0n) === 0n };
  };
  const mid = await runs('2025-06-30');
  const all = await runs();
  return { asOfMs: mid.ms, allMs: all.ms, accounts: all.accounts, balanced: mid.balanced && all.balanced };
}

async function sqlite(): Promise<Record<string, unknown>> {
  const path = join(mkdtempSync(join(tmpdir(), 'stockbook-tb-')), 'tb.sqlite');
  (await openStore({ sqlitePath: path })).close();
  const db = new Database(path);
  const t0 = process.hrtime.bigint();
  db.pragma('foreign_keys = OFF'); // the synthetic lines have no journal rows; only the report is timed
  db.exec('BEGIN');
  db.exec(SQLITE_FILL);
  db.exec("INSERT INTO account_day_totals (company, account, date, amount) SELECT company, account, date, SUM(amount) FROM journal_lines WHERE company = 'tb' GROUP BY company, account, date");
  db.exec('COMMIT');
  const fill = Number(process.hrtime.bigint() - t0) / 1e9;
  db.close();
  const store = await openStore({ sqlitePath: path });
  try {
    return { store: 'sqlite', lines: JOURNALS * 2, fillSeconds: Number(fill.toFixed(1)), ...(await time(store)) };
  } finally {
    await store.close();
  }
}

async function postgres(): Promise<Record<string, unknown>> {
  const schema = `stockbook_tb_${process.pid}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${schema}`);
    (await openStore({ databaseUrl: PG_URL, pgSchema: schema })).close();
    const t0 = process.hrtime.bigint();
    await admin.query(`SET search_path TO ${schema}`);
    await admin.query('ALTER TABLE journal_lines DROP CONSTRAINT IF EXISTS journal_lines_company_journal_seq_fkey');
    await admin.query(`
      INSERT INTO journal_lines (company, journal_seq, line_no, account, amount, product, warehouse, memo, date)
      SELECT 'tb', i + 1, side, CASE side WHEN 1 THEN (1000 + i % 40)::text ELSE (2000 + i % 40)::text END,
             CASE side WHEN 1 THEN i % 100000 + 1 ELSE -(i % 100000 + 1) END, NULL, NULL, NULL,
             to_char(DATE '2024-01-01' + (i % ${DAYS})::int, 'YYYY-MM-DD')
      FROM generate_series(0, ${JOURNALS - 1}) AS i, (VALUES (1), (2)) AS s(side)`);
    await admin.query("INSERT INTO account_day_totals (company, account, date, amount) SELECT company, account, date, SUM(amount) FROM journal_lines WHERE company = 'tb' GROUP BY company, account, date");
    await admin.query('ANALYZE');
    const fill = Number(process.hrtime.bigint() - t0) / 1e9;
    const store = await openStore({ databaseUrl: PG_URL, pgSchema: schema });
    try {
      return { store: 'postgres', lines: JOURNALS * 2, fillSeconds: Number(fill.toFixed(1)), ...(await time(store)) };
    } finally {
      await store.close();
    }
  } finally {
    await admin.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await admin.end();
  }
}

const rows: Record<string, unknown>[] = [await sqlite(), await postgres().catch((x: Error) => ({ store: 'postgres', skipped: x.message }))];
for (const r of rows) {
  if (r['skipped']) console.log(`trial balance postgres: skipped (${String(r['skipped'])})`);
  else console.log(`trial balance ${String(r['store']).padEnd(8)} over ${Number(r['lines']).toLocaleString('en')} journal lines: as of a date ${r['asOfMs']} ms, all dates ${r['allMs']} ms (target < 100 ms: ${(r['asOfMs'] as number) < 100 ? 'met' : 'NOT met'}); ${r['accounts']} accounts, balanced: ${String(r['balanced'])}`);
}
console.log(JSON.stringify({ bench: 'trial-balance', rows }));
