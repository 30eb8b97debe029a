/**
 * Gross profit as the report computed it before it read by date (issue 11): every event's
 * view held in memory, then the range's sale-side events and the COGS lines of the range's
 * journals. Kept as the oracle the indexed report (src/reports/gross-profit.ts) is compared
 * with on seeded and random streams: it differs in what it reads, and computes with the
 * report's own pieces (customer, recorded costs, rows, totals).
 */
import { setImmediate as nextTurn } from 'node:timers/promises';
import { journalPages } from '../../src/store/pages.js';
import { inRange, roleAccounts, type ReportSource } from '../../src/reports/common.js';
import { addSaleSide, customerOf, productOfEvent, Rows, totalled, type GrossProfitOptions, type GrossProfitReport, type View } from '../../src/reports/gross-profit.js';

/** Events handled between turns of the event loop. */
const SLICE = 2000;

export async function grossProfitOracle(src: ReportSource, opts: GrossProfitOptions = {}): Promise<GrossProfitReport> {
  const { co, current: book, store } = src;
  const by = opts.by ?? 'product';
  const index = new Map<string, View>();
  let n = 0;
  for await (const v of book.views()) {
    index.set(v.event.id, v);
    if (++n % SLICE === 0) await nextTurn();
  }
  const rows = new Rows(co, by);

  // Revenue and recorded cost: the live sale-side events dated in the period.
  for (const v of index.values()) {
    if (++n % SLICE === 0) await nextTurn(); // a large book lets other requests run between slices
    if (v.voidedBy !== undefined || !inRange(v.event.date, opts.from, opts.to)) continue;
    addSaleSide(co, index, rows, by, v);
  }

  // Ledger COGS: every line on a COGS account dated in the period.
  const cogsAccounts = roleAccounts(co, 'cogs');
  for await (const page of journalPages(store, co.id, { from: opts.from, to: opts.to })) for (const j of page) {
    for (const l of j.lines) {
      if (!cogsAccounts.has(l.account)) continue;
      const key = by === 'product' ? l.product ?? productOfEvent(index, j.event) ?? '' : customerOf(index, j.event) ?? '';
      rows.of(key).cogs += l.amount;
    }
  }

  return totalled(co, opts, by, [...rows.byKey.values()]);
}
