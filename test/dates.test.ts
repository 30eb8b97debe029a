/**
 * Real dates (issue 10, item 1): the one calendar-date parser accepts exactly the days a
 * reference calendar says exist, and every way a date comes in — event fields (`post`, `import`
 * of JSON Lines and CSV, POST /v1/events), CLI flags, HTTP query parameters and bodies, the
 * configuration — refuses an impossible one with INVALID_DATE naming the field and changing
 * nothing; a range whose from comes after its to is INVALID_RANGE, in the CLI and the API.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { propertyParameters } from './support/property-seed.js';
import type { FastifyInstance } from 'fastify';
import { addDays, calendarDate, fieldOfPointer, parseCalendarDate, rangeFailure } from '../src/domain/calendar-date.js';
import { parseEvent } from '../src/domain/events.js';
import { loadConfig } from '../src/domain/config.js';
import { openStore } from '../src/store/open.js';
import type { LedgerStore } from '../src/store/store.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { Book } from '../src/book/book.js';
import { buildServer } from '../src/api/server.js';
import { createKey } from '../src/api/keys.js';
import { stockbook, type Out } from './helpers/cli.js';
import { program } from '../src/cli/main.js';
import { runCli } from '../src/cli/dates.js';
import { build } from 'esbuild';
import { pathToFileURL } from 'node:url';

const SEED_PATH = 'examples/seed-004/company.json';
const SEED = JSON.parse(readFileSync(SEED_PATH, 'utf8')) as Record<string, unknown>;
const IMPOSSIBLE = ['2026-02-30', '2026-04-31', '2026-02-29'];
const MALFORMED = ['2026-3-5', '5/3/2026', '2026-13-01'];

const pad = (n: number, w: number): string => String(n).padStart(w, '0');
/** The reference calendar: JavaScript's own (proleptic Gregorian, UTC), by round trip. */
function existsByReference(y: number, m: number, d: number): boolean {
  const t = new Date(0);
  t.setUTCFullYear(y, m - 1, d);
  return t.getUTCFullYear() === y && t.getUTCMonth() === m - 1 && t.getUTCDate() === d;
}

const bill = (id: string, date: string, more: Record<string, unknown> = {}): Record<string, unknown> => ({ id, type: 'purchase_invoice', date, supplier: 'ACME', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: 10, amount: '100.00', tax: '0.00' }], ...more });
const co = (): ReturnType<typeof loadConfig> => loadConfig(SEED);

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-dates-'));
  dirs.push(dir);
  return dir;
}
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

type DateProblem = (params: Record<string, string | undefined>, names: readonly string[]) => Record<string, unknown> | undefined;
/** web/src/dates.ts as the browser gets it: bundled by esbuild (as scripts/build-web.mjs does), then imported. */
async function webDateProblem(): Promise<DateProblem> {
  const out = join(tempDir(), 'dates.mjs');
  await build({ entryPoints: ['web/src/dates.ts'], bundle: true, format: 'esm', platform: 'neutral', outfile: out, logLevel: 'warning' });
  return ((await import(pathToFileURL(out).href)) as { dateProblem: DateProblem }).dateProblem;
}

/**
 * The real command line in this process, for arguments that must be refused while they are read
 * (faster than a child; nothing is opened, so nothing would be written to this process's stdout).
 */
async function refused(args: string[]): Promise<Out> {
  let stderr = '';
  await runCli(program(), args, { writeErr: (s) => void (stderr += s + '\n') }, 'user');
  const status = Number(process.exitCode ?? 0);
  process.exitCode = undefined;
  return { status, stdout: '', stderr };
}

/** The one line of failure JSON the CLI writes for a refused argument. */
function cliError(r: Out): { code: string; message: string; fix: string; record: Record<string, unknown> } {
  assert.equal(r.status, 2, `exit status 2: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  return (JSON.parse(lines[0]!) as { error: { code: string; message: string; fix: string; record: Record<string, unknown> } }).error;
}

describe('the parser', () => {
  test('accepts exactly the days the reference calendar says exist, years 0001–9999', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), (y, m, d) => {
        const text = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
        const parsed = parseCalendarDate(text);
        assert.equal(parsed.ok, m >= 1 && m <= 12 && d >= 1 && existsByReference(y, m, d), text);
      }),
      propertyParameters(20_000),
    );
  });

  test('every day of leap-rule years is accepted, and only those', () => {
    for (const y of [1, 4, 100, 400, 1600, 1700, 1900, 2000, 2024, 2026, 2100, 9996, 9999]) {
      for (let m = 1; m <= 12; m++) {
        for (let d = 1; d <= 31; d++) assert.equal(parseCalendarDate(`${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`).ok, existsByReference(y, m, d), `${y}-${m}-${d}`);
      }
    }
  });

  test('refuses anything not written YYYY-MM-DD, and year 0000', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 14 }), (s) => {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) assert.equal(parseCalendarDate(s).ok, false, JSON.stringify(s));
      }),
      propertyParameters(5_000),
    );
    for (const s of [...MALFORMED, '0000-01-01', '2026-03-05 ', ' 2026-03-05', '2026-03-05T00:00:00Z', '20260305', '+2026-03-05', '２０２６-03-05', '']) {
      assert.equal(parseCalendarDate(s).ok, false, s);
    }
  });

  test('the issue\'s days: 2024-02-29 is a date; 2026-02-29, 2026-02-30, 2026-04-31, 2026-13-01, 2026-3-5, 5/3/2026 are not, each with its reason', () => {
    assert.ok(parseCalendarDate('2024-02-29').ok);
    const reason = (s: string): string => {
      const r = parseCalendarDate(s);
      assert.ok(!r.ok, s);
      return r.reason;
    };
    assert.equal(reason('2026-02-29'), 'February 2026 has 28 days (2026 is not a leap year)');
    assert.equal(reason('2026-02-30'), 'February 2026 has 28 days (2026 is not a leap year)');
    assert.equal(reason('2026-04-31'), 'April 2026 has 30 days');
    assert.equal(reason('2026-13-01'), 'there is no month 13 (months run from 01 to 12)');
    assert.match(reason('2026-3-5'), /not written YYYY-MM-DD/);
    assert.match(reason('5/3/2026'), /not written YYYY-MM-DD/);
  });

  test('addDays walks the calendar across months, years and leap days, and agrees with the reference', () => {
    assert.equal(addDays(calendarDate('2024-02-28'), 1), '2024-02-29');
    assert.equal(addDays(calendarDate('2026-03-01'), -1), '2026-02-28');
    assert.equal(addDays(calendarDate('0001-01-01'), 365), '0002-01-01');
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9998 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 }), fc.integer({ min: -400, max: 400 }), (y, m, d, n) => {
        const t = new Date(0);
        t.setUTCFullYear(y, m - 1, d + n);
        const want = `${pad(t.getUTCFullYear(), 4)}-${pad(t.getUTCMonth() + 1, 2)}-${pad(t.getUTCDate(), 2)}`;
        if (t.getUTCFullYear() >= 1) assert.equal(addDays(calendarDate(`${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`), n), want);
      }),
      propertyParameters(2_000),
    );
  });

  test('field names from JSON pointers, and INVALID_RANGE naming both bounds', () => {
    assert.equal(fieldOfPointer('/lines/2/expiry'), 'lines[2].expiry');
    assert.equal(fieldOfPointer('/asOf'), 'asOf');
    assert.equal(rangeFailure({ field: 'from', value: '2026-03-01' }, { field: 'to', value: '2026-03-01' }), undefined, 'a one-day range is a range');
    assert.equal(rangeFailure({ field: 'from', value: '2026-04-01' }, { field: 'to', value: undefined }), undefined);
    const f = rangeFailure({ field: 'from', value: '2026-04-01' }, { field: 'to', value: '2026-03-01' });
    assert.equal(f?.code, 'INVALID_RANGE');
    assert.match(f!.message, /from 2026-04-01 comes after to 2026-03-01/);
  });
});

describe('events and configuration', () => {
  test('an event dated on a day that does not exist is INVALID_DATE naming "date" and the value', () => {
    const c = co();
    assert.ok(c.ok);
    for (const d of [...IMPOSSIBLE, ...MALFORMED]) {
      const r = parseEvent(bill('B1', d), c.value);
      assert.ok(!r.ok, d);
      assert.equal(r.error.code, 'INVALID_DATE', `${d}: ${r.error.message}`);
      assert.equal(r.error.message.startsWith(`Event B1: date "${d}" is not a real date`), true, r.error.message);
      assert.deepEqual([r.error.record['event'], r.error.record['field'], r.error.record['value']], ['B1', 'date', d]);
    }
    assert.ok(parseEvent(bill('B1', '2024-02-29'), c.value).ok, 'a leap day is a date');
  });

  test('line dates too: lines[0].expiry of a bill and lines[1].date of a shipment', () => {
    const c = co();
    assert.ok(c.ok);
    const expiry = parseEvent(bill('B2', '2026-03-01', { lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty: 1, amount: '1.00', tax: '0.00', expiry: '2026-04-31' }] }), c.value);
    assert.ok(!expiry.ok);
    assert.equal(expiry.error.code, 'INVALID_DATE');
    assert.match(expiry.error.message, /^Event B2: lines\[0\]\.expiry "2026-04-31" is not a real date: April 2026 has 30 days\.$/);
    const lines = [{ product: 'WIDGET', warehouse: 'MAIN', qty: 1, date: '2026-03-02' }, { product: 'WIDGET', warehouse: 'MAIN', qty: 1, date: '2026-02-29' }];
    const shipment = parseEvent({ id: 'S1', type: 'shipment', date: '2026-03-01', lines }, c.value);
    assert.ok(!shipment.ok);
    assert.equal(shipment.error.record['field'], 'lines[1].date');
  });

  test('settings.lockDate must be a real date: INVALID_DATE naming it (a stored one is read as stored)', () => {
    const bad = loadConfig({ ...SEED, settings: { ...(SEED['settings'] as object), lockDate: '2026-02-30' } });
    assert.ok(!bad.ok);
    assert.equal(bad.error.code, 'INVALID_DATE');
    assert.match(bad.error.message, /settings\.lockDate "2026-02-30" is not a real date: February 2026 has 28 days/);
    assert.equal(bad.error.record['field'], 'settings.lockDate');
    const stored = loadConfig({ ...SEED, settings: { ...(SEED['settings'] as object), lockDate: '2026-02-30' } }, 'store');
    assert.ok(stored.ok && stored.value.settings.lockDate === '2026-02-30', 'a configuration stored before dates were checked still loads from the store');
    const good = loadConfig({ ...SEED, settings: { ...(SEED['settings'] as object), lockDate: '2024-02-29' } });
    assert.ok(good.ok && good.value.settings.lockDate === '2024-02-29');
  });
});

test('an event stored before dates were checked (2026-02-30) still replays as stored; the same event sent again is INVALID_DATE', async () => {
  const store = await openStore({ sqlitePath: join(tempDir(), 'legacy.sqlite') });
  try {
    const saved = await putCompany(store, SEED);
    assert.ok(!('code' in saved));
    // Stored the way an older stockbook stored it: its journal dated on the day that does not exist.
    const raw = bill('OLD-1', '2026-02-30');
    const parsed = parseEvent(raw, saved, 'store');
    assert.ok(parsed.ok, 'the store reads it');
    const applied = new Book(saved).apply(parsed.value);
    assert.ok(applied.ok && applied.value.status === 'ok');
    await store.write('seed-004', async (tx) => tx.appendJournals(await tx.appendEvent({ id: 'OLD-1', type: 'purchase_invoice', date: '2026-02-30', body: JSON.stringify(raw) }), applied.value.journals));
    const ledger = await CompanyLedger.open(store, 'seed-004');
    assert.ok(ledger instanceof CompanyLedger, 'the company still opens');
    assert.equal((await ledger.current.view('OLD-1'))?.event.date, '2026-02-30');
    const [again] = await ledger.postBatch([raw]);
    assert.equal(again!.status, 'error');
    assert.equal(again!.status === 'error' && again!.error.code, 'INVALID_DATE');
    assert.equal(parseEvent(raw, saved).ok, false, 'as new input it is refused');
    assert.equal(parseEvent(bill('OLD-2', '2026-02-32'), saved, 'store').ok, false, 'the store reads no more than an older stockbook stored');
  } finally {
    await store.close();
  }
});

describe('the CLI', () => {
  const dir = tempDir();
  const db = join(dir, 'ledger.sqlite');
  const report = (...args: string[]): Promise<Out> => stockbook(['report', ...args, '--company', 'seed-004', '--db', db]);
  const refusedReport = (...args: string[]): Promise<Out> => refused(['report', ...args, '--company', 'seed-004', '--db', db]);
  before(async () => {
    writeFileSync(join(dir, 'ok.jsonl'), JSON.stringify(bill('OK-1', '2026-03-01')) + '\n');
    const r = await stockbook(['import', '--db', db, '--config', SEED_PATH, join(dir, 'ok.jsonl'), '--no-progress']);
    assert.equal(r.status, 0, r.stderr);
  });

  test('post, import (JSON Lines and CSV): events on 2026-02-30, 2026-04-31, 2026-02-29 are INVALID_DATE and post nothing', async () => {
    const jsonl = join(dir, 'bad.jsonl');
    writeFileSync(jsonl, IMPOSSIBLE.map((d, i) => JSON.stringify(bill(`BAD-${i}`, d))).join('\n') + '\n');
    const csv = join(dir, 'bad.csv');
    writeFileSync(csv, ['id,type,date,supplier,product,warehouse,qty,amount,tax', ...IMPOSSIBLE.map((d, i) => `CSV-${i},purchase_invoice,${d},ACME,WIDGET,MAIN,10,100.00,0.00`)].join('\n') + '\n');
    const [post, imported, importedCsv] = await Promise.all([
      stockbook(['post', '--config', SEED_PATH, jsonl]),
      stockbook(['import', '--db', db, '--company', 'seed-004', jsonl, '--no-progress']),
      stockbook(['import', '--db', db, '--company', 'seed-004', csv, '--no-progress']),
    ]);
    assert.equal(post.status, 1);
    assert.equal(post.stdout.trim(), '', 'no journal is written');
    for (const r of [post, imported, importedCsv]) {
      const errors = r.stderr.trim().split('\n').map((l) => JSON.parse(l) as { error?: { code: string; message: string; record: Record<string, unknown> } }).filter((l) => l.error);
      assert.deepEqual(errors.map((e) => e.error!.code), ['INVALID_DATE', 'INVALID_DATE', 'INVALID_DATE'], r.stderr);
      assert.deepEqual(errors.map((e) => e.error!.record['value']), IMPOSSIBLE);
      assert.ok(errors.every((e) => e.error!.record['field'] === 'date'));
    }
    assert.notEqual(imported.status, 0);
    assert.match(imported.stdout, /"imported":\{"new":0,"nowAccepted":0,"exists":0,"conflict":0,"refused":3/);
    const journals = await stockbook(['journals', '--company', 'seed-004', '--db', db, '--format', 'json']);
    assert.deepEqual(journals.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { event: string }).event), ['OK-1'], 'only the good event of the setup is stored');
  });

  test('report trial-balance --as-of 2026-3-5, 5/3/2026, 2026-13-01 (and 2026-02-29): one coded line, exit 2', async () => {
    const outs = await Promise.all([...MALFORMED, '2026-02-29'].map((d) => report('trial-balance', '--as-of', d)));
    outs.forEach((r, i) => {
      const e = cliError(r);
      assert.equal(e.code, 'INVALID_DATE');
      assert.deepEqual(e.record, { field: '--as-of', value: [...MALFORMED, '2026-02-29'][i] });
      assert.match(e.message, /^--as-of ".*" is not a real date: /);
      assert.equal(r.stdout, '', 'no report');
    });
  });

  test('every date flag is checked: valuation, reconciliation, stock-ledger, gross-profit, journals, export, counts', async () => {
    const outs = [
      await refusedReport('valuation', '--as-of', '2026-02-30'),
      await refusedReport('reconciliation', '--as-of', '2026-13-01'),
      await refusedReport('stock-ledger', '--product', 'WIDGET', '--from', '2026-04-31'),
      await refusedReport('gross-profit', '--to', '5/3/2026'),
      await refused(['journals', '--company', 'seed-004', '--db', db, '--from', '2026-02-29']),
      await refused(['export', '--company', 'seed-004', '--db', db, '--format', 'csv', '--to', '2026-3-5']),
      await refused(['counts', 'preview', '--company', 'seed-004', '--db', db, '--count', '31/01/2026']),
    ];
    assert.deepEqual(outs.map((r) => { const e = cliError(r); return [e.code, e.record['field']]; }), [
      ['INVALID_DATE', '--as-of'], ['INVALID_DATE', '--as-of'], ['INVALID_DATE', '--from'], ['INVALID_DATE', '--to'],
      ['INVALID_DATE', '--from'], ['INVALID_DATE', '--to'], ['INVALID_DATE', '--count'],
    ]);
  });

  test('--from after --to is INVALID_RANGE naming both: report gl, stock-ledger, gross-profit, journals, export', async () => {
    const range = ['--from', '2026-04-01', '--to', '2026-03-01'];
    const outs = [
      await report('gl', '--account', '1300', ...range), // the command, as a child process
      await refusedReport('stock-ledger', '--product', 'WIDGET', ...range),
      await refusedReport('gross-profit', ...range),
      await refused(['journals', '--company', 'seed-004', '--db', db, ...range]),
      await refused(['export', '--company', 'seed-004', '--db', db, '--format', 'hledger', ...range]),
    ];
    for (const r of outs) {
      const e = cliError(r);
      assert.equal(e.code, 'INVALID_RANGE');
      assert.equal(e.message, 'The date range is empty: --from 2026-04-01 comes after --to 2026-03-01.');
      assert.deepEqual(e.record, { field: '--from,--to', '--from': '2026-04-01', '--to': '2026-03-01' });
    }
    const same = await report('gl', '--account', '1300', '--from', '2026-03-01', '--to', '2026-03-01', '--format', 'json');
    assert.equal(same.status, 0, same.stderr);
  });
});

describe('the HTTP API', () => {
  let store: LedgerStore;
  let app: FastifyInstance;
  let viewer = '';
  let poster = '';
  let exporter = '';
  let admin = '';
  before(async () => {
    store = await openStore({ sqlitePath: join(tempDir(), 'ledger.sqlite') });
    const saved = await putCompany(store, SEED);
    assert.ok(!('code' in saved));
    [viewer, poster, exporter, admin] = await Promise.all((['viewer', 'poster', 'exporter', 'admin'] as const).map((role) => createKey(store, 'seed-004', role))).then((ks) => ks.map((k) => k!.key));
    app = await buildServer({ store });
  });
  after(async () => {
    await app.close();
    await store.close();
  });

  const call = async (method: 'GET' | 'POST' | 'PUT', url: string, key: string, payload?: unknown): Promise<{ status: number; type: string; body: Record<string, unknown> }> => {
    const r = await app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }) });
    return { status: r.statusCode, type: String(r.headers['content-type']), body: JSON.parse(r.body) as Record<string, unknown> };
  };
  const assertProblem = (r: { status: number; type: string; body: Record<string, unknown> }, code: string, record: Record<string, unknown>): void => {
    assert.equal(r.status, 400, JSON.stringify(r.body));
    assert.match(r.type, /^application\/problem\+json/);
    assert.equal(r.body['code'], code);
    assert.equal(r.body['type'], `https://stockbook.dev/errors/${code}`);
    assert.equal(typeof r.body['fix'], 'string');
    assert.deepEqual(r.body['record'], record);
  };

  test('POST /v1/events: events on 2026-02-30, 2026-04-31, 2026-02-29 are 400 INVALID_DATE and post nothing, alone or in a batch', async () => {
    for (const [i, d] of IMPOSSIBLE.entries()) {
      const r = await call('POST', '/v1/events', poster, bill(`API-${i}`, d));
      assertProblem(r, 'INVALID_DATE', { event: `API-${i}`, field: 'date', value: d });
      assert.match(String(r.body['detail']), new RegExp(`^Event API-${i}: date "${d}" is not a real date: `));
    }
    const batch = await call('POST', '/v1/events', poster, [bill('API-OK', '2026-03-01'), bill('API-BAD', '2026-04-31')]);
    assertProblem(batch, 'INVALID_DATE', { event: 'API-BAD', field: 'date', value: '2026-04-31', index: 1 });
    assert.equal(await store.countEvents('seed-004'), 0n, 'nothing was posted');
  });

  test('GET /v1/reports/trial-balance?asOf=2026-3-5, 5/3/2026, 2026-13-01: 400 INVALID_DATE naming asOf', async () => {
    for (const d of [...MALFORMED, '2026-02-29']) {
      const r = await call('GET', `/v1/reports/trial-balance?asOf=${encodeURIComponent(d)}`, viewer);
      assertProblem(r, 'INVALID_DATE', { field: 'asOf', value: d });
      assert.match(String(r.body['detail']), /^asOf ".*" is not a real date: /);
    }
  });

  test('every date parameter: valuation, reconciliation, stock-ledger, gl, gross-profit, journals, counts (query and body)', async () => {
    const cases: [string, string, string, unknown?][] = [
      ['/v1/reports/valuation?asOf=2026-02-30', 'asOf', '2026-02-30'],
      ['/v1/reports/reconciliation?asOf=2026-04-31', 'asOf', '2026-04-31'],
      ['/v1/reports/stock-ledger?product=WIDGET&from=2026-02-29', 'from', '2026-02-29'],
      ['/v1/reports/gl?account=1300&to=2026-13-01', 'to', '2026-13-01'],
      ['/v1/reports/gross-profit?from=2026-3-5', 'from', '2026-3-5'],
      ['/v1/journals?to=2026-02-30', 'to', '2026-02-30'],
      ['/v1/counts/adjustments?count=2026-02-30', 'count', '2026-02-30'],
      ['/v1/counts/export', 'count', '2026-04-31', { count: '2026-04-31' }],
    ];
    for (const [url, field, value, body] of cases) {
      const key = url.startsWith('/v1/counts') ? exporter : viewer;
      assertProblem(await call(body === undefined ? 'GET' : 'POST', url, key, body), 'INVALID_DATE', { field, value });
    }
  });

  test('PUT /v1/company with settings.lockDate 2026-02-30 is 400 INVALID_DATE and stores nothing', async () => {
    const before = JSON.stringify((await store.getCompany('seed-004'))!.config);
    const r = await call('PUT', '/v1/company', admin, { ...SEED, settings: { ...(SEED['settings'] as object), lockDate: '2026-02-30' } });
    assertProblem(r, 'INVALID_DATE', { company: 'seed-004', field: 'settings.lockDate', value: '2026-02-30' });
    assert.equal(JSON.stringify((await store.getCompany('seed-004'))!.config), before);
  });

  test('from after to: 400 INVALID_RANGE naming both, on journals, gl, gross-profit, stock-ledger', async () => {
    const range = 'from=2026-04-01&to=2026-03-01';
    for (const url of [`/v1/journals?${range}`, `/v1/reports/gl?account=1300&${range}`, `/v1/reports/gross-profit?${range}`, `/v1/reports/stock-ledger?product=WIDGET&${range}`]) {
      const r = await call('GET', url, viewer);
      assertProblem(r, 'INVALID_RANGE', { field: 'from,to', from: '2026-04-01', to: '2026-03-01' });
      assert.equal(r.body['detail'], 'The date range is empty: from 2026-04-01 comes after to 2026-03-01.');
    }
    assert.equal((await call('GET', '/v1/journals?from=2026-03-01&to=2026-03-01', viewer)).status, 200, 'a one-day range is fine');
    assert.equal((await call('GET', '/v1/reports/trial-balance?asOf=2024-02-29', viewer)).status, 200, 'a leap day is fine');
  });

  test('the web UI checks its dates with the same parser before sending, and shows the very problem the API answers', async () => {
    const dateProblem = await webDateProblem();
    const cases: [string, Record<string, string>, string[]][] = [
      ['/v1/reports/trial-balance?asOf=2026-02-30', { asOf: '2026-02-30' }, ['asOf']],
      ['/v1/reports/gross-profit?from=2026-3-5&to=2026-04-01', { from: '2026-3-5', to: '2026-04-01', by: 'product' }, ['from', 'to']],
      ['/v1/journals?from=2026-04-01&to=2026-03-01', { from: '2026-04-01', to: '2026-03-01', account: '' }, ['from', 'to']],
      ['/v1/counts/adjustments?count=2026-04-31', { count: '2026-04-31' }, ['count']],
    ];
    for (const [url, params, names] of cases) {
      const answer = await call('GET', url, url.startsWith('/v1/counts') ? exporter : viewer);
      assert.equal(answer.status, 400);
      assert.deepEqual(dateProblem(params, names), answer.body, url);
    }
    assert.equal(dateProblem({ asOf: '2024-02-29', from: '', to: '' }, ['asOf', 'from', 'to']), undefined, 'real dates and empty filters pass');
  });
});
