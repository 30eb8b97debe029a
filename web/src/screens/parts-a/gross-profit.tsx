/**
 * Gross profit per product or customer over a period: revenue, the ledger's COGS, margin and
 * margin %, and where the source system recorded line costs, those and the difference.
 */
import type { JSX } from 'preact';
import { Loaded, Money, percent, Table, useLoad, type Column } from '../../components/ui';
import { apiPath, csvName, DownloadCsv, FilterForm, loadReport, period, pick, ReportHead } from './report-kit';
import type { GrossProfitData, GrossProfitFigures } from '../../wire';

type Row = GrossProfitData['rows'][number];

const FIELDS = [
  { name: 'from', label: 'From', type: 'date' as const },
  { name: 'to', label: 'To', type: 'date' as const },
  { name: 'by', label: 'Group by', type: 'select' as const, options: [{ value: 'product', label: 'Product' }, { value: 'customer', label: 'Customer' }] },
];

/** The figure columns, shared by the rows and the total; the recorded-cost pair only when some line had one. */
function figureColumns(withRecorded: boolean): { label: string; cell: (f: GrossProfitFigures) => JSX.Element | string }[] {
  const cols = [
    { label: 'Revenue', cell: (f: GrossProfitFigures) => <Money value={f.revenue} /> },
    { label: 'COGS', cell: (f: GrossProfitFigures) => <Money value={f.cogs} /> },
    { label: 'Margin', cell: (f: GrossProfitFigures) => <Money value={f.margin} /> },
    { label: 'Margin %', cell: (f: GrossProfitFigures) => <span class={f.marginPct?.startsWith('-') ? 'neg' : ''}>{percent(f.marginPct)}</span> },
  ];
  if (!withRecorded) return cols;
  return [...cols, { label: 'Recorded cost', cell: (f) => <Money value={f.recordedCost} /> }, { label: 'Difference', cell: (f) => <Money value={f.difference} /> }];
}

function Body({ d, path }: { d: GrossProfitData; path: string }): JSX.Element {
  const withRecorded = d.total.linesWithCost > 0;
  const figures = figureColumns(withRecorded);
  const columns: Column<Row>[] = [
    // The name under the code, unless it only repeats it (customers without a name in the configuration).
    { label: d.by === 'product' ? 'Product' : 'Customer', cell: (r) => {
      const code = r[d.by];
      if (!code) return <span class="muted">{r.name}</span>;
      return <>{code}{r.name !== code && <span class="muted sub">{r.name}</span>}</>;
    } },
    ...figures.map((f) => ({ label: f.label, numeric: true, cell: (r: Row) => f.cell(r) })),
  ];
  return (
    <>
      <ReportHead download={<DownloadCsv path={path} filename={csvName('gross-profit', d.by, d.from, d.to)} />}>
        By {d.by}, {period(d.from, d.to)}, in {d.currency}.
      </ReportHead>
      {!withRecorded && <p class="muted report-note">No sale line carried a cost from the source system, so there is no recorded cost to compare with the ledger's COGS.</p>}
      <Table
        testid="report-table"
        caption={`Gross profit by ${d.by}`}
        rows={d.rows}
        columns={columns}
        foot={[{ label: 'Total', cells: [...columns.slice(1, -figures.length).map(() => ''), ...figures.map((f) => f.cell(d.total))] }]}
        empty="No sales in the period."
      />
    </>
  );
}

export function GrossProfit({ query }: { query: URLSearchParams }): JSX.Element {
  const values = pick(query, ['from', 'to', 'by']);
  const path = apiPath('/v1/reports/gross-profit', values);
  const [load] = useLoad(() => loadReport<GrossProfitData>(path, values, FIELDS), [path]);
  return (
    <>
      <FilterForm report="gross-profit" fields={FIELDS} values={values} />
      <Loaded load={load}>{(d) => <Body d={d} path={path} />}</Loaded>
    </>
  );
}
