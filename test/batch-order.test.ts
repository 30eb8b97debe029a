/**
 * A batch is costed in event order before it is booked (issue 11 §3): the costing order itself,
 * then POST batches (CompanyLedger.postBatch), the stateless `post` and `import`, whose
 * shuffled input books the journals of the sorted stream.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { costingOrder, type Orderable } from '../src/book/batch-order.js';
import { openStore } from '../src/store/open.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { importEvents } from '../src/cli/import.js';
import { post } from '../src/cli/post.js';
import { isFailure } from '../src/cli/input.js';

const CONFIG_PATH = 'examples/seed-004/company.json';
const CONFIG = JSON.parse(readFileSync(CONFIG_PATH, 'utf8')) as unknown;
type Raw = Record<string, unknown>;
const buy = (id: string, date: string, qty: number, amount: string): Raw => ({ id, type: 'purchase_invoice', date, supplier: 'ACME', lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty, amount }] });
const ship = (id: string, date: string, qty: number): Raw => ({ id, type: 'shipment', date, lines: [{ product: 'WIDGET', warehouse: 'MAIN', qty }] });
const o = (id: string, key: string, refs: string[] = []): Orderable => ({ id, key, refs });

test('the costing order sorts by order key, stably, and skips what did not parse', () => {
  assert.deepEqual(costingOrder([o('C', '3'), undefined, o('A', '1'), o('B', '2'), o('A2', '1')]), [2, 4, 3, 0]);
});

test('an event comes after what it refers to, even when it sorts earlier; a repeated id keeps its order of arrival', () => {
  // V voids T, dated later; X refers to T too. The second T (a resubmission, key 0) stays after the
  // first (key 5); V and X wait for both.
  const items = [o('V', '1', ['T']), o('T', '5'), o('X', '2', ['T']), o('T', '0'), o('Y', '3')];
  assert.deepEqual(costingOrder(items), [4, 1, 3, 0, 2]);
});

test('a void stays after every event sent before it (its date orders nothing); later events may sort before it', () => {
  const v = (id: string, key: string, target: string): Orderable => ({ id, key, refs: [target], barrier: true });
  assert.deepEqual(costingOrder([o('A', '5'), v('V2', '1', 'X'), v('V1', '0', 'Y'), o('B', '0')]), [3, 0, 1, 2]);
});

test('a reference cycle is broken at its first event by position, and every event is ordered once', () => {
  // Z is free and goes first; then the cycle A ⇄ B is released at A, its first by position.
  assert.deepEqual(costingOrder([o('Z', '9'), o('A', '2', ['B']), o('B', '1', ['A'])]), [0, 1, 2]);
});

async function ledger(): Promise<CompanyLedger> {
  const store = await openStore({ sqlitePath: join(mkdtempSync(join(tmpdir(), 'stockbook-order-')), 'ledger.sqlite') });
  const co = await putCompany(store, CONFIG);
  assert.ok(!isFailure(co));
  const l = await CompanyLedger.open(store, 'seed-004');
  assert.ok(!isFailure(l));
  return l;
}

test('a shuffled POST batch books the journals of the sorted batch; outcomes keep their positions; a void may precede its target', async () => {
  const sorted = [buy('B0', '2026-02-01', 2, '10.00'), buy('B1', '2026-03-01', 10, '100.00'), ship('S1', '2026-03-05', 4), buy('B2', '2026-03-06', 1, '7.00')];
  const a = await ledger();
  const inOrder = await a.postBatch(sorted);
  const b = await ledger();
  const voidB2 = { id: 'V-B2', type: 'void', date: '2026-01-01', target: 'B2' };
  const shuffled = [voidB2, sorted[2]!, sorted[1]!, { bad: true }, sorted[3]!, sorted[0]!, sorted[2]!];
  const out = await b.postBatch(shuffled);
  assert.deepEqual(out.map((x) => [x.event, x.status]), [['V-B2', 'ok'], ['S1', 'ok'], ['B1', 'ok'], ['?', 'error'], ['B2', 'ok'], ['B0', 'ok'], ['S1', 'exists']].map(([e, s]) => [e === '?' ? out[3]!.event : e, s]));
  const journalsOf = (xs: typeof out): string[] => xs.flatMap((x) => (x.status === 'ok' ? x.journals.map((j) => `${j.id}:${j.kind}:${j.lines.map((l) => `${l.account}=${l.amount}`).join(',')}`) : []));
  assert.ok(journalsOf(out).every((j) => !j.includes(':correction:')), 'nothing in the batch is late');
  assert.deepEqual(journalsOf(out.filter((x) => x.event !== 'V-B2')).sort(), journalsOf(inOrder).sort(), 'the journals of the sorted batch');
  const seqs = Object.fromEntries(out.flatMap((x) => (x.status === 'ok' ? [[x.event, Number(x.seq)]] : [])));
  assert.ok(seqs['B0']! < seqs['B1']! && seqs['B1']! < seqs['S1']! && seqs['S1']! < seqs['B2']! && seqs['B2']! < seqs['V-B2']!, 'stored in costing order');
});

function files(lines: Raw[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-order-'));
  const f = join(dir, 'events.jsonl');
  writeFileSync(f, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return f;
}

async function postFile(path: string, sortWindow?: number): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await post(path, { config: CONFIG_PATH, format: 'json', sortWindow }, (s) => out.push(s), (s) => err.push(s));
  return { code, out, err };
}

test('stockbook post costs a shuffled file in sorted order and writes each event\'s journals at its line; --sort-window bounds the sort', async () => {
  const sorted = [buy('B0', '2026-02-01', 2, '10.00'), buy('B1', '2026-03-01', 10, '100.00'), ship('S1', '2026-03-05', 4), ship('S2', '2026-03-06', 3)];
  const a = await postFile(files(sorted));
  const shuffled = [sorted[3]!, sorted[1]!, sorted[2]!, sorted[0]!];
  const b = await postFile(files(shuffled));
  assert.deepEqual([a.code, b.code, b.err], [0, 0, []]);
  const byId = (xs: string[]): Map<string, string> => new Map(xs.map((x) => [(JSON.parse(x) as { id: string }).id, x]));
  assert.deepEqual(b.out.map((x) => (JSON.parse(x) as { id: string }).id), ['S2', 'B1', 'S1', 'B0'], 'in line order');
  assert.deepEqual(byId(b.out), byId(a.out), 'the journals of the sorted stream');
  const windowed = await postFile(files(shuffled), 1);
  assert.ok(windowed.out.some((x) => (JSON.parse(x) as { kind: string }).kind === 'correction'), 'a window of one event costs in arrival order');
});

test('import sorts the whole file across its batches, within the sort window', async () => {
  const sorted = [buy('B0', '2026-02-01', 2, '10.00'), buy('B1', '2026-03-01', 10, '100.00'), ship('S1', '2026-03-05', 4), ship('S2', '2026-03-06', 3)];
  const path = files([sorted[1]!, sorted[3]!, sorted[2]!, sorted[0]!]);
  const kinds = async (sortWindow: number | undefined): Promise<string[]> => {
    const store = await openStore({ sqlitePath: join(mkdtempSync(join(tmpdir(), 'stockbook-order-')), 'ledger.sqlite') });
    const cfg = join(mkdtempSync(join(tmpdir(), 'stockbook-order-')), 'company.json');
    writeFileSync(cfg, JSON.stringify(CONFIG));
    const r = await importEvents(store, path, { config: cfg, batch: 1, progress: false, sortWindow }, () => undefined);
    assert.equal(r.summary.new, 4);
    const js = await store.journals('seed-004');
    await store.close();
    return js.map((j) => j.kind);
  };
  assert.deepEqual(await kinds(undefined), ['original', 'original', 'original', 'original'], 'one batch per event, and still nothing is late');
  assert.ok((await kinds(1)).includes('correction'), 'a window of one event imports in arrival order');
});
