#!/usr/bin/env node
/**
 * The stockbook command line.
 *   post      stateless: a company file and an events file in, journals out
 *   import    events into the durable ledger (SQLite file, or PostgreSQL with DATABASE_URL)
 *   journals  the stored journals, as JSON Lines, CSV or a table
 *   report    trial-balance (as of a date); valuation, stock-ledger, gl, gross-profit,
 *             reconciliation, drill (src/cli/reports.ts)
 *   serve     the HTTP API (src/api); api-key creates an API key for a company
 *   export    stored journals as hledger, beancount or CSV (src/export)
 *   counts    the inventory adjustments export of counts (src/cli/counts.ts)
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { DEFAULT_SORT_WINDOW } from '../book/batch-order.js';
import { failureJson } from './format.js';
import { EXIT, isFailure } from './input.js';
import { post, type PostOptions } from './post.js';
import { importEvents, type ImportOptions } from './import.js';
import { companyOf, journals, trialBalance, type Format } from './query.js';
import { verifyCosting } from '../ledger/verify.js';
import { storeFrom, dbOptions, withStore, prepareCommand, COMPANY_HELP, type DbOptions } from './db.js';
import { checkRange, dateOption, runCli } from './dates.js';
import type { CalendarDate } from '../domain/calendar-date.js';
import { registerReports } from './reports.js';
import { registerApi } from '../api/cli.js';
import { registerExport } from './export.js';
import { registerSync } from './sync.js';
import { registerCounts } from './counts.js';

const write = (s: string): void => void process.stdout.write(s + '\n');
const writeErr = (s: string): void => void process.stderr.write(s + '\n');


function positiveInt(v: string): number {
  const n = Number.parseInt(v, 10);
  if (!Number.isSafeInteger(n) || n < 1 || String(n) !== v.trim()) throw new InvalidArgumentError('a whole number of 1 or more');
  return n;
}

function formatOption(): Option {
  return new Option('-f, --format <format>', 'output format').choices(['json', 'csv', 'table']).default('table');
}


export function program(): Command {
  const cmd = new Command('stockbook').description('Inventory sub-ledger: costs stock movements and derives balanced journals.').version('0.1.0');
  cmd.hook('preAction', checkRange);
  registerPost(cmd);
  registerImport(cmd);
  registerJournals(cmd);
  const report = registerTrialBalance(cmd);
  registerReports(report, { dbOptions, formatOption, withStore, write, writeErr });
  registerApi(cmd, { dbOptions, storeFrom, withStore, write, writeErr });
  registerExport(cmd, { dbOptions, withStore, write, writeErr, option: (flags, description) => new Option(flags, description) });
  registerSync(cmd);
  registerCounts(cmd);
  registerVerify(cmd);
  cmd.hook('preAction', async (_root, action) => {
    const problem = await prepareCommand(action);
    if (problem !== undefined) action.error(JSON.stringify(failureJson(problem)), { exitCode: EXIT.badInput, code: problem.code });
  });
  return cmd;
}

/** `post`: stateless costing of a file, journals to stdout. */
function registerPost(cmd: Command): void {
  cmd
    .command('post')
    .description('Post a JSON Lines file of events (or - for stdin) and write the journals they produce (nothing is stored).')
    .argument('<events>', 'events file (.jsonl), or - for standard input')
    .requiredOption('-c, --config <file>', 'company configuration (JSON, see docs/config.md)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['json', 'table']).default('json'))
    .option('--sort-window <n>', `events read and sorted by date, time and id before costing, at a time (memory bound; default ${DEFAULT_SORT_WINDOW})`, positiveInt)
    .action(async (events: string, opts: PostOptions) => {
      process.exitCode = await post(events, opts, write, writeErr);
    });
}

/** `import`: events into the stored ledger, in batches. */
function registerImport(cmd: Command): void {
  dbOptions(
    cmd
      .command('import')
      .description('Import a JSON Lines file of events into the ledger, in batches; safe to rerun.')
      .argument('<events>', 'events file (.jsonl), or - for standard input')
      .option('--company <id>', 'company to post to')
      .option('-c, --config <file>', 'company configuration: creates or updates the company it names')
      .option('--batch <n>', 'events per transaction', (v) => Number.parseInt(v, 10), 1000)
      .option('--sort-window <n>', `events read and sorted by date, time and id before posting, at a time (memory bound; default ${DEFAULT_SORT_WINDOW})`, positiveInt)
      .option('--no-progress', 'no progress bar')
      .option('--csv', 'read CSV (docs/csv.md) rather than JSON Lines; the default for *.csv files'),
  ).action(async (events: string, opts: ImportOptions & DbOptions) => {
    await withStore(opts, async (store) => {
      const r = await importEvents(store, events, { ...opts, progress: opts.progress && process.stderr.isTTY === true }, writeErr);
      write(JSON.stringify({ imported: r.summary }));
      return r.code;
    });
  });
}

/** `journals`: the stored journals, filtered. */
function registerJournals(cmd: Command): void {
  dbOptions(
    cmd
      .command('journals')
      .description('List stored journals.')
      .option('--company <id>', COMPANY_HELP)
      .addOption(dateOption('--from <date>', 'first journal date (YYYY-MM-DD)'))
      .addOption(dateOption('--to <date>', 'last journal date (YYYY-MM-DD)'))
      .option('--account <code>', 'only journals touching this account')
      .option('--event <id>', 'only journals of this event')
      .addOption(formatOption()),
  ).action(async (opts: DbOptions & { company: string; from?: CalendarDate; to?: CalendarDate; account?: string; event?: string; format: Format }) => {
    await withStore(opts, async (store) => {
      const co = await companyOf(store, opts.company);
      if (isFailure(co)) return writeErr(JSON.stringify(failureJson(co))), EXIT.badInput;
      await journals(store, co, { from: opts.from, to: opts.to, account: opts.account, event: opts.event }, opts.format, write);
      return EXIT.ok;
    });
  });
}

/** `verify`: the stored costing state against a rebuild from the events (src/ledger/verify.ts). */
function registerVerify(cmd: Command): void {
  dbOptions(
    cmd
      .command('verify')
      .description('Rebuild the company\'s costing state from its events in memory and prove the stored one equal to it (exit 1 on any difference).')
      .option('--company <id>', COMPANY_HELP),
  ).action(async (opts: DbOptions & { company: string }) => {
    await withStore(opts, async (store) => {
      const v = await verifyCosting(store, opts.company);
      if (isFailure(v)) return writeErr(JSON.stringify(failureJson(v))), EXIT.badInput;
      write(JSON.stringify({ ...v, identical: v.differences.length === 0 }));
      return v.differences.length === 0 ? EXIT.ok : EXIT.eventsFailed;
    });
  });
}

/** `report` and its `trial-balance`; the other reports register in reports.ts. */
function registerTrialBalance(cmd: Command): Command {
  const report = cmd.command('report').description('Reports over the stored ledger.');
  dbOptions(
    report
      .command('trial-balance')
      .description('Balance per account as of a date.')
      .option('--company <id>', COMPANY_HELP)
      .addOption(dateOption('--as-of <date>', 'include journals dated on or before this date (YYYY-MM-DD)'))
      .addOption(formatOption()),
  ).action(async (opts: DbOptions & { company: string; asOf?: CalendarDate; format: Format }) => {
    await withStore(opts, async (store) => {
      const co = await companyOf(store, opts.company);
      if (isFailure(co)) return writeErr(JSON.stringify(failureJson(co))), EXIT.badInput;
      await trialBalance(store, co, opts.asOf, opts.format, write);
      return EXIT.ok;
    });
  });
  return report;
}

/** A reader that stops early (`stockbook journals … | head`) closes the pipe: end quietly, not with a stack trace. */
function endQuietlyOnClosedPipe(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code !== 'EPIPE') throw e;
      process.exit(Number(process.exitCode ?? 0));
    });
  }
}

const invokedDirectly = process.argv[1] !== undefined && /(?:main\.[jt]s|stockbook)$/.test(process.argv[1]);
if (invokedDirectly) {
  endQuietlyOnClosedPipe();
  await runCli(program(), process.argv, { writeErr });
}
