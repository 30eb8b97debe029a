/**
 * Stock valuation as of a date, grouped by pool, product, warehouse or category, and below it
 * the check the accountant signs off: each inventory account's sub-ledger value against its GL.
 */
import type { JSX } from 'preact';
import { Loaded, Money, Table, TieStatus, useLoad, type Column } from '../../components/ui';
import { href } from '../../router';
import { apiPath, csvName, DownloadCsv, FilterForm, loadReport, pick, ReportHead } from './report-kit';
import type { ValuationBy, ValuationData } from '../../wire';

type Line = ValuationData['lines'][number];

const BY_LABEL: Record<ValuationBy, string> = { pool: 'product and warehouse', product: 'product', warehouse: 'warehouse', category: 'category' };

const FIELDS = [
  { name: 'asOf', label: 'As of', type: 'date' as const },
  { name: 'by', label: 'Group by', type: 'select' as const, options: [
    { value: 'pool', label: 'Product and warehouse' }, { value: 'product', label: 'Product' },
    { value: 'warehouse', label: 'Warehouse' }, { value: 'category', label: 'Category' },
  ] },
];

/** A product line opens that product's stock ledger up to the same date; the name sits under the code. */
function productCell(l: Line, asOf: string | null): JSX.Element {
  const code = l.product ? <a href={href('reports/stock-ledger', { product: l.product, warehouse: l.warehouse, to: asOf ?? undefined })}>{l.product}</a> : '';
  return <>{code}<span class="muted sub">{l.name}</span></>;
}

const named = (code: string | undefined, name: string): JSX.Element => <>{code || '—'}<span class="muted sub">{name}</span></>;

function columns(by: ValuationBy, asOf: string | null): Column<Line>[] {
  const qty: Column<Line>[] = [
    { label: 'Quantity', numeric: true, cell: (l) => l.qty ?? '' },
    { label: 'Unit cost', numeric: true, cell: (l) => l.unitCost ?? '' },
  ];
  const value: Column<Line> = { label: 'Value', numeric: true, cell: (l) => <Money value={l.value} /> };
  switch (by) {
    case 'pool': return [{ label: 'Product', cell: (l) => productCell(l, asOf) }, { label: 'Warehouse', cell: (l) => l.warehouse ?? '' }, { label: 'Account', cell: (l) => l.account ?? <span class="status difference">none mapped</span> }, ...qty, value];
    case 'product': return [{ label: 'Product', cell: (l) => productCell(l, asOf) }, ...qty, value];
    case 'warehouse': return [{ label: 'Warehouse', cell: (l) => named(l.warehouse, l.name) }, value];
    case 'category': return [{ label: 'Category', cell: (l) => named(l.category, l.name) }, value];
  }
}

function GlCheck({ d }: { d: ValuationData }): JSX.Element {
  return (
    <section aria-labelledby="gl-check-h">
      <h2 id="gl-check-h">Check against the GL</h2>
      <Table
        testid="valuation-check"
        caption={`Sub-ledger value against the GL balance per inventory account${d.asOf ? ` as of ${d.asOf}` : ''}`}
        rows={d.accounts}
        rowClass={(a) => (a.check === 'ok' ? '' : 'gap')}
        columns={[
          { label: 'Account', cell: (a) => named(a.account, a.name) },
          { label: 'Sub-ledger', numeric: true, cell: (a) => <Money value={a.subledger} /> },
          { label: 'GL', numeric: true, cell: (a) => <Money value={a.gl} /> },
          { label: 'Difference', numeric: true, cell: (a) => <Money value={a.difference} /> },
          { label: 'Status', cell: (a) => <TieStatus ties={a.check === 'ok'} /> },
        ]}
        foot={[{ label: 'Total', cells: [<Money value={d.total.subledger} />, <Money value={d.total.gl} />, <Money value={d.total.difference} />, <TieStatus ties={d.ties} />] }]}
      />
    </section>
  );
}

function Body({ d, path }: { d: ValuationData; path: string }): JSX.Element {
  const cols = columns(d.by, d.asOf);
  return (
    <>
      <ReportHead download={<DownloadCsv path={path} filename={csvName('valuation', d.by, d.asOf)} />}>
        Stock on hand {d.asOf ? `as of ${d.asOf}` : 'after all events'}, in {d.currency}.{' '}
        {d.ties ? <span class="status tie">✓ Every inventory account ties to the GL.</span> : <span class="status difference">DIFFERENCE: an inventory account does not tie to the GL (see below).</span>}
      </ReportHead>
      <Table
        testid="report-table"
        caption={`Stock valuation by ${BY_LABEL[d.by]}`}
        rows={d.lines}
        columns={cols}
        foot={[{ label: 'Total', cells: [...cols.slice(1, -1).map(() => ''), <Money value={d.total.subledger} />] }]}
        empty="No stock on hand at that date."
      />
      <GlCheck d={d} />
    </>
  );
}

export function Valuation({ query }: { query: URLSearchParams }): JSX.Element {
  const values = pick(query, ['asOf', 'by']);
  const path = apiPath('/v1/reports/valuation', values);
  const [load] = useLoad(() => loadReport<ValuationData>(path, values, FIELDS), [path]);
  return (
    <>
      <FilterForm report="valuation" fields={FIELDS} values={values} />
      <Loaded load={load}>{(d) => <Body d={d} path={path} />}</Loaded>
    </>
  );
}
