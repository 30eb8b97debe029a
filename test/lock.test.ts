import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Book } from '../src/book/book.js';
import { addDays, calendarDate } from '../src/domain/calendar-date.js';
import { company, post, buy, ship, failCode, assertTiesOut } from './helpers/company.js';
import { parseEvent } from '../src/domain/events.js';

function glText(book: Book): string {
  return JSON.stringify([...book.balances()].filter(([, v]) => v !== 0n).map(([k, v]) => [k, v.toString()]).sort());
}

test('the day after a lock date crosses months and leap days', () => {
  const dayAfter = (d: string): string => addDays(calendarDate(d), 1);
  assert.equal(dayAfter('2026-01-31'), '2026-02-01');
  assert.equal(dayAfter('2028-02-28'), '2028-02-29');
  assert.equal(dayAfter('2026-12-31'), '2027-01-01');
});

test('reject: an event dated in the locked period is refused; so is a void whose reversal would land there', () => {
  const open = new Book(company());
  const history = [buy('B1', '2026-01-10', 10, '10.00'), ship('S1', '2026-01-20', 5)];
  for (const e of history) post(open, e);
  // The lock is set later: the book is rebuilt from the accepted history, which replays freely.
  const book = new Book(company({ lockDate: '2026-01-31' }));
  for (const e of history) {
    const p = parseEvent(e, book.co);
    assert.ok(p.ok && book.apply(p.value, { replay: true }).ok);
  }
  const before = glText(book);
  assert.equal(failCode(book, buy('B0', '2026-01-31', 1, '1.00')), 'PERIOD_LOCKED');
  assert.equal(failCode(book, { id: 'V1', type: 'void', date: '2026-02-10', target: 'S1' }), 'PERIOD_LOCKED');
  assert.equal(failCode(book, ship('S0', '2026-01-25', 1)), 'PERIOD_LOCKED');
  assert.equal(glText(book), before);
  post(book, buy('B2', '2026-02-01', 1, '1.00'));
});

test('shift: journals that would fall in the locked period are dated at the first open date, and still tie out', () => {
  const book = new Book(company({ lockDate: '2026-02-03', lockMode: 'shift' }));
  const b = post(book, buy('B0', '2026-01-15', 10, '30.00'));
  assert.equal(b.journals[0]!.date, '2026-02-04');
  assert.equal(b.journals[0]!.shiftedFrom, '2026-01-15');
  post(book, ship('S1', '2026-02-10', 5));
  const late = post(book, buy('B1', '2026-01-10', 5, '5.00')); // re-costs S1 (open) and is itself shifted
  assert.deepEqual(late.journals.map((j) => [j.id, j.date, j.shiftedFrom]), [['B1', '2026-02-04', '2026-01-10'], ['S1/c1', '2026-02-10', undefined]]);
  assertTiesOut(book);
  for (const j of book.journals) assert.ok(j.date > '2026-02-03', `${j.id} is in the open period`);
});
