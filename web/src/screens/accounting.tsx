import type { JSX } from 'preact';
import type { Route } from '../router';
import { Page } from '../components/ui';

export function Accounting({ route }: { route: Route }): JSX.Element {
  return <Page title="Accounting"><p class="muted">Coming next ({route.path.join('/')}).</p></Page>;
}
