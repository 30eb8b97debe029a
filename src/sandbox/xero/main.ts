/**
 * Runs the Xero sandbox on its own, for the demo or manual poking:
 *
 *   node --import tsx src/sandbox/xero/main.ts --port 4010 --time-scale 60
 *
 * Prints the URLs, the tenant id and a fresh token set as one JSON object, then serves until
 * SIGINT/SIGTERM.
 */
import { startXeroSandbox } from './index.js';

function option(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  const inline = args.find((a) => a.startsWith(`${name}=`));
  return inline !== undefined ? inline.slice(name.length + 1) : i >= 0 ? args[i + 1] : undefined;
}

function numberOption(args: readonly string[], name: string): number | undefined {
  const text = option(args, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number, not "${text}"`);
  return n;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const sb = await startXeroSandbox({ port: numberOption(args, '--port'), timeScale: numberOption(args, '--time-scale') });
  const info = { url: sb.url, apiBase: sb.apiBase, tokenUrl: sb.tokenUrl, connectionsUrl: sb.connectionsUrl, tenantId: sb.tenantId, tokenSet: sb.issueTokenSet() };
  process.stdout.write(JSON.stringify(info, null, 2) + '\n');
  const stop = (): void => {
    void sb.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
