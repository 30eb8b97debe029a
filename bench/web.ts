/**
 * Web UI benchmark: how long the dashboard takes to paint on the demo data (issue 6 target:
 * under a second), in Debian's Chromium via playwright-core: from navigation start until both
 * charts' canvases and the reconciliation card are on the page, a fresh page each time,
 * median of 7 after one warm-up. Also the /v1/dashboard answer alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { SqliteStore } from '../src/store/sqlite.js';
import { serve } from '../src/api/serve.js';
import { CHROMIUM_ARGS, chromiumExecutable } from '../test/support/browser.js';

const RUNS = 7;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const dir = mkdtempSync(join(tmpdir(), 'stockbook-web-bench-'));
const store = new SqliteStore(join(dir, 'demo.sqlite'));
await store.migrate();
const lines: string[] = [];
const app = await serve(store, { port: 0, host: '127.0.0.1', demo: true, logger: false }, (s) => lines.push(s));
const base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
const key = /sbk_\S+/.exec(lines.join('\n'))![0];
const executablePath = await chromiumExecutable();
if (typeof executablePath !== 'string') throw new Error(executablePath.missing);
const browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
try {
  const api: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const t = performance.now();
    await (await fetch(`${base}/v1/dashboard`, { headers: { authorization: `Bearer ${key}` } })).json();
    if (i > 0) api.push(performance.now() - t);
  }
  const paint: number[] = [];
  for (let i = 0; i <= RUNS; i++) {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`${base}/#key=${key}`);
    await page.getByTestId('value-chart').locator('canvas').waitFor();
    await page.getByTestId('margin-chart').locator('canvas').waitFor();
    await page.getByTestId('reconciliation').waitFor();
    // From the navigation's start, as the browser measured it.
    const ms = Number(await page.evaluate('performance.now()'));
    if (i > 0) paint.push(ms);
    await page.close();
  }
  const out = { bench: 'dashboard paint on the demo data (Chromium)', runs: RUNS, dashboardPaintMsMedian: Math.trunc(median(paint)), dashboardPaintMsMax: Math.trunc(Math.max(...paint)), dashboardApiMsMedian: Math.trunc(median(api)), target: 'under 1000 ms' };
  console.log(`dashboard paints in ${out.dashboardPaintMsMedian} ms (median of ${RUNS}, max ${out.dashboardPaintMsMax}); /v1/dashboard answers in ${out.dashboardApiMsMedian} ms`);
  console.log(JSON.stringify(out));
} finally {
  await browser.close();
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
}
