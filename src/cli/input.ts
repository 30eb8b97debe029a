/** Reading inputs for the CLI: JSON Lines from a file or stdin, and company files. */
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { loadConfig, type Company } from '../domain/config.js';
import { failure, type Failure } from '../domain/errors.js';
import { configFieldsFailure } from '../domain/config-fields.js';

export const EXIT = { ok: 0, eventsFailed: 1, badInput: 2 } as const;

export function readJson(path: string): unknown | Failure {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (x) {
    return failure('INVALID_CONFIG', `Cannot read configuration "${path}": ${(x as Error).message}.`, 'Give --config the path of a JSON company file (see docs/config.md).', { file: path });
  }
}

export function isFailure(x: unknown): x is Failure {
  return typeof x === 'object' && x !== null && 'code' in x && 'fix' in x;
}

/** A company file's JSON, refused (INVALID_CONFIG) when it cannot be read or carries unknown fields. */
export function readConfigFile(path: string): unknown | Failure {
  const raw = readJson(path);
  if (isFailure(raw)) return raw;
  return configFieldsFailure(raw, undefined, `The file is ${path}; API keys are not part of it: create them with stockbook api-key create.`) ?? raw;
}

export function readCompany(path: string): Company | Failure {
  const raw = readConfigFile(path);
  if (isFailure(raw)) return raw;
  const co = loadConfig(raw);
  return co.ok ? co.value : co.error;
}

export function sizeOf(path: string): number | undefined {
  try {
    return path === '-' ? undefined : statSync(path).size;
  } catch {
    return undefined;
  }
}

/** Non-blank lines with their 1-based line numbers and byte length (for progress). */
export async function* jsonLines(path: string): AsyncGenerator<{ n: number; text: string; bytes: number }> {
  const input = path === '-' ? process.stdin : createReadStream(path, 'utf8');
  const rl = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  for await (const text of rl) {
    n++;
    if (text.trim() !== '') yield { n, text, bytes: Buffer.byteLength(text) + 1 };
  }
}
