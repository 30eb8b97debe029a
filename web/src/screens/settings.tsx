/**
 * Settings (read-only): the books' settings, the accounting system connection, account
 * mappings with gaps highlighted, and the chart of accounts — all from GET /v1/company.
 */
import type { JSX } from 'preact';
import { api } from '../api';
import type { Route } from '../router';
import { Loaded, Page, useLoad } from '../components/ui';
import { ChartOfAccounts, LevelMappings, ResolvedMappings, SettingsCard, TargetCard } from './parts-a/settings-parts';
import type { CompanyData } from '../wire';

export function Settings(_props: { route: Route }): JSX.Element {
  const [load] = useLoad(() => api<CompanyData>('/v1/company'), []);
  return (
    <Page title="Settings">
      <Loaded load={load}>
        {(co) => (
          <>
            <p class="muted">{co.name} ({co.id}). Change these in the company configuration (PUT /v1/company, docs/config.md).</p>
            <div class="grid">
              <SettingsCard co={co} />
              <TargetCard co={co} />
            </div>
            <ResolvedMappings co={co} />
            <LevelMappings co={co} />
            <ChartOfAccounts co={co} />
          </>
        )}
      </Loaded>
    </Page>
  );
}
