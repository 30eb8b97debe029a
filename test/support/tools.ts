/**
 * The external tools some suites need (PostgreSQL, hledger, bean-check, Chromium), and the one
 * place that decides what happens when one is missing: the suite is skipped with ONE loud line
 * on standard error naming the tool and the command that installs it, except under CI
 * (CI=true, as .ci/run sets), where a missing tool is a failing test.
 *
 *   const skip = await needTool(HLEDGER);
 *   test('…', { skip }, () => …);
 */
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import assert from 'node:assert/strict';

export interface Tool {
  /** What the skip line calls it. */
  name: string;
  /** The command that installs it on Debian (or how else to get it). */
  install: string;
  /** Why it cannot be used here, or undefined when it works. */
  missing(): Promise<string | undefined> | string | undefined;
}

/** Whether this run is CI, where every suite must run: CI=true (or CI=1). */
export const IN_CI = process.env['CI'] === 'true' || process.env['CI'] === '1';

/** A command-line tool, found when `<command> --version` exits 0. */
export function commandTool(name: string, command: string, install: string): Tool {
  return {
    name,
    install,
    missing: () => (spawnSync(command, ['--version'], { encoding: 'utf8' }).status === 0 ? undefined : `${command} not found`),
  };
}

export const HLEDGER = commandTool('hledger', 'hledger', 'apt-get install hledger');
export const BEAN_CHECK = commandTool('beancount (bean-check)', 'bean-check', 'apt-get install beancount');

/** The skip line of a missing tool. */
export const skipLine = (tool: Tool, why: string): string => `SKIPPED: ${why} — install with: ${tool.install}`;

/**
 * Undefined when the tool works (run the suite), else the skip reason. Outside CI it prints the
 * one loud line; under CI it also registers a failing test with that line, so the run fails
 * instead of passing without the suite.
 */
export async function needTool(tool: Tool): Promise<string | undefined> {
  const why = await tool.missing();
  if (why === undefined) return undefined;
  const line = skipLine(tool, why);
  if (IN_CI) {
    test(`${tool.name} is available (CI runs every suite)`, () => assert.fail(line));
    return line;
  }
  process.stderr.write(`\n${line}\n\n`);
  return line;
}
