/** The server keeps one ledger per company; a read first brings it up to the store (CompanyLedger.refresh). */
import type { CompanyLedger } from '../ledger/service.js';
import type { LedgerStore } from '../store/store.js';

export interface LedgerDeps {
  store: LedgerStore;
  /** The server's ledger of a company (one per company per process). */
  ledgerOf(company: string): Promise<CompanyLedger>;
}

/**
 * The server's ledger of the company, caught up on every event and configuration any process
 * stored: one indexed read of its last seq, and only the events after the ledger's own.
 */
export async function freshLedger(deps: LedgerDeps, company: string): Promise<CompanyLedger> {
  const ledger = await deps.ledgerOf(company);
  await ledger.refresh();
  return ledger;
}
