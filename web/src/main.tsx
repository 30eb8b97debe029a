/**
 * The stockbook web UI: a single page over the HTTP API, for the company of the signed-in API
 * key. Keys are kept in this browser (localStorage) so several companies can be switched
 * between; `#key=<api key>` in the address signs in directly (what `npm start` prints).
 */
import { render, type JSX } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, setSession, type Session } from './api';
import { ProblemBox, toProblem } from './components/ui';
import { useRoute, type Route } from './router';
import { Dashboard } from './screens/dashboard';
import { Accounting } from './screens/accounting';
import { Counts } from './screens/counts';
import { Journals } from './screens/journals';
import { EventDrill } from './screens/event';
import { Reports } from './screens/reports';
import { Settings } from './screens/settings';
import type { Problem } from './api';

interface Whoami { company: string; name: string; role: string; permissions: string[]; baseCurrency: string }

const STORE = 'stockbook.keys';

function savedKeys(): { key: string; company: string; name: string }[] {
  try {
    return JSON.parse(localStorage.getItem(STORE) ?? '[]') as { key: string; company: string; name: string }[];
  } catch {
    return [];
  }
}

function saveKey(s: Session): void {
  const rest = savedKeys().filter((k) => k.company !== s.company);
  localStorage.setItem(STORE, JSON.stringify([{ key: s.key, company: s.company, name: s.name }, ...rest]));
  localStorage.setItem(`${STORE}.current`, s.company);
}

async function signIn(key: string): Promise<Session> {
  const w = await api<Whoami>('/v1/whoami', { key });
  return { key, company: w.company, name: w.name, role: w.role, permissions: w.permissions, currency: w.baseCurrency };
}

function SignIn({ onSession, problem }: { onSession: (s: Session) => void; problem?: Problem | undefined }): JSX.Element {
  const [key, setKey] = useState('');
  const [err, setErr] = useState<Problem | undefined>(problem);
  const submit = (e: Event): void => {
    e.preventDefault();
    signIn(key.trim()).then(onSession, (x: unknown) => setErr(toProblem(x)));
  };
  return (
    <main class="signin">
      <h1>stockbook</h1>
      <form onSubmit={submit}>
        <label for="key">API key of your company</label>
        <input id="key" name="key" autoComplete="off" spellcheck={false} value={key} onInput={(e) => setKey(e.currentTarget.value)} placeholder="sbk_company_…" required />
        <button type="submit">Sign in</button>
      </form>
      {err && <ProblemBox problem={err} />}
      <p class="muted">`npm start` prints an admin key for the demo company, and a link that signs in with it.</p>
    </main>
  );
}

const NAV: { id: string; label: string; href: string; permission?: string }[] = [
  { id: 'dashboard', label: 'Dashboard', href: '#/dashboard' },
  { id: 'accounting', label: 'Accounting', href: '#/accounting/invoices' },
  { id: 'counts', label: 'Inventory adjustments', href: '#/counts', permission: 'export' },
  { id: 'journals', label: 'Journals', href: '#/journals' },
  { id: 'reports', label: 'Reports', href: '#/reports/trial-balance' },
  { id: 'settings', label: 'Settings', href: '#/settings' },
];

function Screen({ route }: { route: Route }): JSX.Element {
  switch (route.path[0] ?? 'dashboard') {
    case 'dashboard': return <Dashboard route={route} />;
    case 'accounting': return <Accounting route={route} />;
    case 'counts': return <Counts route={route} />;
    case 'journals': return <Journals route={route} />;
    case 'events': return <EventDrill route={route} />;
    case 'reports': return <Reports route={route} />;
    case 'settings': return <Settings route={route} />;
    default: return <ProblemBox problem={{ code: 'NOT_FOUND', title: 'Not found', detail: `There is no page "${route.path.join('/')}".`, fix: 'Use the menu.', status: 404 }} />;
  }
}

function Shell({ s, onSwitch, onSignOut }: { s: Session; onSwitch: (company: string) => void; onSignOut: () => void }): JSX.Element {
  const route = useRoute();
  const here = route.path[0] === 'events' ? 'journals' : (route.path[0] ?? 'dashboard');
  const page = route.path.join('/');
  const first = useRef(true);
  // A new page starts keyboard navigation at its content, as a page load would (the first page
  // is a page load: the browser starts it at the top, so the skip link comes first).
  useEffect(() => {
    if (first.current) return void (first.current = false);
    document.getElementById('main')?.focus();
  }, [page]);
  const keys = savedKeys();
  return (
    <div class="shell">
      <a class="skip" href="#main">Skip to content</a>
      <header class="top">
        <span class="brand">stockbook</span>
        <label class="company">
          <span class="sr">Company</span>
          <select value={s.company} onChange={(e) => onSwitch(e.currentTarget.value)} aria-label="Company">
            {keys.map((k) => <option value={k.company}>{k.name}</option>)}
          </select>
        </label>
        <span class="role muted">{s.role}</span>
        <button type="button" class="link" onClick={onSignOut}>Sign out</button>
      </header>
      <nav class="side" aria-label="Main">
        {NAV.filter((n) => n.permission === undefined || s.permissions.includes(n.permission)).map((n) => (
          <a href={n.href} class={n.id === here ? 'active' : ''} aria-current={n.id === here ? 'page' : undefined}>{n.label}</a>
        ))}
      </nav>
      <main id="main" tabIndex={-1}>
        <Screen route={route} key={`${s.company}:${route.path[0] ?? ''}`} />
      </main>
    </div>
  );
}

function App(): JSX.Element {
  const [s, setS] = useState<Session | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [ready, setReady] = useState(false);
  const use = (next: Session): void => {
    setSession(next);
    saveKey(next);
    setS(next);
  };
  useEffect(() => {
    const fromHash = /[#&]key=([^&]+)/.exec(location.hash)?.[1];
    const current = localStorage.getItem(`${STORE}.current`);
    const key = fromHash ? decodeURIComponent(fromHash) : savedKeys().find((k) => k.company === current)?.key;
    if (fromHash) history.replaceState(null, '', '#/dashboard');
    if (!key) return setReady(true);
    signIn(key).then(use, (e: unknown) => setProblem(toProblem(e))).finally(() => setReady(true));
  }, []);
  if (!ready) return <p class="loading">Loading…</p>;
  if (!s) return <SignIn onSession={use} problem={problem} />;
  const switchTo = (company: string): void => {
    const k = savedKeys().find((x) => x.company === company);
    if (k) signIn(k.key).then(use, (e: unknown) => setProblem(toProblem(e)));
  };
  const signOut = (): void => {
    localStorage.setItem(STORE, JSON.stringify(savedKeys().filter((k) => k.company !== s.company)));
    setSession(undefined);
    setS(undefined);
  };
  return <Shell s={s} onSwitch={switchTo} onSignOut={signOut} />;
}

render(<App />, document.getElementById('app')!);
