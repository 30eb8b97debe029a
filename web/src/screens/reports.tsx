import type { JSX } from 'preact';
import type { Route } from '../router';
import { Page } from '../components/ui';

export function Reports({ route }: { route: Route }): JSX.Element {
  return <Page title="Reports"><p class="muted">Coming next ({route.path.join('/')}).</p></Page>;
}
