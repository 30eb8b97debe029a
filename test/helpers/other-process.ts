/**
 * Another process writing a company: `other-process.ts <dialect> <target> <schema> <company> <lockDate> <events JSON>`.
 * It sets the company's settings.lockDate (keeping the rest of its configuration), then posts
 * the events through its own ledger, and prints their outcomes as JSON lines
 * ({"event", "status", "code"}). test/processes.test.ts runs it next to a server of its own.
 */
import { SqliteStore } from '../../src/store/sqlite.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { CompanyLedger, putCompany } from '../../src/ledger/service.js';
import { isFailure } from '../../src/cli/input.js';

const [dialect, target, schema, company, lockDate, events] = process.argv.slice(2) as [string, string, string, string, string, string];
const store = dialect === 'sqlite' ? new SqliteStore(target) : new PostgresStore(target, { schema });
try {
  const ledger = await CompanyLedger.open(store, company);
  if (!(ledger instanceof CompanyLedger)) throw new Error(ledger.message);
  const rec = await store.getCompany(company);
  const config = rec!.config as { settings?: Record<string, unknown> };
  const saved = await putCompany(store, { ...config, settings: { ...config.settings, lockDate } });
  if (isFailure(saved)) throw new Error(saved.message);
  for (const o of await ledger.postBatch(JSON.parse(events) as unknown[])) {
    process.stdout.write(`${JSON.stringify({ event: o.event, status: o.status, code: o.status === 'ok' || o.status === 'exists' ? undefined : o.error.code })}\n`);
  }
} finally {
  await store.close();
}
