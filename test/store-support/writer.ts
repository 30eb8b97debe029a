/**
 * A separate process appending to a store: `writer.ts <dialect> <target> <schema> <company> <count> <tag>`.
 * Each write checks, under the lock, that the seq it gets follows every event it can see, and
 * yields to the event loop mid-transaction so other writers get every chance to interleave.
 */
import { setImmediate as tick } from 'node:timers/promises';
import { SqliteStore } from '../../src/store/sqlite.js';
import { PostgresStore } from '../../src/store/postgres.js';
import { entry, event } from './fixtures.js';

const [dialect, target, schema, company, count, tag] = process.argv.slice(2) as [string, string, string, string, string, string];
const store = dialect === 'sqlite' ? new SqliteStore(target) : new PostgresStore(target, { schema });
try {
  for (let i = 0; i < Number(count); i++) {
    await store.write(company, async (tx) => {
      const seen = await tx.eventsAfter(0n);
      await tick();
      const id = `${tag}-${i}`;
      const seq = await tx.appendEvent(event(id));
      if (seq !== BigInt(seen.length) + 1n) throw new Error(`${id}: seq ${seq} after ${seen.length} events`);
      await tick();
      await tx.appendJournals(seq, [entry(`J-${id}`, id, '2026-01-01', '1300', '5100', 1n)]);
    });
  }
} finally {
  await store.close();
}
