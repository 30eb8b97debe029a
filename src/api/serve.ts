/**
 * `stockbook serve`: the HTTP API over the ledger store. With `--demo` it first creates the
 * demo company (examples/demo/company.json), posts its demo year (src/demo) unless that is
 * already stored, and creates an admin key if the company has none, printing it once.
 */
import type { FastifyInstance } from 'fastify';
import { failure } from '../domain/errors.js';
import { CompanyLedger, putCompany } from '../ledger/service.js';
import type { LedgerStore } from '../store/store.js';
import { demoCompanyConfig, demoYear, DEMO_COMPANY_ID } from '../demo/generator.js';
import { createKey } from './keys.js';
import { buildServer } from './server.js';
import { startDemoXero } from '../demo/xero.js';

export interface ServeOptions {
  port: number;
  host: string;
  demo?: boolean | undefined;
  /** Port of the demo's Xero sandbox (default: any free port). */
  xeroPort?: number | undefined;
  /** fastify's request log (default: info level, JSON lines on standard output). */
  logger?: boolean | undefined;
  /** How CLI commands name this store (e.g. `--db demo.sqlite`), for the hints printed. */
  storeArgs?: string | undefined;
}

type Out = (s: string) => void;

/** Events per transaction when posting the demo year. */
const DEMO_BATCH = 1000;

const isFailure = (x: unknown): x is { code: string; message: string } => typeof x === 'object' && x !== null && 'code' in x && 'fix' in x;

/**
 * Creates the demo company and posts its year if they are not stored yet. Returns a new admin
 * key when one was made, and the demo company's ledger when it had to open it.
 */
export async function setupDemo(store: LedgerStore, out: Out): Promise<{ key: string | undefined; ledger: CompanyLedger | undefined }> {
  if ((await store.getCompany(DEMO_COMPANY_ID)) === undefined) {
    const co = await putCompany(store, demoCompanyConfig());
    if (isFailure(co)) throw new Error(`the demo company does not load: ${co.message}`);
    out(`Created the demo company "${DEMO_COMPANY_ID}" (examples/demo/company.json).`);
  }
  const events = demoYear();
  const last = events[events.length - 1]!;
  let ledger: CompanyLedger | undefined;
  if ((await store.findEvent(DEMO_COMPANY_ID, last.id)) === undefined) {
    const opened = await CompanyLedger.open(store, DEMO_COMPANY_ID);
    if (isFailure(opened)) throw new Error(`the demo company cannot be opened: ${opened.message}`);
    ledger = opened;
    const count = { ok: 0, exists: 0, failed: 0 };
    out(`Posting the demo year: ${events.length} events …`);
    for (let i = 0; i < events.length; i += DEMO_BATCH) {
      for (const o of await ledger.postBatch(events.slice(i, i + DEMO_BATCH))) {
        if (o.status === 'ok') count.ok++;
        else if (o.status === 'exists') count.exists++;
        else {
          count.failed++;
          out(`  ${o.event}: ${o.error.code} ${o.error.message}`);
        }
      }
    }
    out(`Demo year posted: ${count.ok} new, ${count.exists} already stored, ${count.failed} refused.`);
  }
  if ((await store.apiKeys(DEMO_COMPANY_ID)).some((k) => k.revokedAt === undefined)) return { key: undefined, ledger };
  const k = await createKey(store, DEMO_COMPANY_ID, 'admin', { name: 'demo admin' });
  return { key: k?.key, ledger };
}

/** Starts the server; resolves once it listens. The caller closes it (and the store). */
export async function serve(store: LedgerStore, opts: ServeOptions, out: Out): Promise<FastifyInstance> {
  const demo = opts.demo === true ? await setupDemo(store, out) : undefined;
  const demoKey = demo?.key;
  const app = await buildServer({ store, logger: opts.logger === false ? false : { level: 'info' }, ledgers: demo?.ledger === undefined ? [] : [demo.ledger] });
  if (opts.demo === true) {
    // The demo's accounting system lives as long as the server.
    const sb = await startDemoXero(store, out, opts.xeroPort ?? 0, opts.storeArgs);
    app.addHook('onClose', async () => sb.close());
  }
  await app.listen({ port: opts.port, host: opts.host });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : opts.port;
  const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const base = `http://${host}:${port}`;
  out(`stockbook API listening on ${base}`);
  out(`  Web UI:        ${base}/${demoKey === undefined ? '' : `#key=${demoKey}`}`);
  out(`  OpenAPI docs:  ${base}/docs   (document: ${base}/docs/json)`);
  if (demoKey !== undefined) {
    out(`  Admin API key for the demo company "${DEMO_COMPANY_ID}" (shown only now; keep it):`);
    out(`    ${demoKey}`);
    out(`  Try: curl -H "Authorization: Bearer ${demoKey}" ${base}/v1/reports/trial-balance`);
  } else if (opts.demo === true) {
    out(`  The demo company "${DEMO_COMPANY_ID}" already has API keys (shown when created). A new one: stockbook api-key create${opts.storeArgs === undefined || opts.storeArgs === '' ? '' : ` ${opts.storeArgs}`} --company ${DEMO_COMPANY_ID} --name <what it is for>`);
  }
  return app;
}

/** The UNKNOWN_COMPANY failure `stockbook api-key` reports. */
export function unknownCompany(id: string): ReturnType<typeof failure> {
  return failure('UNKNOWN_COMPANY', `Company "${id}" does not exist.`, 'Create it first: stockbook import --config company.json …', { company: id });
}
