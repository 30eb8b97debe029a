/**
 * A Xero-compatible sandbox: an in-process HTTP server that behaves like the parts of Xero's
 * Accounting API and identity server that stockbook's sync uses, for tests, the benchmark and
 * the demo (Xero itself cannot be reached from here). See docs/xero-sandbox.md.
 *
 *   const sb = await startXeroSandbox({ timeScale: 60 });
 *   const xero = new XeroClient();
 *   xero.accountingApi.basePath = sb.apiBase;
 *   xero.setTokenSet(sb.issueTokenSet());
 *   await xero.accountingApi.getOrganisations(sb.tenantId);
 */
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { TokenStore, type TokenSet } from './auth.js';
import { Books, type BankTransactionRecord, type ContactRecord, type CreditNoteRecord, type InvoiceRecord, type ManualJournalRecord, type PaymentRecord } from './books.js';
import { setInvoiceStatus } from './documents.js';
import { IdempotencyStore } from './idempotency.js';
import { RateLimiter } from './limits.js';
import { API_PREFIX, buildApp, type Core, type Violation } from './server.js';
import { parseWireDate, WireError } from './wire.js';

export type { TokenSet } from './auth.js';
export type { Violation } from './server.js';
export type { AccountRecord, BankTransactionRecord, ContactRecord, CreditNoteRecord, InvoiceRecord, JournalLineRecord, LineRecord, ManualJournalRecord, PaymentRecord, TaxRateRecord } from './books.js';

export interface SandboxOptions {
  /** Default 0 (a free port); the server always listens on 127.0.0.1. */
  port?: number;
  /** Default 1; 60 makes one Xero minute last one real second (limits, Retry-After, token lifetime). */
  timeScale?: number;
  /** Per tenant; defaults 5 concurrent, 60 per minute, 5000 per day (Xero's). */
  limits?: { concurrent?: number; perMinute?: number; perDay?: number };
  /** Defaults 'sandbox-client' / 'sandbox-secret'. */
  clientId?: string;
  clientSecret?: string;
  /** Access token lifetime in Xero seconds (default 1800), scaled by timeScale. */
  tokenTtlSeconds?: number;
  organisation?: { name?: string; baseCurrency?: string; periodLockDate?: string };
  /** The chart of accounts (Xero AccountType in `type`); defaults to a small Australian chart. */
  accounts?: Array<{ code: string; name: string; type: string; taxType?: string; enablePaymentsToAccount?: boolean }>;
  /** Tax rates, `rate` a percent as a decimal string ("10"); defaults to Australian GST rates. */
  taxRates?: Array<{ taxType: string; name: string; rate: string }>;
  /** Contacts that exist before the first call. */
  contacts?: Array<{ name: string; contactNumber?: string; salesTermsDays?: number; billsTermsDays?: number }>;
  /** Artificial latency of every accepted API call, in real ms (default 0); held inside the concurrency slot. */
  latencyMs?: number;
  /** fastify's logger (default false). */
  logger?: boolean;
  /** The organisation's tenant id (default: a random UUID). */
  tenantId?: string;
}

export interface SandboxStats {
  calls: number;
  byRoute: Record<string, number>;
  throttled: number;
  concurrentPeak: number;
}

/** Read-only views of the sandbox's data (money in bigint cents, dates YYYY-MM-DD). */
export interface SandboxState {
  readonly invoices: ReadonlyArray<Readonly<InvoiceRecord>>;
  readonly creditNotes: ReadonlyArray<Readonly<CreditNoteRecord>>;
  readonly manualJournals: ReadonlyArray<Readonly<ManualJournalRecord>>;
  readonly contacts: ReadonlyArray<Readonly<ContactRecord>>;
  readonly payments: ReadonlyArray<Readonly<PaymentRecord>>;
  readonly bankTransactions: ReadonlyArray<Readonly<BankTransactionRecord>>;
}

export interface XeroSandbox {
  /** http://127.0.0.1:PORT */
  url: string;
  /** url + '/api.xro/2.0' (the SDK's accountingApi.basePath). */
  apiBase: string;
  /** url + '/connect/token' */
  tokenUrl: string;
  /** url + '/connections' */
  connectionsUrl: string;
  tenantId: string;
  /** A fresh token set as Xero's token endpoint returns it (plus expires_at); also a new consent after revokeTokens(). */
  issueTokenSet(): TokenSet;
  /** Simulate the user voiding a POSTED manual journal in Xero's UI. */
  voidManualJournal(id: string): void;
  /** Simulate the user voiding an AUTHORISED invoice (with no payments) in Xero's UI. */
  voidInvoice(id: string): void;
  setPeriodLockDate(date: string | undefined): void;
  /** Make every call fail with 401 (and every refresh with invalid_grant) until issueTokenSet() (a new consent). */
  revokeTokens(): void;
  stats(): SandboxStats;
  /** Schema violations seen: requests refused, and responses that did not match Xero's schema (sandbox bugs). */
  violations: Violation[];
  state: SandboxState;
  close(): Promise<void>;
}

const DEFAULT_LIMITS = { concurrent: 5, perMinute: 60, perDay: 5000 };

function positive(name: string, v: number): number {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`Xero sandbox: ${name} must be a positive number`);
  return v;
}

function lockDate(date: string | undefined): string | undefined {
  try {
    return parseWireDate(date, 'periodLockDate');
  } catch (e) {
    throw e instanceof WireError ? new Error(`Xero sandbox: ${e.message}`) : e;
  }
}

function makeCore(opts: SandboxOptions): Core {
  const timeScale = positive('timeScale', opts.timeScale ?? 1);
  const now = (): number => Date.now();
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const books = new Books({ ...opts, organisation: { ...opts.organisation, periodLockDate: lockDate(opts.organisation?.periodLockDate) } }, now());
  return {
    books,
    tenantId: opts.tenantId ?? randomUUID(),
    tokens: new TokenStore((positive('tokenTtlSeconds', opts.tokenTtlSeconds ?? 1800) * 1000) / timeScale, timeScale, now),
    limiter: new RateLimiter(limits, timeScale),
    idempotency: new IdempotencyStore(timeScale, now),
    clientId: opts.clientId ?? 'sandbox-client',
    clientSecret: opts.clientSecret ?? 'sandbox-secret',
    latencyMs: opts.latencyMs ?? 0,
    connection: { id: randomUUID(), authEventId: randomUUID(), createdMs: now() },
    stats: { calls: 0, byRoute: {}, throttled: 0 },
    violations: [],
    now,
  };
}

function voidManualJournal(core: Core, id: string): void {
  const mj = core.books.manualJournals.get(id);
  if (!mj) throw new Error(`Xero sandbox: no manual journal ${id}`);
  if (mj.status !== 'POSTED') throw new Error(`Xero sandbox: manual journal ${id} is ${mj.status}; only a POSTED journal can be voided`);
  mj.status = 'VOIDED';
  mj.updatedMs = core.now();
}

function voidInvoice(core: Core, id: string): void {
  const inv = core.books.invoices.get(id);
  if (!inv) throw new Error(`Xero sandbox: no invoice ${id}`);
  if (inv.status !== 'AUTHORISED' || inv.amountPaid !== 0n) throw new Error(`Xero sandbox: invoice ${id} is ${inv.status} with payments; only an AUTHORISED invoice without payments can be voided`);
  setInvoiceStatus(inv, 'VOIDED', core.now());
}

function stateOf(books: Books): SandboxState {
  return {
    get invoices() { return [...books.invoices.values()]; },
    get creditNotes() { return [...books.creditNotes.values()]; },
    get manualJournals() { return [...books.manualJournals.values()]; },
    get contacts() { return [...books.contacts.values()]; },
    get payments() { return [...books.payments.values()]; },
    get bankTransactions() { return [...books.bankTransactions.values()]; },
  };
}

export async function startXeroSandbox(opts: SandboxOptions = {}): Promise<XeroSandbox> {
  const core = makeCore(opts);
  const app = buildApp(core, opts.logger ?? false);
  await app.listen({ port: opts.port ?? 0, host: '127.0.0.1' });
  const url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  return {
    url,
    apiBase: url + API_PREFIX,
    tokenUrl: `${url}/connect/token`,
    connectionsUrl: `${url}/connections`,
    tenantId: core.tenantId,
    issueTokenSet: () => core.tokens.issue(),
    voidManualJournal: (id) => voidManualJournal(core, id),
    voidInvoice: (id) => voidInvoice(core, id),
    setPeriodLockDate: (date) => {
      core.books.organisation.periodLockDate = lockDate(date);
    },
    revokeTokens: () => core.tokens.revokeAll(),
    stats: () => ({ calls: core.stats.calls, byRoute: { ...core.stats.byRoute }, throttled: core.stats.throttled, concurrentPeak: core.limiter.peak }),
    violations: core.violations,
    state: stateOf(core.books),
    close: () => app.close(),
  };
}
