/**
 * Reports: trial balance, stock valuation (with its GL check), stock ledger and gross profit,
 * one tab each; filters live in the address (#/reports/<name>?asOf=…) and every report
 * downloads as CSV.
 */
import type { JSX } from 'preact';
import { Page, Tabs } from '../components/ui';
import { href, type Route } from '../router';
import { GrossProfit } from './parts-a/gross-profit';
import { StockLedger } from './parts-a/stock-ledger';
import { TrialBalance } from './parts-a/trial-balance';
import { Valuation } from './parts-a/valuation';

const REPORTS = [
  { id: 'trial-balance', label: 'Trial balance', View: TrialBalance },
  { id: 'valuation', label: 'Stock valuation', View: Valuation },
  { id: 'stock-ledger', label: 'Stock ledger', View: StockLedger },
  { id: 'gross-profit', label: 'Gross profit', View: GrossProfit },
] as const;

export function Reports({ route }: { route: Route }): JSX.Element {
  const report = REPORTS.find((r) => r.id === route.path[1]) ?? REPORTS[0];
  const { View } = report;
  return (
    <Page title={`Reports: ${report.label}`}>
      <Tabs label="Reports" active={report.id} tabs={REPORTS.map((r) => ({ id: r.id, label: r.label, href: href(`reports/${r.id}`) }))} />
      {/* Keyed by report: each tab starts from its own state, not the previous tab's load. */}
      <View key={report.id} query={route.query} />
    </Page>
  );
}
