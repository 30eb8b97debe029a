/** Whole commands timed as the peers' are: each run three times as a fresh process, its median time and its last output. */
import { spawnSync } from 'node:child_process';

export function timedCommand(cmd: string, args: string[]): { ms: number; out: string } {
  const ms: number[] = [];
  let out = '';
  for (let k = 0; k < 3; k++) {
    const t = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr.slice(0, 500)}`);
    ms.push(Number(process.hrtime.bigint() - t) / 1e6);
    out = r.stdout;
  }
  return { ms: ms.sort((a, b) => a - b)[1]!, out };
}
