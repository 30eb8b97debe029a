/**
 * The API's commands, registered on the stockbook program by src/cli/main.ts:
 *   serve    the HTTP API (OpenAPI at /docs); --demo sets up the demo company first
 *   api-key  create (shown once), list and revoke a company's API keys
 * The server's modules are loaded only when a command runs, so other commands start fast.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { LedgerStore } from '../store/store.js';
import { COMPANY_HELP, type DbOptions } from '../cli/db.js';
import { keyNameProblem, ROLES, type ApiRole } from './keys.js';

export interface ApiCli {
  dbOptions(cmd: Command): Command;
  storeFrom(opts: DbOptions): Promise<LedgerStore>;
  withStore(opts: DbOptions, fn: (store: LedgerStore) => Promise<number>): Promise<void>;
  write(s: string): void;
  writeErr(s: string): void;
}

function nameArg(v: string): string {
  const bad = keyNameProblem(v);
  if (bad !== undefined) throw new InvalidArgumentError(bad);
  return v;
}

function portArg(v: string): number {
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new InvalidArgumentError('expected a port number (0–65535).');
  return Number(v);
}

/** How other commands name the store `serve` opened: `--db FILE`, or nothing for PostgreSQL. */
function storeArgs(opts: DbOptions): string {
  return opts.databaseUrl !== undefined || (process.env['DATABASE_URL'] ?? '') !== '' ? '' : `--db ${opts.db}`;
}

export function registerApi(cmd: Command, cli: ApiCli): void {
  cli
    .dbOptions(
      cmd
        .command('serve')
        .description('Serve the HTTP API (OpenAPI document and explorer at /docs).')
        .option('--port <n>', 'port to listen on', portArg, 3000)
        .option('--host <host>', 'interface to listen on', '127.0.0.1')
        .option('--demo', 'create the demo company, post its demo year and print an admin key (skipped when already there)')
        .option('--quiet', 'no request log'),
    )
    .action(async (opts: DbOptions & { port: number; host: string; demo?: boolean; quiet?: boolean }) => {
      const { serve } = await import('./serve.js');
      const store = await cli.storeFrom(opts);
      let app: Awaited<ReturnType<typeof serve>>;
      try {
        app = await serve(store, { port: opts.port, host: opts.host, demo: opts.demo, logger: opts.quiet === true ? false : undefined, storeArgs: storeArgs(opts) }, cli.write);
      } catch (e) {
        await store.close();
        throw e;
      }
      let closing = false;
      const stop = (signal: string): void => {
        if (closing) return;
        closing = true;
        cli.writeErr(`${signal}: stopping`);
        void app
          .close()
          .then(() => store.close())
          .then(() => (process.exitCode = 0));
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
  registerKeys(cmd, cli);
}

/** A coded failure as the CLI prints it: one JSON object on stderr. */
function printFailure(cli: ApiCli, f: { code: string; message: string; fix: string; record: unknown }): number {
  cli.writeErr(JSON.stringify({ error: { code: f.code, message: f.message, fix: f.fix, record: f.record } }));
  return 2;
}

/** `stockbook api-key create | list | revoke`; `api-key --company ID --role ROLE` (no subcommand) still creates. */
function registerKeys(cmd: Command, cli: ApiCli): void {
  const keys = cmd.command('api-key').description('API keys of a company: create (shown once), list with their last use, revoke.');
  cli
    .dbOptions(
      keys
        .command('create', { isDefault: true })
        .description('Create an API key and print it as JSON (the key is shown only now; the ledger keeps its hash). --format key prints the key alone.')
        .option('--company <id>', COMPANY_HELP)
        .addOption(new Option('--role <role>', 'viewer, poster, exporter or admin').choices([...ROLES]).default('admin'))
        .option('--name <name>', 'what the key is for (default: "<role> key")', nameArg)
        .addOption(new Option('-f, --format <format>', 'json, or key: the key alone (for KEY=$(…))').choices(['json', 'key']).default('json')),
    )
    .action(async (opts: DbOptions & { company: string; role: ApiRole; name?: string; format: 'json' | 'key' }) => {
      await cli.withStore(opts, async (store) => {
        const { createKey } = await import('./keys.js');
        const { unknownCompany } = await import('./serve.js');
        const k = await createKey(store, opts.company, opts.role, { name: opts.name });
        if (k === undefined) return printFailure(cli, unknownCompany(opts.company));
        cli.write(opts.format === 'key' ? k.key : JSON.stringify(k));
        return 0;
      });
    });
  cli
    .dbOptions(keys.command('list').description("The company's API keys: id, name, role, created, last used (to the minute), revoked; never the keys.").option('--company <id>', COMPANY_HELP))
    .action(async (opts: DbOptions & { company: string }) => {
      await cli.withStore(opts, async (store) => {
        const { keyJson } = await import('./keys.js');
        cli.write(JSON.stringify({ company: opts.company, keys: (await store.apiKeys(opts.company)).map(keyJson) }));
        return 0;
      });
    });
  cli
    .dbOptions(keys.command('revoke').description('Revoke an API key: from now on it answers 401, in every server process.').argument('<key-id>', 'key id (k_…), as api-key list shows it').option('--company <id>', COMPANY_HELP))
    .action(async (id: string, opts: DbOptions & { company: string }) => {
      await cli.withStore(opts, async (store) => {
        const { keyJson } = await import('./keys.js');
        const k = await store.revokeApiKey(opts.company, id, new Date().toISOString());
        if (k === undefined) return printFailure(cli, { code: 'NOT_FOUND', message: `Company "${opts.company}" has no API key "${id}".`, fix: 'List the keys with stockbook api-key list and use one of their ids.', record: { company: opts.company, key: id } });
        cli.write(JSON.stringify(keyJson(k)));
        return 0;
      });
    });
}
