/**
 * `stockbook post`: stateless. Reads a company configuration and a JSON Lines file of events
 * and writes the journals they produce. The events are costed in their sorted order (date,
 * time, id: src/book/batch-order.ts), up to `--sort-window` events at a time, and each event's
 * journals are written at its line's place. Business failures are reported per event on stderr
 * (coded JSON) and make the exit status 1; unreadable input (bad config, a line that is not
 * JSON) is reported the same way.
 */
import { parseEvent, type BookEvent } from '../domain/events.js';
import { failure, type Failure, type Result } from '../domain/errors.js';
import type { Company } from '../domain/config.js';
import { Book } from '../book/book.js';
import { costingOrder, DEFAULT_SORT_WINDOW, orderable } from '../book/batch-order.js';
import type { Journal } from '../posting/journal.js';
import { journalJson, failureJson, journalsTable } from './format.js';
import { EXIT, readCompany, jsonLines, isFailure } from './input.js';

export interface PostOptions { config: string; format: 'json' | 'table'; sortWindow?: number | undefined }

/** One line of the window: its event (parsed or refused), then what applying it gave. */
interface Line { n: number; parsed: Result<BookEvent>; journals: readonly Journal[] | undefined; error: Failure | undefined }

export async function post(eventsPath: string, opts: PostOptions, out: (s: string) => void, errOut: (s: string) => void): Promise<number> {
  const co = readCompany(opts.config);
  if (isFailure(co)) {
    errOut(JSON.stringify(failureJson(co)));
    return EXIT.badInput;
  }
  const book = new Book(co, { keepJournals: false });
  const collected: Journal[] = [];
  const windowSize = Math.max(1, opts.sortWindow ?? DEFAULT_SORT_WINDOW);
  let failed = 0;
  let window: Line[] = [];
  const flush = (): void => {
    applyInOrder(book, window);
    for (const l of window) {
      if (l.error) {
        errOut(JSON.stringify(failureJson(l.error, l.n)));
        failed++;
      }
      for (const j of l.journals ?? []) {
        if (opts.format === 'json') out(JSON.stringify(journalJson(j, co)));
        else collected.push(j);
      }
    }
    window = [];
  };
  try {
    for await (const { n, text } of jsonLines(eventsPath)) {
      window.push({ n, parsed: parseLine(n, text, co), journals: undefined, error: undefined });
      if (window.length >= windowSize) flush();
    }
    flush();
  } catch (x) {
    errOut(JSON.stringify(failureJson(failure('INVALID_EVENT', `Cannot read events "${eventsPath}": ${(x as Error).message}.`, 'Give the path of a JSON Lines events file, or - for standard input.', { file: eventsPath }))));
    return EXIT.badInput;
  }
  if (opts.format === 'table') out(journalsTable(collected, co));
  return failed > 0 ? EXIT.eventsFailed : EXIT.ok;
}

function parseLine(n: number, text: string, co: Company): Result<BookEvent> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (x) {
    return { ok: false, error: failure('INVALID_EVENT', `Line ${n} is not valid JSON: ${(x as Error).message}.`, 'Write one JSON object per line (JSON Lines).', { line: n }) };
  }
  return parseEvent(raw, co);
}

/** Applies the window's events in costing order; a resubmission (exists) writes nothing: its journals were written already. */
function applyInOrder(book: Book, window: Line[]): void {
  for (const l of window) if (!l.parsed.ok) l.error = l.parsed.error;
  for (const i of costingOrder(window.map((l) => (l.parsed.ok ? orderable(l.parsed.value) : undefined)))) {
    const l = window[i]!;
    const applied = book.apply((l.parsed as { value: BookEvent }).value);
    if (!applied.ok) l.error = applied.error;
    else if (applied.value.status === 'ok') l.journals = applied.value.journals;
  }
}
