/**
 * `stockbook counts`: the inventory adjustments export (seed 002, src/ledger/count-export.ts).
 *   list     every count (a date with a live stocktake), who exported it, the default marked
 *   preview  the journal adjustment report of a count (default: the latest not exported)
 *   export   post the count's adjustment journal (a count_export event)
 * Every command takes --db/--database-url and --company. A failure (NO_COUNT, ALREADY_EXPORTED,
 * MAPPING_MISSING, UNKNOWN_COMPANY …) is printed as failure JSON on stderr, exit code 1.
 */
import { Command, Option } from 'commander';
import type { Failure } from '../domain/errors.js';
import { CompanyLedger } from '../ledger/service.js';
import { counts, exportCount, preview } from '../ledger/count-export.js';
import { csv } from '../reports/csv.js';
import { COMPANY_HELP, dbOptions, storeFrom, type DbOptions } from './db.js';
import { dateOption } from './dates.js';
import { failureJson, STDIO, type Io } from './format.js';
import { EXIT, isFailure } from './input.js';
import { countsJson, countsTable, exportJson, exportText, previewJson, previewRows, previewText } from './counts-format.js';

export type CountsIo = Io;

type Opts<T = object> = DbOptions & { company: string } & T;
type Format = 'table' | 'json' | 'csv';

function failed(io: CountsIo, f: Failure): number {
  io.writeErr(JSON.stringify(failureJson(f)));
  return EXIT.eventsFailed;
}

/** Opens the store and the company's ledger, runs one command, sets the exit code. */
async function withLedger(o: Opts, io: CountsIo, fn: (ledger: CompanyLedger) => Promise<number>): Promise<void> {
  const store = await storeFrom(o);
  try {
    const ledger = await CompanyLedger.open(store, o.company);
    process.exitCode = isFailure(ledger) ? failed(io, ledger) : await fn(ledger);
  } finally {
    await store.close();
  }
}


function sub(parent: Command, name: string, description: string, formats: Format[]): Command {
  return dbOptions(parent.command(name).description(description))
    .option('--company <id>', COMPANY_HELP)
    .addOption(new Option('-f, --format <format>', 'output format').choices(formats).default('table'));
}

const countOption = (): Option => dateOption('--count <date>', 'count date YYYY-MM-DD (default: the latest count not exported)');

async function list(ledger: CompanyLedger, format: Format, io: CountsIo): Promise<number> {
  const found = await counts(ledger);
  io.write(format === 'json' ? JSON.stringify(countsJson(found)) : countsTable(found));
  return EXIT.ok;
}

async function show(ledger: CompanyLedger, o: { count?: string; format: Format }, io: CountsIo): Promise<number> {
  const p = await preview(ledger, o.count);
  if (isFailure(p)) return failed(io, p);
  if (o.format === 'json') io.write(JSON.stringify(previewJson(p)));
  else io.write(o.format === 'csv' ? csv(previewRows(p)) : previewText(p, ledger.co));
  return EXIT.ok;
}

async function exportIt(ledger: CompanyLedger, o: { count?: string; format: Format }, io: CountsIo): Promise<number> {
  const r = await exportCount(ledger, o.count);
  if (isFailure(r)) return failed(io, r);
  const journals = r.outcome.status === 'ok' ? r.outcome.journals : [];
  io.write(o.format === 'json' ? JSON.stringify(exportJson({ ...r, journals }, ledger.co)) : exportText(r, ledger.co));
  return EXIT.ok;
}

/** Adds `stockbook counts`; `io` is where its commands print (tests capture it). */
export function registerCounts(cmd: Command, io: CountsIo = STDIO): void {
  const c = cmd.command('counts').description('Inventory adjustments export (periodic inventory): counts, the journal adjustment report, the export.');
  sub(c, 'list', 'Every count (a date with a live stocktake) with the export that exported it; the default count is marked.', ['table', 'json'])
    .action((o: Opts<{ format: Format }>) => withLedger(o, io, async (l) => list(l, o.format, io)));
  sub(c, 'preview', "The journal adjustment report of a count: per category the prior ending inventory reversed and the count's value, the entries and their totals.", ['table', 'json', 'csv'])
    .addOption(countOption())
    .action((o: Opts<{ count?: string; format: Format }>) => withLedger(o, io, (l) => show(l, o, io)));
  sub(c, 'export', "Post the count's adjustment journal (a count_export event dated at the count); a count is exported once unless its export is voided.", ['table', 'json'])
    .addOption(countOption())
    .action((o: Opts<{ count?: string; format: Format }>) => withLedger(o, io, (l) => exportIt(l, o, io)));
}
