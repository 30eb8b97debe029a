/**
 * Sums at the bounds, on SQLite and PostgreSQL (the store suite harness): journals of the
 * largest amount, many lines each, on many days and on one day, up to every documented bound
 * (docs/design.md, "Bounds"), then trial balance, valuation, reconciliation and the dashboard
 * over HTTP. A balance as of a date can pass 64 bits (backdated events keep the running balance
 * bounded but not every earlier one); the stores sum day totals as 32-bit halves, so it is still
 * exact — SQLite's SUM() used to throw "integer overflow" there, and every report answered 500.
 */
import { describe, it, before, after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/api/server.js';
import { createKey } from '../src/api/keys.js';
import { putCompany } from '../src/ledger/service.js';
import { loadConfig } from '../src/domain/config.js';
import { parseEvent } from '../src/domain/events.js';
import { Book } from '../src/book/book.js';
import { formatDecimal } from '../src/domain/decimal.js';
import { ID_MAX_LENGTH, MAX_AMOUNT, MAX_DAY_TOTAL, MAX_POOL_QTY, MAX_QTY, STORE_INT_MAX } from '../src/domain/bounds.js';
import { PG_URL, pgUnavailable, postgres, sqliteFile, type Harness, type TestStore } from './store-support/harness.js';

const SEED = JSON.parse(readFileSync('examples/seed-004/company.json', 'utf8')) as Record<string, unknown>;
const COMPANY = 'seed-004';
const usd = (minor: bigint): string => formatDecimal(minor, 2);
const LINES = Number(MAX_DAY_TOTAL / MAX_AMOUNT); // lines of the largest amount that fill a day to its bound
/** Days whose bank totals, each at the day bound, add up past what 64 bits hold. */
const DAYS = Number(STORE_INT_MAX / MAX_DAY_TOTAL) + 1;

function day(year: number, i: number): string {
  return new Date(Date.UTC(year, 0, 1 + i)).toISOString().slice(0, 10);
}

/** A manual journal of LINES lines of `sign`·MAX_AMOUNT on the bank (1100) and as many the other way on sales (4000). */
function wide(id: string, date: string, sign: 1n | -1n): Record<string, unknown> {
  const line = (account: string, amount: bigint): Record<string, unknown> => ({ account, amount: usd(amount) });
  return { id, type: 'manual_journal', date, lines: [...Array.from({ length: LINES }, () => line('1100', sign * MAX_AMOUNT)), ...Array.from({ length: LINES }, () => line('4000', -sign * MAX_AMOUNT))] };
}
const buy = (id: string, date: string, qty: string, amount: string): Record<string, unknown> => ({ id, type: 'purchase_invoice', date, supplier: 'ACME', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty, amount, tax: '0.00' }] });

interface Res { status: number; body: Record<string, unknown> }
type Outcome = { event: string; status: string; error?: { code: string; message: string; record: Record<string, unknown> } };

function boundsSuite(name: string, makeHarness: () => Harness, skip?: string): void {
  describe(name, { skip }, () => {
    let h: Harness;
    let store: TestStore;
    let app: FastifyInstance;
    let key: string;
    const get = async (url: string): Promise<Res> => {
      const r = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${key}` } });
      return { status: r.statusCode, body: JSON.parse(r.body) as Record<string, unknown> };
    };
    const post = async (events: Record<string, unknown>[]): Promise<Outcome[]> => {
      const r = await app.inject({ method: 'POST', url: '/v1/events', headers: { authorization: `Bearer ${key}` }, payload: events });
      assert.ok(r.statusCode === 200 || r.statusCode === 207, `posted: ${r.statusCode} ${r.body.slice(0, 300)}`);
      return (JSON.parse(r.body) as { results: Outcome[] }).results;
    };
    const reportsAnswer = async (): Promise<Record<string, Res>> => {
      const out: Record<string, Res> = {};
      for (const [k, url] of Object.entries({ tb: '/v1/reports/trial-balance', tbApril: '/v1/reports/trial-balance?asOf=2026-04-30', valuation: '/v1/reports/valuation', reconciliation: '/v1/reports/reconciliation', dashboard: '/v1/dashboard' })) {
        out[k] = await get(url);
        assert.equal(out[k].status, 200, `${url} answers: ${JSON.stringify(out[k].body).slice(0, 300)}`);
      }
      return out;
    };

    before(async () => {
      h = makeHarness();
      const db = await h.fresh();
      store = db.store;
      await store.migrate();
      const co = await putCompany(store, SEED);
      assert.ok(!('code' in co));
      key = (await createKey(store, COMPANY, 'admin'))!.key;
      app = await buildServer({ store });
    });
    after(async () => {
      await app?.close();
      await h?.teardown();
    });

    it('reproduction: journals of 60,000,000,000,000,000.00 on two days and a third on one of them are VALUE_OUT_OF_RANGE; every report answers', async () => {
      const mj = (id: string, date: string): Record<string, unknown> => ({ id, type: 'manual_journal', date, lines: [{ account: '6000', amount: '60000000000000000.00' }, { account: '1100', amount: '-60000000000000000.00' }] });
      const results = await post([mj('MJ1', '2026-01-05'), mj('MJ2', '2026-01-06'), mj('MJ3', '2026-01-06')]);
      assert.deepEqual(results.map((r) => [r.status, r.error?.code, r.error?.record['field']]), Array(3).fill(['error', 'VALUE_OUT_OF_RANGE', 'lines[0].amount']));
      assert.equal(await store.countEvents(COMPANY), 0n);
      const r = await reportsAnswer();
      assert.deepEqual(r['tb']!.body['accounts'], []);
    });

    it('reproduction: a ledger that already holds two journals of 60,000,000,000,000,000.00 (accepted before the bounds) opens, and every report answers exactly', async () => {
      const db = await h.fresh();
      await db.store.migrate();
      await putCompany(db.store, SEED);
      const loaded = loadConfig(SEED);
      assert.ok(loaded.ok);
      // What the earlier version stored: the events as sent and the journals its book made.
      const book = new Book(loaded.value, { keepJournals: false });
      const mj = (id: string, date: string): Record<string, unknown> => ({ id, type: 'manual_journal', date, lines: [{ account: '6000', amount: '60000000000000000.00' }, { account: '1100', amount: '-60000000000000000.00' }] });
      await db.store.write(COMPANY, async (tx) => {
        for (const raw of [mj('MJ1', '2026-01-05'), mj('MJ2', '2026-01-06')]) {
          const ev = parseEvent(raw, loaded.value, 'store');
          assert.ok(ev.ok);
          const applied = book.apply(ev.value, { replay: true });
          assert.ok(applied.ok);
          await tx.appendJournals(await tx.appendEvent({ id: ev.value.id, type: ev.value.type, date: ev.value.date, body: JSON.stringify(raw) }), applied.value.journals);
        }
      });
      const old = await buildServer({ store: db.store });
      try {
        const viewer = (await createKey(db.store, COMPANY, 'viewer'))!.key;
        const twelve = 12n * 10n ** 18n; // beyond 64 bits: SQLite's SUM() threw "integer overflow" here
        assert.deepEqual((await db.store.trialBalance(COMPANY)).map((b) => [b.account, b.balance]), [['1100', -twelve], ['6000', twelve]]);
        for (const url of ['/v1/reports/trial-balance', '/v1/reports/valuation', '/v1/reports/reconciliation', '/v1/dashboard', '/v1/events/MJ2']) {
          const r = await old.inject({ method: 'GET', url, headers: { authorization: `Bearer ${viewer}` } });
          assert.equal(r.statusCode, 200, `${url}: ${r.body.slice(0, 300)}`);
        }
        const tb = await old.inject({ method: 'GET', url: '/v1/reports/trial-balance', headers: { authorization: `Bearer ${viewer}` } });
        const accounts = (JSON.parse(tb.body) as { accounts: { account: string; debit: string; credit: string }[] }).accounts;
        assert.equal(accounts.find((a) => a.account === '6000')?.debit, '120000000000000000.00');
        // A third on one of those days is refused when it is parsed; nothing is written.
        const posted = await old.inject({ method: 'POST', url: '/v1/events', headers: { authorization: `Bearer ${(await createKey(db.store, COMPANY, 'poster'))!.key}` }, payload: mj('MJ3', '2026-01-06') });
        assert.equal((JSON.parse(posted.body) as { results: Outcome[] }).results[0]?.error?.code, 'VALUE_OUT_OF_RANGE');
        assert.equal(await db.store.countEvents(COMPANY), 2n);
      } finally {
        await old.close();
      }
    });

    it('reproduction: a NUL in an id or memo, and two ids that differ in a lone surrogate, are INVALID_TEXT results, not 500s', async () => {
      const mj = (id: string, memo?: string): Record<string, unknown> => ({ id, type: 'manual_journal', date: '2026-01-05', ...(memo === undefined ? {} : { memo }), lines: [{ account: '6000', amount: '1.00' }, { account: '1100', amount: '-1.00' }] });
      const results = await post([mj('N\u0000'), mj('N1', 'a\u0000b'), mj('S\ud800'), mj('S\ud801'), mj('S\udc00x')]);
      assert.deepEqual(results.map((r) => [r.status, r.error?.code, r.error?.record['field']]), [
        ['error', 'INVALID_TEXT', 'id'], ['error', 'INVALID_TEXT', 'memo'], ['error', 'INVALID_TEXT', 'id'], ['error', 'INVALID_TEXT', 'id'], ['error', 'INVALID_TEXT', 'id'],
      ]);
      const r = await app.inject({ method: 'GET', url: '/v1/events/N%00', headers: { authorization: `Bearer ${key}` } });
      assert.equal(r.statusCode, 400);
      assert.equal((JSON.parse(r.body) as { code: string }).code, 'INVALID_TEXT');
      assert.equal(await store.countEvents(COMPANY), 0n);
    });

    it(`an id of ${ID_MAX_LENGTH} code points posts and reads back by GET /v1/events/{id}, even percent-encoded at 4 bytes a code point; one more is refused`, async () => {
      const ids = ['a'.repeat(ID_MAX_LENGTH), '\u20ac'.repeat(ID_MAX_LENGTH), '\u{1F600}'.repeat(ID_MAX_LENGTH), `${'x'.repeat(ID_MAX_LENGTH - 3)}/%?`];
      const mj = (id: string): Record<string, unknown> => ({ id, type: 'manual_journal', date: '2026-01-05', lines: [{ account: '6000', amount: '1.00' }, { account: '6300', amount: '-1.00' }] });
      const results = await post(ids.map(mj));
      assert.deepEqual(results.map((r) => r.status), ids.map(() => 'ok'));
      assert.equal(encodeURIComponent(ids[2]!).length, 12 * ID_MAX_LENGTH, 'the worst case: 12 characters a code point');
      for (const id of ids) {
        const got = await get(`/v1/events/${encodeURIComponent(id)}`);
        assert.equal(got.status, 200, `GET ${id.slice(0, 8)}…: ${JSON.stringify(got.body).slice(0, 200)}`);
        assert.equal(got.body['id'], id);
      }
      // The journal of a max-length id, and a correction's id after it, are accepted as report parameters too.
      const drill = await get(`/v1/reports/drill?journal=${encodeURIComponent(ids[2]!)}`);
      assert.equal(drill.status, 200, JSON.stringify(drill.body).slice(0, 200));
      const correction = await get(`/v1/reports/drill?journal=${encodeURIComponent(`${ids[2]!}/c1`)}`);
      assert.equal(correction.body['code'], 'UNKNOWN_REFERENCE', 'a correction id of a max-length event passes the parameter schema (and names no journal)');
      const longer = ['a'.repeat(ID_MAX_LENGTH + 1), '\u{1F600}'.repeat(ID_MAX_LENGTH + 1)];
      for (const id of longer) {
        const p = await app.inject({ method: 'POST', url: '/v1/events', headers: { authorization: `Bearer ${key}` }, payload: mj(id) });
        assert.equal(p.statusCode, 400, p.body);
        assert.equal((JSON.parse(p.body) as { code: string }).code, 'INVALID_EVENT');
        const r = await app.inject({ method: 'GET', url: `/v1/events/${encodeURIComponent(id)}`, headers: { authorization: `Bearer ${key}` } });
        assert.equal(r.statusCode, 400, r.body);
        assert.match(String(r.headers['content-type']), /^application\/problem\+json/);
        assert.equal((JSON.parse(r.body) as { code: string }).code, 'INVALID_REQUEST');
      }
      assert.equal(await store.countEvents(COMPANY), BigInt(ids.length));
    });

    it(`${LINES} lines of the largest amount on each of ${2 * DAYS} days, and pools at their bounds: every report is exact past 64 bits`, async () => {
      // Pairs keep the bank balance within its bound after every event (+bound, then 0), while
      // the balance as of the last early day sums DAYS day totals at the bound: past 64 bits.
      // One batch per pair: a batch is costed in date order, so one batch of every pair would
      // book all the early halves first and pass the bound.
      const results = [];
      for (let i = 0; i < DAYS; i++) results.push(...(await post([wide(`F${i}`, day(2027, i), -1n), wide(`P${i}`, day(2026, i), 1n)])));
      assert.deepEqual(results.filter((r) => r.status !== 'ok'), [], 'every pair posts');
      // The third journal on a full day, and one more unit into a full pool, are refused.
      const n = Number(MAX_POOL_QTY / MAX_QTY);
      const fill = Array.from({ length: n }, (_, i) => buy(`B${i}`, '2026-06-01', formatDecimal(MAX_QTY, 6), usd(MAX_AMOUNT)));
      const more = await post([...fill, { id: 'SAME', type: 'manual_journal', date: day(2026, 0), lines: [{ account: '1100', amount: '0.01' }, { account: '6000', amount: '-0.01' }] }, buy('B+', '2026-06-02', '0.000001', '0.01')]);
      assert.deepEqual(more.slice(0, n).filter((r) => r.status !== 'ok'), [], 'the pool fills to its bounds');
      const [same, over] = more.slice(n);
      assert.deepEqual([same!.error?.code, same!.error?.record['account'], same!.error?.record['date']], ['VALUE_OUT_OF_RANGE', '1100', '2026-01-01']);
      assert.deepEqual([over!.error?.code, over!.error?.record['product']], ['VALUE_OUT_OF_RANGE', 'WIDGET']);

      const april = day(2026, DAYS - 1) <= '2026-04-30' ? '2026-04-30' : assert.fail('the early days end in April');
      const asOf = new Map((await store.trialBalance(COMPANY, april)).map((b) => [b.account, b.balance]));
      const past64 = BigInt(DAYS) * MAX_DAY_TOTAL;
      assert.ok(past64 > STORE_INT_MAX);
      assert.equal(asOf.get('1100'), past64, 'the bank as of April: exact past 64 bits');
      assert.equal(asOf.get('4000'), -past64);
      const now = new Map((await store.trialBalance(COMPANY)).map((b) => [b.account, b.balance]));
      assert.deepEqual([now.get('1100'), now.get('4000'), now.get('1300'), now.get('2100')], [0n, 0n, MAX_DAY_TOTAL, -MAX_DAY_TOTAL]);
      const dayTotal = (await store.trialBalance(COMPANY, day(2026, 0))).find((b) => b.account === '1100');
      assert.equal(dayTotal?.balance, MAX_DAY_TOTAL, 'a day total at its bound');

      const r = await reportsAnswer();
      const tbApril = r['tbApril']!.body as { accounts: { account: string; debit: string; credit: string }[]; balanced: boolean };
      assert.equal(tbApril.accounts.find((a) => a.account === '1100')?.debit, usd(past64));
      assert.equal(tbApril.accounts.find((a) => a.account === '4000')?.credit, usd(past64));
      assert.equal(tbApril.balanced, true);
      const full = usd(MAX_DAY_TOTAL);
      const valuation = r['valuation']!.body as { total: Record<string, string>; ties: boolean };
      assert.deepEqual([valuation.total['subledger'], valuation.total['gl'], valuation.ties], [full, full, true]);
      const reconciliation = r['reconciliation']!.body as { total: Record<string, string>; ties: boolean };
      assert.deepEqual([reconciliation.total['gl'], reconciliation.total['difference'], reconciliation.ties], [full, '0.00', true]);
      const dash = r['dashboard']!.body as { margin: { month: string; revenue: string }[]; inventoryValue: { month: string; value: string }[]; reconciliation: { ties: boolean }[] };
      assert.equal(dash.margin.find((m) => m.month === '2026-01')?.revenue, usd(31n * MAX_DAY_TOTAL));
      assert.equal(dash.margin.find((m) => m.month === '2026-04')?.revenue, usd(BigInt(DAYS - 90) * MAX_DAY_TOTAL));
      assert.equal(dash.inventoryValue.find((m) => m.month === '2026-06')?.value, full);
      assert.ok(dash.reconciliation.every((a) => a.ties));
    });
  });
}

boundsSuite('bounds on SqliteStore (file)', sqliteFile);
const pgDown = await pgUnavailable();
if (pgDown && process.env['CI']) {
  test('PostgreSQL is reachable (CI must run the bounds suite on PostgreSQL)', () => assert.fail(`${pgDown}; set STOCKBOOK_TEST_PG`));
} else {
  boundsSuite(`bounds on PostgresStore (${PG_URL})`, postgres, pgDown && `${pgDown}; start it or set STOCKBOOK_TEST_PG to run this suite`);
}
