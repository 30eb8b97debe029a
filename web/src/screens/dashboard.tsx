/**
 * Dashboard: inventory value, margin by month, reconciliation, unposted records and the last
 * sync, all from the one GET /v1/dashboard answer so the page paints without a waterfall.
 */
import type { JSX } from 'preact';
import { api } from '../api';
import type { Route } from '../router';
import { Loaded, Page, useLoad } from '../components/ui';
import { LastSyncCard, MarginCard, ReconciliationCard, UnpostedCard, ValueCard } from './parts-a/dashboard-cards';
import type { DashboardData } from './parts-a/types';

export function Dashboard(_props: { route: Route }): JSX.Element {
  const [load, reload] = useLoad(() => api<DashboardData>('/v1/dashboard'), []);
  const actions = <button type="button" class="secondary" onClick={reload}>Refresh</button>;
  return (
    <Page title="Dashboard" actions={actions}>
      <Loaded load={load}>
        {(d) => (
          <>
            {d.from && <p class="muted">Books from {d.from} to {d.to ?? d.from}, amounts in {d.currency}.</p>}
            <div class="grid dashboard">
              <ValueCard d={d} />
              <MarginCard d={d} />
              <ReconciliationCard d={d} />
              <UnpostedCard d={d} />
              <LastSyncCard d={d} />
            </div>
          </>
        )}
      </Loaded>
    </Page>
  );
}
