/**
 * The web UI end to end in real Chromium (driven by playwright-core),
 * against `serve --demo` on 127.0.0.1: the dashboard, a sync of invoices to the Xero sandbox
 * with its rounding warning, hold and release, the inventory adjustments export wizard, and a
 * drill-down from a COGS line to its cost layers. Every screen is written as a screenshot to
 * test-output/screenshots/ (desktop 1280×800, and a phone-width window for the dashboard).
 *
 * Chromium is Debian's, or the build of the @sparticuz/chromium devDependency (test/support/browser.ts).
 * Without either the suite is skipped with one line saying how to get it; under CI that is a failure.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { SqliteStore } from '../src/store/sqlite.js';
import { serve } from '../src/api/serve.js';
import { CHROMIUM, CHROMIUM_ARGS, chromiumExecutable } from './support/browser.js';
import { needTool } from './support/tools.js';

const SHOTS = 'test-output/screenshots';
const missing = await needTool(CHROMIUM);

/** The UI bundle must be built (npm install does it); build it if a checkout has not yet. */
function ensureBuilt(): void {
  if (!existsSync('dist/web/app.js')) execFileSync(process.execPath, ['scripts/build-web.mjs'], { stdio: 'inherit' });
}

describe('the web UI in Chromium', { skip: missing }, () => {
  let dir: string;
  let store: SqliteStore;
  let app: FastifyInstance;
  let browser: Browser;
  let page: Page;
  let base: string;
  let key: string;

  before(async () => {
    ensureBuilt();
    mkdirSync(SHOTS, { recursive: true });
    dir = mkdtempSync(join(tmpdir(), 'stockbook-e2e-'));
    store = new SqliteStore(join(dir, 'demo.sqlite'));
    await store.migrate();
    const lines: string[] = [];
    app = await serve(store, { port: 0, host: '127.0.0.1', demo: true, logger: false }, (s) => lines.push(s));
    const port = (app.server.address() as { port: number }).port;
    base = `http://127.0.0.1:${port}`;
    key = /sbk_\S+/.exec(lines.join('\n'))![0];
    browser = await chromium.launch({ executablePath: (await chromiumExecutable()) as string, args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  });

  after(async () => {
    await browser?.close();
    await app?.close();
    await store?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });

  test('signs in from the link serve --demo prints and paints the dashboard: charts, reconciliation, unposted counts', async () => {
    await page.goto(`${base}/#key=${key}`);
    await page.getByTestId('value-chart').locator('canvas').waitFor();
    await page.getByTestId('margin-chart').locator('canvas').waitFor();
    const rec = page.getByTestId('reconciliation');
    await rec.waitFor();
    assert.match(await rec.innerText(), /1200/);
    const unposted = page.getByTestId('unposted');
    assert.match(await unposted.innerText(), /Invoices/i);
    await shot('dashboard');
    await page.setViewportSize({ width: 390, height: 844 });
    await shot('dashboard-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  test('syncs invoices to the Xero sandbox with a live progress bar and shows the rounding warning', async () => {
    await page.goto(`${base}/#/accounting/invoices`);
    await page.getByTestId('unposted-table').waitFor();
    await page.getByTestId('sync-button').click();
    await page.getByTestId('sync-progress').waitFor();
    const results = page.getByTestId('sync-results');
    await results.waitFor({ timeout: 120_000 });
    const text = await results.innerText();
    assert.match(text, /ROUNDING_LINE_ADDED/);
    assert.match(text, /IV\.TRX-\d+/);
    await shot('accounting-sync-results');
  });

  test('holds a record out of the unposted list and releases it', async () => {
    await page.goto(`${base}/#/accounting/procurement`);
    const table = page.getByTestId('unposted-table');
    await table.waitFor();
    const hold = table.locator('[data-testid^="hold-"]').first();
    const id = (await hold.getAttribute('data-testid'))!.slice('hold-'.length);
    await hold.click();
    const release = page.getByTestId(`release-${id}`);
    await release.waitFor();
    assert.match(await table.innerText(), /held/i);
    await shot('accounting-held');
    await release.click();
    await page.getByTestId(`hold-${id}`).waitFor();
  });

  test('runs the inventory adjustments export wizard for a count: criteria, entries with the balance check, export', async () => {
    await page.goto(`${base}/#/counts`);
    const select = page.getByTestId('count-select');
    await select.waitFor();
    await shot('counts-criteria');
    await page.getByTestId('wizard-next').click();
    await page.getByTestId('adjustments-table').waitFor();
    assert.match(await page.getByTestId('balanced').innerText(), /balanced/i);
    await shot('counts-entries');
    await page.getByTestId('export-button').click();
    const result = page.getByTestId('export-result');
    await result.waitFor();
    assert.match(await result.innerText(), /CX-\d{4}-\d{2}-\d{2}/);
    await shot('counts-exported');
  });

  test('drills down from a COGS journal line to the cost layers it consumed', async () => {
    await page.goto(`${base}/#/journals?account=5000`);
    const table = page.getByTestId('journals-table');
    await table.waitFor();
    await shot('journals');
    await table.locator('a[href*="line="]').first().click();
    const layers = page.getByTestId('drill-layers');
    await layers.waitFor();
    assert.match(await layers.innerText(), /PI-\d+/);
    await shot('drill-down');
  });

  test('reports and settings render, with CSV downloads and mapping gaps', async () => {
    await page.goto(`${base}/#/reports/trial-balance`);
    await page.getByTestId('report-table').waitFor();
    await shot('reports-trial-balance');
    await page.goto(`${base}/#/reports/valuation`);
    await page.getByTestId('report-table').waitFor();
    await shot('reports-valuation');
    await page.goto(`${base}/#/settings`);
    await page.getByTestId('mappings').waitFor();
    await shot('settings');
  });

  test('a viewer key sees no inventory adjustments export and no sync buttons', async () => {
    const res = await fetch(`${base}/v1/keys`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify({ role: 'viewer' }) });
    const viewer = ((await res.json()) as { key: string }).key;
    const ctx = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const p = await ctx.newPage();
      await p.goto(`${base}/#key=${viewer}`);
      await p.getByTestId('value-chart').waitFor();
      const menu = await p.getByRole('navigation', { name: 'Main' }).innerText();
      assert.doesNotMatch(menu, /Inventory adjustments/);
      await p.goto(`${base}/#/counts`);
      await p.getByText(/export/i).first().waitFor();
      assert.equal(await p.getByTestId('export-button').count(), 0);
      await p.goto(`${base}/#/accounting/invoices`);
      await p.getByTestId('unposted-table').waitFor();
      assert.equal(await p.getByTestId('sync-button').count(), 0);
      await p.screenshot({ path: `${SHOTS}/viewer-accounting.png`, fullPage: true });
    } finally {
      await ctx.close();
    }
  });

  test('works by keyboard: the skip link and the menu are reachable with Tab; a new page puts the focus on its content', async () => {
    await page.goto(`${base}/#/dashboard`);
    await page.reload();
    await page.getByTestId('value-chart').waitFor();
    await page.keyboard.press('Tab');
    assert.match(String(await page.evaluate('document.activeElement?.textContent ?? ""')), /Skip to content/);
    let reached = false;
    for (let i = 0; i < 12 && !reached; i++) {
      await page.keyboard.press('Tab');
      reached = /Accounting/.test(String(await page.evaluate('document.activeElement?.textContent ?? ""')));
    }
    assert.ok(reached, 'the Accounting menu entry is reachable by Tab');
    await page.keyboard.press('Enter');
    await page.getByTestId('unposted-table').waitFor();
    assert.equal(String(await page.evaluate('document.activeElement?.id ?? ""')), 'main', 'the content has the focus after navigating');
  });
});
