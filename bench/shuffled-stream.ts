/**
 * The shuffled-import stream: purchases and shipments of a few SKUs in one warehouse, dated
 * over consecutive days, and the same events in a seeded random order (the shape of an
 * export dumped from a system that does not keep date order). Shared by the shuffled-import
 * benchmark and its test.
 */
import { BENCH_ACCOUNTS, BENCH_MAPPING } from './raw-stream.js';

export function shuffledCompany(id: string): Record<string, unknown> {
  return {
    company: { id, name: 'Shuffled', baseCurrency: 'USD' },
    // "allow": a shipment that arrives before the receipts that cover it is accepted in any order.
    settings: { costingMethod: 'fifo', negativeStock: 'allow' },
    accounts: BENCH_ACCOUNTS,
    mapping: BENCH_MAPPING,
    warehouses: [{ code: 'W0' }],
    products: [{ sku: 'P0' }, { sku: 'P1' }, { sku: 'P2' }, { sku: 'P3' }],
  };
}

/** `count` raw events over `skus` products, `perDay` a day, in date order: shipments stay within stock. */
export function inOrderEvents(count: number, skus = 4, perDay = 200): Record<string, unknown>[] {
  const onHand = new Array<number>(skus).fill(0);
  let s = 4242;
  const rnd = (n: number): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % n);
  const out: Record<string, unknown>[] = [];
  for (let n = 0; n < count; n++) {
    const p = rnd(skus);
    const id = `E${String(n).padStart(7, '0')}`;
    const date = new Date(Date.UTC(2025, 0, 1) + Math.floor(n / perDay) * 86_400_000).toISOString().slice(0, 10);
    const lines = (qty: number, amount?: string): Record<string, unknown>[] => [{ product: `P${p}`, warehouse: 'W0', qty, ...(amount === undefined ? {} : { amount }) }];
    if (onHand[p]! === 0 || rnd(100) < 45) {
      const qty = 1 + rnd(50);
      onHand[p]! += qty;
      out.push({ id, type: 'purchase_invoice', date, supplier: 'S', lines: lines(qty, `${1 + rnd(999)}.${String(rnd(100)).padStart(2, '0')}`) });
    } else {
      const qty = 1 + rnd(onHand[p]!);
      onHand[p]! -= qty;
      out.push({ id, type: 'shipment', date, lines: lines(qty) });
    }
  }
  return out;
}

/** A seeded Fisher–Yates shuffle (a copy). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0;
  const rnd = (n: number): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % n);
  for (let i = out.length - 1; i > 0; i--) {
    const j = rnd(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
