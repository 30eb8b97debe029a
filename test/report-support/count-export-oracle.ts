/**
 * The count export's reads as they were before it read by index (issue 11): every event's
 * view, walked once per question. Kept as the oracle the indexed reads of
 * src/ledger/count-export.ts are compared with on seeded and random streams; the rest of the
 * export (slots, valuation, the report) is the module's own, so the two differ only in what
 * they read.
 */
import type { Failure } from '../../src/domain/errors.js';
import { addExport, addMoves, preview as previewWith, type CountInfo, type CountPreview, type CountReads, type Movements, type Slots } from '../../src/ledger/count-export.js';
import type { CompanyLedger } from '../../src/ledger/service.js';

/** Every count (a date with a live stocktake), oldest first, with its live export. */
export async function counts(ledger: CompanyLedger): Promise<CountInfo[]> {
  const dates = new Set<string>();
  const exported = new Map<string, string>();
  for await (const { event, voidedBy } of ledger.current.views()) {
    if (voidedBy !== undefined) continue;
    if (event.type === 'stocktake') dates.add(event.date);
    if (event.type === 'count_export') exported.set(event.date, event.id);
  }
  const latest = [...exported.keys()].sort().pop();
  return [...dates].sort().map((date) => ({ date, exportedBy: exported.get(date), superseded: !exported.has(date) && latest !== undefined && date < latest }));
}

/** Value moved per slot and kind by live events dated in (from, to]. */
async function movements(ledger: CompanyLedger, slots: Slots, from: string | undefined, to: string): Promise<Map<string, Movements>> {
  const out = new Map<string, Movements>();
  for await (const v of ledger.current.views()) {
    if (v.voidedBy !== undefined || v.event.date > to || (from !== undefined && v.event.date <= from)) continue;
    addMoves(out, slots, v);
  }
  return out;
}

/** Each slot's balance on its asset account as of the date, before the export `except`. */
async function priorBalances(ledger: CompanyLedger, slots: Slots, date: string, current: ReadonlyMap<string, bigint>, except: string | undefined): Promise<Map<string, bigint>> {
  const out = new Map<string, bigint>(ledger.co.settings.inventorySystem === 'perpetual' ? current : []);
  for await (const { event, voidedBy } of ledger.current.views()) {
    if (voidedBy !== undefined || event.type !== 'count_export' || event.date > date || event.id === except) continue;
    addExport(out, slots, event);
  }
  return out;
}

const WHOLE: CountReads = { counts, movements, priorBalances };

/** The journal adjustment report for a count, from the whole history's reads. */
export async function preview(ledger: CompanyLedger, date?: string): Promise<CountPreview | Failure> {
  return previewWith(ledger, date, WHOLE);
}
