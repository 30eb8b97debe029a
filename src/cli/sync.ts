/**
 * `stockbook sync`: the company's records for its accounting target (Xero, docs/sync.md).
 *   list             unposted records per type, then the records (--all: every record; --limit, --after: one page)
 *   run              sync one record type (--dry-run: the request bodies, nothing sent)
 *   hold / release   keep records out of syncs, or let them back in
 *   repost           make a posted record unposted again (a new version)
 *   void-and-repost  void the posted version in the target, then post it again
 *   show             a record's state and sync history
 *   runs             recent runs
 *   connect          store the OAuth2 token set of the company's Xero connection
 * The sync modules (and the Xero SDK) load only when a sync command runs.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { RecordType } from '../posting/types.js';
import { RECORD_TYPES } from '../sync/records.js';
import { SYNC_PAGE_MAX } from '../sync/engine.js';
import type { LedgerStore } from '../store/store.js';
import { COMPANY_HELP, dbOptions, withStore, type DbOptions } from './db.js';
import type { CompanyOpts, ListFormat, OutFormat, SyncIo } from './sync-commands.js';
import { STDIO } from './format.js';

/** Standard output and error. */

type Commands = typeof import('./sync-commands.js');

/** Opens the store, runs one sync command, sets the exit code. */
async function withSync(opts: DbOptions, fn: (c: Commands, store: LedgerStore) => Promise<number>): Promise<void> {
  const c = await import('./sync-commands.js');
  await withStore(opts, (store) => fn(c, store));
}

/** A sync subcommand with the store and company options every one takes. */
function sub(parent: Command, name: string, description: string): Command {
  return dbOptions(parent.command(name).description(description)).option('--company <id>', COMPANY_HELP);
}

const format = (choices: string[]): Option => new Option('-f, --format <format>', 'output format').choices(choices).default('table');
const typeOption = (): Option => new Option('--type <type>', 'record type').choices([...RECORD_TYPES]);

function positive(v: string): number {
  if (!/^\d{1,6}$/.test(v) || Number(v) < 1) throw new InvalidArgumentError('expected a whole number of at least 1.');
  return Number(v);
}

type Opts<T = object> = DbOptions & CompanyOpts & T;

function registerReading(sync: Command, io: SyncIo): void {
  sub(sync, 'list', 'Unposted records per type, then the records (unposted, failed, held, in progress; --all for every record).')
    .addOption(typeOption())
    .option('--all', 'every record, posted and cancelled ones too')
    .option('--limit <n>', `one page of at most n records (the API's page is at most ${SYNC_PAGE_MAX})`, positive)
    .option('--after <cursor>', 'the page after this cursor (the one a previous page printed)')
    .addOption(format(['table', 'json', 'csv']))
    .action((o: Opts<{ type?: RecordType; all?: boolean; limit?: number; after?: string; format: ListFormat }>) => withSync(o, (c, store) => c.list(store, o, io)));
  sub(sync, 'show', "A record's sync state and its history.")
    .argument('<id>', 'record id (an event id; corrections: <event>/c<n>)')
    .addOption(format(['table', 'json']))
    .action((id: string, o: Opts<{ format: OutFormat }>) => withSync(o, (c, store) => c.show(store, o, id, io)));
  sub(sync, 'runs', 'Recent sync runs, newest first.')
    .option('--limit <n>', 'how many runs', positive, 20)
    .addOption(format(['table', 'json']))
    .action((o: Opts<{ limit: number; format: OutFormat }>) => withSync(o, (c, store) => c.runs(store, o, io)));
}

function registerWriting(sync: Command, io: SyncIo): void {
  sub(sync, 'run', 'Sync the unposted records of one type to the accounting target; exit 1 if any fails.')
    .addOption(typeOption().makeOptionMandatory())
    .option('--dry-run', 'plan every record and show the request bodies; nothing is sent or stored')
    .addOption(format(['table', 'json']))
    .action((o: Opts<{ type: RecordType; dryRun?: boolean; format: OutFormat }>) => withSync(o, (c, store) => c.run(store, { ...o, progress: process.stderr.isTTY === true }, io)));
  for (const action of ['hold', 'release'] as const) {
    sub(sync, action, action === 'hold' ? 'Keep records out of syncs until released.' : 'Let held records be synced again.')
      .argument('<ids...>', 'record ids')
      .action((ids: string[], o: Opts) => withSync(o, (c, store) => c.mark(store, o, action, ids, io)));
  }
  sub(sync, 'repost', 'Make a posted record unposted again (a new version), e.g. after it was deleted in the target.')
    .argument('<id>', 'record id')
    .action((id: string, o: Opts) => withSync(o, (c, store) => c.repost(store, o, id, io)));
  sub(sync, 'void-and-repost', "Void a posted record's documents in the target, then post it again.")
    .argument('<id>', 'record id')
    .addOption(format(['table', 'json']))
    .action((id: string, o: Opts<{ format: OutFormat }>) => withSync(o, (c, store) => c.voidAndRepost(store, o, id, io)));
  sub(sync, 'connect', "Store the OAuth2 token set of the company's Xero connection.")
    .requiredOption('--token-file <file>', 'token set JSON (access_token, refresh_token, expires_at), or - for standard input')
    .action((o: Opts<{ tokenFile: string }>) => withSync(o, (c, store) => c.connect(store, o, io)));
}

/** Adds `stockbook sync`; `io` is where its commands print (tests capture it). */
export function registerSync(cmd: Command, io: SyncIo = STDIO): void {
  const sync = cmd.command('sync').description('Sync records to the accounting target (Xero): list, run, hold, release, re-post, connect.');
  registerReading(sync, io);
  registerWriting(sync, io);
}
