/**
 * The company configuration's sync sections (docs/sync.md): `contacts`, the customers and
 * suppliers the events name, and `sync`, the accounting target and how documents are built.
 * Read from the same JSON as the ledger's configuration; the ledger itself ignores them.
 */
import { parseMoney } from '../domain/money.js';
import { MAX_AMOUNT } from '../domain/bounds.js';
import { isRecord } from '../domain/values.js';
import { failure, type Failure } from '../domain/errors.js';

export interface Contact {
  /** The code events use in `customer` / `supplier`. */
  code: string;
  name: string;
  /** Matched against the target's ContactNumber first; default: the code. */
  contactNumber: string;
  email: string | undefined;
  /** Days after the document date that payment is due. */
  termsDays: number | undefined;
}

export interface XeroConnection {
  clientId: string;
  /** Secret of the OAuth2 app; falls back to $XERO_CLIENT_SECRET. */
  clientSecret: string | undefined;
  tenantId: string | undefined;
  /** Accounting API base; default https://api.xero.com/api.xro/2.0 (the sandbox's apiBase in tests and the demo). */
  apiUrl: string | undefined;
  /** Token endpoint; default https://identity.xero.com/connect/token. */
  identityUrl: string | undefined;
  /** The sandbox's time scale (rate-limit windows and Retry-After are divided by it); 1 against Xero. */
  timeScale: number;
  /** How long a call may wait for Xero's answer, in real milliseconds (default 30,000). */
  timeoutMs: number;
}

export interface SyncSettings {
  target: 'xero';
  /** Largest invoice-total difference settled with an adjustment line, in minor units. */
  tolerance: bigint;
  salesTaxType: string;
  purchaseTaxType: string;
  noTaxType: string;
  salesTermsDays: number;
  billTermsDays: number;
  xero: XeroConnection | undefined;
}

export interface SyncConfig {
  contacts: ReadonlyMap<string, Contact>;
  settings: SyncSettings;
}

type Raw = Record<string, unknown>;

/** A Xero call's default timeout: long enough for a batch of 50, short enough that a held answer frees the worker. */
const DEFAULT_TIMEOUT_MS = 30_000;

function str(o: Raw, k: string, problems: string[], where: string, required: boolean): string | undefined {
  const v = o[k];
  if (v === undefined && !required) return undefined;
  if (typeof v === 'string' && v.trim() !== '') return v;
  problems.push(`${where}.${k} must be a non-empty string`);
  return undefined;
}

function days(o: Raw, k: string, problems: string[], where: string): number | undefined {
  const v = o[k];
  if (v === undefined) return undefined;
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= 3650) return v;
  problems.push(`${where}.${k} must be a whole number of days (0–3650)`);
  return undefined;
}

function readContacts(raw: unknown, problems: string[]): Map<string, Contact> {
  const out = new Map<string, Contact>();
  if (raw === undefined) return out;
  if (!Array.isArray(raw)) {
    problems.push('contacts must be an array');
    return out;
  }
  raw.forEach((c: unknown, i) => {
    const where = `contacts[${i}]`;
    if (!isRecord(c)) return problems.push(`${where} must be an object`);
    const code = str(c, 'code', problems, where, true);
    const name = str(c, 'name', problems, where, true);
    if (code === undefined || name === undefined) return;
    if (out.has(code)) problems.push(`contact "${code}" is defined twice`);
    out.set(code, { code, name, contactNumber: str(c, 'contactNumber', problems, where, false) ?? code, email: str(c, 'email', problems, where, false), termsDays: days(c, 'termsDays', problems, where) });
  });
  return out;
}

function readXero(raw: unknown, problems: string[]): XeroConnection | undefined {
  if (raw === undefined) return undefined;
  if (!isRecord(raw)) {
    problems.push('sync.xero must be an object');
    return undefined;
  }
  const w = 'sync.xero';
  const scale = raw['timeScale'] ?? 1;
  if (typeof scale !== 'number' || !(scale >= 1 && scale <= 100_000)) problems.push(`${w}.timeScale must be a number from 1 to 100000`);
  const timeout = raw['timeoutMs'] ?? DEFAULT_TIMEOUT_MS;
  if (typeof timeout !== 'number' || !Number.isSafeInteger(timeout) || timeout < 10 || timeout > 600_000) problems.push(`${w}.timeoutMs must be a whole number of milliseconds from 10 to 600000`);
  return {
    clientId: str(raw, 'clientId', problems, w, true) ?? '',
    clientSecret: str(raw, 'clientSecret', problems, w, false),
    tenantId: str(raw, 'tenantId', problems, w, false),
    apiUrl: str(raw, 'apiUrl', problems, w, false),
    identityUrl: str(raw, 'identityUrl', problems, w, false),
    timeScale: typeof scale === 'number' ? scale : 1,
    timeoutMs: typeof timeout === 'number' ? timeout : DEFAULT_TIMEOUT_MS,
  };
}

function readSettings(raw: unknown, currency: string, problems: string[]): SyncSettings {
  const s: Raw = isRecord(raw) ? raw : {};
  if (raw !== undefined && !isRecord(raw)) problems.push('sync must be an object');
  const w = 'sync';
  if (s['target'] !== undefined && s['target'] !== 'xero') problems.push('sync.target must be "xero"');
  const tol = parseMoney(typeof s['tolerance'] === 'string' ? s['tolerance'] : '0.05', currency);
  const tolerable = tol.ok && tol.value >= 0n && tol.value <= MAX_AMOUNT;
  if (!tolerable) problems.push('sync.tolerance must be a non-negative amount string such as "0.05", within the bounds of docs/design.md');
  return {
    target: 'xero',
    tolerance: tolerable ? tol.value : 5n,
    salesTaxType: str(s, 'salesTaxType', problems, w, false) ?? 'OUTPUT',
    purchaseTaxType: str(s, 'purchaseTaxType', problems, w, false) ?? 'INPUT',
    noTaxType: str(s, 'noTaxType', problems, w, false) ?? 'NONE',
    salesTermsDays: days(s, 'salesTermsDays', problems, w) ?? 30,
    billTermsDays: days(s, 'billTermsDays', problems, w) ?? 30,
    xero: readXero(s['xero'], problems),
  };
}

/** Reads `contacts` and `sync` from a company's raw configuration; every problem is reported at once. */
export function readSyncConfig(raw: unknown, baseCurrency: string): { ok: true; value: SyncConfig } | { ok: false; error: Failure } {
  const o: Raw = isRecord(raw) ? raw : {};
  const problems: string[] = [];
  const contacts = readContacts(o['contacts'], problems);
  const settings = readSettings(o['sync'], baseCurrency, problems);
  if (problems.length > 0) return { ok: false, error: failure('INVALID_CONFIG', `The sync configuration has ${problems.length} problem(s): ${problems.join('; ')}.`, 'Correct the "contacts" and "sync" sections; docs/sync.md describes them.') };
  return { ok: true, value: { contacts, settings } };
}
