/**
 * Dashboard: inventory value, margin by month, reconciliation, unposted records and the last
 * sync, all from the one GET /v1/dashboard answer so the page paints without a waterfall.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api';
import type { Route } from '../router';
import { Loaded, Page, useLoad } from '../components/ui';
import { LastSyncCard, MarginCard, ReconciliationCard, UnpostedCard, ValueCard } from './parts-a/dashboard-cards';
import type { DashboardData } from '../wire';

export function Dashboard(_props: { route: Route }): JSX.Element {
  // The request starts while the screen first renders, not in an effect a frame later; Refresh asks anew.
  const [early] = useState(() => {
    const p = api<DashboardData>('/v1/dashboard');
    p.catch(() => undefined); // handled by useLoad below; this only keeps the browser from reporting it early
    return { p: p as Promise<DashboardData> | undefined };
  });
  const [load, reload] = useLoad(() => {
    const p = early.p ?? api<DashboardData>('/v1/dashboard');
    early.p = undefined;
    return p;
  }, []);
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
