/**
 * The rules a schema and its statements must keep to distribute on Citus by company
 * (docs/scale-out.md), as checks over a database's keys and over the statements a store ran:
 *
 * - Keys: every distributed table has a primary key, and it, every unique key and every index
 *   leads with the table's distribution column (Citus needs the column in each primary and
 *   unique key; leading with it is the project's rule, so a company's rows are one index range).
 *   A foreign key between distributed tables maps distribution column to distribution column
 *   (a co-located key); a reference table refers only to reference tables.
 * - Statements: every distributed table a statement reads or writes is bound to one company —
 *   filtered by `company = ?` (in its own scope when unqualified), inserted with a placeholder
 *   for the company, or joined by `x.company = y.company` to a bound table — and every company
 *   placeholder of the statement holds the same value, so it routes to one shard. The
 *   distribution column is compared only by equality, never updated, and in every ON CONFLICT.
 *
 * The statement check reads the shapes the store writes (statements.ts and each dialect's
 * WRITES); it is a pattern check, not a SQL parser.
 */
import type Database from 'better-sqlite3';
import type pg from 'pg';

export interface TableRules {
  /** Each distributed table's distribution column (the company). */
  distributed: Readonly<Record<string, string>>;
  /** Each reference table (copied whole to every node), with why it is one. */
  reference: Readonly<Record<string, string>>;
}

export interface Key {
  table: string;
  name: string;
  kind: 'primary' | 'unique' | 'index' | 'foreign';
  columns: readonly string[];
  /** The referenced table and columns of a foreign key. */
  references?: { table: string; columns: readonly string[] };
}

/** What breaks the rules in a schema's keys (`tables`: every table of the schema). */
export function keyProblems(tables: readonly string[], keys: readonly Key[], rules: TableRules): string[] {
  const out: string[] = [];
  for (const t of tables) {
    if (rules.distributed[t] === undefined && rules.reference[t] === undefined) out.push(`${t}: neither a distributed nor a reference table`);
    if (rules.distributed[t] !== undefined && !keys.some((k) => k.table === t && k.kind === 'primary')) out.push(`${t}: no primary key`);
  }
  for (const k of keys) {
    const dist = rules.distributed[k.table];
    if (k.kind === 'foreign') out.push(...foreignKeyProblems(k, rules));
    else if (dist !== undefined && k.columns[0] !== dist) out.push(`${k.table}: ${k.kind} key ${k.name} (${k.columns.join(', ')}) does not lead with ${dist}`);
  }
  return out;
}

function foreignKeyProblems(k: Key, rules: TableRules): string[] {
  const ref = k.references!;
  const from = rules.distributed[k.table];
  const to = rules.distributed[ref.table];
  const what = `${k.table}: foreign key ${k.name} (${k.columns.join(', ')}) → ${ref.table} (${ref.columns.join(', ')})`;
  if (from === undefined) return to === undefined ? [] : [`${what}: a reference table refers to a distributed one`];
  if (to === undefined) return [];
  const i = k.columns.indexOf(from);
  return i >= 0 && ref.columns[i] === to ? [] : [`${what}: does not map ${from} to ${ref.table}.${to} (not co-located)`];
}

/** The tables and keys of a SQLite database. */
export function sqliteKeys(db: Database.Database): { tables: string[]; keys: Key[] } {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  const keys: Key[] = [];
  for (const table of tables) {
    const cols = db.pragma(`table_info(${table})`) as { name: string; pk: number }[];
    const pk = cols.filter((c) => c.pk > 0).sort((a, b) => a.pk - b.pk).map((c) => c.name);
    if (pk.length > 0) keys.push({ table, name: `${table} primary key`, kind: 'primary', columns: pk });
    for (const ix of db.pragma(`index_list(${table})`) as { name: string; unique: number; origin: string }[]) {
      if (ix.origin === 'pk') continue;
      const columns = (db.pragma(`index_info(${ix.name})`) as { seqno: number; name: string }[]).sort((a, b) => a.seqno - b.seqno).map((c) => c.name);
      keys.push({ table, name: ix.name, kind: ix.unique ? 'unique' : 'index', columns });
    }
    const fks = db.pragma(`foreign_key_list(${table})`) as { id: number; seq: number; table: string; from: string; to: string }[];
    for (const id of new Set(fks.map((f) => f.id))) {
      const parts = fks.filter((f) => f.id === id).sort((a, b) => a.seq - b.seq);
      keys.push({ table, name: `${table} foreign key ${id}`, kind: 'foreign', columns: parts.map((f) => f.from), references: { table: parts[0]!.table, columns: parts.map((f) => f.to) } });
    }
  }
  return { tables, keys };
}

const PG_INDEXES = `SELECT c.relname AS table, i.relname AS name, ix.indisprimary AS primary, ix.indisunique AS unique,
    array(SELECT a.attname::text FROM unnest(ix.indkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns
  FROM pg_index ix JOIN pg_class c ON c.oid = ix.indrelid JOIN pg_class i ON i.oid = ix.indexrelid JOIN pg_namespace s ON s.oid = c.relnamespace
  WHERE s.nspname = $1 AND c.relkind = 'r'`;
const PG_FOREIGN_KEYS = `SELECT c.relname AS table, con.conname AS name, f.relname AS ref,
    array(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum ORDER BY k.n) AS columns,
    array(SELECT a.attname::text FROM unnest(con.confkey) WITH ORDINALITY k(attnum, n) JOIN pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum ORDER BY k.n) AS ref_columns
  FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid JOIN pg_class f ON f.oid = con.confrelid JOIN pg_namespace s ON s.oid = c.relnamespace
  WHERE s.nspname = $1 AND con.contype = 'f'`;

/** The tables and keys of a PostgreSQL schema. */
export async function pgKeys(client: pg.Client, schema: string): Promise<{ tables: string[]; keys: Key[] }> {
  const tables = (await client.query<{ t: string }>('SELECT tablename AS t FROM pg_tables WHERE schemaname = $1 ORDER BY tablename', [schema])).rows.map((r) => r.t);
  const keys: Key[] = [];
  const indexes = await client.query<{ table: string; name: string; primary: boolean; unique: boolean; columns: string[] }>(PG_INDEXES, [schema]);
  for (const r of indexes.rows) keys.push({ table: r.table, name: r.name, kind: r.primary ? 'primary' : r.unique ? 'unique' : 'index', columns: r.columns });
  const fks = await client.query<{ table: string; name: string; ref: string; columns: string[]; ref_columns: string[] }>(PG_FOREIGN_KEYS, [schema]);
  for (const r of fks.rows) keys.push({ table: r.table, name: r.name, kind: 'foreign', columns: r.columns, references: { table: r.ref, columns: r.ref_columns } });
  return { tables, keys };
}

// ---- statements

/** Words that follow a table name but are not its alias. */
const NOT_ALIAS = new Set(['where', 'join', 'on', 'left', 'right', 'inner', 'cross', 'order', 'group', 'limit', 'set', 'values', 'select', 'using', 'as', 'default']);

interface Ref {
  table: string;
  alias: string;
  at: number;
  verb: string;
}

/** The innermost parenthesis each character sits in (-1 outside all). */
function scopes(sql: string): number[] {
  const stack: number[] = [];
  const out: number[] = [];
  for (let i = 0; i < sql.length; i++) {
    if (sql[i] === '(') stack.push(i);
    out.push(stack.length === 0 ? -1 : stack[stack.length - 1]!);
    if (sql[i] === ')') stack.pop();
  }
  return out;
}

/** A table name (not a function such as unnest( ) and its alias, if any. */
const TABLE = String.raw`(\w+)(?!\w|\()(?:\s+(?:AS\s+)?(\w+))?`;

/** The tables a statement names after FROM, JOIN, INTO or UPDATE, or later in a comma-separated FROM list. */
function tableRefs(sql: string, known: ReadonlySet<string>): Ref[] {
  const out: Ref[] = [];
  const add = (table: string, alias: string | undefined, at: number, verb: string): void => {
    if (known.has(table)) out.push({ table, alias: alias !== undefined && !NOT_ALIAS.has(alias.toLowerCase()) ? alias : table, at, verb });
  };
  for (const m of sql.matchAll(new RegExp(String.raw`\b(FROM|JOIN|INTO|UPDATE)\s+${TABLE}`, 'gi'))) {
    add(m[2]!, m[3], m.index, m[1]!.toUpperCase());
    const next = new RegExp(String.raw`^\s*,\s*${TABLE}`);
    for (let at = m.index + m[0].length, n = next.exec(sql.slice(at)); n !== null; at += n[0].length, n = next.exec(sql.slice(at))) {
      add(n[1]!, n[2], at + n[0].indexOf(n[1]!), 'FROM');
    }
  }
  return out;
}

/** Which parameter a placeholder at `at` is: `$n`, or the ordinal of a `?`. */
function paramIndex(sql: string, at: number): number {
  if (sql[at] === '$') return Number(/^\$(\d+)/.exec(sql.slice(at))![1]) - 1;
  return (sql.slice(0, at).match(/\?/g) ?? []).length;
}

/** The [start, end) spans of `sql` between top-level commas, from `start` to `end`. */
function splitTop(sql: string, start: number, end: number): [number, number][] {
  const out: [number, number][] = [];
  let depth = 0;
  let from = start;
  for (let i = start; i < end; i++) {
    if (sql[i] === '(') depth++;
    else if (sql[i] === ')') depth--;
    else if (sql[i] === ',' && depth === 0) {
      out.push([from, i]);
      from = i + 1;
    }
  }
  out.push([from, end]);
  return out;
}

/** The offset of the placeholder that a span holds alone (`?` or `$n`, blanks and parentheses aside), or undefined. */
function placeholderIn(sql: string, [start, end]: [number, number]): number | undefined {
  const text = sql.slice(start, end);
  const m = /^[\s(]*(\?|\$\d+)[\s)]*$/.exec(text);
  return m === null ? undefined : start + text.indexOf(m[1]!);
}

/**
 * The offsets of the placeholders an INSERT gives its distribution column, one per row
 * (`VALUES (?, …), (?, …)` or `SELECT $1, …`), or undefined when a row gives anything else.
 */
function insertedCompany(sql: string, ref: Ref, column: string): number[] | undefined {
  const m = /^INTO\s+\w+\s*\(([^)]*)\)\s*(VALUES|SELECT)\s/i.exec(sql.slice(ref.at));
  if (m === null) return undefined;
  const k = m[1]!.split(',').map((c) => c.trim()).indexOf(column);
  if (k < 0) return undefined;
  const start = ref.at + m[0].length;
  const sc = scopes(sql);
  const ends = [...sql.slice(start).matchAll(/\b(FROM|ON CONFLICT)\b/gi)].map((x) => start + x.index).filter((x) => sc[x] === sc[ref.at]);
  const end = ends[0] ?? sql.length;
  const rows = m[2]!.toUpperCase() === 'VALUES' ? splitTop(sql, start, end).map(([a, b]): [number, number] => [sql.indexOf('(', a) + 1, sql.lastIndexOf(')', b)]) : [[start, end] as [number, number]];
  const out: number[] = [];
  for (const row of rows) {
    const item = splitTop(sql, row[0], row[1])[k];
    const at = item && placeholderIn(sql, item);
    if (at === undefined) return undefined;
    out.push(at);
  }
  return out;
}

/** Where each table reference is bound to a company: the offsets of its company placeholders, or 'join' (bound through another table). */
function bindings(sql: string, refs: readonly Ref[], rules: TableRules): Map<Ref, number[] | 'join' | undefined> {
  const sc = scopes(sql);
  const out = new Map<Ref, number[] | 'join' | undefined>();
  for (const r of refs) {
    const col = rules.distributed[r.table];
    if (col === undefined) continue;
    const direct: number[] = [];
    for (const m of sql.matchAll(new RegExp(`(?<![\\w.])(?:(\\w+)\\.)?${col}\\s*=\\s*(\\?|\\$\\d+)`, 'g'))) {
      const mine = m[1] === undefined ? sc[m.index] === sc[r.at] && r.verb !== 'INTO' : m[1] === r.alias;
      if (mine) direct.push(m.index + m[0].length - m[2]!.length);
    }
    const inserted = r.verb === 'INTO' ? insertedCompany(sql, r, col) : undefined;
    out.set(r, direct.length > 0 ? direct : inserted);
  }
  // Joins: `a.company = b.company` binds a to b once b is bound (a derived table's rows come from bound tables).
  for (let changed = true; changed; ) {
    changed = false;
    for (const [r, b] of out) {
      if (b !== undefined) continue;
      const col = rules.distributed[r.table]!;
      for (const m of sql.matchAll(/(\w+)\.(\w+)\s*=\s*(\w+)\.(\w+)/g)) {
        const [, a1, c1, a2, c2] = m as unknown as string[];
        const other = a1 === r.alias && c1 === col ? [a2!, c2!] : a2 === r.alias && c2 === col ? [a1!, c1!] : undefined;
        if (other === undefined) continue;
        const peer = refs.find((x) => x.alias === other[0]);
        const peerCol = peer === undefined ? 'company' : rules.distributed[peer.table];
        if (other[1] === peerCol && (peer === undefined || out.get(peer) !== undefined)) {
          out.set(r, 'join');
          changed = true;
        }
      }
    }
  }
  return out;
}

/** What breaks the statement rules (header) in one statement run with `params`. */
export function statementProblems(sql: string, params: readonly unknown[], rules: TableRules): string[] {
  const known = new Set([...Object.keys(rules.distributed), ...Object.keys(rules.reference)]);
  const refs = tableRefs(sql, known);
  const out: string[] = [];
  const values = new Set<unknown>();
  for (const [r, b] of bindings(sql, refs, rules)) {
    if (b === undefined) out.push(`${r.table}${r.alias === r.table ? '' : ` ${r.alias}`} is not bound to one company`);
    else if (b !== 'join') for (const at of b) values.add(params[paramIndex(sql, at)]);
  }
  if (values.size > 1) out.push(`its company filters take ${values.size} values: ${[...values].map(String).join(', ')}`);
  const columns = new Set(refs.map((r) => rules.distributed[r.table]).filter((c) => c !== undefined));
  for (const col of columns) {
    for (const m of sql.matchAll(new RegExp(`\\b${col}\\s*(<>|!=|<=|>=|<|>|\\bIN\\b|\\bLIKE\\b|\\bIS\\b)`, 'gi'))) out.push(`compares ${col} by ${m[1]}, not equality`);
  }
  out.push(...writeProblems(sql, refs, rules));
  return out;
}

/** An UPDATE or upsert must not change the distribution column; an ON CONFLICT target must hold it. */
function writeProblems(sql: string, refs: readonly Ref[], rules: TableRules): string[] {
  const out: string[] = [];
  const target = refs.find((r) => r.verb === 'INTO' || r.verb === 'UPDATE');
  const col = target && rules.distributed[target.table];
  if (col === undefined) return out;
  const conflict = /\bON CONFLICT\s*\(([^)]*)\)/i.exec(sql);
  if (conflict !== null && !conflict[1]!.split(',').map((c) => c.trim()).includes(col)) out.push(`ON CONFLICT (${conflict[1]}) lacks ${col}`);
  for (const m of sql.matchAll(/\bSET\s+([\s\S]*?)(?=\bWHERE\b|$)/gi)) {
    for (const [a, b] of splitTop(sql, m.index + m[0].length - m[1]!.length, m.index + m[0].length)) {
      if (new RegExp(`^\\s*${col}\\s*=`).test(sql.slice(a, b))) out.push(`SET changes ${col}`);
    }
  }
  return out;
}
