/**
 * One API process of bench/scale-out.ts: what `stockbook serve --database-url URL --port 0
 * --quiet` runs (src/api/serve.ts `serve()` over a PostgreSQL store), but on the PostgreSQL
 * schema the benchmark names, which the CLI cannot do (its stores always use `public`).
 * Prints serve()'s "listening on http://127.0.0.1:PORT" line, and stops on SIGTERM/SIGINT, when
 * its standard input closes (the benchmark ended or died), or after LIFETIME_MS at the latest.
 *   node --import tsx bench/scale-out-server.ts DATABASE_URL SCHEMA
 */
import { openStore } from '../src/store/open.js';
import { serve } from '../src/api/serve.js';

const LIFETIME_MS = 30 * 60_000;
const [url, schema] = process.argv.slice(2);
if (url === undefined || schema === undefined) throw new Error('usage: scale-out-server.ts DATABASE_URL SCHEMA');

const store = await openStore({ databaseUrl: url, pgSchema: schema });
const app = await serve(store, { port: 0, host: '127.0.0.1', logger: false }, (s) => void process.stdout.write(s + '\n'));

let closing = false;
function stop(why: string): void {
  if (closing) return;
  closing = true;
  if (why !== 'SIGTERM') process.stderr.write(`scale-out server ${process.pid}: ${why}, stopping\n`);
  const hard = setTimeout(() => process.exit(1), 5000);
  hard.unref();
  void app
    .close()
    .then(() => store.close())
    .finally(() => process.exit(0));
}
process.once('SIGTERM', () => stop('SIGTERM'));
process.once('SIGINT', () => stop('SIGINT'));
process.stdin.on('end', () => stop('standard input closed'));
process.stdin.on('error', () => stop('standard input failed'));
process.stdin.resume();
setTimeout(() => stop(`${LIFETIME_MS / 60_000} minutes passed`), LIFETIME_MS).unref();
