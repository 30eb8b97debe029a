/**
 * Replaying stored events (issue 11): a stored event is not checked against the event schema
 * again, only for the shape the converter reads, and a stored stream replays to the same book.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/domain/config.js';
import { parseEvent } from '../src/domain/events.js';
import { demoCompanyConfig, DEMO_COMPANY_ID } from '../src/demo/generator.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import { openStore } from '../src/store/open.js';
import { replayInMemory, verifyCosting } from '../src/ledger/verify.js';
import { MemoryReader, type BookReader } from '../src/ledger/costing-reader.js';
import { demoEvents } from '../bench/demo-company.js';

const co = loadConfig(demoCompanyConfig(), 'store');
assert.ok(co.ok);
/** Deep text of book state, order of fields included (bigints marked). */
const text = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v instanceof Map ? [...v] : v));
const buy = { id: 'PI-1', type: 'purchase_invoice', date: '2026-01-05', supplier: 'BEANCO', lines: [{ product: 'COFFEE-1KG', warehouse: 'CENTRAL', qty: 10, amount: '100.00' }] };

test('a stored event parses as it did when accepted: every event of the demo mix over two years', () => {
  for (const raw of demoEvents(7000)) {
    const input = parseEvent(raw, co.value, 'input');
    assert.ok(input.ok, raw.id);
    assert.deepEqual(parseEvent(JSON.parse(JSON.stringify(raw)), co.value, 'store'), input, raw.id);
  }
});

test('a stored event is not checked against the schema again, only for its shape', () => {
  const extra = { ...buy, note: 'a field the schema refuses' };
  const refused = parseEvent(extra, co.value, 'input');
  assert.ok(!refused.ok && refused.error.code === 'INVALID_EVENT');
  assert.ok(parseEvent(extra, co.value, 'store').ok, 'not validated again');
  for (const bad of [null, [], 'x', { ...buy, id: 7 }, { ...buy, type: 1 }, { ...buy, date: undefined }, { ...buy, lines: {} }, { id: 'A1', type: 'assembly', date: '2026-01-05', product: 'GIFTBOX', warehouse: 'CENTRAL', qty: 1 }]) {
    const r = parseEvent(bad, co.value, 'store');
    assert.ok(!r.ok && r.error.code === 'INVALID_EVENT', JSON.stringify(bad));
  }
  const unknown = parseEvent({ ...buy, type: 'gift' }, co.value, 'store');
  assert.ok(!unknown.ok && unknown.error.code === 'UNKNOWN_EVENT_TYPE');
});

test('the costing state a ledger writes equals a rebuild from its events: every event, pool, entry and balance', async () => {
  const store = await openStore({ sqlitePath: join(mkdtempSync(join(tmpdir(), 'stockbook-replay-')), 'replay.sqlite') });
  try {
    assert.ok(!('code' in (await putCompany(store, demoCompanyConfig()))));
    const writer = await CompanyLedger.open(store, DEMO_COMPANY_ID);
    assert.ok(writer instanceof CompanyLedger);
    const events = [...demoEvents(4000)];
    for (let i = 0; i < events.length; i += 1000) for (const o of await writer.postBatch(events.slice(i, i + 1000))) assert.equal(o.status, 'ok', o.event);
    const v = await verifyCosting(store, DEMO_COMPANY_ID);
    assert.ok(!('code' in v));
    assert.deepEqual(v.differences, []);
    assert.equal(v.events, 4000);
    assert.ok(v.pools > 0 && v.entries > 0 && v.accounts > 0);
    // What the store answers is what the in-memory book answers.
    const mem = new MemoryReader(await replayInMemory(store, writer.co));
    const viewsOf = async (r: BookReader): Promise<string> => {
      const out: unknown[] = [];
      for await (const x of r.views()) out.push({ id: x.event.id, voidedBy: x.voidedBy, results: x.results, moves: x.moves.length });
      return text(out);
    };
    assert.equal(await viewsOf(writer.current), await viewsOf(mem));
    for (const asOf of ['2026-03-31', '2026-12-31', '2027-02-28', '9999-12-31']) {
      const sorted = async (r: BookReader): Promise<string> => text((await r.onHandAsOf(asOf)).sort((a, b) => (a.product + a.warehouse < b.product + b.warehouse ? -1 : 1)));
      assert.equal(await sorted(writer.current), await sorted(mem), asOf);
    }
    assert.deepEqual(await writer.current.inventoryValueByAccount(), await mem.inventoryValueByAccount());
  } finally {
    await store.close();
  }
});
