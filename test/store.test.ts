/**
 * The ledger store contract, one suite run against every backend: SQLite in memory, SQLite on
 * a file, and PostgreSQL (STOCKBOOK_TEST_PG, default postgres://postgres@127.0.0.1:5432/test).
 * Without PostgreSQL its suite is skipped, except under CI, where that is a failure.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, readdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { setImmediate as tick } from 'node:timers/promises';
import { MIGRATIONS, checkOrder } from '../src/store/migrations.js';
import { openStore } from '../src/store/open.js';
import type { LedgerStore, NewSyncEntry, StoredJournal, SyncAction } from '../src/store/store.js';
import pg from 'pg';
import { PG_URL, pgUnavailable, postgres, sqliteFile, sqliteMemory, type Harness, type TestDb, type TestStore } from './store-support/harness.js';
import { entry, event, journal, line, stored } from './store-support/fixtures.js';

const BIG = 2n ** 53n + 1n; // beyond a double's exact integers
const INT64_MAX = 2n ** 63n - 1n;

const ids = (js: readonly StoredJournal[]): string[] => js.map((j) => j.id);

async function company(s: LedgerStore, id: string): Promise<void> {
  await s.putCompany({ id, name: `Company ${id}`, config: { company: { id } } });
}

/** A migrated store on a fresh database, with companies A and B. */
async function ready(h: Harness): Promise<TestDb> {
  const db = await h.fresh();
  await db.store.migrate();
  await company(db.store, 'A');
  await company(db.store, 'B');
  return db;
}

function storeSuite(name: string, makeHarness: () => Harness, skip?: string): void {
  describe(name, { skip }, () => {
    const h = skip ? undefined : makeHarness();
    const fresh = (): Promise<TestDb> => h!.fresh();
    after(() => h?.teardown());

    it('migrate: records every version; migrating again is a no-op that keeps the data', async () => {
      const { store } = await fresh();
      await store.migrate();
      const expected = MIGRATIONS.map((m) => ({ version: m.version, name: m.name }));
      assert.deepEqual(await store.migrations(), expected);
      await company(store, 'A');
      await store.write('A', (tx) => tx.appendEvent(event('E1')));
      await store.migrate();
      await store.migrate();
      assert.deepEqual(await store.migrations(), expected);
      assert.equal((await store.getCompany('A'))?.name, 'Company A');
      assert.equal(await store.countEvents('A'), 1n);
    });

    it('migrate: several stores migrating one fresh database at once apply each version once', async (t) => {
      const db = await fresh();
      if (!db.another) return t.skip('one connection only (:memory:)');
      const stores = [db.store, db.another(), db.another(), db.another()];
      await Promise.all(stores.map((s) => s.migrate()));
      assert.deepEqual(await db.store.migrations(), MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    });

    it('companies: put, get, list (by id), replace; each write bumps the configuration version', async () => {
      const { store } = await fresh();
      await store.migrate();
      assert.deepEqual(await store.listCompanies(), []);
      const config = { company: { id: 'Z', baseCurrency: 'USD' }, accounts: [{ code: '1300', name: 'Inventário — Norte' }], settings: { rounding: 'half-even' }, n: null };
      await store.putCompany({ id: 'Z', name: 'Zeta', config });
      await store.putCompany({ id: 'A', name: 'Alpha', config: {} });
      assert.deepEqual(await store.getCompany('Z'), { id: 'Z', name: 'Zeta', config, configVersion: 1n });
      assert.equal(await store.getCompany('nope'), undefined);
      assert.equal(await store.configVersion('nope'), undefined);
      assert.equal(await store.configVersion('A'), 1n);
      assert.deepEqual((await store.listCompanies()).map((c) => c.id), ['A', 'Z']);
      await store.putCompany({ id: 'A', name: 'Alpha 2', config: { v: 2 } });
      assert.deepEqual(await store.getCompany('A'), { id: 'A', name: 'Alpha 2', config: { v: 2 }, configVersion: 2n });
      assert.equal(await store.configVersion('A'), 2n);
      assert.equal(await store.configVersion('Z'), 1n);
      assert.equal((await store.listCompanies()).length, 2);
    });

    it('write() appends events with seq 1, 2, 3 … across transactions', async () => {
      const { store } = await ready(h!);
      const first = await store.write('A', async (tx) => [await tx.appendEvent(event('E1')), await tx.appendEvent(event('E2')), await tx.appendEvent(event('E3'))]);
      assert.deepEqual(first, [1n, 2n, 3n]);
      assert.equal(await store.write('A', (tx) => tx.appendEvent(event('E4', '2025-12-31', 'purchase_invoice'))), 4n);
      assert.equal(await store.countEvents('A'), 4n);
      assert.deepEqual(await store.findEvent('A', 'E4'), { seq: 4n, id: 'E4', type: 'purchase_invoice', body: event('E4', '2025-12-31', 'purchase_invoice').body });
      assert.equal(await store.findEvent('A', 'E5'), undefined);
      assert.deepEqual((await store.eventsAfter('A', 0n)).map((e) => [e.seq, e.id]), [[1n, 'E1'], [2n, 'E2'], [3n, 'E3'], [4n, 'E4']]);
    });

    it('a duplicate event id is refused by the unique constraint, and the whole write rolls back', async () => {
      const { store } = await ready(h!);
      await store.write('A', async (tx) => {
        const seq = await tx.appendEvent(event('E1'));
        await tx.appendJournals(seq, [entry('J1', 'E1', '2026-01-01', '1300', '2100', 100n)]);
      });
      await assert.rejects(
        store.write('A', async (tx) => {
          const seq = await tx.appendEvent(event('E2'));
          await tx.appendJournals(seq, [entry('J2', 'E2', '2026-01-02', '1300', '2100', 700n)]);
          await tx.appendEvent(event('E1'));
        }),
        /unique|UNIQUE|duplicate/,
      );
      // Swallowing the error does not commit what came before it: the transaction is doomed.
      await assert.rejects(
        store.write('A', async (tx) => {
          await tx.appendEvent(event('E3'));
          await tx.appendEvent(event('E1')).catch(() => undefined);
          return 'carried on';
        }),
        /unique|UNIQUE|duplicate/,
      );
      assert.equal(await store.countEvents('A'), 1n);
      assert.equal(await store.findEvent('A', 'E2'), undefined);
      assert.equal(await store.findEvent('A', 'E3'), undefined);
      assert.deepEqual(ids(await store.journals('A')), ['J1']);
      assert.deepEqual(await store.trialBalance('A'), [{ account: '1300', balance: 100n }, { account: '2100', balance: -100n }]);
      // The numbers the failed writes used are free again: no gaps.
      assert.equal(await store.write('A', (tx) => tx.appendEvent(event('E2'))), 2n);
      const [j] = await store.write('A', async (tx) => {
        await tx.appendJournals(2n, [entry('J2', 'E2', '2026-01-02', '1300', '2100', 5n)]);
        return store.journalsOfEvent('A', 2n);
      });
      assert.equal(j?.seq, 2n);
    });

    it('appendJournals round-trips every field exactly (bigint amounts, undefined stays undefined)', async () => {
      const { store } = await ready(h!);
      const full = journal(
        'S1/c1',
        'S1',
        '2026-02-10',
        [
          line('5000', -BIG, { memo: 'COGS — correction', product: 'W-1', warehouse: 'MAIN' }),
          line('1300', BIG, { memo: '', product: 'W-1' }),
          line('1301', INT64_MAX, { warehouse: 'NORTH' }),
          line('2100', -INT64_MAX),
          line('6000', 1n),
          line('6100', -1n),
        ],
        { kind: 'correction', eventType: 'shipment', cause: 'B0', reverses: undefined, reference: 'SO-1 "quoted" ☃', memo: 'multi\nline' },
      );
      const bare = journal('V1', 'B2', '2026-02-11', [line('2100', 999n), line('1300', -999n)], { kind: 'reversal', reverses: 'B2' });
      const empty = journal('N1', 'B0', '2026-02-12', []);
      const eventSeq = await store.write('A', async (tx) => {
        const seq = await tx.appendEvent(event('B0', '2026-01-15', 'purchase_invoice'));
        await tx.appendJournals(seq, [full, bare]);
        await tx.appendJournals(seq, [empty]);
        return seq;
      });
      const expected = [stored(full, 1n, eventSeq), stored(bare, 2n, eventSeq), stored(empty, 3n, eventSeq)];
      const got = await store.journals('A');
      assert.deepStrictEqual(got, expected);
      assert.deepStrictEqual(await store.journalsOfEvent('A', eventSeq), expected);
      for (const l of got.flatMap((j) => j.lines)) assert.equal(typeof l.amount, 'bigint');
      assert.equal(got[0]!.lines[1]!.memo, '', 'an empty memo is not absent');
      assert.equal(got[0]!.lines[3]!.memo, undefined);
      assert.ok('memo' in got[0]!.lines[3]! && 'cause' in got[1]!, 'the book\'s shape: optional fields present, undefined');
      assert.equal(got[1]!.cause, undefined);
      assert.equal(got[1]!.reverses, 'B2');
    });

    it('appendJournals refuses an unbalanced journal or a number amount, and the write rolls back', async () => {
      const { store } = await ready(h!);
      const unbalanced = journal('X', 'E1', '2026-01-01', [line('1300', 10n), line('2100', -9n)]);
      await assert.rejects(store.write('A', async (tx) => tx.appendJournals(await tx.appendEvent(event('E1')), [unbalanced])), /does not balance/);
      // The guard against float money: a JS number must never reach a money column.
      const floaty = journal('X', 'E1', '2026-01-01', [line('1300', 10 as unknown as bigint), line('2100', -10n)]);
      await assert.rejects(store.write('A', async (tx) => tx.appendJournals(await tx.appendEvent(event('E1')), [floaty])), /bigint/);
      assert.equal(await store.countEvents('A'), 0n);
    });

    it('journals() filters by from, to, account, event, afterSeq and limit, in seq order', async () => {
      const { store } = await ready(h!);
      await store.write('A', async (tx) => {
        const b1 = await tx.appendEvent(event('B1', '2026-01-05', 'purchase_invoice'));
        await tx.appendJournals(b1, [entry('B1', 'B1', '2026-01-05', '1300', '2100', 1000n)]);
        const s1 = await tx.appendEvent(event('S1', '2026-01-10', 'shipment'));
        await tx.appendJournals(s1, [entry('S1', 'S1', '2026-01-10', '5000', '1300', 400n)]);
        const b0 = await tx.appendEvent(event('B0', '2026-01-01', 'purchase_invoice'));
        await tx.appendJournals(b0, [entry('B0', 'B0', '2026-01-01', '1300', '2100', 50n), entry('S1/c1', 'S1', '2026-01-10', '1300', '5000', 30n, { kind: 'correction', cause: 'B0' })]);
        const p1 = await tx.appendEvent(event('P1', '2026-02-01', 'supplier_payment'));
        await tx.appendJournals(p1, [entry('P1', 'P1', '2026-02-01', '2100', '1100', 1050n)]);
      });
      assert.deepEqual(ids(await store.journals('A')), ['B1', 'S1', 'B0', 'S1/c1', 'P1']);
      assert.deepEqual(ids(await store.journals('A', {})), ['B1', 'S1', 'B0', 'S1/c1', 'P1']);
      assert.deepEqual(ids(await store.journals('A', { from: '2026-01-05' })), ['B1', 'S1', 'S1/c1', 'P1']);
      assert.deepEqual(ids(await store.journals('A', { to: '2026-01-10' })), ['B1', 'S1', 'B0', 'S1/c1']);
      assert.deepEqual(ids(await store.journals('A', { from: '2026-01-02', to: '2026-01-09' })), ['B1']);
      assert.deepEqual(ids(await store.journals('A', { account: '5000' })), ['S1', 'S1/c1']);
      assert.deepEqual(ids(await store.journals('A', { account: '1100' })), ['P1']);
      assert.deepEqual(ids(await store.journals('A', { account: '9999' })), []);
      assert.deepEqual(ids(await store.journals('A', { event: 'S1' })), ['S1', 'S1/c1']);
      assert.deepEqual(ids(await store.journals('A', { event: 'B0' })), ['B0']);
      assert.deepEqual(ids(await store.journals('A', { afterSeq: 2n })), ['B0', 'S1/c1', 'P1']);
      assert.deepEqual(ids(await store.journals('A', { limit: 2 })), ['B1', 'S1']);
      assert.deepEqual(ids(await store.journals('A', { limit: 0 })), []);
      assert.deepEqual(ids(await store.journals('A', { account: '2100', to: '2026-01-31', afterSeq: 1n, limit: 5 })), ['B0']);
      assert.deepEqual(ids(await store.journals('A', { from: undefined, to: undefined, account: undefined, event: undefined, afterSeq: undefined, limit: undefined })).length, 5);
      // Whole journals come back, not only the lines on the account asked for.
      const [s1] = await store.journals('A', { account: '5000', limit: 1 });
      assert.deepEqual(s1?.lines.map((l) => [l.account, l.amount]), [['5000', 400n], ['1300', -400n]]);
      // Paging by afterSeq + limit visits every journal once, in order.
      const seen: string[] = [];
      for (let after = 0n; ; ) {
        const page = await store.journals('A', { afterSeq: after, limit: 2 });
        if (page.length === 0) break;
        seen.push(...ids(page));
        after = page[page.length - 1]!.seq;
      }
      assert.deepEqual(seen, ['B1', 'S1', 'B0', 'S1/c1', 'P1']);
      await assert.rejects(store.journals('A', { limit: -1 }), RangeError);
    });

    it('journalsOfEvent: the journals one posting wrote, in order', async () => {
      const { store } = await ready(h!);
      const [s1, b0] = await store.write('A', async (tx) => {
        const s1 = await tx.appendEvent(event('S1'));
        await tx.appendJournals(s1, [entry('S1', 'S1', '2026-01-10', '5000', '1300', 400n)]);
        const b0 = await tx.appendEvent(event('B0'));
        await tx.appendJournals(b0, [entry('B0', 'B0', '2026-01-01', '1300', '2100', 50n), entry('S1/c1', 'S1', '2026-01-10', '1300', '5000', 30n, { kind: 'correction', cause: 'B0' })]);
        return [s1, b0];
      });
      assert.deepEqual(ids(await store.journalsOfEvent('A', s1)), ['S1']);
      assert.deepEqual(ids(await store.journalsOfEvent('A', b0)), ['B0', 'S1/c1']);
      assert.ok((await store.journalsOfEvent('A', b0)).every((j) => j.eventSeq === b0));
      assert.deepEqual(await store.journalsOfEvent('A', 99n), []);
      assert.deepEqual(await store.journalsOfEvent('B', s1), []);
    });

    it('trialBalance(asOf) sums each account over lines dated on or before asOf', async () => {
      const { store } = await ready(h!);
      await store.write('A', async (tx) => {
        const e1 = await tx.appendEvent(event('E1', '2026-01-05'));
        await tx.appendJournals(e1, [entry('J1', 'E1', '2026-01-05', '1300', '2100', 2n ** 60n), entry('J2', 'E1', '2026-01-31', '1300', '2100', 2n ** 60n)]);
        const e2 = await tx.appendEvent(event('E2', '2026-02-01'));
        await tx.appendJournals(e2, [entry('J3', 'E2', '2026-02-01', '5000', '1300', 7n), entry('J4', 'E2', '2026-01-20', '2100', '1100', 3n)]);
      });
      assert.deepEqual(await store.trialBalance('A'), [
        { account: '1100', balance: -3n },
        { account: '1300', balance: 2n ** 61n - 7n },
        { account: '2100', balance: -(2n ** 61n) + 3n },
        { account: '5000', balance: 7n },
      ]);
      assert.deepEqual(await store.trialBalance('A', '2026-01-05'), [{ account: '1300', balance: 2n ** 60n }, { account: '2100', balance: -(2n ** 60n) }]);
      assert.deepEqual(await store.trialBalance('A', '2026-01-31'), [
        { account: '1100', balance: -3n },
        { account: '1300', balance: 2n ** 61n },
        { account: '2100', balance: -(2n ** 61n) + 3n },
      ]);
      assert.deepEqual(await store.trialBalance('A', '2025-12-31'), []);
      const total = (await store.trialBalance('A')).reduce((s, b) => s + b.balance, 0n);
      assert.equal(total, 0n, 'the books balance');
    });

    it('an exception inside write() rolls everything back and is rethrown', async () => {
      const { store } = await ready(h!);
      const boom = new Error('boom');
      await assert.rejects(
        store.write('A', async (tx) => {
          const seq = await tx.appendEvent(event('E1'));
          await tx.appendJournals(seq, [entry('J1', 'E1', '2026-01-01', '1300', '2100', 100n)]);
          await tick();
          throw boom;
        }),
        (e) => e === boom,
      );
      assert.equal(await store.countEvents('A'), 0n);
      assert.deepEqual(await store.eventsAfter('A', 0n), []);
      assert.deepEqual(await store.journals('A'), []);
      assert.deepEqual(await store.trialBalance('A'), []);
      assert.equal(await store.write('A', (tx) => tx.appendEvent(event('E1'))), 1n);
    });

    it('reads inside write() see the transaction; other reads never see rows that roll back', async () => {
      const { store } = await ready(h!);
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let appended!: () => void;
      const wasAppended = new Promise<void>((r) => (appended = r));
      const w = store.write('A', async (tx) => {
        const seq = await tx.appendEvent(event('E1'));
        await tx.appendJournals(seq, [entry('J1', 'E1', '2026-01-01', '1300', '2100', 100n)]);
        assert.equal((await store.findEvent('A', 'E1'))?.seq, 1n, 'the writer reads its own rows');
        assert.deepEqual(ids(await store.journalsOfEvent('A', seq)), ['J1']);
        assert.deepEqual((await tx.eventsAfter(0n)).map((e) => e.id), ['E1']);
        appended();
        await gate;
        throw new Error('rolled back');
      });
      await wasAppended;
      const outside = Promise.all([store.findEvent('A', 'E1'), store.countEvents('A'), store.journals('A')]);
      await tick();
      release();
      await assert.rejects(w, /rolled back/);
      assert.deepEqual(await outside, [undefined, 0n, []]);
    });

    it('write() inside write() is refused; a WriteTx cannot be used after its write', async () => {
      const { store } = await ready(h!);
      let leaked: Parameters<Parameters<LedgerStore['write']>[1]>[0] | undefined;
      await store.write('A', async (tx) => {
        leaked = tx;
        await assert.rejects(store.write('A', (t2) => t2.appendEvent(event('X'))), /inside write/);
        await assert.rejects(store.write('B', (t2) => t2.appendEvent(event('X'))), /inside write/);
        await tx.appendEvent(event('E1'));
      });
      await assert.rejects(leaked!.appendEvent(event('E2')), /ended/);
      assert.deepEqual((await store.eventsAfter('A', 0n)).map((e) => e.id), ['E1']);
      assert.equal(await store.countEvents('B'), 0n);
    });

    it('20 concurrent write() calls on one company serialise: no gaps, no duplicates', async () => {
      const { store } = await ready(h!);
      const seqs = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.write('A', async (tx) => {
            const seen = await tx.eventsAfter(0n);
            await tick(); // give the others every chance to interleave
            const seq = await tx.appendEvent(event(`E${i}`));
            assert.equal(seq, BigInt(seen.length) + 1n, 'each writer sees every earlier commit');
            await tick();
            await tx.appendJournals(seq, [entry(`J${i}`, `E${i}`, '2026-01-01', '1300', '2100', BigInt(i + 1))]);
            return seq;
          }),
        ),
      );
      assert.deepEqual([...seqs].sort((a, b) => (a < b ? -1 : 1)), Array.from({ length: 20 }, (_, i) => BigInt(i + 1)));
      assert.deepEqual((await store.eventsAfter('A', 0n)).map((e) => e.seq), Array.from({ length: 20 }, (_, i) => BigInt(i + 1)));
      assert.deepEqual((await store.journals('A')).map((j) => j.seq), Array.from({ length: 20 }, (_, i) => BigInt(i + 1)));
      assert.deepEqual(await store.trialBalance('A'), [{ account: '1300', balance: 210n }, { account: '2100', balance: -210n }]);
    });

    it('writers on two companies at once each get their own gapless sequence', async () => {
      const { store } = await ready(h!);
      await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.write(i % 2 ? 'A' : 'B', async (tx) => {
          await tick();
          return tx.appendEvent(event(`E${i}`));
        })),
      );
      for (const c of ['A', 'B']) assert.deepEqual((await store.eventsAfter(c, 0n)).map((e) => e.seq), [1n, 2n, 3n, 4n, 5n]);
    });

    it('two store instances (separate connections) writing one company concurrently serialise', async (t) => {
      const db = await ready(h!);
      if (!db.another) return t.skip('one connection only (:memory:)');
      const other = db.another();
      const writers = [db.store, other].flatMap((s, k) =>
        Array.from({ length: 10 }, (_, i) =>
          s.write('A', async (tx) => {
            const seen = await tx.eventsAfter(0n);
            await tick();
            const seq = await tx.appendEvent(event(`S${k}-${i}`));
            assert.equal(seq, BigInt(seen.length) + 1n);
            await tx.appendJournals(seq, [entry(`J${k}-${i}`, `S${k}-${i}`, '2026-01-01', '1300', '2100', 1n)]);
          }),
        ),
      );
      await Promise.all(writers);
      assert.deepEqual((await other.eventsAfter('A', 0n)).map((e) => e.seq), Array.from({ length: 20 }, (_, i) => BigInt(i + 1)));
      assert.equal(await db.store.countEvents('A'), 20n);
      await other.close();
    });

    it('three processes writing one company concurrently serialise', async (t) => {
      const db = await ready(h!);
      if (!db.spawnArgs) return t.skip('one process only (:memory:)');
      const writer = fileURLToPath(new URL('./store-support/writer.ts', import.meta.url));
      const cwd = fileURLToPath(new URL('..', import.meta.url));
      await Promise.all(['p1', 'p2', 'p3'].map((tag) => promisify(execFile)(process.execPath, ['--import', 'tsx', writer, ...db.spawnArgs!, 'A', '8', tag], { cwd })));
      const events = await db.store.eventsAfter('A', 0n);
      assert.deepEqual(events.map((e) => e.seq), Array.from({ length: 24 }, (_, i) => BigInt(i + 1)));
      assert.equal(new Set(events.map((e) => e.id)).size, 24);
      assert.deepEqual(await db.store.trialBalance('A'), [{ account: '1300', balance: 24n }, { account: '5100', balance: -24n }]);
    });

    it('companies are isolated: B sees none of A\'s rows, and ids may repeat across companies', async () => {
      const { store } = await ready(h!);
      await store.write('A', async (tx) => {
        for (const id of ['E1', 'E2']) await tx.appendJournals(await tx.appendEvent(event(id)), [entry(`J-${id}`, id, '2026-01-01', '1300', '2100', 10n)]);
      });
      assert.equal(await store.countEvents('B'), 0n);
      assert.deepEqual(await store.eventsAfter('B', 0n), []);
      assert.equal(await store.findEvent('B', 'E1'), undefined);
      assert.deepEqual(await store.journals('B'), []);
      assert.deepEqual(await store.journals('B', { event: 'E1' }), []);
      assert.deepEqual(await store.journalsOfEvent('B', 1n), []);
      assert.deepEqual(await store.trialBalance('B'), []);
      // The same event and journal ids in B start B's own sequence at 1.
      const seq = await store.write('B', async (tx) => {
        const s = await tx.appendEvent(event('E1'));
        await tx.appendJournals(s, [entry('J-E1', 'E1', '2026-01-01', '6000', '1100', 5n)]);
        return s;
      });
      assert.equal(seq, 1n);
      assert.deepEqual((await store.journals('B')).map((j) => [j.seq, j.id]), [[1n, 'J-E1']]);
      assert.deepEqual(await store.trialBalance('A'), [{ account: '1300', balance: 20n }, { account: '2100', balance: -20n }]);
      assert.deepEqual(await store.trialBalance('B'), [{ account: '1100', balance: -5n }, { account: '6000', balance: 5n }]);
      assert.equal(await store.countEvents('A'), 2n);
    });

    it('eventsAfter(seq, limit) pages in order', async () => {
      const { store } = await ready(h!);
      await store.write('A', async (tx) => {
        for (let i = 1; i <= 7; i++) await tx.appendEvent(event(`E${i}`));
      });
      const pages: string[][] = [];
      for (let after = 0n; ; ) {
        const page = await store.eventsAfter('A', after, 3);
        if (page.length === 0) break;
        pages.push(page.map((e) => e.id));
        after = page[page.length - 1]!.seq;
      }
      assert.deepEqual(pages, [['E1', 'E2', 'E3'], ['E4', 'E5', 'E6'], ['E7']]);
      assert.deepEqual((await store.eventsAfter('A', 5n)).map((e) => e.seq), [6n, 7n]);
      assert.deepEqual(await store.eventsAfter('A', 7n), []);
      assert.deepEqual(await store.eventsAfter('A', 0n, 0), []);
      const body = (await store.eventsAfter('A', 3n, 1))[0]!;
      assert.deepEqual(body, { seq: 4n, id: 'E4', type: 'stock_adjustment', body: event('E4').body });
    });

    it('dated events: a report type\'s events in (date, seq) order, in a date range, a page after a position; no other type, no other company', async () => {
      const { store } = await ready(h!);
      const rows: [string, string, string][] = [['S1', '2026-01-05', 'shipment'], ['I1', '2026-01-03', 'sale_invoice'], ['S2', '2026-01-03', 'shipment'], ['A1', '2026-01-03', 'stock_adjustment'], ['S3', '2026-01-04', 'shipment'], ['S4', '2026-01-03', 'shipment']];
      await store.write('A', async (tx) => {
        for (const [id, date, type] of rows) await tx.appendEvent(event(id, date, type));
      });
      await store.write('B', (tx) => tx.appendEvent(event('S9', '2026-01-03', 'shipment')));
      const ids = async (q: Parameters<LedgerStore['datedEvents']>[2]): Promise<string[]> => (await store.datedEvents('A', 'shipment', q)).map((e) => e.id);
      assert.deepEqual(await ids({ limit: 10 }), ['S2', 'S4', 'S3', 'S1']);
      assert.deepEqual(await store.datedEvents('A', 'shipment', { limit: 1 }), [{ seq: 3n, id: 'S2', type: 'shipment', date: '2026-01-03' }]);
      assert.deepEqual(await ids({ from: '2026-01-04', limit: 10 }), ['S3', 'S1']);
      assert.deepEqual(await ids({ to: '2026-01-04', limit: 10 }), ['S2', 'S4', 'S3']);
      assert.deepEqual(await ids({ from: '2026-01-03', to: '2026-01-03', after: { date: '2026-01-03', seq: 3n }, limit: 10 }), ['S4']);
      assert.deepEqual(await ids({ after: { date: '2026-01-03', seq: 6n }, limit: 2 }), ['S3', 'S1']);
      assert.deepEqual(await ids({ limit: 0 }), []);
      assert.deepEqual((await store.datedEvents('A', 'sale_invoice', { limit: 10 })).map((e) => e.id), ['I1']);
      assert.deepEqual((await store.datedEvents('A', 'stocktake', { limit: 10 })), []);
    });

    it('sync log: appended rows come back in order, per company and target, filtered by action, newest last rows', async () => {
      const { store } = await ready(h!);
      const row = (record: string, action: SyncAction, version = 1, data?: string): NewSyncEntry => ({ target: 'xero', record, version, action, run: 'r1', at: '2026-11-21T10:00:00.000Z', data });
      await store.write('A', (tx) => tx.appendSync([row('INV-1', 'claim', 1, '{"key":"k"}'), row('INV-1', 'posted', 1, '{"documentId":"x","warnings":[]}')]));
      await store.write('A', (tx) => tx.appendSync([row('INV-2', 'hold'), row('', 'token', 0, '{"access_token":"a"}')]));
      await store.write('B', (tx) => tx.appendSync([row('INV-9', 'hold')]));
      await store.write('A', (tx) => tx.appendSync([{ ...row('X', 'hold'), target: 'other' }]));
      const all = await store.syncEntries('A', 'xero');
      assert.deepEqual(all.map((e) => [e.seq, e.record, e.action, e.version]), [[1n, 'INV-1', 'claim', 1], [2n, 'INV-1', 'posted', 1], [3n, 'INV-2', 'hold', 1], [4n, '', 'token', 0]]);
      assert.deepEqual(all[0], { seq: 1n, target: 'xero', record: 'INV-1', version: 1, action: 'claim', run: 'r1', at: '2026-11-21T10:00:00.000Z', data: '{"key":"k"}' });
      assert.equal(all[2]!.data, undefined);
      assert.deepEqual((await store.syncEntries('A', 'xero', { afterSeq: 2n })).map((e) => e.seq), [3n, 4n]);
      assert.deepEqual((await store.syncEntries('A', 'xero', { actions: ['token'], last: 1 })).map((e) => e.data), ['{"access_token":"a"}']);
      assert.deepEqual((await store.syncEntries('A', 'xero', { last: 2 })).map((e) => e.seq), [4n, 3n]);
      assert.deepEqual(await store.syncEntries('A', 'xero', { actions: [] }), []);
      assert.deepEqual((await store.syncEntries('B', 'xero')).map((e) => [e.seq, e.record]), [[1n, 'INV-9']]);
      assert.deepEqual((await store.syncEntries('A', 'other')).map((e) => e.seq), [5n]);
      for (const e of all.filter((x) => x.record !== '')) assert.deepEqual(await store.syncEntries('A', 'xero', { record: e.record }), all.filter((x) => x.record === e.record), `the rows of ${e.record} by its index`);
    });

    it('sync log: rows appended inside a write are read back by that write and vanish with its rollback', async () => {
      const { store } = await ready(h!);
      const row: NewSyncEntry = { target: 'xero', record: 'INV-1', version: 1, action: 'claim', run: 'r', at: 't', data: undefined };
      await assert.rejects(store.write('A', async (tx) => {
        await tx.appendSync([row]);
        assert.equal((await store.syncEntries('A', 'xero')).length, 1);
        throw new Error('roll back');
      }), /roll back/);
      assert.deepEqual(await store.syncEntries('A', 'xero'), []);
      await assert.rejects(store.write('A', (tx) => tx.appendSync([{ ...row, action: 'nonsense' as SyncAction }])), /unknown action/);
      assert.deepEqual(await store.syncEntries('A', 'xero'), []);
    });

    it('sync log: concurrent writers each get distinct, gapless positions', async () => {
      const { store, another } = await ready(h!);
      const other = another?.() ?? store;
      const row = (n: number): NewSyncEntry => ({ target: 'xero', record: `R${n}`, version: 1, action: 'claim', run: 'r', at: 't', data: undefined });
      await Promise.all(Array.from({ length: 10 }, (_, n) => (n % 2 === 0 ? store : other).write('A', (tx) => tx.appendSync([row(n), row(n + 100)]))));
      const seqs = (await store.syncEntries('A', 'xero')).map((e) => e.seq);
      assert.deepEqual(seqs, Array.from({ length: 20 }, (_, i) => BigInt(i + 1)));
    });

    it('an event needs its company to exist', async () => {
      const { store } = await ready(h!);
      await assert.rejects(store.write('nobody', (tx) => tx.appendEvent(event('E1'))), /foreign key|FOREIGN KEY/i);
      assert.equal(await store.countEvents('nobody'), 0n);
    });
  });
}

storeSuite('SqliteStore (:memory:)', sqliteMemory);
storeSuite('SqliteStore (file)', sqliteFile);

const pgDown = await pgUnavailable();
storeSuite(`PostgresStore (${PG_URL})`, postgres, pgDown);

describe('openStore', () => {
  it('opens a migrated SQLite store by default, and PostgreSQL for a postgres:// URL', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'stockbook-open-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const s = await openStore({ sqlitePath: join(dir, 'x.sqlite') });
    assert.equal(s.dialect, 'sqlite');
    await company(s, 'A');
    assert.equal((await s.listCompanies()).length, 1);
    await s.close();
    await assert.rejects(openStore({ databaseUrl: 'mysql://x' }), /postgres/);
    if (pgDown) return t.skip(pgDown);
    // A schema that does not exist yet: three processes' worth of openStore create and migrate it once.
    const schema = `stockbook_test_${process.pid}_open_${Date.now() % 1e6}`;
    t.after(() => dropSchema(schema));
    const stores = await Promise.all([1, 2, 3].map(() => openStore({ databaseUrl: PG_URL, pgSchema: schema })));
    const p = stores[0]! as TestStore;
    assert.equal(p.dialect, 'postgres');
    assert.deepEqual(await p.migrations(), MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
    await company(p, 'A');
    assert.equal((await stores[2]!.getCompany('A'))?.name, 'Company A');
    await Promise.all(stores.map((x) => x.close()));
  });
});

async function dropSchema(schema: string): Promise<void> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await c.end();
  }
}

describe('statements written once', () => {
  it('the dialect files name no table: every statement is in statements.ts, appends.ts or migrations.ts', () => {
    const dir = fileURLToPath(new URL('../src/store/', import.meta.url));
    const tables = ['companies', 'events', 'journals', 'journal_lines', 'account_day_totals', 'sync_log', 'api_keys', 'event_refusals', 'schema_migrations'];
    const named = new RegExp(`\\b(FROM|INTO|UPDATE|JOIN|TABLE)\\s+(${tables.join('|')})\\b`, 'i');
    for (const f of ['sqlite.ts', 'postgres.ts', 'sql-store.ts', 'dialect.ts']) {
      assert.doesNotMatch(readFileSync(join(dir, f), 'utf8'), named, `${f} writes a statement of its own`);
    }
  });
});

describe('migrations', () => {
  it('versions increase from 1; money is BIGINT/INTEGER; the ledger tables are append-only in code', () => {
    checkOrder(MIGRATIONS);
    assert.equal(MIGRATIONS[0]?.version, 1);
    for (const m of MIGRATIONS) {
      for (const sql of [m.sqlite, m.postgres]) {
        assert.doesNotMatch(sql, /\b(REAL|DOUBLE|FLOAT|NUMERIC|DECIMAL|MONEY)\b/i, `${m.name}: no floating or decimal money columns`);
        for (const col of sql.matchAll(/\bamount\s+(\w+)/gi)) assert.match(col[1]!, /^(BIGINT|INTEGER)$/i, `${m.name}: amount is an integer column`);
      }
      if (m.version === 1) {
        for (const sql of [m.sqlite, m.postgres]) assert.match(sql, /amount\s+(BIGINT|INTEGER)\b/);
      }
    }
    assert.throws(() => checkOrder([{ version: 2, name: 'b', sqlite: '', postgres: '' }, { version: 1, name: 'a', sqlite: '', postgres: '' }]));
    const dir = fileURLToPath(new URL('../src/store/', import.meta.url));
    for (const f of readdirSync(dir)) {
      const src = readFileSync(join(dir, f), 'utf8');
      assert.doesNotMatch(src, /\b(UPDATE|DELETE\s+FROM|TRUNCATE(\s+TABLE)?)\s+(events|journals|journal_lines)\b/i, `${f}: events and journals are never updated or deleted`);
    }
  });
});
