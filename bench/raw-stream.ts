/** The chart and mapping of the benchmarks' purchase/shipment companies. */
export const BENCH_ACCOUNTS = [
  { code: '1300', name: 'Inventory', type: 'INVENTORY' },
  { code: '2100', name: 'AP', type: 'CURRLIAB' },
  { code: '2200', name: 'Tax', type: 'CURRLIAB' },
  { code: '5000', name: 'COGS', type: 'DIRECTCOSTS' },
];
export const BENCH_MAPPING = { inventory: '1300', ap: '2100', tax: '2200', cogs: '5000' };

/** The raw JSON purchase/shipment stream and company the durable benchmarks share. */
export const benchRawCompany = {
  company: { id: 'bench', name: 'Bench', baseCurrency: 'USD' },
  settings: { costingMethod: 'fifo' },
  accounts: BENCH_ACCOUNTS,
  mapping: BENCH_MAPPING,
  warehouses: [{ code: 'W0' }, { code: 'W1' }, { code: 'W2' }],
  products: Array.from({ length: 1000 }, (_, i) => ({ sku: `P${i}` })),
};

/** Raw JSON events as an integration would send them: purchases, then shipments within stock (over `products` SKUs and `warehouses` warehouses of the bench company). */
export function* rawEvents(count: number, products = 1000, warehouses = 3): Generator<Record<string, unknown>> {
  const onHand = new Map<string, number>();
  let s = 12345;
  const rnd = (n: number): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) % n);
  for (let n = 0; n < count; n++) {
    const product = `P${rnd(products)}`;
    const warehouse = `W${rnd(warehouses)}`;
    const k = `${product}|${warehouse}`;
    const have = onHand.get(k) ?? 0;
    const id = `E${String(n).padStart(9, '0')}`;
    const date = new Date(Date.UTC(2020, 0, 1) + Math.floor(n / 2000) * 86_400_000).toISOString().slice(0, 10);
    if (have === 0 || rnd(100) < 45) {
      const qty = 1 + rnd(50);
      onHand.set(k, have + qty);
      yield { id, type: 'purchase_invoice', date, supplier: 'S', lines: [{ product, warehouse, qty, amount: `${1 + rnd(999)}.${String(rnd(100)).padStart(2, '0')}` }] };
    } else {
      const qty = 1 + rnd(have);
      onHand.set(k, have - qty);
      yield { id, type: 'shipment', date, lines: [{ product, warehouse, qty }] };
    }
  }
}

