/**
 * Xero's `where` filter: a small subset of the .NET-style expressions Xero accepts.
 *
 *   Status=="AUTHORISED" && Contact.ContactNumber=="C-1"
 *   Narration.StartsWith("IV.TRX-12 ")   Name.ToLower()=="bayside ltd"   Type!="ACCPAY"
 *   Date>=DateTime(2026,04,01)   Contact.ContactID==Guid("…")   Total>100   (A || B) AND C
 *
 * Fields are PascalCase paths into the JSON the API returns (matched case-insensitively, as
 * Xero does); a field the collection's schema does not have, or anything else outside this
 * grammar, is a QueryParseException (HTTP 400), never a silent "matches nothing".
 */
import { byCodePoint, isRecord } from '../../domain/values.js';
import { compareDecimals, msOfMsDate } from './wire.js';

export class WhereError extends Error {}

type Literal = { kind: 'string'; value: string } | { kind: 'number'; value: string } | { kind: 'bool'; value: boolean } | { kind: 'null' } | { kind: 'date'; ms: number };
type Op = '==' | '!=' | '>' | '>=' | '<' | '<=';
type Method = 'StartsWith' | 'EndsWith' | 'Contains';

interface Term {
  path: string[];
  transform?: 'lower' | 'upper';
  test: { op: Op; literal: Literal } | { method: Method; arg: string };
}
type Expr = { kind: 'term'; term: Term } | { kind: 'and' | 'or'; left: Expr; right: Expr } | { kind: 'not'; expr: Expr };

const TOKEN_RE = /\s*(?:(&&|\|\||==|!=|>=|<=|=|>|<|!|\(|\)|,|\.)|("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?)|([A-Za-z_][A-Za-z0-9_]*))/y;

function tokenize(text: string): string[] {
  const out: string[] = [];
  TOKEN_RE.lastIndex = 0;
  while (TOKEN_RE.lastIndex < text.length) {
    if (/^\s*$/.test(text.slice(TOKEN_RE.lastIndex))) break;
    const at = TOKEN_RE.lastIndex;
    const m = TOKEN_RE.exec(text);
    if (!m) throw new WhereError(`Unexpected character at position ${at} in where clause: ${text.slice(at, at + 20)}`);
    out.push((m[1] ?? m[2] ?? m[3] ?? m[4]) as string);
  }
  return out;
}

class Parser {
  private i = 0;
  constructor(private readonly tokens: string[]) {}

  parse(): Expr {
    const e = this.or();
    if (this.i < this.tokens.length) throw new WhereError(`Unexpected "${this.tokens[this.i]}" in where clause`);
    return e;
  }

  private peek(): string | undefined {
    return this.tokens[this.i];
  }

  private next(): string {
    const t = this.tokens[this.i++];
    if (t === undefined) throw new WhereError('The where clause ends too early');
    return t;
  }

  private expect(t: string): void {
    const got = this.next();
    if (got !== t) throw new WhereError(`Expected "${t}" but found "${got}" in where clause`);
  }

  /** Consumes the next token if it is `symbol` or the keyword `word` (any case). */
  private accept(symbol: string, word: string): boolean {
    const t = this.peek();
    if (t !== symbol && t?.toUpperCase() !== word) return false;
    this.i++;
    return true;
  }

  /** Left-associative `operand (op operand)*` for `||`/OR and `&&`/AND. */
  private chain(kind: 'and' | 'or', symbol: string, operand: () => Expr): Expr {
    let left = operand();
    while (this.accept(symbol, kind.toUpperCase())) left = { kind, left, right: operand() };
    return left;
  }

  private or(): Expr {
    return this.chain('or', '||', () => this.and());
  }

  private and(): Expr {
    return this.chain('and', '&&', () => this.unary());
  }

  private unary(): Expr {
    if (this.accept('!', 'NOT')) {
      return { kind: 'not', expr: this.unary() };
    }
    if (this.peek() === '(') {
      this.i++;
      const e = this.or();
      this.expect(')');
      return e;
    }
    return { kind: 'term', term: this.term() };
  }

  private term(): Term {
    const path = [this.identifier()];
    let transform: Term['transform'];
    while (this.peek() === '.') {
      this.i++;
      const name = this.identifier();
      if (this.peek() !== '(') {
        if (transform) throw new WhereError(`Unexpected field "${name}" after ToLower()/ToUpper()`);
        path.push(name);
        continue;
      }
      if (name === 'ToLower' || name === 'ToUpper') {
        this.expect('(');
        this.expect(')');
        transform = name === 'ToLower' ? 'lower' : 'upper';
        continue;
      }
      if (name !== 'StartsWith' && name !== 'EndsWith' && name !== 'Contains') throw new WhereError(`Unsupported method "${name}" in where clause`);
      this.expect('(');
      const arg = this.literal();
      this.expect(')');
      if (arg.kind !== 'string') throw new WhereError(`${name}() needs a string argument`);
      return { path, transform, test: { method: name, arg: arg.value } };
    }
    const op = this.next();
    if (!['==', '!=', '>', '>=', '<', '<=', '='].includes(op)) throw new WhereError(`Expected a comparison after "${path.join('.')}" but found "${op}"`);
    return { path, transform, test: { op: (op === '=' ? '==' : op) as Op, literal: this.literal() } };
  }

  private identifier(): string {
    const t = this.next();
    if (!/^[A-Za-z_]/.test(t)) throw new WhereError(`Expected a field name but found "${t}"`);
    return t;
  }

  private literal(): Literal {
    const t = this.next();
    if (t.startsWith('"')) return { kind: 'string', value: JSON.parse(t) as string };
    if (/^-?\d/.test(t)) return { kind: 'number', value: t };
    const word = t.toLowerCase();
    if (word === 'true' || word === 'false') return { kind: 'bool', value: word === 'true' };
    if (word === 'null') return { kind: 'null' };
    if (word === 'guid') return this.guid();
    if (word === 'datetime') return this.dateTime();
    throw new WhereError(`Unexpected "${t}" where a value was expected`);
  }

  private guid(): Literal {
    this.expect('(');
    const t = this.next();
    this.expect(')');
    if (!t.startsWith('"')) throw new WhereError('Guid() needs a quoted value');
    return { kind: 'string', value: JSON.parse(t) as string };
  }

  private dateTime(): Literal {
    this.expect('(');
    const parts: number[] = [];
    for (;;) {
      const t = this.next();
      if (!/^\d+$/.test(t)) throw new WhereError(`DateTime() takes whole numbers, not "${t}"`);
      parts.push(Number(t));
      if (this.peek() === ')') break;
      this.expect(',');
    }
    this.expect(')');
    if (parts.length < 3 || parts.length > 6) throw new WhereError('DateTime() takes year, month, day and optionally hour, minute, second');
    const [y = 0, mo = 1, d = 1, h = 0, mi = 0, s = 0] = parts;
    return { kind: 'date', ms: Date.UTC(y, mo - 1, d, h, mi, s) };
  }
}

function lookup(obj: unknown, path: readonly string[]): unknown {
  let v: unknown = obj;
  for (const name of path) {
    if (!isRecord(v)) return undefined;
    const lower = name.toLowerCase();
    const key = Object.keys(v).find((k) => k.toLowerCase() === lower);
    v = key === undefined ? undefined : v[key];
  }
  return v;
}

function compare(value: unknown, lit: Literal): number | undefined {
  if (lit.kind === 'date' && typeof value === 'string') {
    const ms = msOfMsDate(value);
    return ms === undefined ? undefined : Math.sign(ms - lit.ms);
  }
  if (lit.kind === 'number' && typeof value === 'number') return compareDecimals(value, lit.value, 'where');
  if (lit.kind === 'string' && typeof value === 'string') return byCodePoint(value, lit.value);
  if (lit.kind === 'bool' && typeof value === 'boolean') return value === lit.value ? 0 : undefined;
  return undefined;
}

function testTerm(term: Term, obj: unknown): boolean {
  let value = lookup(obj, term.path);
  if (typeof value === 'string' && term.transform) value = term.transform === 'lower' ? value.toLowerCase() : value.toUpperCase();
  const t = term.test;
  if ('method' in t) {
    if (typeof value !== 'string') return false;
    if (t.method === 'StartsWith') return value.startsWith(t.arg);
    if (t.method === 'EndsWith') return value.endsWith(t.arg);
    return value.includes(t.arg);
  }
  if (t.literal.kind === 'null') return t.op === '==' ? value === undefined || value === null : t.op === '!=' ? value !== undefined && value !== null : false;
  const c = compare(value, t.literal);
  if (t.op === '!=') return c !== 0;
  if (c === undefined) return false;
  return { '==': c === 0, '>': c > 0, '>=': c >= 0, '<': c < 0, '<=': c <= 0 }[t.op];
}

function evaluate(e: Expr, obj: unknown): boolean {
  if (e.kind === 'term') return testTerm(e.term, obj);
  if (e.kind === 'not') return !evaluate(e.expr, obj);
  if (e.kind === 'and') return evaluate(e.left, obj) && evaluate(e.right, obj);
  return evaluate(e.left, obj) || evaluate(e.right, obj);
}

function paths(e: Expr): string[][] {
  if (e.kind === 'term') return [e.term.path];
  if (e.kind === 'not') return paths(e.expr);
  return [...paths(e.left), ...paths(e.right)];
}

/**
 * Compiles a where clause into a predicate over response JSON. `hasField` says whether a
 * path exists on the collection's schema.
 */
export function compileWhere(text: string, hasField: (path: readonly string[]) => boolean): (obj: unknown) => boolean {
  const expr = new Parser(tokenize(text)).parse();
  for (const p of paths(expr)) {
    if (!hasField(p)) throw new WhereError(`No property or field '${p.join('.')}' exists in this collection`);
  }
  return (obj) => evaluate(expr, obj);
}
