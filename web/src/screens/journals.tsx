/**
 * The journals browser: stored journals in append order, filtered by date range, account and
 * event, a page at a time. The filters and the page are in the address
 * (`#/journals?from=&to=&account=&event=&after=`), so a filtered view can be shared and
 * back/forward work. Each line links to its drill-down (event → cost layers).
 */
import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { api, type Problem } from '../api';
import { Loaded, Page, ProblemBox, useLoad } from '../components/ui';
import { dateProblem, withDates } from '../dates';
import { go, href, type Route } from '../router';
import type { Journal } from '../wire';
import { useAccounts } from './parts-b/accounts';
import { JournalTable } from './parts-b/journal-table';

const PAGE = 50;
const FILTERS = ['from', 'to', 'account', 'event'] as const;
const DATES = ['from', 'to'];
type Filters = Record<(typeof FILTERS)[number], string>;

interface JournalPage { journals: Journal[]; next: string | null }

function filtersOf(q: URLSearchParams): Filters {
  return { from: q.get('from') ?? '', to: q.get('to') ?? '', account: q.get('account') ?? '', event: q.get('event') ?? '' };
}

function journalsPath(f: Filters, after: string | undefined): string {
  const q = new URLSearchParams({ limit: String(PAGE) });
  for (const k of FILTERS) if (f[k] !== '') q.set(k, f[k]);
  if (after) q.set('afterSeq', after);
  return `/v1/journals?${q.toString()}`;
}

function captionOf(n: number, later: boolean): string {
  if (n === 0) return later ? 'No more journals.' : 'No journals match these filters.';
  return `${n} journal${n === 1 ? '' : 's'}${later ? ' (a later page)' : ''}`;
}

/**
 * Account codes and names for the account filter's suggestions; the filter works without them.
 * Outside the filter form, which is re-keyed by every filter: the chart is loaded once per visit.
 */
function AccountOptions(): JSX.Element {
  const names = useAccounts();
  return <datalist id="account-codes">{[...names].map(([code, name]) => <option value={code}>{code} {name}</option>)}</datalist>;
}

function FilterForm({ initial }: { initial: Filters }): JSX.Element {
  const [f, setF] = useState<Filters>(initial);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const set = (k: keyof Filters) => (e: { currentTarget: HTMLInputElement }): void => setF({ ...f, [k]: e.currentTarget.value });
  const submit = (e: Event): void => {
    e.preventDefault();
    // A date that is not a real day (or a from after its to) stays in the form with its problem.
    const bad = dateProblem(f, DATES);
    setProblem(bad);
    if (bad === undefined) go('journals', { ...f, account: f.account.trim().split(' ')[0], event: f.event.trim() });
  };
  return (
    <form class="filters" onSubmit={submit} aria-label="Journal filters">
      <label>From<input type="date" name="from" value={f.from} onInput={set('from')} /></label>
      <label>To<input type="date" name="to" value={f.to} onInput={set('to')} /></label>
      <label>Account<input type="text" name="account" value={f.account} onInput={set('account')} list="account-codes" placeholder="e.g. 5000" autoComplete="off" /></label>
      <label>Event<input type="text" name="event" value={f.event} onInput={set('event')} placeholder="e.g. SH-10001" autoComplete="off" spellcheck={false} /></label>
      <button type="submit">Show</button>
      <a class="button secondary" href="#/journals">Clear</a>
      {problem && <ProblemBox problem={problem} />}
    </form>
  );
}

/**
 * The cursors of the pages walked through with these filters, so "Previous page" can go back
 * one (the API pages forward only). Re-rendering the same page leaves it unchanged.
 */
function usePageTrail(filterKey: string, after: string | undefined): string | undefined {
  const trail = useRef<{ filterKey: string; stack: string[] }>({ filterKey, stack: [] });
  if (trail.current.filterKey !== filterKey) trail.current = { filterKey, stack: [] };
  const stack = trail.current.stack;
  const at = stack.indexOf(after ?? '');
  if (at >= 0) stack.length = at + 1;
  else stack.push(after ?? '');
  return stack.length >= 2 ? stack[stack.length - 2] : undefined;
}

function Pager({ filters, after, next, prev }: { filters: Filters; after: string | undefined; next: string | null; prev: string | undefined }): JSX.Element | null {
  if (after === undefined && next === null) return null;
  return (
    <nav class="pager actions" aria-label="Pages">
      {after !== undefined && <a class="button secondary" href={href('journals', { ...filters })}>First page</a>}
      {prev !== undefined && prev !== '' && <a class="button secondary" href={href('journals', { ...filters, after: prev })}>Previous page</a>}
      {next !== null && <a class="button secondary" href={href('journals', { ...filters, after: next })}>Next page</a>}
    </nav>
  );
}

export function Journals({ route }: { route: Route }): JSX.Element {
  const filters = filtersOf(route.query);
  const after = route.query.get('after') ?? undefined;
  const path = journalsPath(filters, after);
  const [load] = useLoad(() => withDates(filters, DATES, () => api<JournalPage>(path)), [path]);
  const filterKey = FILTERS.map((k) => filters[k]).join('|');
  const prev = usePageTrail(filterKey, after);
  return (
    <Page title="Journals">
      <FilterForm key={filterKey} initial={filters} />
      <AccountOptions />
      <Loaded load={load}>
        {(p) => (
          <>
            <p class="muted">Choose a line's account to see its event and the cost layers it consumed.</p>
            <JournalTable journals={p.journals} testid="journals-table"
              caption={captionOf(p.journals.length, after !== undefined)} />
            <Pager filters={filters} after={after} next={p.next} prev={prev} />
          </>
        )}
      </Loaded>
    </Page>
  );
}
