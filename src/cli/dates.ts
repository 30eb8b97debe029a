/**
 * Date flags of the CLI (`--as-of`, `--from`, `--to`, `--count`): each value goes through the
 * calendar-date parser as the arguments are read, and a range whose `--from` comes after its
 * `--to` is refused before the command runs. Either failure is thrown as a FailureError and
 * printed by `runCli` as one line of failure JSON on stderr (INVALID_DATE or INVALID_RANGE),
 * exit status 2; nothing is opened or changed.
 */
import { Option, type Command } from 'commander';
import { dateField, rangeFailure, type CalendarDate } from '../domain/calendar-date.js';
import { FailureError } from '../domain/errors.js';
import { failureJson, type Io } from './format.js';
import { EXIT } from './input.js';

/** The flag's value as a CalendarDate, or INVALID_DATE naming the flag (`--as-of "5/3/2026" …`). */
export function dateArg(flag: string): (value: string) => CalendarDate {
  return (value) => {
    const r = dateField(flag, value);
    if (!r.ok) throw new FailureError(r.error);
    return r.value;
  };
}

/** An option taking a date: `dateOption('--as-of <date>', '…')`. */
export function dateOption(flags: string, description: string): Option {
  const option = new Option(flags, description);
  return option.argParser(dateArg(option.long ?? flags));
}

/** A preAction hook: a command given both `--from` and `--to` must have from on or before to. */
export function checkRange(_program: Command, action: Command): void {
  const o = action.opts<{ from?: CalendarDate; to?: CalendarDate }>();
  const f = rangeFailure({ field: '--from', value: o.from }, { field: '--to', value: o.to });
  if (f !== undefined) throw new FailureError(f);
}

/**
 * Parses the arguments and runs the command; a coded failure raised while reading the
 * arguments (a bad date, an empty range) is one line of failure JSON on stderr, exit status 2.
 */
export async function runCli(program: Command, argv: readonly string[], io: Pick<Io, 'writeErr'>, from?: 'user'): Promise<void> {
  try {
    await program.parseAsync(argv, from === undefined ? undefined : { from });
  } catch (x) {
    if (!(x instanceof FailureError)) throw x;
    io.writeErr(JSON.stringify(failureJson(x.failure)));
    process.exitCode = EXIT.badInput;
  }
}
