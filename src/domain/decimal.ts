/**
 * Exact fixed-scale decimals backed by bigint. A value is stored as an integer count of
 * 10^-scale units; parsing never rounds silently (more digits than the scale is an error),
 * so what a caller sends is exactly what we book.
 */
export const QTY_SCALE = 6;
export const QTY_ONE = 10n ** BigInt(QTY_SCALE);
/** Unit costs in events: up to this many decimals of the currency's major unit. */
export const UNIT_COST_SCALE = 10;

const DECIMAL_RE = /^([+-])?(\d+)(?:\.(\d+))?$/;

export type ParseDecimalResult = { ok: true; value: bigint } | { ok: false; reason: string };

/** Parses "12.345" into integer units of 10^-scale. Rejects exponents, blanks and excess digits. */
export function parseDecimal(text: string, scale: number): ParseDecimalResult {
  const m = DECIMAL_RE.exec(text);
  if (!m) return { ok: false, reason: `"${text}" is not a plain decimal number` };
  const frac = m[3] ?? '';
  if (frac.length > scale) {
    return { ok: false, reason: `"${text}" has more than ${scale} decimal places` };
  }
  const digits = BigInt((m[2] ?? '0') + frac.padEnd(scale, '0'));
  return { ok: true, value: m[1] === '-' ? -digits : digits };
}

/** Formats integer units of 10^-scale as a plain decimal string with exactly `scale` places. */
export function formatDecimal(units: bigint, scale: number): string {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const s = abs.toString().padStart(scale + 1, '0');
  const whole = scale === 0 ? s : s.slice(0, s.length - scale);
  const frac = scale === 0 ? '' : '.' + s.slice(s.length - scale);
  return (negative ? '-' : '') + whole + frac;
}

/** Like formatDecimal but drops trailing zeros (quantities read better as "3" than "3.000000"). */
export function formatTrimmed(units: bigint, scale: number): string {
  const full = formatDecimal(units, scale);
  return full.includes('.') ? full.replace(/\.?0+$/, '') : full;
}

export function formatQty(qty: bigint): string {
  return formatTrimmed(qty, QTY_SCALE);
}

export function absBig(x: bigint): bigint {
  return x < 0n ? -x : x;
}

export function minBig(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
