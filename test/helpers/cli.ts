/** Runs the real `stockbook` command (src/cli/main.ts under tsx) in a child process, without blocking the event loop. */
import { spawn } from 'node:child_process';

export interface Out { status: number | null; stdout: string; stderr: string }

export function stockbook(args: string[]): Promise<Out> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('utf8')));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}
