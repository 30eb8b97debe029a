/** Runs the real `stockbook` command (src/cli/main.ts under tsx) in a child process, without blocking the event loop. */
import { spawn, type SpawnOptions } from 'node:child_process';
import { Command, CommanderError } from 'commander';
import { runCli } from '../../src/cli/dates.js';

export interface Out { status: number | null; stdout: string; stderr: string }

export function stockbook(args: string[]): Promise<Out> {
  return spawnOut(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args]);
}

/** Runs a command in a child process and collects its exit status and output. */
export function spawnOut(command: string, args: string[], options: SpawnOptions = {}): Promise<Out> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

export interface Io { write: (s: string) => void; writeErr: (s: string) => void }

/** A command module run in this process (faster than a child): output captured, exit code taken back. */
export async function inProcess(register: (cmd: Command, io: Io) => void, args: string[]): Promise<Out> {
  const out: Out = { status: 0, stdout: '', stderr: '' };
  const cmd = new Command('stockbook').exitOverride().configureOutput({ writeErr: (s) => void (out.stderr += s) });
  const io = { write: (s: string): void => void (out.stdout += s + '\n'), writeErr: (s: string): void => void (out.stderr += s + '\n') };
  register(cmd, io);
  try {
    await runCli(cmd, args, io, 'user');
    out.status = Number(process.exitCode ?? 0);
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    out.status = e.exitCode;
  } finally {
    process.exitCode = undefined;
  }
  return out;
}
