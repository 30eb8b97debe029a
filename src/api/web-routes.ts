/**
 * What the web UI (web/, built into dist/web) needs beyond the other routes:
 *   GET /               the UI (static files under /ui/)
 *   GET /v1/whoami      the key's company, role and permissions (viewer)
 *   GET /v1/dashboard   inventory value per month end, revenue / COGS / gross margin per
 *                       month (the last DASHBOARD_MONTHS months), reconciliation per inventory account, unposted counts and the
 *                       last sync run, in one answer so the dashboard paints at once (viewer)
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { formatMoney } from '../domain/money.js';
import { divRound } from '../domain/rounding.js';
import { accountChecks, poolValues } from '../reports/valuation.js';
import { openSync } from '../sync/open.js';
import { roleAccounts } from '../reports/common.js';
import { PERMISSIONS } from './keys.js';
import { freshLedger, type LedgerDeps } from './ledgers.js';
import { authOf } from './request.js';
import type { Auth } from './server.js';

export type WebRouteDeps = LedgerDeps;

/** dist/web, from src/api (tests under tsx) and from dist/api alike. */
const WEB_ROOT = fileURLToPath(new URL('../../dist/web/', import.meta.url));

/** Months the dashboard's series cover, ending with the month of the latest event. */
export const DASHBOARD_MONTHS = 24;


/**
 * The month ends of the last `count` months up to the month of `last`, none before the month of
 * `first`, oldest first (the window is walked back from the end, so a history of any length
 * gives its latest months).
 */
export function monthEnds(first: string, last: string, count: number): { month: string; end: string }[] {
  const out: { month: string; end: string }[] = [];
  const start = first.slice(0, 7);
  let y = Number(last.slice(0, 4));
  let m = Number(last.slice(5, 7));
  for (let n = 0; n < count; n++) {
    const month = `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}`;
    if (month < start) break;
    out.push({ month, end: `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}` });
    m = m === 1 ? 12 : m - 1;
    if (m === 12) y--;
  }
  return out.reverse();
}

/** Gross margin as a percentage with one decimal ("23.4"), exact division with a named rounding. */
function percent(part: bigint, whole: bigint): string | null {
  if (whole === 0n) return null;
  const tenths = divRound(part * 1000n, whole, 'half-even');
  const neg = tenths < 0n;
  const a = neg ? -tenths : tenths;
  return `${neg ? '-' : ''}${a / 10n}.${a % 10n}`;
}

async function dashboard(deps: WebRouteDeps, auth: Auth): Promise<Record<string, unknown>> {
  const ledger = await freshLedger(deps, auth.company);
  const co = ledger.co;
  const cur = co.baseCurrency;
  // The events' first and last dates are kept with the costing state: nothing of the history is read.
  const span = await ledger.current.span();
  const first = span?.first;
  const last = span?.last;
  // The last DASHBOARD_MONTHS months only: the answer's cost stays bounded however long the history.
  // One month more than shown: the margin of the first shown month is its movement from the month before.
  const allMonths = span === undefined ? [] : monthEnds(span.first, span.last, DASHBOARD_MONTHS + 1);
  const months = allMonths.slice(-DASHBOARD_MONTHS);
  const revenueAccounts = new Set([...co.accounts.values()].filter((a) => a.type === 'SALES' || a.type === 'REVENUE').map((a) => a.code));
  // The gross profit report's definition, so the two tie: accounts mapped to the cogs role at any level.
  const cogsAccounts = roleAccounts(co, 'cogs');
  const inventoryValue: Record<string, unknown>[] = [];
  const margin: Record<string, unknown>[] = [];
  // Revenue and COGS per month are the months' movements on those accounts: one read of their
  // day totals over the window shown, however long the history before it.
  const before = allMonths[allMonths.length - months.length - 1];
  const moved = months.length === 0 ? [] : await deps.store.monthlyMovements(co.id, [...new Set([...revenueAccounts, ...cogsAccounts])], before?.end ?? '', months[months.length - 1]!.end);
  const movement = (month: string, set: Set<string>): bigint => moved.filter((m) => m.month === month && set.has(m.account)).reduce((s, m) => s + m.amount, 0n);
  for (const { month, end } of months) {
    const value = (await poolValues(ledger.current, end)).reduce((s, p) => s + p.value, 0n);
    inventoryValue.push({ month, asOf: end, value: formatMoney(value, cur) });
    const revenue = -movement(month, revenueAccounts);
    const cogs = movement(month, cogsAccounts);
    margin.push({ month, revenue: formatMoney(revenue, cur), cogs: formatMoney(cogs, cur), grossProfit: formatMoney(revenue - cogs, cur), marginPercent: percent(revenue - cogs, revenue) });
  }
  const gl = new Map((await deps.store.trialBalance(co.id)).map((b) => [b.account, b.balance]));
  const reconciliation = accountChecks(co, await poolValues(ledger.current, undefined), gl).map((a) => ({ account: a.account, name: a.name, subledger: formatMoney(a.subledger, cur), gl: formatMoney(a.gl, cur), difference: formatMoney(a.difference, cur), ties: a.difference === 0n }));
  const sync = await openSync(deps.store, co.id, { ledger });
  let unposted: Record<string, number> | null = null;
  let lastRun: Record<string, unknown> | null = null;
  if (!('code' in sync)) {
    unposted = await sync.engine.counts();
    const [run] = await sync.engine.runs(1);
    if (run) lastRun = { run: run.run, type: run.type, finishedAt: run.finishedAt, counts: run.counts, stopped: run.stopped ?? null };
  }
  return { company: co.id, currency: cur, from: first ?? null, to: last ?? null, inventoryValue, margin, reconciliation, unposted, lastRun };
}

export async function registerWebRoutes(app: FastifyInstance, deps: WebRouteDeps): Promise<void> {
  app.get('/v1/whoami', { schema: { summary: 'The company, role and permissions of the API key', tags: ['company'], security: [{ apiKey: [] }] }, config: { permission: 'read' } }, async (req) => {
    const a = authOf(req);
    return { company: a.company, name: a.co.name, role: a.role, permissions: [...PERMISSIONS[a.role]], baseCurrency: a.co.baseCurrency };
  });
  app.get('/v1/dashboard', { schema: { summary: `Inventory value by month end and margin by month (the last ${DASHBOARD_MONTHS} months), reconciliation, unposted records and the last sync`, tags: ['reports'], security: [{ apiKey: [] }] }, config: { permission: 'read' } }, async (req) => dashboard(deps, authOf(req)));
  if (existsSync(WEB_ROOT)) {
    await app.register(fastifyStatic, { root: WEB_ROOT, prefix: '/ui/', index: 'index.html' });
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.sendFile('index.html'));
  } else {
    app.get('/', { schema: { hide: true } }, async (_req, reply) => reply.type('text/html').send('<p>The web UI is not built: run <code>npm run build</code>. The API is at <a href="/docs">/docs</a>.</p>'));
  }
}
