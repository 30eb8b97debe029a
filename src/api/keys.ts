/**
 * API keys. A key is `sbk_<companyId>_<32 random hex digits>`: the company it opens is part of
 * the key, and the key itself is shown once, when created. The ledger keeps only its SHA-256
 * hash, with a name, a role, when it was created, last used (to the minute) and revoked, in the
 * store's api_keys table (not in the company configuration).
 *
 * Every request looks its key up in the store by (company, hash): no cache, so a key revoked by
 * any process answers 401 at once everywhere. Keys are 128-bit random, so looking a hash up in
 * an index reveals nothing a timing attack could use. A key's last use is written at most once
 * a minute per key and process, after the answer, so requests never wait for it.
 */
import { withoutHidden } from '../ledger/hidden.js';
import { createHash, randomBytes } from 'node:crypto';
import type { ApiKeyRecord, LedgerStore } from '../store/store.js';

export const ROLES = ['viewer', 'poster', 'exporter', 'admin'] as const;
export type ApiRole = (typeof ROLES)[number];

/** What a request may do; each route names the one permission it needs. */
export type Permission = 'read' | 'post' | 'export' | 'admin';

/**
 * viewer < poster < exporter < admin, but not a strict ladder: an exporter is a viewer with
 * export rights (it cannot post), and an admin may do everything.
 */
export const PERMISSIONS: Readonly<Record<ApiRole, ReadonlySet<Permission>>> = {
  viewer: new Set<Permission>(['read']),
  poster: new Set<Permission>(['read', 'post']),
  exporter: new Set<Permission>(['read', 'export']),
  admin: new Set<Permission>(['read', 'post', 'export', 'admin']),
};

/** The roles that carry a permission, for messages ("needs role poster or admin"). */
export function rolesWith(p: Permission): ApiRole[] {
  return ROLES.filter((r) => PERMISSIONS[r].has(p));
}

const KEY_RE = /^sbk_(.+)_([0-9a-f]{32})$/;

/** The company a key names, or undefined when it is not shaped like a key. */
export function companyOfKey(key: string): string | undefined {
  return KEY_RE.exec(key)?.[1];
}

export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function isRole(x: unknown): x is ApiRole {
  return typeof x === 'string' && (ROLES as readonly string[]).includes(x);
}


/** A key as GET /v1/keys and `stockbook api-key list` show it: never the hash. */
export function keyJson(k: ApiKeyRecord): Record<string, unknown> {
  return { id: k.id, name: k.name, role: k.role, createdAt: k.createdAt, lastUsedAt: k.lastUsedAt ?? null, revokedAt: k.revokedAt ?? null };
}

/** The stored key matching a presented key (revoked or not), read from the store now. */
export async function storedKey(store: LedgerStore, key: string): Promise<(ApiKeyRecord & { role: ApiRole }) | undefined> {
  const company = companyOfKey(key);
  if (company === undefined) return undefined;
  const k = await store.apiKeyByHash(company, hashKey(key));
  return k !== undefined && isRole(k.role) ? { ...k, role: k.role } : undefined;
}

/** How often a key's last use is written, at most, per key and process. */
export const LAST_USE_EVERY_MS = 60_000;
const lastMarked = new Map<string, number>();

/** Records that a key was used now, unless this process did so less than a minute ago (or any process did, per the store). */
export function markUsed(store: LedgerStore, k: ApiKeyRecord, now: Date = new Date()): Promise<void> | undefined {
  const at = now.getTime();
  const mark = `${k.company}\u0000${k.id}`;
  if (at - (lastMarked.get(mark) ?? -Infinity) < LAST_USE_EVERY_MS) return undefined;
  lastMarked.set(mark, at);
  return store.markApiKeyUsed(k.company, k.id, now.toISOString(), new Date(at - LAST_USE_EVERY_MS).toISOString());
}

/** The configuration as the API shows it: no OAuth client secret (API keys are not part of it). */
export function withoutKeys(config: unknown): Record<string, unknown> {
  return withoutHidden(config);
}

/** Longest key name. */
export const MAX_KEY_NAME = 100;

/** Why a key name cannot be used, if it cannot: 1–100 characters, no control characters. */
export function keyNameProblem(name: string): string | undefined {
  if (name.trim() === '' || name.length > MAX_KEY_NAME) return `A key name has 1 to ${MAX_KEY_NAME} characters (got ${name.length}).`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name) || /[\ud800-\udfff]/.test(name.replace(/[\ud800-\udbff][\udc00-\udfff]/g, ''))) return 'A key name may not hold control characters or lone surrogates.';
  return undefined;
}

export interface NewKey { id: string; name: string; role: ApiRole; key: string; createdAt: string }

/**
 * Creates a key for an existing company and stores its hash. Returns the plaintext key (to be
 * shown once) or undefined when the company does not exist.
 */
export async function createKey(store: LedgerStore, companyId: string, role: ApiRole, opts: { name?: string | undefined; now?: Date } = {}): Promise<NewKey | undefined> {
  if ((await store.getCompany(companyId)) === undefined) return undefined;
  const key = `sbk_${companyId}_${randomBytes(16).toString('hex')}`;
  const id = `k_${randomBytes(6).toString('hex')}`;
  const createdAt = (opts.now ?? new Date()).toISOString();
  const name = opts.name ?? `${role} key`;
  await store.addApiKey({ company: companyId, id, name, role, hash: hashKey(key), createdAt });
  return { id, name, role, key, createdAt };
}
