/**
 * A company's events inserted in bulk on PostgreSQL with autovacuum off and no ANALYZE, as a
 * fresh import leaves them: the table the page-plan benchmark and test read. Shared by
 * bench/pg-pages.ts and test/pg-pages.test.ts.
 */
import type pg from 'pg';
import { PostgresStore } from '../src/store/postgres.js';

/** Migrates `schema`, adds company "co" and `events` events with `body`; leaves `c` on that schema. */
export async function bulkEventsWithoutStatistics(c: pg.Client, url: string, schema: string, events: number, body: string): Promise<void> {
  const store = new PostgresStore(url, { schema });
  await store.migrate();
  await store.putCompany({ id: 'co', name: 'co', config: {} });
  await store.close();
  await c.query(`SET search_path TO ${schema}`);
  await c.query('ALTER TABLE events SET (autovacuum_enabled = false)');
  await c.query(`INSERT INTO events (company, seq, id, type, date, body)
    SELECT 'co', g, 'e' || g, 'purchase', '2026-01-01', $2 FROM generate_series(1, $1::int) g`, [events, body]);
}
