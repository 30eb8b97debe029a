#!/usr/bin/env node
/**
 * The stockbook command line. `post` is stateless: it reads a company configuration and a
 * JSON Lines file of events, and writes the journals they produce. Business failures are
 * reported per event on stderr (coded JSON) and make the exit status 1; unreadable input
 * (bad config, a line that is not JSON) is reported the same way.
 */
import { createReadStream, readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Command, Option } from 'commander';
import { loadConfig, type Company } from '../domain/config.js';
import { parseEvent } from '../domain/events.js';
import { failure, type Failure } from '../domain/errors.js';
import { Book } from '../book/book.js';
import type { Journal } from '../posting/journal.js';
import { journalJson, failureJson, journalsTable } from './format.js';

export const EXIT = { ok: 0, eventsFailed: 1, badInput: 2 } as const;

function readCompany(path: string): Company | Failure {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (x) {
    return failure('INVALID_CONFIG', `Cannot read configuration "${path}": ${(x as Error).message}.`, 'Give --config the path of a JSON company file (see docs/config.md).', { file: path });
  }
  const co = loadConfig(raw);
  return co.ok ? co.value : co.error;
}

async function* jsonLines(path: string): AsyncGenerator<{ n: number; text: string }> {
  const input = path === '-' ? process.stdin : createReadStream(path, 'utf8');
  const rl = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  for await (const text of rl) {
    n++;
    if (text.trim() !== '') yield { n, text };
  }
}

interface PostOptions { config: string; format: 'json' | 'table' }

export async function post(eventsPath: string, opts: PostOptions, out: (s: string) => void, errOut: (s: string) => void): Promise<number> {
  const co = readCompany(opts.config);
  if ('code' in co) {
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

export function program(): Command {
  const cmd = new Command('stockbook').description('Inventory sub-ledger: costs stock movements and derives balanced journals.').version('0.1.0');
  cmd
    .command('post')
    .description('Post a JSON Lines file of events (or - for stdin) and write the journals they produce.')
    .argument('<events>', 'events file (.jsonl), or - for standard input')
    .requiredOption('-c, --config <file>', 'company configuration (JSON, see docs/config.md)')
    .addOption(new Option('-f, --format <format>', 'output format').choices(['json', 'table']).default('json'))
    .action(async (events: string, opts: PostOptions) => {
      process.exitCode = await post(events, opts, (s) => process.stdout.write(s + '\n'), (s) => process.stderr.write(s + '\n'));
    });
  return cmd;
}

const invokedDirectly = process.argv[1] !== undefined && /(?:main\.[jt]s|stockbook)$/.test(process.argv[1]);
if (invokedDirectly) await program().parseAsync(process.argv);
