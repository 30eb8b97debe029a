/**
 * Count export (seed 002): the inventory adjustment of one count, per inventory category —
 * the prior ending inventory reversed (Dr COGS, Cr inventory asset) and the count's value
 * posted (Dr inventory asset, Cr COGS). The amounts are fixed when the export is made
 * (src/ledger/count-export.ts) and travel in the event, so the journal never changes later.
 */
import type { PostingRule } from '../types.js';

export const countExport: PostingRule<'count_export'> = {
  type: 'count_export',
  recordType: 'procurement',
  // Exports follow each other: an earlier one cannot be voided while a later one stands.
  references: (ev) => (ev.previous === undefined ? [] : [ev.previous]),
  plan: () => [],
  post(ev, _r, ctx, j) {
    for (const l of ev.lines) {
      const asset = ctx.account('inventory', { override: l.asset });
      const cogs = ctx.account('cogs', { override: l.cogs });
      j.entry(cogs, asset, l.prior, { memo: `${l.category}: prior ending inventory reversed` });
      j.entry(asset, cogs, l.current, { memo: `${l.category}: ending inventory counted ${ev.date}` });
    }
  },
};
