/**
 * An event page reads one page of rows on PostgreSQL whatever the statistics say: a company's
 * events inserted in bulk with autovacuum off and no ANALYZE (as a fresh import leaves them),
 * then a page from the start and one from the middle, explained with ANALYZE: no scan of the
 * plan reads more rows than the page holds. (Bounded only by `seq > ?` and a LIMIT, the page was
 * a bitmap scan of every later event: bench/pg-pages.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { bulkEventsWithoutStatistics } from '../bench/pg-bulk-events.js';
import { eventsAfter, numbered } from '../src/store/statements.js';
import { PG_URL, pgUnavailable } from './store-support/harness.js';

const pgDown = await pgUnavailable();
const EVENTS = 100_000;
const PAGE = 5000;

interface Node { 'Node Type': string; 'Actual Rows'?: number; Plans?: Node[] }
const scans = (n: Node): Node[] => [...(/Scan/.test(n['Node Type']) ? [n] : []), ...(n.Plans ?? []).flatMap(scans)];

if (pgDown && process.env['CI']) test('PostgreSQL is reachable (CI must run the page plan test)', () => assert.fail(pgDown));

test('an event page without statistics reads one page of rows', { skip: pgDown && `${pgDown}; start it or set STOCKBOOK_TEST_PG` }, async () => {
  const schema = `stockbook_pages_${process.pid}_${randomBytes(4).toString('hex')}`;
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await bulkEventsWithoutStatistics(c, PG_URL, schema, EVENTS, '{}');
    for (const after of [0n, BigInt(EVENTS / 2)]) {
      const st = eventsAfter('co', after, PAGE);
      const { rows } = await c.query<{ 'QUERY PLAN': [{ Plan: Node }] }>(`EXPLAIN (ANALYZE, FORMAT JSON) ${numbered(st.sql)}`, st.params);
      const plan = rows[0]!['QUERY PLAN'][0].Plan;
      assert.equal(plan['Actual Rows'], PAGE, 'the page is full');
      for (const s of scans(plan)) assert.ok(s['Actual Rows']! <= PAGE, `${s['Node Type']} read ${s['Actual Rows']} rows for a page of ${PAGE} after ${after}`);
    }
  } finally {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => undefined);
    await c.end();
  }
});
