/**
 * Golden CLI tests, hledger style: every examples/<dir>/<name>.jsonl is posted with the
 * stockbook command against examples/<dir>/company.json, and its standard output must equal
 * the checked-in examples/<dir>/<name>.expected.jsonl byte for byte. The command must exit 0
 * and write nothing to standard error: every example is meant to post cleanly.
 *
 * After an intended change of output, regenerate the expected files and review the diff:
 *
 *   UPDATE_GOLDEN=1 node --import tsx --test test/golden-cli.test.ts
 *   git diff examples/
 *
 * A new example needs its expected file the same way; a missing one fails the test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';
const EXPECTED = '.expected.jsonl';

/** examples/**\/*.jsonl (repository-relative, '/'-separated, sorted), without the expected files. */
function eventFiles(dir = 'examples'): string[] {
  const out: string[] = [];
  for (const d of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const rel = posix.join(dir, d.name);
    if (d.isDirectory()) out.push(...eventFiles(rel));
    else if (d.isFile() && d.name.endsWith('.jsonl') && !d.name.endsWith(EXPECTED)) out.push(rel);
  }
  return out.sort();
}

const files = eventFiles();

test('examples exist', () => {
  assert.ok(files.length > 0, 'examples/**/*.jsonl');
});

for (const events of files) {
  test(`stockbook post ${events}`, () => {
    const config = posix.join(posix.dirname(events), 'company.json');
    assert.ok(existsSync(join(ROOT, config)), `${events} needs ${config} next to it`);
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'post', '--config', config, events], { cwd: ROOT, encoding: 'utf8' });
    assert.equal(run.error, undefined);
    assert.equal(run.stderr, '', `${events} posts without errors`);
    assert.equal(run.status, 0, `${events} exits 0`);

    const expectedPath = join(ROOT, events.slice(0, -'.jsonl'.length) + EXPECTED);
    if (UPDATE) {
      writeFileSync(expectedPath, run.stdout);
      return;
    }
    assert.ok(existsSync(expectedPath), `${events} has no golden output; create it with UPDATE_GOLDEN=1 node --import tsx --test test/golden-cli.test.ts`);
    assert.equal(run.stdout, readFileSync(expectedPath, 'utf8'), `output of ${events} differs from its golden file (UPDATE_GOLDEN=1 regenerates it)`);
  });
}
