/**
 * PostgreSQL event pages without statistics (issue 11, "Where the time goes"): one company's
 * EVENTS events (default 300,000) inserted in bulk with autovacuum off and no ANALYZE, as a
 * fresh import leaves them, then pages of PAGE events (default 5,000) read at a spread of
 * positions with the statement before the fix (`seq > ?` and a LIMIT: a bitmap scan of every
 * later event, sorted, per page) and with statements.eventsAfter (the key range
 * (seq, seq + limit]). Prints ms per page, the rows the plan read, and the plan's scan.
 *   bench/pg-pages.ts [EVENTS] [PAGE]
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { bulkEventsWithoutStatistics } from './pg-bulk-events.js';
import { eventsAfter, numbered } from '../src/store/statements.js';

const PG_URL = process.env['STOCKBOOK_TEST_PG'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';
const EVENTS = Number(process.argv[2] ?? 300_000);
const PAGE = Number(process.argv[3] ?? 5000);
const SAMPLES = 10;
const BEFORE = 'SELECT seq, id, type, body FROM events WHERE company = $1 AND seq > $2 ORDER BY seq LIMIT $3';

interface Node { 'Node Type': string; 'Actual Rows'?: number; Plans?: Node[] }

/** The scans of a plan, with the rows each read. */
function scans(n: Node): string[] {
  const own = /Scan/.test(n['Node Type']) ? [`${n['Node Type']} (${n['Actual Rows']} rows)`] : [];
  return [...own, ...(n.Plans ?? []).flatMap(scans)];
}

async function measure(c: pg.Client, label: string, statement: (after: bigint) => { sql: string; params: unknown[] }): Promise<void> {
  let ms = 0;
  let plan = '';
  for (let i = 0; i < SAMPLES; i++) {
    const after = BigInt(Math.floor(((EVENTS - PAGE) * i) / SAMPLES));
    const st = statement(after);
    const t = performance.now();
    const { rows } = await c.query(st.sql, st.params);
    ms += performance.now() - t;
    if (rows.length !== PAGE) throw new Error(`${label}: a page of ${rows.length} events, not ${PAGE}`);
    if (i === 0) {
      const explained = await c.query<{ 'QUERY PLAN': [{ Plan: Node }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${st.sql}`, st.params);
      plan = scans(explained.rows[0]!['QUERY PLAN'][0].Plan).join(' → ');
    }
  }
  console.log(`pg pages ${label.padEnd(6)} ${(ms / SAMPLES).toFixed(1).padStart(7)} ms per page of ${PAGE.toLocaleString('en')} at ${EVENTS.toLocaleString('en')} events, no ANALYZE; first page's plan: ${plan}`);
}

async function main(): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
  } catch (e) {
    console.log(`pg pages: SKIPPED — PostgreSQL at ${PG_URL} does not answer (${e instanceof Error ? e.message : String(e)}); set STOCKBOOK_TEST_PG`);
    return;
  }
  const schema = `stockbook_bench_pages_${randomBytes(4).toString('hex')}`;
  try {
    await bulkEventsWithoutStatistics(c, PG_URL, schema, EVENTS, 'x'.repeat(200));
    await measure(c, 'before', (after) => ({ sql: BEFORE, params: ['co', after, PAGE] }));
    await measure(c, 'after', (after) => {
      const st = eventsAfter('co', after, PAGE);
      return { sql: numbered(st.sql), params: st.params };
    });
  } finally {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await c.end();
  }
}

await main();
