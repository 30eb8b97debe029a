import type { JSX } from 'preact';
import type { Route } from '../router';
import { Page } from '../components/ui';

export function Journals({ route }: { route: Route }): JSX.Element {
  return <Page title="Journals"><p class="muted">Coming next ({route.path.join('/')}).</p></Page>;
}
