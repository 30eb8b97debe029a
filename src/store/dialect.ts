/**
 * A dialect: what the store (sql-store.ts, its statements written once in statements.ts and
 * appends.ts) asks of SQLite or PostgreSQL, and nothing more — the driver's calls, its
 * placeholders, and the few true differences:
 * - the write lock: SQLite's BEGIN IMMEDIATE (the database's one write lock, retried with an
 *   async back-off) against PostgreSQL's BEGIN plus a transaction-level advisory lock per
 *   company (and a per-company queue in process, so waiting writers hold no pooled connection);
 * - where reads outside a write run: SQLite's query-only second connection (or, in memory,
 *   after any open write) against PostgreSQL's pool;
 * - a configuration change outside a write: SQLite takes the write lock (one writer at a time),
 *   PostgreSQL runs it on its own;
 * - how appended rows are sent (`bulk`: appends.ts);
 * - PostgreSQL's schema, created by the first migrate() and set as each connection's search_path.
 * Both drivers take integers as bigint (better-sqlite3 binds an INTEGER, pg sends the decimal
 * text) and give them back as bigint or a decimal string, which the row mappings turn into
 * bigint (`big`, common.ts); JSON is stored as text in both.
 */
import type { BulkForm } from './appends.js';
import type { Statement } from './statements.js';

/** A connection (or a transaction on one) that runs the store's statements, written with `?` placeholders. */
export interface Session {
  /** The rows of one statement (none for a statement that returns none). */
  all<R>(sql: string, params: readonly unknown[]): Promise<R[]>;
  /** Statements in order, for their effect. */
  run(statements: readonly Statement[]): Promise<void>;
  /** A script of statements without parameters (a migration's DDL). */
  script(sql: string): Promise<void>;
}

/** Which lock a transaction takes: a company's write lock, or the lock that serialises migrations. */
export type Lock = { company: string } | 'migrations';

export interface Dialect {
  readonly name: 'sqlite' | 'postgres';
  readonly bulk: BulkForm;
  /**
   * The statement that refreshes the planner's statistics of the ledger's tables, run when a
   * company's events first pass 100, 1,000, 10,000, … (none: the planner needs none).
   */
  readonly statistics: string | undefined;
  /**
   * Whether statements run in another process (a database server): then a write sends the rows
   * it has gathered and goes on costing while the server inserts them. An in-process driver
   * (SQLite's is synchronous) gains nothing by it.
   */
  readonly server: boolean;
  /** Throws if the store is closed. */
  checkOpen(): void;
  /** `f` on a connection that sees committed data (reads outside a write). */
  read<T>(f: (s: Session) => Promise<T>): Promise<T>;
  /** One statement that changes configuration rows (companies, keys), committed on its own. */
  change(sql: string, params: readonly unknown[]): Promise<void>;
  /** `f` in one transaction holding `lock`; COMMIT, or ROLLBACK and rethrow if it throws. */
  transaction<T>(lock: Lock, f: (s: Session) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
