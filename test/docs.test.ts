/**
 * Keeps the documentation honest: docs/errors.md lists exactly the error codes, the published
 * JSON Schema is EVENT_SCHEMA, every event type and role is documented, and every example
 * event in docs/events.md is accepted by the parser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ERROR_CODES } from '../src/domain/errors.js';
import { EVENT_SCHEMA, EVENT_TYPES } from '../src/domain/event-schema.js';
import { ROLES, COSTING_METHODS, loadConfig, type Company } from '../src/domain/config.js';
import { ROUNDING_MODES } from '../src/domain/rounding.js';
import { parseEvent } from '../src/domain/events.js';

const root = new URL('../', import.meta.url);
const read = (path: string): string => readFileSync(fileURLToPath(new URL(path, root)), 'utf8');

const DEFAULT_EXAMPLE_CONFIG = 'examples/seed-004/company.json';

function company(path: string): Company {
  const loaded = loadConfig(JSON.parse(read(path)));
  assert.ok(loaded.ok, `${path} loads: ${loaded.ok ? '' : loaded.error.message}`);
  return loaded.value;
}

interface Example { line: number; text: string; config: string }

/**
 * Event lines (JSON objects with a "type") inside ```json blocks. A block is checked against
 * the seed-004 company unless the line before its fence is `<!-- config: path -->`.
 */
function exampleEvents(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const out: Example[] = [];
  let inJson = false;
  let inOther = false;
  let config = DEFAULT_EXAMPLE_CONFIG;
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!inJson && !inOther && line.startsWith('```')) {
      inJson = line === '```json';
      inOther = !inJson;
      const marker = /^<!--\s*config:\s*(\S+)\s*-->$/.exec(lines[i - 1]?.trim() ?? '');
      config = marker?.[1] ?? DEFAULT_EXAMPLE_CONFIG;
      return;
    }
    if (line === '```') {
      inJson = false;
      inOther = false;
      return;
    }
    if (inJson && line.startsWith('{') && line.includes('"type"')) out.push({ line: i + 1, text: line, config });
  });
  return out;
}

test('docs/errors.md has a "## CODE" section for exactly the codes in ERROR_CODES', () => {
  const headings = read('docs/errors.md')
    .split('\n')
    .filter((l) => l.startsWith('## '))
    .map((l) => l.slice(3).trim());
  assert.equal(new Set(headings).size, headings.length, 'no code is documented twice');
  assert.deepEqual([...headings].sort(), Object.keys(ERROR_CODES).sort());
});

test('docs/events.schema.json is EVENT_SCHEMA (regenerate with npm run schema)', () => {
  const text = read('docs/events.schema.json');
  assert.deepEqual(JSON.parse(text), EVENT_SCHEMA);
  assert.equal(text, JSON.stringify(EVENT_SCHEMA, null, 2) + '\n');
});

test('docs/events.md has a section for every event type', () => {
  const md = read('docs/events.md');
  for (const type of EVENT_TYPES) {
    assert.match(md, new RegExp(`^#{2,4} \`${type}\``, 'm'), `a "### \`${type}\`" heading`);
  }
});

test('docs/config.md documents every role, costing method and rounding mode', () => {
  const md = read('docs/config.md');
  for (const role of ROLES) assert.ok(md.includes(`| \`${role}\` |`), `role ${role} has a row in the roles table`);
  for (const m of COSTING_METHODS) assert.ok(md.includes(`\`${m}\``), `costing method ${m}`);
  for (const m of ROUNDING_MODES) assert.ok(md.includes(`| \`${m}\``), `rounding mode ${m}`);
});

test('every example event in docs/events.md parses', () => {
  const examples = exampleEvents(read('docs/events.md'));
  assert.ok(examples.length > 0, 'docs/events.md has examples');
  const companies = new Map<string, Company>();
  for (const ex of examples) {
    let co = companies.get(ex.config);
    if (!co) {
      co = company(ex.config);
      companies.set(ex.config, co);
    }
    let raw: unknown;
    assert.doesNotThrow(() => {
      raw = JSON.parse(ex.text);
    }, `docs/events.md:${ex.line} is JSON`);
    const parsed = parseEvent(raw, co);
    assert.ok(parsed.ok, `docs/events.md:${ex.line} parses against ${ex.config}: ${parsed.ok ? '' : `${parsed.error.code} ${parsed.error.message}`}`);
  }
});

test('docs/events.md has an example of every event type', () => {
  const types = new Set(exampleEvents(read('docs/events.md')).map((ex) => (JSON.parse(ex.text) as { type: string }).type));
  for (const type of EVENT_TYPES) assert.ok(types.has(type), `an example ${type} event`);
});
