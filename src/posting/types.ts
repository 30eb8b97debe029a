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

/** Where a move lands: one cost pool. */
export interface PoolPlace {
  product: string;
  warehouse: string;
}

/** Stock received into a pool; priced by `value`, else `valueFrom`, else the pool (`valuation`). */
export interface InMove extends PoolPlace {
  kind: 'in';
  /** Quantity received (> 0). */
  qty: bigint;
  lot?: string | undefined;
  expiry?: string | undefined;
  /** The receipt's id in the pool (default: event id # move index); a revaluation names it. */
  source?: string | undefined;
  /** Value known from the event itself. */
  value?: bigint | undefined;
  /** Value derived from costs of other moves (of this event, or referenced events). */
  valueFrom?: ((results: readonly MoveResult[], ctx: RuleContext) => bigint) | undefined;
  /** Recreate the layers taken by this earlier move of the same event (transfers). */
  piecesFrom?: number | undefined;
  /** Without a value: priced from the pool (average → last → standard; default average). */
  valuation?: 'average' | 'last' | 'standard' | undefined;
}

/** Stock issued from a pool. */
export interface OutMove extends PoolPlace {
  kind: 'out';
  /** Quantity issued (> 0). */
  qty: bigint;
  lot?: string | undefined;
  /** The cost the source system recorded on the line, first in seed 003's chain. */
  lineCost?: bigint | undefined;
}

/** A count: the pool is brought to `qty`, receiving (priced by `valuation`) or issuing the difference. */
export interface CountMove extends PoolPlace {
  kind: 'count';
  /** The counted quantity. */
  qty: bigint;
  valuation: 'average' | 'last' | 'standard';
}

/** A value added to the units of an earlier receipt (`source`, which received `received`): landed costs, price corrections. */
export interface RevalueMove extends PoolPlace {
  kind: 'revalue';
  amount: bigint;
  source: string;
  received: bigint;
}

export type Move = InMove | OutMove | CountMove | RevalueMove;

/** A move's quantity as reports show it: a count's counted quantity, none for a revaluation. */
export function movedQty(m: Move): bigint {
  return m.kind === 'revalue' ? 0n : m.qty;
}

/** The lot a move names (receipts and issues may; counts and revaluations do not). */
export function moveLot(m: Move): string | undefined {
  return m.kind === 'in' || m.kind === 'out' ? m.lot : undefined;
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
