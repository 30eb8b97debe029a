/** Hash routes (#/accounting/invoices?x=1): every screen has an address, back/forward work. */
import { useEffect, useState } from 'preact/hooks';

export interface Route { path: string[]; query: URLSearchParams }

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const [p = '', q = ''] = h.split('?');
  return { path: p.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(q) };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(parseRoute(location.hash));
  useEffect(() => {
    const on = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function href(path: string, query: Record<string, string | undefined> = {}): string {
  const q = new URLSearchParams(Object.entries(query).filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')).toString();
  return `#/${path}${q ? `?${q}` : ''}`;
}

export function go(path: string, query: Record<string, string | undefined> = {}): void {
  location.hash = href(path, query);
}

/** An event's page (its journals and the drill-down of a line); ids may hold '/', so one encoded segment. */
export function eventHref(event: string, query: Record<string, string | undefined> = {}): string {
  return href(`events/${encodeURIComponent(event)}`, query);
}
