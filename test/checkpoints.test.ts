/** Re-costing from (thinned) checkpoints gives exactly what re-costing from the start gives. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Book, MAX_CHECKPOINTS, thin } from '../src/book/book.js';
import { parseEvent } from '../src/domain/events.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { company, buy, ship } from './helpers/company.js';
import { openStore } from '../src/store/open.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { verifyCosting } from '../src/ledger/verify.js';
import { BENCH_ACCOUNTS, BENCH_MAPPING } from '../bench/raw-stream.js';

function apply(book: Book, raw: Record<string, unknown>): string {
  const p = parseEvent(raw, book.co);
  assert.ok(p.ok);
  const r = book.apply(p.value);
  return r.ok ? JSON.stringify(r.value.journals.map((j) => [j.id, j.date, j.lines.map((l) => [l.account, l.amount.toString()])])) : r.error.code;
}

test('late events and voids deep in a long history: checkpointed re-costs equal full re-costs', () => {
  for (const method of ['fifo', 'lifo', 'average'] as const) {
    const dense = new Book(company({ costingMethod: method }), { checkpointEvery: 1, keepJournals: false });
    const none = new Book(company({ costingMethod: method }), { checkpointEvery: 1_000_000, keepJournals: false });
    const events: Record<string, unknown>[] = [];
    for (let n = 0; n < 300; n++) {
      const date = `2026-${String(1 + Math.floor(n / 28)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`;
      events.push(n % 2 === 0 ? buy(`B${n}`, date, 10, `${10 + (n % 7)}.${String(n % 100).padStart(2, '0')}`) : ship(`S${n}`, date, n % 4 === 1 ? 7 : 13));
    }
    // Late bills at many depths, and voids of early and recent bills.
    events.push(buy('L1', '2026-10-15', 3, '99.00'), buy('L2', '2026-06-01', 2, '1.00'), buy('L3', '2026-01-02', 5, '50.00'));
    events.push({ id: 'V1', type: 'void', date: '2026-12-01', target: 'B2' }, { id: 'V2', type: 'void', date: '2026-12-01', target: 'B280' });
    events.push(ship('L4', '2026-03-03', 1), buy('L5', '2026-09-09', 1, '7.77'));
    for (const e of events) assert.equal(apply(dense, e), apply(none, e), `${method} ${String(e['id'])}`);
    const gl = (b: Book): string => JSON.stringify([...b.balances()].map(([k, v]) => [k, v.toString()]).sort());
    assert.equal(gl(dense), gl(none));
    assert.deepEqual(dense.onHand('W', 'MAIN'), none.onHand('W', 'MAIN'));
    assert.ok(dense.stats.replayedMoves < none.stats.replayedMoves, 'checkpoints shorten re-costs');
  }
});

test('checkpoints stay at most MAX_CHECKPOINTS per pool, reach back to the start, and are dense near the end', () => {
  const every = 4;
  const book = new Book(company({ costingMethod: 'fifo' }), { checkpointEvery: every, keepJournals: false });
  const indexes = (): number[] => [...book.pools_()][0]!.checkpoints.map((c) => c.index);
  let previous: number[] = [];
  for (let n = 0; n < 6000; n++) {
    const date = `20${String(10 + Math.floor(n / 336)).padStart(2, '0')}-${String(1 + (Math.floor(n / 28) % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`;
    apply(book, n % 2 === 0 ? buy(`B${n}`, date, 10, '10.00') : ship(`S${n}`, date, n % 4 === 1 ? 7 : 13));
    const now = indexes();
    assert.ok(now.length <= MAX_CHECKPOINTS, `${now.length} checkpoints after ${n + 1} entries`);
    // Thinning only drops: the one checkpoint not held before is the newest (a dropped one never comes back).
    const fresh = now.filter((i) => !previous.includes(i));
    assert.ok(fresh.length === 0 || (fresh.length === 1 && fresh[0] === now.at(-1)), `new checkpoints ${fresh.join(',')}`);
    assert.ok(now.every((i, k) => k === 0 || i > now[k - 1]!), 'in index order');
    previous = now;
  }
  const cps = indexes();
  const length = 6000;
  // Coverage back to the start: the first checkpoint is within a quarter of the history; near the end they are one slot apart.
  assert.ok(cps[0]! <= length / 4, `first checkpoint at ${cps[0]}`);
  assert.equal(cps.at(-1), length);
  assert.equal(cps.at(-2), length - every);
  // Every insertion point has a checkpoint before it within a bounded fraction of its distance from the end (plus a slot or two).
  for (let at = 0; at < length; at += 37) {
    const before = cps.filter((i) => i <= at).at(-1) ?? 0;
    assert.ok(at - before <= Math.max(2 * every, (length - at) / 2), `insertion at ${at} restarts from ${before}`);
  }
  // Thin keeps at most MAX_CHECKPOINTS however long the history (a history far longer than PER_BAND fits).
  const many: { index: number; state: never }[] = Array.from({ length: 100_000 }, (_, i) => ({ index: (i + 1) * every, state: undefined as never }));
  thin(many, 100_000 * every, 1);
  assert.ok(many.length <= MAX_CHECKPOINTS && many[0]!.index <= 100_000 * every / 2);
});

test('a late event deep in a long history re-costs from a checkpoint near it, not from the start', () => {
  const book = new Book(company({ costingMethod: 'fifo' }), { checkpointEvery: 4, keepJournals: false });
  const full = new Book(company({ costingMethod: 'fifo' }), { checkpointEvery: 1_000_000, keepJournals: false });
  for (let n = 0; n < 4000; n++) {
    const date = `20${String(10 + Math.floor(n / 336)).padStart(2, '0')}-${String(1 + (Math.floor(n / 28) % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`;
    const e = n % 2 === 0 ? buy(`B${n}`, date, 10, `${10 + (n % 7)}.00`) : ship(`S${n}`, date, n % 4 === 1 ? 7 : 13);
    apply(book, e);
    apply(full, e);
  }
  // About 40 entries back, then about 2,000 back.
  for (const [id, date] of [['L1', '2021-10-15'], ['L2', '2016-01-02']] as const) {
    const before = book.stats.replayedMoves;
    assert.equal(apply(book, buy(id, date, 3, '99.00')), apply(full, buy(id, date, 3, '99.00')));
    const back = 4001 - [...book.pools_()][0]!.entries.firstAtOrAfter(book.view(id)!.event.key);
    const replayed = book.stats.replayedMoves - before;
    assert.ok(replayed <= back * 1.5 + 8, `${id}: ${replayed} moves re-costed for an insertion ${back} back`);
  }
});

test('a backdated bill through a fresh CompanyLedger re-costs once, from the checkpoint before it, after one read of its entries; verify passes', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'stockbook-checkpoints-')), 'c.sqlite');
  const store = await openStore({ sqlitePath: path });
  try {
    const config = { company: { id: 'cp', name: 'CP', baseCurrency: 'USD' }, settings: { costingMethod: 'fifo', negativeStock: 'block' }, accounts: BENCH_ACCOUNTS, mapping: BENCH_MAPPING, warehouses: [{ code: 'MAIN' }], products: [{ sku: 'W' }] };
    assert.ok(!('code' in (await putCompany(store, config))));
    const first = await CompanyLedger.open(store, 'cp', { checkpointEvery: 16 });
    assert.ok(first instanceof CompanyLedger);
    const history: Record<string, unknown>[] = [];
    for (let n = 0; n < 3000; n++) {
      const date = `20${String(10 + Math.floor(n / 336)).padStart(2, '0')}-${String(1 + (Math.floor(n / 28) % 12)).padStart(2, '0')}-${String(1 + (n % 28)).padStart(2, '0')}`;
      history.push(n % 2 === 0 ? buy(`B${n}`, date, 10, `${10 + (n % 7)}.00`) : ship(`S${n}`, date, n % 4 === 1 ? 7 : 13));
    }
    for (const o of await first.postBatch(history)) assert.equal(o.status, 'ok');
    // About 300 entries back: a new ledger (a new process's first write) loads from the store.
    const cold = await CompanyLedger.open(store, 'cp', { checkpointEvery: 16 });
    assert.ok(cold instanceof CompanyLedger);
    const out = await cold.post(buy('LATE', '2018-02-01', 5, '0.01'));
    assert.equal(out.status, 'ok');
    const stats = cold.costingStats();
    assert.equal(stats.loadedPools, 1);
    assert.ok(stats.loadedEntries > 300 && stats.loadedEntries < 300 + 16 * 8, `${stats.loadedEntries} entries loaded`);
    assert.equal(stats.recostedMoves, stats.loadedEntries + 1, 'each loaded entry and the new one re-costed once');
    // The store holds the checkpoints the in-memory book keeps for the same stream (written as they changed: put and dropped).
    const mem = new Book(company({ costingMethod: 'fifo' }), { checkpointEvery: 16, keepJournals: false });
    for (const e of [...history, buy('LATE', '2018-02-01', 5, '0.01')]) apply(mem, e);
    const kept = [...mem.pools_()][0]!.checkpoints.map((c) => [c.index, JSON.stringify(c.state.snapshot())]);
    const stored = (await store.costing('cp').checkpoints('W\u0000MAIN')).map((c) => [c.idx, c.state]);
    assert.deepEqual(stored, kept);
    const v = await verifyCosting(store, 'cp');
    assert.ok(!('code' in v) && v.differences.length === 0, JSON.stringify(v));
  } finally {
    await store.close();
  }
});

test('entries held past the events cache are read again with their events: a late event over them loads a few times, not once per event', async () => {
  const store = await openStore({ sqlitePath: join(mkdtempSync(join(tmpdir(), 'stockbook-checkpoints-')), 'e.sqlite') });
  try {
    const config = { company: { id: 'cp', name: 'CP', baseCurrency: 'USD' }, settings: { costingMethod: 'fifo', negativeStock: 'block' }, accounts: BENCH_ACCOUNTS, mapping: BENCH_MAPPING, warehouses: [{ code: 'MAIN' }], products: [{ sku: 'W' }] };
    assert.ok(!('code' in (await putCompany(store, config))));
    // Entries may stay (a large bound) while events may not (a small one).
    const l = await CompanyLedger.open(store, 'cp', { checkpointEvery: 64, cache: { events: 50, pools: 10, entries: 100_000 } });
    assert.ok(l instanceof CompanyLedger);
    const history: Record<string, unknown>[] = [];
    for (let n = 0; n < 600; n++) {
      const date = `2020-${String(1 + Math.floor(n / 56)).padStart(2, '0')}-${String(1 + Math.floor((n % 56) / 2)).padStart(2, '0')}`;
      history.push(n % 2 === 0 ? buy(`B${n}`, date, 10, `${10 + (n % 7)}.00`) : ship(`S${n}`, date, n % 4 === 1 ? 7 : 13));
    }
    for (let i = 0; i < history.length; i += 100) for (const o of await l.postBatch(history.slice(i, i + 100))) assert.equal(o.status, 'ok');
    const before = l.costingStats();
    assert.equal((await l.post(buy('LATE', '2020-06-01', 5, '0.01'))).status, 'ok');
    const loads = l.costingStats().loads - before.loads;
    assert.ok(loads <= 6, `${loads} loads for one late event`);
    const v = await verifyCosting(store, 'cp');
    assert.ok(!('code' in v) && v.differences.length === 0, JSON.stringify(v));
  } finally {
    await store.close();
  }
});
