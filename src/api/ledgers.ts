/** The server keeps one ledger per company; these reopen it when another process appended events. */
import type { CompanyLedger } from '../ledger/service.js';
import type { LedgerStore } from '../store/store.js';

export interface LedgerDeps {
  store: LedgerStore;
  /** The server's ledger of a company (one per company per process). */
  ledgerOf(company: string): Promise<CompanyLedger>;
  /** Drops the server's ledger of a company, so the next ledgerOf opens it again. */
  forget(company: string): void;
}

/** The server's ledger of the company, opened again if the store holds events it has not seen. */
export async function freshLedger(deps: LedgerDeps, company: string): Promise<CompanyLedger> {
  const ledger = await deps.ledgerOf(company);
  if (ledger.eventCount === (await deps.store.countEvents(company))) return ledger;
  deps.forget(company);
  return deps.ledgerOf(company);
}
