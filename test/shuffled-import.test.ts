/**
 * Corrections stay in proportion (issue 11 §3), not timed (the figures are in
 * bench/shuffled-import.ts): a shuffled file imports the journals of its sorted stream, and a
 * shuffled import cut into small sort windows books at most one correction journal per
 * (date, account set) for each late event, with the in-order trial balance.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open.js';
import type { StoredJournal } from '../src/store/store.js';
import { importEvents } from '../src/cli/import.js';
import { inOrderEvents, shuffled, shuffledCompany } from '../bench/shuffled-stream.js';

const EVENTS = inOrderEvents(600, 4, 20);

async function imported(events: readonly Record<string, unknown>[], sortWindow?: number): Promise<{ journals: StoredJournal[]; tb: Record<string, string> }> {
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-shuffled-'));
  const file = join(dir, 'events.jsonl');
  writeFileSync(file, events.map((e) => JSON.stringify(e)).join('\n') + '\n');
  const config = join(dir, 'company.json');
  writeFileSync(config, JSON.stringify(shuffledCompany('shuffled')));
  const store = await openStore({ sqlitePath: join(dir, 'ledger.sqlite') });
  const r = await importEvents(store, file, { config, batch: 25, progress: false, sortWindow }, () => undefined);
  assert.equal(r.summary.new, events.length);
  const journals = await store.journals('shuffled');
  const tb = Object.fromEntries((await store.trialBalance('shuffled')).filter((b) => b.balance !== 0n).map((b) => [b.account, b.balance.toString()]));
  await store.close();
  return { journals, tb };
}

const shape = (j: StoredJournal): string => `${j.id} ${j.kind} ${j.date} ${j.lines.map((l) => `${l.account}:${l.product ?? ''}:${l.amount}`).join(',')}`;

test('a shuffled file posts exactly the journals of the sorted stream', async () => {
  const inOrder = await imported(EVENTS);
  const mixed = await imported(shuffled(EVENTS, 11));
  assert.deepEqual(mixed.tb, inOrder.tb);
  assert.equal(mixed.journals.filter((j) => j.kind !== 'original').length, 0);
  assert.deepEqual(mixed.journals.map(shape).sort(), inOrder.journals.map(shape).sort());
});

test('a shuffled multi-batch import books at most one correction journal per (date, account set) for each late event', async () => {
  const inOrder = await imported(EVENTS);
  const mixed = await imported(shuffled(EVENTS, 11), 50);
  assert.deepEqual(mixed.tb, inOrder.tb, 'the in-order trial balance');
  const corrections = mixed.journals.filter((j) => j.kind === 'correction');
  assert.ok(corrections.some((j) => j.id.includes('/g')), 'some corrections are grouped');
  const keyOf = (j: StoredJournal): string => `${j.date}|${[...new Set(j.lines.map((l) => l.account))].sort().join(',')}`;
  const byCause = new Map<string, Set<string>>();
  for (const j of corrections) {
    const keys = byCause.get(j.cause!) ?? new Set<string>();
    assert.ok(!keys.has(keyOf(j)), `${j.cause} books one correction for ${keyOf(j)}`);
    byCause.set(j.cause!, keys.add(keyOf(j)));
  }
  const dates = new Set(EVENTS.map((e) => e['date'])).size;
  const accountSets = new Set(corrections.map((j) => keyOf(j).split('|')[1])).size;
  assert.ok(corrections.length <= byCause.size * dates * accountSets, `${corrections.length} corrections for ${byCause.size} late events`);
  for (const j of corrections) assert.equal(j.lines.reduce((a, l) => a + l.amount, 0n), 0n, `${j.id} balances`);
});
