/**
 * Sound text: what stockbook accepts in any string it is sent (ids, memos, references, SKUs,
 * configuration names, query and path parameters). A NUL (U+0000) cannot be stored by
 * PostgreSQL and separates the parts of internal keys; a lone surrogate is not Unicode and both
 * drivers would store it as U+FFFD, so two different ids would collide. Both are refused with
 * INVALID_TEXT naming the field.
 */
import { failure, type Failure } from './errors.js';

// eslint-disable-next-line no-control-regex -- finding NUL is the point
const NUL_OR_LONE_SURROGATE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** What is wrong with a string ("a NUL character (U+0000)", "a lone surrogate (U+D800)"), or undefined when it is sound. */
export function textFlaw(s: string): string | undefined {
  const m = NUL_OR_LONE_SURROGATE.exec(s);
  if (m === null) return undefined;
  const unit = m[0].charCodeAt(0);
  return unit === 0 ? 'a NUL character (U+0000)' : `a lone surrogate (U+${unit.toString(16).toUpperCase()})`;
}

export interface TextFlaw {
  /** Where: `memo`, `lines[2].description`, `query.account`, or a key (`lines[0].<key>`). */
  field: string;
  flaw: string;
}

/** The first unsound string (value or object key) in a JSON value, depth first; `at` names the value itself. */
export function findTextFlaw(v: unknown, at: string): TextFlaw | undefined {
  if (typeof v === 'string') {
    const flaw = textFlaw(v);
    return flaw === undefined ? undefined : { field: at, flaw };
  }
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const f = findTextFlaw(v[i], `${at}[${i}]`);
      if (f) return f;
    }
    return undefined;
  }
  if (typeof v === 'object' && v !== null) {
    for (const [k, x] of Object.entries(v)) {
      const keyFlaw = textFlaw(k);
      if (keyFlaw !== undefined) return { field: `${at === '' ? '' : `${at}.`}<key>`, flaw: keyFlaw };
      const f = findTextFlaw(x, at === '' ? k : `${at}.${k}`);
      if (f) return f;
    }
  }
  return undefined;
}

/** INVALID_TEXT for a flaw found in `what` ("Event E1", "The configuration", "The request"). */
export function invalidText(what: string, f: TextFlaw, record: Record<string, string | number> = {}): Failure {
  return failure(
    'INVALID_TEXT',
    `${what}: ${f.field === '' ? 'the value' : f.field} contains ${f.flaw}, which stockbook does not accept in text.`,
    'Remove the character: text may hold any Unicode character except NUL (U+0000), and every surrogate must be half of a pair (send well-formed UTF-8 or UTF-16).',
    { ...record, field: f.field },
  );
}
