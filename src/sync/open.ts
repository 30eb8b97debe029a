/**
 * Opens a company's sync: its ledger, its sync configuration and its target connection, for
 * the faces (CLI, API) and tests.
 */
import { failure, type Failure } from '../domain/errors.js';
import { CompanyLedger } from '../ledger/service.js';
import type { LedgerStore } from '../store/store.js';
import { readSyncConfig, type SyncConfig } from './config.js';
import { SyncEngine, type EngineOptions } from './engine.js';
import { XeroConnectionClient, type Limits } from './xero/client.js';
import { XeroTarget } from './xero/target.js';

export interface OpenSyncOptions extends EngineOptions {
  /** Xero's limits (tests shrink them). */
  limits?: Limits;
  /** An already-open ledger of the company (the API keeps one per company). */
  ledger?: CompanyLedger;
}

export interface CompanySync {
  ledger: CompanyLedger;
  config: SyncConfig;
  client: XeroConnectionClient;
  engine: SyncEngine;
}

export async function openSync(store: LedgerStore, companyId: string, opts: OpenSyncOptions = {}): Promise<CompanySync | Failure> {
  const ledger = opts.ledger ?? (await CompanyLedger.open(store, companyId));
  if (!(ledger instanceof CompanyLedger)) return ledger;
  const rec = await store.getCompany(companyId);
  if (!rec) return failure('UNKNOWN_COMPANY', `Company "${companyId}" does not exist.`, 'Create it first.', { company: companyId });
  const cfg = readSyncConfig(rec.config, ledger.co.baseCurrency);
  if (!cfg.ok) return cfg.error;
  const conn = cfg.value.settings.xero;
  if (!conn) return failure('SYNC_NOT_CONFIGURED', `Company "${companyId}" has no accounting target: its configuration has no "sync": {"xero": {...}} section.`, 'Add sync.xero with the OAuth2 app\'s clientId (and tenantId) to the company configuration (docs/sync.md#connecting-to-xero).', { company: companyId });
  const now = opts.now;
  const client = new XeroConnectionClient({ store, company: companyId, conn, ...(now ? { now: () => now().getTime() } : {}), ...(opts.limits ? { limits: opts.limits } : {}) });
  const target = new XeroTarget(client, ledger.co, cfg.value);
  return { ledger, config: cfg.value, client, engine: new SyncEngine(ledger, target, cfg.value, opts) };
}
