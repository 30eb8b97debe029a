/**
 * Two processes on one ledger: A and B are two API servers, each over its own store connection
 * to the same database (one SQLite file; one PostgreSQL schema through two pools), and one case
 * runs A as a real second OS process. Whatever one writes — events or configuration — the other's
 * very next write is governed by it and its very next read reflects it, by catching up on what it
 * has not seen rather than replaying the whole history (counted with the ledger's stats, not time).
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../src/api/server.js';
import { createKey } from '../src/api/keys.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { replayInMemory, verifyCosting, type Verified } from '../src/ledger/verify.js';
import { isFailure } from '../src/cli/input.js';
import type { LedgerStore, WriteTx } from '../src/store/store.js';
import { pgUnavailable, postgres, sqliteFile, type Harness } from './store-support/harness.js';

const CO = 'seed-004';
const CONFIG = JSON.parse(readFileSync('examples/seed-004/company.json', 'utf8')) as Record<string, unknown>;
type Raw = Record<string, unknown>;
const buy = (id: string, date: string, qty: number, amount: string, product = 'WIDGET'): Raw => ({ id, type: 'purchase_invoice', date, supplier: 'ACME', lines: [{ product, warehouse: 'MAIN', qty, amount }] });
const ship = (id: string, date: string, qty: number): Raw => ({ id, type: 'shipment', date, lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty }] });

/** The configuration with a new inventory account, a category mapped to it and a product in that category. */
function withGadget(config: Record<string, unknown>): Record<string, unknown> {
  const list = (k: string): unknown[] => config[k] as unknown[];
  return {
    ...config,
    accounts: [...list('accounts'), { code: '1320', name: 'Spares inventory', type: 'INVENTORY' }],
    categories: [...list('categories'), { code: 'SPARES', name: 'Spares', mapping: { inventory: '1320' } }],
    products: [...list('products'), { sku: 'GADGET', name: 'Gadget', category: 'SPARES' }],
  };
}

const withLock = (config: Record<string, unknown>, lockDate: string): Record<string, unknown> => ({ ...config, settings: { ...(config['settings'] as object), lockDate } });

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

interface Pair {
  a: LedgerStore;
  b: LedgerStore;
  /** B's ledger of the company, handed to B's server so its stats can be read. */
  ledgerB: CompanyLedger;
  A: (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => Promise<Answer>;
  B: (method: 'GET' | 'POST' | 'PUT', url: string, payload?: unknown) => Promise<Answer>;
  spawnArgs: [string, string, string];
  close(): Promise<void>;
}

async function open(store: LedgerStore): Promise<CompanyLedger> {
  const l = await CompanyLedger.open(store, CO);
  assert.ok(!isFailure(l), 'the company opens');
  return l;
}

function caller(app: FastifyInstance, key: string): Pair['A'] {
  return async (method, url, payload) => {
    const r = await app.inject({ method, url, headers: { authorization: `Bearer ${key}` }, ...(payload === undefined ? {} : { payload: payload as object }) });
    return { status: r.statusCode, body: JSON.parse(r.body) as Record<string, unknown> };
  };
}

const codes = (r: Answer): (string | undefined)[] => (r.body['results'] as { status: string; error?: { code: string } }[]).map((o) => o.error?.code ?? o.status);

/** A PUT of the configuration A reads back, changed by `change`. */
async function changeConfig(call: Pair['A'], change: (c: Record<string, unknown>) => Record<string, unknown>): Promise<void> {
  const got = await call('GET', '/v1/company');
  const put = await call('PUT', '/v1/company', change(got.body['config'] as Record<string, unknown>));
  assert.equal(put.status, 200, JSON.stringify(put.body));
}

function suite(name: string, makeHarness: () => Harness, skip: string | undefined): void {
  describe(name, { skip }, () => {
    const h = skip ? undefined : makeHarness();
    after(() => h?.teardown());

    async function pair(): Promise<Pair> {
      const db = await h!.fresh();
      const a = db.store;
      const b = db.another!();
      await a.migrate();
      await b.migrate();
      assert.ok(!isFailure(await putCompany(a, CONFIG)));
      const key = (await createKey(a, CO, 'admin'))!.key;
      const ledgerB = await open(b);
      const appA = await buildServer({ store: a });
      const appB = await buildServer({ store: b, ledgers: [ledgerB] });
      return {
        a, b, ledgerB, A: caller(appA, key), B: caller(appB, key), spawnArgs: db.spawnArgs!,
        close: async () => {
          await Promise.all([appA.close(), appB.close()]);
          await Promise.all([a.close(), b.close()]);
        },
      };
    }

    test('a lock date set through A refuses an event in the locked period through B\'s very next post', async () => {
      const p = await pair();
      try {
        assert.deepEqual(codes(await p.B('POST', '/v1/events', buy('B1', '2026-03-01', 10, '100.00'))), ['ok']);
        await changeConfig(p.A, (c) => withLock(c, '2026-03-31'));
        assert.deepEqual(codes(await p.B('POST', '/v1/events', [buy('B2', '2026-03-15', 1, '10.00'), buy('B3', '2026-04-02', 1, '10.00')])), ['PERIOD_LOCKED', 'ok']);
        assert.equal(await p.b.findEvent(CO, 'B2'), undefined, 'the refused event is not stored');
      } finally {
        await p.close();
      }
    });

    test('a ledger\'s write is governed by the configuration stored now, whoever stored it (checked under the lock)', async () => {
      const p = await pair();
      try {
        const b = await open(p.b);
        assert.equal((await b.post(buy('B1', '2026-03-01', 10, '100.00'))).status, 'ok');
        assert.ok(!isFailure(await putCompany(p.a, withLock(CONFIG, '2026-03-31'))));
        const locked = await b.post(buy('B2', '2026-03-15', 1, '10.00'));
        assert.equal(locked.status === 'error' && locked.error.code, 'PERIOD_LOCKED');
        assert.equal(b.configVersion, 2n);
        assert.ok(!isFailure(await putCompany(p.a, withGadget(withLock(CONFIG, '2026-03-31')))));
        const gadget = await b.post(buy('G1', '2026-04-02', 2, '30.00', 'GADGET'));
        assert.ok(gadget.status === 'ok', gadget.status === 'error' ? gadget.error.message : gadget.status);
        assert.deepEqual(gadget.journals[0]!.lines.map((l) => l.account), ['1320', '2100']);
        assert.deepEqual(b.stats, { rebuilds: 0, replayed: 0 }, 'neither a lock date nor a new product changes a cost: the costing state holds, nothing is replayed');
      } finally {
        await p.close();
      }
    });

    test('valuation, stock ledger and reconciliation through B reflect a write through A at once', async () => {
      const p = await pair();
      try {
        assert.equal((await p.B('GET', '/v1/reports/reconciliation')).status, 200);
        assert.deepEqual(codes(await p.A('POST', '/v1/events', [buy('B1', '2026-03-01', 10, '5000.00'), ship('S1', '2026-03-02', 4)])), ['ok', 'ok']);
        for (const url of ['/v1/reports/reconciliation', '/v1/reports/valuation', '/v1/reports/stock-ledger?product=WIDGET']) {
          const [fromA, fromB] = [await p.A('GET', url), await p.B('GET', url)];
          assert.equal(fromB.status, 200, JSON.stringify(fromB.body));
          assert.deepEqual(fromB.body, fromA.body, `${url} through B equals A's`);
        }
        const rec = (await p.B('GET', '/v1/reports/reconciliation')).body['total'] as Record<string, string>;
        assert.deepEqual([rec['subledger'], rec['gl'], rec['difference']], ['3000.00', '3000.00', '0.00'], 'no sub-ledger/GL difference');
        const val = (await p.B('GET', '/v1/reports/valuation')).body['lines'] as { product: string; qty: string }[];
        assert.deepEqual(val.map((l) => [l.product, l.qty]), [['WIDGET', '6']]);
        assert.deepEqual(p.ledgerB.stats, { rebuilds: 0, replayed: 0 }, 'B replayed nothing: it read the costing state A wrote');
      } finally {
        await p.close();
      }
    });

    test('a configuration change through A (a new product and its mapping) governs B\'s next post', async () => {
      const p = await pair();
      try {
        assert.deepEqual(codes(await p.B('POST', '/v1/events', buy('G0', '2026-03-01', 1, '1.00', 'GADGET'))), ['UNKNOWN_PRODUCT']);
        await changeConfig(p.A, withGadget);
        const r = await p.B('POST', '/v1/events', buy('G1', '2026-03-01', 2, '30.00', 'GADGET'));
        assert.deepEqual(codes(r), ['ok']);
        const lines = ((r.body['results'] as { journals: { lines: { account: string }[] }[] }[])[0]!.journals[0]!.lines).map((l) => l.account);
        assert.deepEqual(lines, ['1320', '2100'], 'the new category\'s inventory account');
        const val = (await p.B('GET', '/v1/reports/valuation')).body['accounts'] as { account: string; subledger: string }[];
        assert.ok(val.some((a) => a.account === '1320' && a.subledger === '30.00'), JSON.stringify(val));
      } finally {
        await p.close();
      }
    });

    test('GET /v1/events/{id} through B for A\'s event reads it from the costing state (no replay)', async () => {
      const p = await pair();
      try {
        const history = Array.from({ length: 30 }, (_, i) => buy(`B${i}`, '2026-03-01', 1, '10.00'));
        assert.ok(codes(await p.A('POST', '/v1/events', history)).every((c) => c === 'ok'));
        assert.equal((await p.B('GET', '/v1/reports/valuation')).status, 200);
        assert.deepEqual(p.ledgerB.stats, { rebuilds: 0, replayed: 0 });
        assert.deepEqual(codes(await p.A('POST', '/v1/events', ship('S1', '2026-03-02', 3))), ['ok']);
        const read: bigint[] = [];
        const eventsAfter = p.b.eventsAfter.bind(p.b);
        p.b.eventsAfter = (company, seq, limit) => (read.push(seq), eventsAfter(company, seq, limit));
        const got = await p.B('GET', '/v1/events/S1');
        assert.equal(got.status, 200, JSON.stringify(got.body));
        const moves = got.body['moves'] as { result: { value: string } | null }[];
        assert.equal(moves.length, 1);
        assert.equal(moves[0]!.result?.value, '30.00', 'B costed A\'s shipment');
        assert.deepEqual(p.ledgerB.stats, { rebuilds: 0, replayed: 0 }, 'no replay');
        assert.deepEqual(read, [], 'B read no events: the costing state answered');
      } finally {
        await p.close();
      }
    });

    test('a real second OS process: its lock date refuses through B, and B\'s reports reflect its events at once', async () => {
      const p = await pair();
      try {
        assert.equal((await p.B('GET', '/v1/reports/reconciliation')).status, 200);
        const script = fileURLToPath(new URL('./helpers/other-process.ts', import.meta.url));
        const cwd = fileURLToPath(new URL('..', import.meta.url));
        const events = [buy('P1', '2026-02-01', 10, '5000.00'), ship('P2', '2026-02-10', 2)];
        const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', script, ...p.spawnArgs, CO, '2026-01-31', JSON.stringify(events)], { cwd });
        assert.deepEqual(stdout.trim().split('\n').map((l) => (JSON.parse(l) as { status: string }).status), ['ok', 'ok']);
        const rec = (await p.B('GET', '/v1/reports/reconciliation')).body['total'] as Record<string, string>;
        assert.deepEqual([rec['subledger'], rec['gl'], rec['difference']], ['4000.00', '4000.00', '0.00']);
        assert.deepEqual(codes(await p.B('POST', '/v1/events', [buy('B3', '2026-01-20', 1, '1.00'), ship('S4', '2026-03-01', 1)])), ['PERIOD_LOCKED', 'ok']);
      } finally {
        await p.close();
      }
    });

    test('reads and writes through B while A writes: B\'s book stays the stored ledger, each event applied once', async () => {
      const p = await pair();
      try {
        assert.deepEqual(codes(await p.A('POST', '/v1/events', buy('B0', '2026-03-01', 1000, '1000.00'))), ['ok']);
        const work: Promise<unknown>[] = [];
        for (let i = 0; i < 10; i++) {
          work.push(p.A('POST', '/v1/events', [buy(`A${i}`, '2026-03-02', 1, '1.00'), ship(`AS${i}`, '2026-03-03', 1)]));
          work.push(p.B('POST', '/v1/events', [ship(`BS${i}`, '2026-03-04', 1)]));
          work.push(p.B('GET', '/v1/reports/valuation'), p.B('GET', `/v1/events/B0`));
        }
        await Promise.all(work);
        await p.ledgerB.refresh();
        const stored = Object.fromEntries((await p.b.trialBalance(CO)).filter((x) => x.balance !== 0n).map((x) => [x.account, x.balance]));
        const book = Object.fromEntries([...(await replayInMemory(p.b, p.ledgerB.co)).balances()].filter(([, v]) => v !== 0n));
        assert.deepEqual(book, stored);
        assert.equal(await p.b.countEvents(CO), 31n);
        assert.deepEqual((await verifyCosting(p.b, CO) as Verified).differences, []);
      } finally {
        await p.close();
      }
    });

    test('a read after a rolled-back write sees the store, not the events that were rolled back', async () => {
      const p = await pair();
      try {
        assert.equal((await p.ledgerB.post(buy('B1', '2026-03-01', 10, '100.00'))).status, 'ok');
        const real = p.b.write.bind(p.b);
        p.b.write = <T>(company: string, fn: (tx: WriteTx) => Promise<T>): Promise<T> =>
          real(company, (tx) => fn(Object.assign(Object.create(tx) as WriteTx, { appendEvent: async () => { throw new Error('disk full'); } })));
        await assert.rejects(p.ledgerB.post(ship('S1', '2026-03-02', 4)), /disk full/);
        p.b.write = real;
        const val = (await p.B('GET', '/v1/reports/valuation')).body['lines'] as { qty: string }[];
        assert.deepEqual(val.map((l) => l.qty), ['10'], 'the rolled-back shipment is not in the book');
        assert.deepEqual(p.ledgerB.stats, { rebuilds: 0, replayed: 0 }, 'the rollback dropped the cache; nothing was replayed');
      } finally {
        await p.close();
      }
    });
  });
}

suite('SQLite file, two connections', sqliteFile, undefined);
suite('PostgreSQL, two pools on one schema', () => postgres(), await pgUnavailable());
