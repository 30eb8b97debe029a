/**
 * Databases for the store suite: each `fresh()` is a new, empty, un-migrated database — a new
 * in-memory SQLite, a new SQLite file in a temp directory, or a new PostgreSQL schema — and
 * `teardown()` removes every one it made.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { SqliteStore } from '../../src/store/sqlite.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { CONFIGURED_PG_URL, POSTGRES, testPostgres } from '../support/postgres.js';
import { needTool } from '../support/tools.js';
import type { LedgerStore } from '../../src/store/store.js';

/** A store plus the diagnostics both dialects offer beyond the interface. */
export type TestStore = LedgerStore & { migrations(): Promise<{ version: number; name: string }[]> };

export interface TestDb {
  store: TestStore;
  /** Another store with its own connections on the same database (none for :memory:). */
  another?: (() => TestStore) | undefined;
  /** How a child process opens the same database: [dialect, target, schema]. */
  spawnArgs?: [string, string, string] | undefined;
}

export interface Harness {
  fresh(): Promise<TestDb>;
  teardown(): Promise<void>;
}

/** Closes every store a harness made (close is idempotent, so tests may close them too). */
function tracker(): { track: <S extends TestStore>(s: S) => S; closeAll: () => Promise<void> } {
  const all: TestStore[] = [];
  return {
    track: (s) => (all.push(s), s),
    closeAll: async () => void (await Promise.all(all.map((s) => s.close().catch(() => undefined)))),
  };
}

export function sqliteMemory(): Harness {
  const { track, closeAll } = tracker();
  return {
    fresh: async () => ({ store: track(new SqliteStore(':memory:')) }),
    teardown: closeAll,
  };
}

export function sqliteFile(): Harness {
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-store-'));
  const { track, closeAll } = tracker();
  let n = 0;
  return {
    fresh: async () => {
      const path = join(dir, `db${++n}.sqlite`);
      const make = (): TestStore => track(new SqliteStore(path));
      return { store: make(), another: make, spawnArgs: ['sqlite', path, ''] };
    },
    teardown: async () => {
      await closeAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const pgServer = await testPostgres();
/** The PostgreSQL the suites use: STOCKBOOK_TEST_PG, or an embedded server (test/support/postgres.ts). */
export const PG_URL = 'url' in pgServer ? pgServer.url : CONFIGURED_PG_URL;

/** Why PostgreSQL cannot be used (the skip reason, after its one loud line; a failing test under CI), or undefined. */
export const pgUnavailable = (): Promise<string | undefined> => needTool(POSTGRES);

/** The first part of the harness's schema names: STOCKBOOK_TEST_PG_PREFIX (lower-case letters, digits, _), else stockbook_test. */
const SCHEMA_PREFIX = process.env['STOCKBOOK_TEST_PG_PREFIX'] ?? 'stockbook_test';

/** One schema per fresh database: <prefix>_<pid>_<random>_<n>, all dropped at teardown. */
export function postgres(url = PG_URL): Harness {
  const run = `${SCHEMA_PREFIX}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const schemas: string[] = [];
  const { track, closeAll } = tracker();
  const admin = async <T>(f: (c: pg.Client) => Promise<T>): Promise<T> => {
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      return await f(c);
    } finally {
      await c.end();
    }
  };
  return {
    fresh: async () => {
      const schema = `${run}_${schemas.length + 1}`;
      schemas.push(schema);
      await admin((c) => c.query(`CREATE SCHEMA ${schema}`));
      const make = (): TestStore => track(new PostgresStore(url, { schema }));
      return { store: make(), another: make, spawnArgs: ['postgres', url, schema] };
    },
    teardown: async () => {
      await closeAll();
      if (schemas.length > 0) await admin((c) => c.query(schemas.map((s) => `DROP SCHEMA IF EXISTS ${s} CASCADE`).join('; ')));
    },
  };
}
