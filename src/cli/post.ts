/**
 * `stockbook post`: stateless. Reads a company configuration and a JSON Lines file of events
 * and writes the journals they produce. Business failures are reported per event on stderr
 * (coded JSON) and make the exit status 1; unreadable input (bad config, a line that is not
 * JSON) is reported the same way.
 */
import { parseEvent } from '../domain/events.js';
import { failure } from '../domain/errors.js';
import { Book } from '../book/book.js';
import type { Journal } from '../posting/journal.js';
import { journalJson, failureJson, journalsTable } from './format.js';
import { EXIT, readCompany, jsonLines, isFailure } from './input.js';

export interface PostOptions { config: string; format: 'json' | 'table' }

export async function post(eventsPath: string, opts: PostOptions, out: (s: string) => void, errOut: (s: string) => void): Promise<number> {
  const co = readCompany(opts.config);
  if (isFailure(co)) {
    errOut(JSON.stringify(failureJson(co)));
    return EXIT.badInput;
  }
  const book = new Book(co, { keepJournals: false });
  const collected: Journal[] = [];
  let failed = 0;
  try {
    for await (const { n, text } of jsonLines(eventsPath)) {
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch (x) {
        errOut(JSON.stringify(failureJson(failure('INVALID_EVENT', `Line ${n} is not valid JSON: ${(x as Error).message}.`, 'Write one JSON object per line (JSON Lines).', { line: n }), n)));
        failed++;
        continue;
      }
      const parsed = parseEvent(raw, co);
      const applied = parsed.ok ? book.apply(parsed.value) : parsed;
      if (!applied.ok) {
        errOut(JSON.stringify(failureJson(applied.error, n)));
        failed++;
        continue;
      }
      if (applied.value.status === 'exists') continue; // a resubmission: its journals were written already
      for (const j of applied.value.journals) {
        if (opts.format === 'json') out(JSON.stringify(journalJson(j, co)));
        else collected.push(j);
      }
    }
  } catch (x) {
    errOut(JSON.stringify(failureJson(failure('INVALID_EVENT', `Cannot read events "${eventsPath}": ${(x as Error).message}.`, 'Give the path of a JSON Lines events file, or - for standard input.', { file: eventsPath }))));
    return EXIT.badInput;
  }
  if (opts.format === 'table') out(journalsTable(collected, co));
  return failed > 0 ? EXIT.eventsFailed : EXIT.ok;
}

