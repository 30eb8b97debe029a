/**
 * The contract between the book and the posting rules. A rule is two pure functions of an
 * event: `plan` says which stock moves it makes (so the book can cost them in date order,
 * now or again after a late event), and `post` turns the costed moves into journal entries.
 * Because `post` is a function of (event, costs), a re-cost is corrected by posting again
 * with the new costs and booking the difference — nothing posted is ever edited.
 */
import type { Company, Role } from '../domain/config.js';
import type { BookEvent, EventOf, EventType } from '../domain/events.js';
import type { Take } from '../costing/pool.js';
import type { JournalBuilder } from './journal.js';

export interface Move {
  kind: 'in' | 'out' | 'count' | 'revalue';
  product: string;
  warehouse: string;
  /** in/out: quantity moved (> 0); count: the counted quantity. */
  qty: bigint;
  lot?: string | undefined;
  expiry?: string | undefined;
  /** out: the cost the source system recorded on the line, first in seed 003's chain. */
  lineCost?: bigint | undefined;
  /** in: value known from the event itself. */
  value?: bigint | undefined;
  /** in: value derived from costs of other moves (of this event, or referenced events). */
  valueFrom?: ((results: readonly MoveResult[], ctx: RuleContext) => bigint) | undefined;
  /** in: recreate the layers taken by this earlier move of the same event (transfers). */
  piecesFrom?: number | undefined;
  /** in/count-up without a value: priced from the pool (average → last → standard). */
  valuation?: 'average' | 'last' | 'standard' | undefined;
  /** revalue: amount added to the units of receipt `source`, which received `received`. */
  amount?: bigint | undefined;
  source?: string | undefined;
  received?: bigint | undefined;
}

export interface MoveResult {
  /** Quantity actually moved; for a count, the signed difference. */
  qty: bigint;
  /** in: value into stock; out: cost out; count: signed value change; revalue: value added to stock. */
  value: bigint;
  takes?: readonly Take[] | undefined;
  /** Standard cost: received value − standard value (to purchase price variance). */
  variance: bigint;
  /** Negative stock: extra cost of units issued short, now known (Dr COGS, Cr inventory). */
  trueUp: bigint;
  /** revalue: share of a landed cost belonging to units already issued (to COGS). */
  toCogs: bigint;
  shortQty: bigint;
}

export interface EventView {
  readonly event: BookEvent;
  readonly moves: readonly Move[];
  readonly results: readonly MoveResult[];
}

export interface RuleContext {
  readonly co: Company;
  readonly eventId: string;
  /** Account code for a role, resolved line override → product → category → warehouse → company. */
  account(role: Role, at?: { product?: string | undefined; warehouse?: string | undefined; override?: string | undefined }): string;
  /** A live (accepted, not voided) event, with its current costs. */
  lookup(id: string): EventView | undefined;
}

export type RecordType = 'invoices' | 'procurement' | 'expenses' | 'payments' | 'journals';

export interface PostingRule<T extends EventType> {
  readonly type: T;
  /** Which unposted list (seed 001) the event's records belong to. */
  readonly recordType: RecordType;
  /** Events this one reads and which therefore cannot be voided while it stands. */
  references?(ev: EventOf<T>): string[];
  plan(ev: EventOf<T>, ctx: RuleContext): Move[];
  /** `moves` are the ones `plan` returned for this event (the book keeps them), in order with `results`. */
  post(ev: EventOf<T>, results: readonly MoveResult[], ctx: RuleContext, j: JournalBuilder, moves: readonly Move[]): void;
}

export const NO_RESULT: MoveResult = { qty: 0n, value: 0n, variance: 0n, trueUp: 0n, toCogs: 0n, shortQty: 0n };
