/**
 * A unit cost as an exact ratio: `num` minor units per `den` quantity units. Averages and
 * last costs are kept as ratios (value over quantity) so no precision is lost before the
 * single rounding that prices an issue.
 */
import { divRound, type RoundingMode } from '../domain/rounding.js';
import { QTY_SCALE, UNIT_COST_SCALE } from '../domain/decimal.js';
import { currencyExponent } from '../domain/money.js';

export interface UnitCost { readonly num: bigint; readonly den: bigint }

export function ratio(value: bigint, qty: bigint): UnitCost | undefined {
  return qty > 0n ? { num: value, den: qty } : undefined;
}

/** A decimal unit cost from an event or config (UNIT_COST_SCALE, major units). */
export function fromDecimal(unitCost: bigint, currency: string): UnitCost {
  return { num: unitCost * 10n ** BigInt(currencyExponent(currency)), den: 10n ** BigInt(QTY_SCALE + UNIT_COST_SCALE) };
}

export function valueAt(uc: UnitCost, qty: bigint, mode: RoundingMode): bigint {
  return divRound(uc.num * qty, uc.den, mode);
}

/** Where the cost of an issue came from when no layer covered it (seed 003's chain). */
export type CostSource = 'layer' | 'line' | 'average' | 'last' | 'standard' | 'none';
