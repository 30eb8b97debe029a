/** The inventory adjustments export API (docs/events.md#inventory-adjustments-export). */
import { api } from '../../api';
import { withDates } from '../../dates';

export interface CountInfo { date: string; exportedBy: string | null; superseded?: boolean }
export interface CountList { counts: CountInfo[]; next: string | null }

export const MOVEMENT_KINDS = ['receipts', 'sales', 'transfers', 'production', 'adjustments', 'other'] as const;
export type MovementKind = (typeof MOVEMENT_KINDS)[number];

export interface CategoryRow {
  category: string | null;
  name: string;
  asset: string;
  cogs: string;
  opening: string;
  movements: Record<MovementKind, string>;
  prior: string;
  current: string;
}

export interface Entry { debit: string; credit: string; amount: string; memo: string }

export interface CountPreview {
  company: string;
  currency: string;
  count: string;
  priorCount: string | null;
  inventorySystem: 'perpetual' | 'periodic';
  exportedBy: string | null;
  categories: CategoryRow[];
  entries: Entry[];
  totals: { debit: string; credit: string };
  balanced: boolean;
}

export interface ExportResult { event: string; preview: CountPreview; journals: { id: string }[] }

export const listCounts = (): Promise<CountList> => api<CountList>('/v1/counts');

/** The count date comes from the address too, so it is checked before it is sent. */
export const adjustments = (count: string): Promise<CountPreview> => withDates({ count }, ['count'], () => api<CountPreview>(`/v1/counts/adjustments?count=${encodeURIComponent(count)}`));

export const exportCount = (count: string): Promise<ExportResult> => withDates({ count }, ['count'], () => api<ExportResult>('/v1/counts/export', { method: 'POST', body: { count } }));

/**
 * The counts an export can take: not exported, and not before the latest export (such a count
 * is superseded: COUNT_SUPERSEDED). The API lists `superseded` only in newer versions, so the
 * rule of src/ledger/count-export.ts is applied here as well.
 */
export function exportable(list: CountList): CountInfo[] {
  const latest = list.counts.filter((c) => c.exportedBy !== null).map((c) => c.date).sort().pop();
  return list.counts.filter((c) => c.exportedBy === null && c.superseded !== true && (latest === undefined || c.date > latest));
}
