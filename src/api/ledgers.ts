/** The server keeps one ledger per company; a read first brings it up to the store (CompanyLedger.refresh). */
import type { CompanyLedger } from '../ledger/service.js';
import type { LedgerStore } from '../store/store.js';

export interface LedgerDeps {
  store: LedgerStore;
  /** The server's ledger of a company (one per company per process). */
  ledgerOf(company: string): Promise<CompanyLedger>;
}

/**
 * The server's ledger of the company, under the configuration stored now and with a current
 * costing state (three indexed reads: the configuration's version, the state's last event, the
 * company's). Reads then go to the store's committed state, so they reflect every process.
 */
export async function freshLedger(deps: LedgerDeps, company: string): Promise<CompanyLedger> {
  const ledger = await deps.ledgerOf(company);
  await ledger.refresh();
  return ledger;
}
