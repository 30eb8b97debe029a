/**
 * The API's commands, registered on the stockbook program by src/cli/main.ts:
 *   serve    the HTTP API (OpenAPI at /docs); --demo sets up the demo company first
 *   api-key  create an API key for a company and print it (shown once)
 * The server's modules are loaded only when a command runs, so other commands start fast.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import type { LedgerStore } from '../store/store.js';
import { COMPANY_HELP, type DbOptions } from '../cli/db.js';
import { ROLES, type ApiRole } from './keys.js';

export interface ApiCli {
  dbOptions(cmd: Command): Command;
  storeFrom(opts: DbOptions): Promise<LedgerStore>;
  withStore(opts: DbOptions, fn: (store: LedgerStore) => Promise<number>): Promise<void>;
  write(s: string): void;
  writeErr(s: string): void;
}

function portArg(v: string): number {
  if (!/^\d{1,5}$/.test(v) || Number(v) > 65535) throw new InvalidArgumentError('expected a port number (0–65535).');
  return Number(v);
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
        app = await serve(store, { port: opts.port, host: opts.host, demo: opts.demo, logger: opts.quiet === true ? false : undefined }, cli.write);
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
  cli
    .dbOptions(
      cmd
        .command('api-key')
        .description('Create an API key for a company and print it as JSON (the key is shown only now; the ledger keeps its hash).')
        .option('--company <id>', COMPANY_HELP)
        .addOption(new Option('--role <role>', 'viewer, poster, exporter or admin').choices([...ROLES]).default('admin')),
    )
    .action(async (opts: DbOptions & { company: string; role: ApiRole }) => {
      await cli.withStore(opts, async (store) => {
        const { createKey } = await import('./keys.js');
        const { unknownCompany } = await import('./serve.js');
        const k = await createKey(store, opts.company, opts.role);
        if (k === undefined) {
          const f = unknownCompany(opts.company);
          cli.writeErr(JSON.stringify({ error: { code: f.code, message: f.message, fix: f.fix, record: f.record } }));
          return 2;
        }
        cli.write(JSON.stringify(k));
        return 0;
      });
    });
}
