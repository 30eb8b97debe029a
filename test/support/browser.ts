/**
 * The Chromium the browser tests and the web benchmark drive, with the flags a closed network
 * needs: CHROMIUM_PATH if set, else Debian's /usr/bin/chromium, else the build the
 * @sparticuz/chromium npm package ships (a devDependency; unpacked to the temp directory on
 * first use), so a machine with nothing but Node runs the browser tests too (given the system's
 * libnss3, which that build does not carry outside AWS Lambda).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { Tool } from './tools.js';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

const DEBIAN_CHROMIUM = '/usr/bin/chromium';
/** A variable, so the type-check does not need the package: a machine may lack it (then the suite skips). */
const SPARTICUZ_PACKAGE: string = '@sparticuz/chromium';

let found: Promise<string | { missing: string }> | undefined;

/** The Chromium executable, or why there is none (resolved once per process). */
export function chromiumExecutable(): Promise<string | { missing: string }> {
  found ??= (async () => {
    const configured = process.env['CHROMIUM_PATH'];
    if (configured !== undefined) return existsSync(configured) ? configured : { missing: `CHROMIUM_PATH ${configured} does not exist` };
    if (existsSync(DEBIAN_CHROMIUM)) return DEBIAN_CHROMIUM;
    try {
      const sparticuz = ((await import(SPARTICUZ_PACKAGE)) as { default: { executablePath(): Promise<string> } }).default;
      const exe = await sparticuz.executablePath();
      // Outside AWS Lambda this build loads libnss3, libnspr4 and libexpat from the system.
      const unresolved = /^\s*(\S+) => not found/gm;
      const lacking = [...spawnSync('ldd', [exe], { encoding: 'utf8' }).stdout.matchAll(unresolved)].map((m) => m[1]);
      return lacking.length === 0 ? exe : { missing: `the @sparticuz/chromium build needs ${lacking.join(', ')} (apt-get install libnss3)` };
    } catch (e) {
      return { missing: `Chromium not found (no ${DEBIAN_CHROMIUM}; @sparticuz/chromium: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})` };
    }
  })();
  return found;
}

export const CHROMIUM: Tool = {
  name: 'Chromium',
  install: 'npm install (@sparticuz/chromium), or apt-get install chromium',
  missing: async () => {
    const exe = await chromiumExecutable();
    return typeof exe === 'string' ? undefined : exe.missing;
  },
};
