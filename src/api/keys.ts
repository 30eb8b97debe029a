/**
 * API keys. A key is `sbk_<companyId>_<32 random hex digits>`: the company it opens is part of
 * the key, and the key itself is shown once, when created. The company's configuration keeps
 * only its SHA-256 hash, in a top-level "apiKeys" field that loadConfig ignores:
 *
 *   "apiKeys": [{ "id": "k_3f9a1c2b7d4e", "role": "poster", "hash": "<sha256 hex>", "createdAt": "2026-…Z" }]
 *
 * Hashes are compared with crypto.timingSafeEqual, over every key of the company.
 */
import { withoutHidden } from '../ledger/hidden.js';
import { isRecord } from '../domain/values.js';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { LedgerStore } from '../store/store.js';

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

export interface StoredKey {
  id: string;
  role: ApiRole;
  /** SHA-256 of the whole key, lower-case hex. */
  hash: string;
  createdAt: string;
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


/** The well-formed keys stored in a raw company configuration. */
export function storedKeys(config: unknown): StoredKey[] {
  const list = isRecord(config) ? config['apiKeys'] : undefined;
  if (!Array.isArray(list)) return [];
  return list.filter((k): k is StoredKey => isRecord(k) && typeof k['id'] === 'string' && isRole(k['role']) && typeof k['hash'] === 'string' && /^[0-9a-f]{64}$/.test(k['hash']) && typeof k['createdAt'] === 'string');
}

/** The stored key matching a presented key, compared in constant time against every stored hash. */
export function matchKey(config: unknown, key: string): StoredKey | undefined {
  const presented = Buffer.from(hashKey(key), 'hex');
  let found: StoredKey | undefined;
  for (const k of storedKeys(config)) {
    if (timingSafeEqual(presented, Buffer.from(k.hash, 'hex')) && found === undefined) found = k;
  }
  return found;
}

/** The configuration as the API shows it: no API key hashes, no OAuth client secret. */
export function withoutKeys(config: unknown): Record<string, unknown> {
  return withoutHidden(config);
}

// Key writes read, change and write back the company record: one at a time per company.
const tails = new Map<string, Promise<unknown>>();

/** Serialises read-modify-write changes of one company's record in this process. */
export function withCompanyRecord<T>(companyId: string, fn: () => Promise<T>): Promise<T> {
  const prev = tails.get(companyId) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.then(() => undefined, () => undefined);
  tails.set(companyId, tail);
  void tail.then(() => {
    if (tails.get(companyId) === tail) tails.delete(companyId);
  });
  return run;
}

/**
 * Creates a key for an existing company and stores its hash. Returns the plaintext key (to be
 * shown once) or undefined when the company does not exist.
 */
export async function createKey(store: LedgerStore, companyId: string, role: ApiRole, now: Date = new Date()): Promise<{ id: string; role: ApiRole; key: string; createdAt: string } | undefined> {
  return withCompanyRecord(companyId, async () => {
    const rec = await store.getCompany(companyId);
    if (!rec) return undefined;
    const key = `sbk_${companyId}_${randomBytes(16).toString('hex')}`;
    const id = `k_${randomBytes(6).toString('hex')}`;
    const createdAt = now.toISOString();
    const config = isRecord(rec.config) ? rec.config : {};
    const apiKeys = [...storedKeys(config), { id, role, hash: hashKey(key), createdAt }];
    await store.putCompany({ id: rec.id, name: rec.name, config: { ...config, apiKeys } });
    return { id, role, key, createdAt };
  });
}
