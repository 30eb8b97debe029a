/**
 * Opens the ledger store the deployment names: PostgreSQL when a `postgres://` or
 * `postgresql://` URL is given (the service passes `DATABASE_URL`), else SQLite at
 * `sqlitePath` (default `stockbook.sqlite`). Pending migrations are applied before it returns.
 */
import { PostgresStore } from './postgres.js';
import { SqliteStore } from './sqlite.js';
import type { LedgerStore } from './store.js';

export interface OpenStoreOptions {
  databaseUrl?: string | undefined;
  sqlitePath?: string | undefined;
  /** PostgreSQL schema (default `public`). */
  pgSchema?: string | undefined;
}

export const DEFAULT_SQLITE_PATH = 'stockbook.sqlite';

export function isPostgresUrl(url: string): boolean {
  return /^postgres(ql)?:\/\//i.test(url);
}

export async function openStore(opts: OpenStoreOptions = {}): Promise<LedgerStore> {
  const url = opts.databaseUrl === undefined || opts.databaseUrl === '' ? undefined : opts.databaseUrl;
  if (url !== undefined && !isPostgresUrl(url)) throw new RangeError('databaseUrl must start with postgres:// or postgresql:// (leave it unset for SQLite)');
  const store: LedgerStore = url !== undefined ? new PostgresStore(url, { schema: opts.pgSchema }) : new SqliteStore(opts.sqlitePath ?? DEFAULT_SQLITE_PATH);
  try {
    await store.migrate();
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
  return store;
}
