/**
 * The store workload the statement checks share (test/query-plans.test.ts, test/citus-rules.test.ts):
 * `seed` fills a big and a small company, `workload` calls every store method with every filter
 * shape, and `tracer` lists each distinct statement the store ran with its parameters; `fixed`
 * names the statements a dialect must have run.
 */
import { appendStatements } from '../../src/store/appends.js';
import { SQL } from '../../src/store/statements.js';
import { COSTING_SQL } from '../../src/store/costing.js';
import type { JournalFilter, LedgerStore, SyncAction, Trace } from '../../src/store/store.js';
import { entry, event, journal, line } from './fixtures.js';

const ACCOUNTS = ['1300', '2100', '4000', '5000', '1200'];

/**
 * Journals for `count` events of a company: two or three lines over the accounts, dates over
 * `days` days; an API key for every tenth event and a refusal noted for every tenth, so the big
 * company's keys and refusals outnumber the small one's as its journals do.
 */
export async function seed(store: LedgerStore, company: string, count: number, days: number, first = 0): Promise<void> {
  for (let start = first; start < first + count; start += 1000) {
    await store.write(company, async (tx) => {
      for (let i = start; i < Math.min(first + count, start + 1000); i++) {
        const date = new Date(Date.UTC(2026, 0, 1) + (i % days) * 86_400_000).toISOString().slice(0, 10);
        const id = `${company}-${i}`;
        const seq = await tx.appendEvent(event(id, date));
        const a = ACCOUNTS[i % 4]!;
        const b = ACCOUNTS[(i + 1) % 4]!;
        const js = i % 3 === 0
          ? [journal(id, id, date, [line(a, 300n), line(b, -100n), line(ACCOUNTS[(i + 2) % 4]!, -200n)])]
          : [entry(id, id, date, a, b, BigInt(i + 1))];
        if (i % 500 === 7) js.push(entry(`${id}/rare`, id, date, '1200', '2100', 5n, { kind: 'correction' }));
        await tx.appendJournals(seq, js);
        if (i % 10 === 0) await tx.appendSync([{ target: 'xero', record: id, version: 1, action: i % 20 === 0 ? 'posted' : 'claim', run: undefined, at: `${date}T00:00:00Z`, data: undefined }]);
        if (i % 10 === 3) await tx.appendRefusals([{ event: id, hash: `hash-${id}`, code: 'INSUFFICIENT_STOCK', at: `${date}T00:00:00Z` }]);
        if (i % 10 === 5) await store.addApiKey({ company, id: `key-${id}`, name: id, role: 'viewer', hash: `hash-${id}`, createdAt: `${date}T00:00:00Z` });
      }
    });
  }
}

/** Calls every store method, with every filter shape, against the small company (and pages of the big one). */
export async function workload(store: LedgerStore & { migrations(): Promise<unknown> }): Promise<void> {
  await store.getCompany('small');
  await store.configVersion('small');
  await store.listCompanies();
  await store.putCompany({ id: 'small', name: 'Small', config: { company: { id: 'small' } } });
  await store.findEvent('small', 'small-5');
  await store.countEvents('small');
  await store.eventsAfter('small', 10n);
  await store.eventsAfter('big', 10n, 100);
  await store.journalsOfEvent('small', 5n);
  await store.journalsOfEvent('big', 5n);
  await store.journalHeaders('big', { afterSeq: 10n, limit: 100 });
  await store.journalHeaders('big', { ids: ['big-7', 'big-9'] });
  await store.journalHeaders('big', { events: ['big-7', 'big-9'] });
  await store.journalCounts('small');
  await store.journalCounts('small', true);
  await store.trialBalance('small');
  await store.trialBalance('small', '2026-01-15');
  await store.monthlyMovements('small', ['1200', '4000'], '2025-12-31', '2026-02-28');
  await store.recountBalances('small');
  const keys = ['from', 'to', 'account', 'event', 'afterSeq', 'limit'] as const;
  const values: Required<JournalFilter> = { from: '2026-01-10', to: '2026-01-20', account: '1200', event: 'big-7', afterSeq: 3n, limit: 50 };
  for (let mask = 0; mask < 1 << keys.length; mask++) {
    const f: JournalFilter = {};
    keys.forEach((k, i) => mask & (1 << i) && Object.assign(f, { [k]: values[k] }));
    await store.journals('small', { ...f, event: f.event && 'small-7' });
    if (f.limit !== undefined || f.event !== undefined) await store.journals('big', f);
  }
  for (let mask = 0; mask < 8; mask++) {
    const after = mask & 4 ? { date: '2026-01-12', journalSeq: 40n, lineNo: 1 } : undefined;
    const q = { from: mask & 1 ? '2026-01-10' : undefined, to: mask & 2 ? '2026-02-20' : undefined, after, limit: 100 };
    await store.accountLines('big', '1300', q);
    await store.accountLines('small', '1300', { ...q, limit: 1000 });
    await store.datedEvents('big', mask & 4 ? 'shipment' : 'sale_invoice', { from: q.from, to: q.to, after: mask & 4 ? { date: '2026-01-12', seq: 40n } : undefined, limit: 100 });
  }
  await store.balanceThrough('big', '1300', { date: '2026-01-12', journalSeq: 40n, lineNo: 1 });
  const actions: SyncAction[][] = [[], ['posted', 'failed']];
  await store.write('small', (tx) => tx.appendSync([{ target: 'xero', record: 'r', version: 1, action: 'claim', run: 'x', at: '2026-01-01T00:00:00Z', data: undefined }]));
  for (let mask = 0; mask < 12; mask++) {
    await store.syncEntries('small', 'xero', { afterSeq: mask & 1 ? 1n : undefined, last: mask & 2 ? 10 : undefined, actions: mask & 4 ? actions[0] : mask & 8 ? actions[1] : undefined });
    await store.syncEntries('small', 'xero', { record: 'INV-1', afterSeq: mask & 1 ? 1n : undefined, last: mask & 2 ? 10 : undefined });
  }
  await store.write('small', (tx) => tx.eventsAfter(0n));
  await store.addApiKey({ company: 'small', id: 'key-new', name: 'new', role: 'poster', hash: 'hash-new', createdAt: '2026-02-01T00:00:00Z' });
  await store.apiKeys('small');
  await store.apiKeyByHash('big', 'hash-big-15');
  await store.markApiKeyUsed('small', 'key-new', '2026-02-02T00:00:00Z', '2026-02-01T12:00:00Z');
  await store.revokeApiKey('small', 'key-new', '2026-02-03T00:00:00Z');
  await store.write('small', (tx) => tx.appendRefusals([{ event: 'small-3', hash: 'hash-other', code: 'INSUFFICIENT_STOCK', at: '2026-02-01T00:00:00Z' }]));
  await store.refusalsOf('small', ['small-3', 'small-13', 'small-4']);
  await store.refusalsOf('big', ['big-13']);
  await seed(store, 'small', 1, 1, 300);
  await costing(store);
  await store.migrations();
}

/** A costing state for a company: `pools` pools of `per` entries each, a checkpoint every 100, an event row per entry (for plans worth checking). */
export async function seedCosting(store: LedgerStore, company: string, pools: number, per: number): Promise<void> {
  const key = (n: number): string => `2026-01-01T\u0000${company}-${String(n).padStart(6, '0')}`;
  await store.write(company, async (tx) => {
    for (let p = 0; p < pools; p++) {
      const pool = `P${p}\u0000W1`;
      const rows = Array.from({ length: per }, (_, i) => ({ idx: i, key: key(i), event: `${company}-${p}-${i}`, move: 0, qty: BigInt(i), value: BigInt(i) }));
      await tx.costing.write({
        events: rows.map((r, i) => ({ id: r.event, seq: BigInt(1 + ((p * per + i) % 1000)), state: '{}' })),
        pools: [{ pool, product: `P${p}`, warehouse: 'W1', entries: per, lastKey: key(per - 1), qty: 1n, value: 1n, state: '{}' }],
        entries: [{ pool, from: 0, truncate: false, rows }],
        checkpoints: [{ pool, rows: rows.filter((r) => r.idx % 2 === 0).slice(-32).map((r) => ({ idx: r.idx, state: '{}' })), drop: [] }],
        meta: { costing: '{}', through: 1n, span: { first: '2026-01-01', last: '2026-01-01' } },
      });
    }
  });
}

/** Every statement of the costing state (src/store/costing.ts): a write of each kind of row, then each read. */
async function costing(store: LedgerStore): Promise<void> {
  const pool = 'P1\u0000W1';
  const key = (n: number): string => `2026-01-${String(n).padStart(2, '0')}T\u0000small-${n}`;
  const entries = [1, 2, 3].map((n) => ({ idx: n - 1, key: key(n), event: `small-${n}`, move: 0, qty: BigInt(n), value: BigInt(10 * n) }));
  await store.write('small', async (tx) => {
    await tx.costing.write({
      events: [1, 2, 3].map((n) => ({ id: `small-${n}`, seq: BigInt(n), state: '{}' })),
      pools: [{ pool, product: 'P1', warehouse: 'W1', entries: 3, lastKey: key(3), qty: 3n, value: 30n, state: '{}' }],
      entries: [{ pool, from: 0, truncate: false, rows: entries }],
      checkpoints: [{ pool, rows: [{ idx: 2, state: '{}' }], drop: [1] }],
      meta: { costing: '{}', through: 3n, span: { first: '2026-01-01', last: '2026-01-20' } },
    });
    // A re-cost rewrites a pool's entries from the first that changed.
    await tx.costing.write({
      events: [],
      pools: [],
      entries: [{ pool, from: 2, truncate: true, rows: entries.slice(2) }],
      checkpoints: [],
      meta: { costing: '{}', through: 3n, span: { first: '2026-01-01', last: '2026-01-20' } },
    });
    await tx.costing.changedSince(1n);
  });
  // Late in the company's span: the balances less the days after the date.
  await store.trialBalance('small', '2026-01-18');
  // The reads on the company whose costing state has rows enough for the plans to mean something.
  const rows = store.costing('big');
  await rows.meta();
  await rows.events(['big-1-1', 'big-1-2']);
  await rows.eventsPage(0n, 100);
  await rows.pools([pool]);
  // Every pool of a company, and its accounts' totals: a small company among big ones is the case that matters.
  await store.costing('small').allPools();
  await rows.checkpoints(pool);
  await rows.entries(pool, 0, 3);
  await rows.entryAtKey(pool, '2026-01-01T\u0000big-000010');
  await store.costing('small').onHandAsOf('2026-01-02T\uffff');
  await rows.changedSince(0n);
  await rows.voids(0n);
  await store.costing('small').accountBalances(['1200', '1300']);
  await store.costing('small').accountDays(['1200', '1300'], '2026-01-10', '2026-02-10');
  await store.costing('small').changedSince(0n);
  await store.write('small', (tx) => tx.costing.clear());
}

export type Traced = Map<string, readonly unknown[]>;
export const tracer = (seen: Traced): Trace => (sql, params) => void (seen.has(sql) || seen.set(sql, params));

/** The fixed statements a dialect must have run (the dynamic ones come from the filter shapes): the shared ones and its form of the appends. */
export function fixed(dialect: 'sqlite' | 'postgres'): string[] {
  return [...Object.values(SQL), ...Object.values(COSTING_SQL).flat(), ...Object.values(appendStatements(dialect === 'sqlite' ? 'rows' : 'arrays'))];
}

