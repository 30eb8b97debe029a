/** Which store a command uses: PostgreSQL when DATABASE_URL (or --database-url) is set, else a SQLite file. */
import { openStore } from '../store/open.js';
import type { LedgerStore } from '../store/store.js';

export interface DbOptions { db: string; databaseUrl?: string | undefined }

export const DEFAULT_DB = 'stockbook.sqlite';

export function storeFrom(opts: DbOptions): Promise<LedgerStore> {
  const url = opts.databaseUrl ?? process.env['DATABASE_URL'];
  return url ? openStore({ databaseUrl: url }) : openStore({ sqlitePath: opts.db });
}
