/** Re-costing from (thinned) checkpoints gives exactly what re-costing from the start gives. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Book } from '../src/book/book.js';
import { parseEvent } from '../src/domain/events.js';
import { company, buy, ship } from './helpers/company.js';

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
