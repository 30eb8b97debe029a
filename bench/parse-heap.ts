/**
 * Heap per parsed event: N events (default 100,000) of the demo's mix (the demo year's events,
 * cycled) parsed as a replay parses them (`parseEvent(JSON.parse(body), co, 'store')`) and kept,
 * then the heap grown over them after a full GC, per event; also the parse rate. Run with
 * --expose-gc. bench/parse-heap.ts [EVENTS]
 */
import { getHeapStatistics } from 'node:v8';
import { loadConfig } from '../src/domain/config.js';
import { parseEvent, type BookEvent } from '../src/domain/events.js';
import { demoCompanyConfig, demoYear } from '../src/demo/generator.js';

const N = Number(process.argv[2] ?? 100_000);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('run with node --expose-gc');

const co = loadConfig(demoCompanyConfig(), 'store');
if (!co.ok) throw new Error(co.error.message);
const bodies = demoYear().map((e) => JSON.stringify(e));
const used = (): number => {
  gc();
  gc();
  return getHeapStatistics().used_heap_size;
};

// Warm up: compile the validator and let the parser's code settle before measuring.
for (let i = 0; i < 20_000; i++) parseEvent(JSON.parse(bodies[i % bodies.length]!), co.value, 'store');
const kept: BookEvent[] = new Array<BookEvent>(N);
const before = used();
const t = process.hrtime.bigint();
for (let i = 0; i < N; i++) {
  const r = parseEvent(JSON.parse(bodies[i % bodies.length]!), co.value, 'store');
  if (!r.ok) throw new Error(r.error.message);
  kept[i] = r.value;
}
const ms = Number(process.hrtime.bigint() - t) / 1e6;
const after = used();
const types = new Set(kept.map((e) => e.type)).size;
const out = { bench: 'parse-heap', events: N, eventTypes: types, heapBytesPerEvent: Math.round((after - before) / N), parseEventsPerSecond: Math.round(N / (ms / 1000)) };
console.log(`parse: ${N.toLocaleString('en')} stored events of the demo's mix (${types} types) hold ${out.heapBytesPerEvent} heap bytes each once parsed; ${out.parseEventsPerSecond.toLocaleString('en')} events/s`);
console.log(JSON.stringify(out));
