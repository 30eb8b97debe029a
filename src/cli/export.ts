/**
 * `stockbook export`: a company's stored journals as an hledger journal, a beancount ledger or
 * CSV, so its balances can be checked with tools we did not write.
 */
import type { Command, Option } from 'commander';
import type { LedgerStore } from '../store/store.js';
import { hledgerJournal } from '../export/hledger.js';
import { beancountLedger } from '../export/beancount.js';
import { failureJson } from './format.js';
import { EXIT, isFailure } from './input.js';
import { companyOf, journals } from './query.js';
import { COMPANY_HELP, type DbOptions } from './db.js';
import { dateOption } from './dates.js';
import type { CalendarDate } from '../domain/calendar-date.js';

export const EXPORT_FORMATS = ['hledger', 'beancount', 'csv'] as const;

interface Deps {
  dbOptions: (c: Command) => Command;
  withStore: (opts: DbOptions, fn: (store: LedgerStore) => Promise<number>) => Promise<void>;
  write: (s: string) => void;
  writeErr: (s: string) => void;
  option: (flags: string, description: string) => Option;
}

export function registerExport(cmd: Command, d: Deps): void {
  d.dbOptions(
    cmd
      .command('export')
      .description('Export stored journals as an hledger journal, a beancount ledger or CSV.')
      .option('--company <id>', COMPANY_HELP)
      .addOption(d.option('-f, --format <format>', 'hledger, beancount or csv').choices([...EXPORT_FORMATS]).makeOptionMandatory())
      .addOption(dateOption('--from <date>', 'first journal date (YYYY-MM-DD)'))
      .addOption(dateOption('--to <date>', 'last journal date (YYYY-MM-DD)')),
  ).action(async (opts: DbOptions & { company: string; format: (typeof EXPORT_FORMATS)[number]; from?: CalendarDate; to?: CalendarDate }) => {
    await d.withStore(opts, async (store) => {
      const co = await companyOf(store, opts.company);
      if (isFailure(co)) return d.writeErr(JSON.stringify(failureJson(co))), EXIT.badInput;
      const filter = { from: opts.from, to: opts.to };
      if (opts.format === 'csv') await journals(store, co, filter, 'csv', d.write);
      else {
        const list = await store.journals(co.id, filter);
        d.write((opts.format === 'hledger' ? hledgerJournal(list) : beancountLedger(list, co)).trimEnd());
      }
      return EXIT.ok;
    });
  });
}
