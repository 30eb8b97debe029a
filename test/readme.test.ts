/**
 * README.md works verbatim, in order, on a fresh copy of the repository: every ```sh block is
 * run against the built CLI (dist/) in a temporary directory holding the repository's files.
 * `npm start` starts the demo server in the background (on a free port: the blocks' 3000 is
 * rewritten to it); `npm install`, `npm test` and `npm run bench` are skipped with a note, as
 * is a step needing a tool this machine lacks (hledger, bean-check). Every other command must
 * exit 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnOut, type Out } from './helpers/cli.js';

const ROOT = resolve(import.meta.dirname, '..');
const README_PORT = '3000';

/** The ```sh blocks of a markdown text, each as its commands (continuation lines joined). */
export function shBlocks(markdown: string): string[][] {
  const blocks: string[][] = [];
  let cur: string[] | undefined;
  for (const line of markdown.split('\n')) {
    if (cur === undefined) {
      if (line.trim() === '```sh') cur = [];
      continue;
    }
    if (line.trim() === '```') {
      blocks.push(cur);
      cur = undefined;
      continue;
    }
    const prev = cur[cur.length - 1];
    if (prev !== undefined && prev.endsWith('\\')) cur[cur.length - 1] = `${prev.slice(0, -1)} ${line.trim()}`;
    else if (line.trim() !== '') cur.push(line.trim());
  }
  return blocks;
}

/** A command without its trailing `# comment` (one with no quotes in it). */
const withoutComment = (cmd: string): string => cmd.replace(/\s+#\s[^'"]*$/, '');

const hasTool = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** The parts of `a && b` this machine can run; a part naming a missing tool is dropped with a note. */
function runnable(cmd: string, note: (s: string) => void): string {
  return cmd
    .split(' && ')
    .filter((part) => {
      const tool = /^([A-Za-z][\w.-]*)\s/.exec(part.trim())?.[1];
      if (tool === undefined || ['npx', 'curl', 'node'].includes(tool) || hasTool(tool)) return true;
      note(`skipped "${part.trim()}": ${tool} is not installed here`);
      return false;
    })
    .join(' && ');
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => (typeof a === 'object' && a !== null ? res(a.port) : rej(new Error('no port'))));
    });
  });
}

/** A fresh copy of the repository's files (the build included), with the shared node_modules. */
function freshCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'stockbook-readme-'));
  for (const f of ['dist', 'examples', 'docs', 'vendor', 'package.json', 'README.md']) cpSync(join(ROOT, f), join(dir, f), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  return dir;
}

/** `npm start` in the background (its own process group); `listening` resolves once the server listens. */
function startServer(dir: string, port: number): { child: ChildProcess; listening: Promise<void> } {
  const child = spawn('npm', ['start', '--', '--port', String(port)], { cwd: dir, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  const listening = new Promise<void>((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error(`npm start did not listen within 90 s:\n${out}`)), 90_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (out.includes('stockbook API listening on')) {
        clearTimeout(timer);
        res();
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`npm start exited (${code}):\n${out}`));
    });
  });
  listening.catch(() => undefined); // awaited (and reported) by the first command that needs the demo
  return { child, listening };
}

/** One bash script for a run of ordinary commands: each must exit 0, and the first that fails says which. */
function script(commands: readonly string[], port: number): string {
  const check = (cmd: string): string => `${cmd} || { s=$?; printf 'README command failed with status %s: %s\\n' "$s" ${JSON.stringify(cmd).replace(/\$/g, '\\$')} >&2; exit "$s"; }`;
  return [
    'set -o pipefail',
    `npx() { if [ "$1" = stockbook ]; then shift; node "${'$'}PWD/dist/cli/main.js" "$@"; else echo "npx $1: not run by test/readme.test.ts" >&2; return 127; fi; }`,
    ...commands.map((c) => check(c.replaceAll(`127.0.0.1:${README_PORT}`, `127.0.0.1:${port}`))),
  ].join('\n');
}

function runScript(dir: string, body: string): Promise<Out> {
  return spawnOut('bash', ['-c', body], { cwd: dir, env: { ...process.env, DATABASE_URL: '' } });
}

test('every sh block of README.md runs, in order, against the built CLI on a fresh copy', { timeout: 240_000 }, async (t) => {
  assert.ok(existsSync(join(ROOT, 'dist/cli/main.js')), 'dist/ is built (npm run build)');
  const blocks = shBlocks(readFileSync(join(ROOT, 'README.md'), 'utf8'));
  assert.ok(blocks.length >= 8, `README has its command blocks (${blocks.length})`);
  const dir = freshCopy();
  const port = await freePort();
  const note = (s: string): void => t.diagnostic(s);
  let server: { child: ChildProcess; listening: Promise<void> } | undefined;
  let ran = 0;
  try {
    for (const block of blocks) {
      const pending: string[] = [];
      const flush = async (): Promise<void> => {
        if (pending.length === 0) return;
        // `npm start` keeps running while the reader goes on in a second terminal: only the
        // commands that use the demo wait for it to listen.
        if (pending.some((c) => /demo\.sqlite|127\.0\.0\.1:/.test(c))) {
          assert.ok(server !== undefined, `"${pending[0]}" needs the demo, but the README has not started it (npm start) yet`);
          await server.listening;
        }
        const started = Date.now();
        const r = await runScript(dir, script(pending, port));
        assert.equal(r.status, 0, `${r.stderr.slice(-2000)}\n(commands: ${pending.join(' ; ')})`);
        note(`${pending.length} command(s) in ${Date.now() - started} ms: ${pending[0]!.slice(0, 60)}…`);
        ran += pending.length;
        pending.length = 0;
      };
      for (const raw of block) {
        const cmd = withoutComment(raw);
        if (/^npm (install|ci|test|run bench)\b/.test(cmd)) {
          note(`skipped "${cmd}" (installs, or runs the test suite or the benchmarks)`);
          continue;
        }
        if (cmd === 'npm start') {
          await flush();
          const started = Date.now();
          server = startServer(dir, port);
          void server.listening.then(() => note(`npm start: the demo listens after ${Date.now() - started} ms`));
          continue;
        }
        const part = runnable(cmd, note);
        if (part !== '') pending.push(part);
      }
      await flush();
    }
  } finally {
    const pid = server?.child.pid;
    if (pid !== undefined) {
      try {
        process.kill(-pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    rmSync(dir, { recursive: true, force: true });
  }
  assert.ok(server !== undefined, 'the README starts the demo (npm start)');
  note(`${ran} README commands ran`);
  assert.ok(ran >= 20, `the README's commands ran (${ran})`);
});
