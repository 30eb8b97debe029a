/** Which store a command uses: PostgreSQL when DATABASE_URL (or --database-url) is set, else a SQLite file. */
import type { Command } from 'commander';
import { openStore } from '../store/open.js';
import type { LedgerStore } from '../store/store.js';

export interface DbOptions { db: string; databaseUrl?: string | undefined }

export const DEFAULT_DB = 'stockbook.sqlite';

export function storeFrom(opts: DbOptions): Promise<LedgerStore> {
  const url = opts.databaseUrl ?? process.env['DATABASE_URL'];
  return url ? openStore({ databaseUrl: url }) : openStore({ sqlitePath: opts.db });
}

/** The store options every command that opens the ledger takes. */
export function dbOptions(cmd: Command): Command {
  return cmd
    .option('--db <file>', 'SQLite database file', DEFAULT_DB)
    .option('--database-url <url>', 'PostgreSQL connection string (default: $DATABASE_URL)');
}

/** Opens the store, runs one command, sets the exit code, closes the store. */
export async function withStore(opts: DbOptions, fn: (store: LedgerStore) => Promise<number>): Promise<void> {
  const store = await storeFrom(opts);
  try {
    process.exitCode = await fn(store);
  } finally {
    await store.close();
  }
}
