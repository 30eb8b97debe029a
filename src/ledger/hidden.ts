/**
 * Fields of a company's stored configuration that the API never shows: the Xero app's secret
 * (API keys are not in the configuration: they have their own table, src/api/keys.ts). One list drives both directions, hiding them from what the API
 * answers and keeping the stored values when a configuration comes back without them.
 */
import { isRecord } from '../domain/values.js';

interface Hidden {
  /** Path of the field, e.g. ['sync', 'xero', 'clientSecret']. */
  path: readonly string[];
  /** A sibling that must be unchanged for the stored value to be kept (a new app must bring its own secret). */
  sameAs?: string;
}

const HIDDEN: readonly Hidden[] = [{ path: ['sync', 'xero', 'clientSecret'], sameAs: 'clientId' }];

/** The object holding the field at `path` (all but its last step), if there is one. */
function parentOf(config: unknown, path: readonly string[]): Record<string, unknown> | undefined {
  let o: unknown = config;
  for (const step of path.slice(0, -1)) o = isRecord(o) ? o[step] : undefined;
  return isRecord(o) ? o : undefined;
}

/** A copy of `config` with the field at `path` set by `f` on a copied parent (the original is not touched). */
function withField(config: Record<string, unknown>, path: readonly string[], f: (parent: Record<string, unknown>) => void): Record<string, unknown> {
  const [head, ...rest] = path;
  const copy = { ...config };
  if (rest.length === 0) f(copy);
  else copy[head!] = withField(config[head!] as Record<string, unknown>, rest, f);
  return copy;
}

/** The configuration as the API shows it. */
export function withoutHidden(config: unknown): Record<string, unknown> {
  if (!isRecord(config)) return {};
  let out = config;
  for (const h of HIDDEN) {
    const leaf = h.path[h.path.length - 1]!;
    if (parentOf(out, h.path)?.[leaf] !== undefined) out = withField(out, h.path, (p) => void delete p[leaf]);
  }
  return out;
}

/** `config` with the hidden fields it lacks taken from the stored `previous` configuration. */
export function withHiddenFrom(config: unknown, previous: unknown): unknown {
  if (!isRecord(config)) return config;
  let out = config;
  for (const h of HIDDEN) {
    const leaf = h.path[h.path.length - 1]!;
    const now = parentOf(out, h.path);
    const before = parentOf(previous, h.path);
    if (!now || !before || now[leaf] !== undefined || before[leaf] === undefined) continue;
    if (h.sameAs !== undefined && now[h.sameAs] !== before[h.sameAs]) continue;
    out = withField(out, h.path, (p) => void (p[leaf] = before[leaf]));
  }
  return out;
}
