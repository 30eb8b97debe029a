/**
 * A product's stock ledger: opening balance, every movement with running quantity and value
 * (each links to its event's drill-down), totals and the closing balance. The product and
 * warehouse lists come from the company configuration, loaded beside the report.
 */
import type { ComponentChildren, JSX } from 'preact';
import { api } from '../../api';
import { Loaded, Money, Table, useLoad, type Column } from '../../components/ui';
import { eventHref } from '../../router';
import { apiPath, blankZero, csvName, DownloadCsv, FilterForm, loadReport, period, pick, ReportHead, type Field } from './report-kit';
import type { CompanyData, StockLedgerData } from '../../wire';

function fields(co: CompanyData | undefined, product: string): Field[] {
  const stocked = (co?.products ?? []).filter((p) => p.stocked !== false);
  // Before the configuration arrives, the chosen product is still offered so the form is usable.
  const products = stocked.length > 0 ? stocked.map((p) => ({ value: p.sku, label: `${p.sku} — ${p.name ?? p.sku}` })) : [{ value: product, label: product }];
  return [
    { name: 'product', label: 'Product', type: 'select', options: products, required: true },
    { name: 'warehouse', label: 'Warehouse', type: 'select', options: [{ value: '', label: 'All warehouses' }, ...(co?.warehouses ?? []).map((w) => ({ value: w.code, label: `${w.code} — ${w.name ?? w.code}` }))] },
    { name: 'from', label: 'From', type: 'date' },
    { name: 'to', label: 'To', type: 'date' },
  ];
}

const money0 = (s: string): JSX.Element | string => (blankZero(s) ? <Money value={s} /> : '');

type Row = StockLedgerData['rows'][number];

/** The movement columns; lot, warehouse and true-up only when they say something for this ledger. */
function columns(d: StockLedgerData): Column<Row>[] {
  const all: (Column<Row> & { show?: boolean })[] = [
    { label: 'Date', cell: (r) => r.date },
    { label: 'Event', cell: (r) => <a href={eventHref(r.event)}>{r.event}</a> },
    { label: 'Type', cell: (r) => r.eventType.replace(/_/g, ' ') },
    { label: 'Warehouse', cell: (r) => r.warehouse, show: d.warehouse === null },
    { label: 'Lot', cell: (r) => r.lot ?? '', show: d.rows.some((r) => r.lot !== null) },
    { label: 'Qty in', numeric: true, cell: (r) => blankZero(r.qtyIn) },
    { label: 'Qty out', numeric: true, cell: (r) => blankZero(r.qtyOut) },
    { label: 'Unit cost', numeric: true, cell: (r) => r.unitCost ?? '' },
    { label: 'Value in', numeric: true, cell: (r) => money0(r.valueIn) },
    { label: 'Value out', numeric: true, cell: (r) => money0(r.valueOut) },
    { label: 'True-up', numeric: true, cell: (r) => money0(r.trueUp), show: d.rows.some((r) => blankZero(r.trueUp) !== '') },
    { label: 'Running qty', numeric: true, cell: (r) => r.runningQty },
    { label: 'Running value', numeric: true, cell: (r) => <Money value={r.runningValue} /> },
  ];
  return all.filter((c) => c.show !== false);
}

/** A summary row's cells by column label (the label column itself excluded). */
function cellsFor(cols: Column<Row>[], byLabel: Record<string, ComponentChildren>): ComponentChildren[] {
  return cols.slice(1).map((c) => byLabel[c.label] ?? '');
}

function Body({ d, path }: { d: StockLedgerData; path: string }): JSX.Element {
  const cols = columns(d);
  return (
    <>
      <ReportHead download={<DownloadCsv path={path} filename={csvName('stock-ledger', d.product, d.warehouse, d.from, d.to)} />}>
        <strong>{d.product}</strong> {d.productName}, {d.warehouse ? `warehouse ${d.warehouse}` : 'all warehouses'}, {period(d.from, d.to)}; values in {d.currency}. {d.rows.length} movements.
      </ReportHead>
      <Table
        testid="report-table"
        long
        caption={`Stock ledger of ${d.product}`}
        rows={d.rows}
        columns={cols}
        head={[{ label: 'Opening balance', cells: cellsFor(cols, { 'Running qty': d.opening.qty, 'Running value': <Money value={d.opening.value} /> }) }]}
        foot={[
          { label: 'Totals', cells: cellsFor(cols, { 'Qty in': d.totals.qtyIn, 'Qty out': d.totals.qtyOut, 'Value in': <Money value={d.totals.valueIn} />, 'Value out': <Money value={d.totals.valueOut} /> }) },
          { label: 'Closing balance', cells: cellsFor(cols, { 'Running qty': d.closing.qty, 'Running value': <Money value={d.closing.value} /> }) },
        ]}
        empty="No movements in the period."
      />
    </>
  );
}

export function StockLedger({ query }: { query: URLSearchParams }): JSX.Element {
  const [co] = useLoad(() => api<CompanyData>('/v1/company'), []);
  const config = co.state === 'ok' ? co.data : undefined;
  // Without a product in the address, the first stocked product: the tab opens on a real ledger.
  const product = query.get('product') ?? config?.products.find((p) => p.stocked !== false)?.sku ?? '';
  const values = { ...pick(query, ['warehouse', 'from', 'to']), product };
  const path = apiPath('/v1/reports/stock-ledger', values);
  // No product yet: wait for the configuration (or show why it failed, or that nothing is stocked).
  const [load] = useLoad(() => (product ? loadReport<StockLedgerData>(path, values, fields(config, product)) : new Promise<never>(() => undefined)), [path]);
  const body = product
    ? <Loaded load={load}>{(d) => <Body d={d} path={path} />}</Loaded>
    : <Loaded load={co}>{() => <p class="muted">The configuration has no stocked product.</p>}</Loaded>;
  return (
    <>
      <FilterForm report="stock-ledger" fields={fields(config, product)} values={values} />
      {body}
    </>
  );
}
