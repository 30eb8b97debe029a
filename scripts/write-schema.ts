/**
 * Writes docs/events.schema.json from EVENT_SCHEMA, the single definition of the event format.
 * Run with `npm run schema` (node --import tsx scripts/write-schema.ts) after changing
 * src/domain/event-schema.ts; test/docs.test.ts fails while the two differ.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EVENT_SCHEMA } from '../src/domain/event-schema.js';

const target = fileURLToPath(new URL('../docs/events.schema.json', import.meta.url));
writeFileSync(target, JSON.stringify(EVENT_SCHEMA, null, 2) + '\n');
process.stdout.write(`wrote ${target}\n`);
