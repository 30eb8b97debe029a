/**
 * Which store a command uses: PostgreSQL when DATABASE_URL (or --database-url) is set, in the
 * schema --pg-schema names (default public), else a SQLite file. Only `import` and `serve` may create the file; every other command refuses a
 * `--db` that does not exist (DB_NOT_FOUND), and a file in a missing directory is refused by all.
 * `--company` may be left out when the ledger holds exactly one company.
 */
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { openStore } from '../store/open.js';
import { calendarDate, type CalendarDate } from '../domain/calendar-date.js';
import { failure, type Failure } from '../domain/errors.js';
import type { LedgerStore } from '../store/store.js';

export interface DbOptions { db: string; databaseUrl?: string | undefined; pgSchema?: string | undefined }

export const DEFAULT_DB = 'stockbook.sqlite';

/** The help of every `--company` option. */
export const COMPANY_HELP = 'company (may be left out when the ledger holds one company)';

/** Commands that may create the SQLite file `--db` names. */
const CREATES_DB: ReadonlySet<string> = new Set(['import', 'serve']);

function databaseUrl(opts: DbOptions): string | undefined {
  const url = opts.databaseUrl ?? process.env['DATABASE_URL'];
  return url === undefined || url === '' ? undefined : url;
}

export function storeFrom(opts: DbOptions): Promise<LedgerStore> {
  const url = databaseUrl(opts);
  return url ? openStore({ databaseUrl: url, pgSchema: opts.pgSchema }) : openStore({ sqlitePath: opts.db });
}

/** The store options every command that opens the ledger takes. */
export function dbOptions(cmd: Command): Command {
  return cmd
    .option('--db <file>', 'SQLite database file', DEFAULT_DB)
    .option('--database-url <url>', 'PostgreSQL connection string (default: $DATABASE_URL)')
    .option('--pg-schema <name>', 'PostgreSQL schema holding the ledger (default: public; created if missing)');
}

/** Why the SQLite file of `opts` cannot be used by a command (`creates`: it may make the file), if it cannot. */
export function dbProblem(opts: DbOptions, creates: boolean): Failure | undefined {
  if (databaseUrl(opts) !== undefined || opts.db === ':memory:') return undefined;
  const dir = dirname(opts.db);
  if (!existsSync(dir)) {
    return failure('DB_NOT_FOUND', `The directory "${dir}" of the database "${opts.db}" does not exist.`, `Create the directory first, or give --db a file in an existing directory (default: ${DEFAULT_DB} here).`, { db: opts.db });
  }
  if (creates || existsSync(opts.db)) return undefined;
  return failure(
    'DB_NOT_FOUND',
    `There is no ledger database "${opts.db}".`,
    `Check --db (default: ${DEFAULT_DB}). \`stockbook import\` creates a ledger; \`npm start\` keeps the demo's in demo.sqlite; set DATABASE_URL (or --database-url) for PostgreSQL.`,
    { db: opts.db },
  );
}

/** The company a command runs for: --company, else the only company of the ledger. */
export async function soleCompany(store: LedgerStore): Promise<string | Failure> {
  const ids = (await store.listCompanies()).map((c) => c.id);
  if (ids.length === 1) return ids[0]!;
  if (ids.length === 0) return failure('UNKNOWN_COMPANY', 'The ledger holds no company.', 'Create one first: stockbook import --config company.json events.jsonl', {});
  const shown = ids.slice(0, 20).join(', ') + (ids.length > 20 ? `, … (${ids.length - 20} more)` : '');
  return failure('COMPANY_REQUIRED', `The ledger holds ${ids.length} companies (${shown}); the command does not say which.`, `Pass --company <id>, one of: ${shown}.`, { companies: ids.length });
}

/**
 * Checks a command's store options before it runs, and fills in `--company` when it was left
 * out and the ledger holds one company. Returns the failure to report, if any.
 */
export async function prepareCommand(action: Command): Promise<Failure | undefined> {
  const names = new Set(action.options.map((o) => o.attributeName()));
  if (!names.has('db')) return undefined;
  const opts = action.opts<DbOptions & { company?: string; config?: string }>();
  const creates = CREATES_DB.has(action.name());
  const problem = dbProblem(opts, creates);
  if (problem !== undefined || !names.has('company') || opts.company !== undefined || opts.config !== undefined) return problem;
  // import creating its ledger now: there is no company to find (it says so itself).
  if (creates && databaseUrl(opts) === undefined && !existsSync(opts.db)) return undefined;
  const store = await storeFrom(opts);
  try {
    const company = await soleCompany(store);
    if (typeof company !== 'string') return company;
    action.setOptionValue('company', company);
    return undefined;
  } finally {
    await store.close();
  }
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

/** Today's date on this machine's calendar. */
export function today(now: Date = new Date()): CalendarDate {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return calendarDate(`${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`);
}
