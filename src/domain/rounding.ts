/**
 * Named rounding for integer division. Every place that divides money or quantities goes
 * through `divRound`, so the rounding rule is always explicit and never a float artefact.
 * Names follow dinero.js: "up"/"down" are towards +/- infinity.
 */
export const ROUNDING_MODES = [
  'half-even',
  'half-odd',
  'half-up',
  'half-down',
  'half-away-from-zero',
  'half-towards-zero',
  'up',
  'down',
  'away-from-zero',
  'towards-zero',
] as const;

export type RoundingMode = (typeof ROUNDING_MODES)[number];

export const DEFAULT_ROUNDING: RoundingMode = 'half-even';

export function isRoundingMode(x: unknown): x is RoundingMode {
  return typeof x === 'string' && (ROUNDING_MODES as readonly string[]).includes(x);
}

/** n / d rounded to an integer with the named mode. d must not be zero. */
export function divRound(n: bigint, d: bigint, mode: RoundingMode = DEFAULT_ROUNDING): bigint {
  if (d === 0n) throw new Error('assertion: division by zero');
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const q = n / d; // truncates towards zero
  const r = n - q * d;
  if (r === 0n) return q;
  const negative = n < 0n;
  const away = negative ? q - 1n : q + 1n; // the neighbour further from zero
  const twice = (r < 0n ? -r : r) * 2n;
  const tie = twice === d;
  const aboveHalf = twice > d;
  switch (mode) {
    case 'towards-zero':
      return q;
    case 'away-from-zero':
      return away;
    case 'up':
      return negative ? q : away;
    case 'down':
      return negative ? away : q;
    default:
      break;
  }
  if (aboveHalf) return away;
  if (!tie) return q;
  switch (mode) {
    case 'half-even':
      return q % 2n === 0n ? q : away;
    case 'half-odd':
      return q % 2n === 0n ? away : q;
    case 'half-up':
      return negative ? q : away;
    case 'half-down':
      return negative ? away : q;
    case 'half-away-from-zero':
      return away;
    case 'half-towards-zero':
      return q;
  }
}
