/** Trial balance as of a date: debit and credit per account, totals, and whether they balance. */
import type { JSX } from 'preact';
import { Loaded, Money, Table, useLoad } from '../../components/ui';
import { apiPath, csvName, DownloadCsv, FilterForm, loadReport, pick, ReportHead, toCsv } from './report-kit';
import type { TrialBalanceData } from '../../wire';

const FIELDS = [{ name: 'asOf', label: 'As of', type: 'date' as const }];

/** The API answers the trial balance in JSON only: its CSV is built here from the same strings. */
function csvOf(d: TrialBalanceData): string {
  return toCsv([['account', 'name', 'debit', 'credit'], ...d.accounts.map((a) => [a.account, a.name, a.debit, a.credit]), ['total', '', d.totalDebit, d.totalCredit]]);
}

function Body({ d }: { d: TrialBalanceData }): JSX.Element {
  return (
    <>
      <ReportHead download={<DownloadCsv path="" filename={csvName('trial-balance', d.asOf)} make={() => csvOf(d)} />}>
        {d.asOf ? `As of ${d.asOf}` : 'All dates'}, in {d.currency}.{' '}
        {d.balanced ? <span class="status tie">✓ Debits equal credits.</span> : <span class="status difference">Debits and credits differ.</span>}
      </ReportHead>
      <Table
        testid="report-table"
        caption={`Trial balance ${d.asOf ? `as of ${d.asOf}` : '(all dates)'}`}
        rows={d.accounts}
        rowKey={(a) => a.account}
        columns={[
          { label: 'Account', cell: (a) => a.account },
          { label: 'Name', cell: (a) => a.name },
          { label: 'Debit', numeric: true, cell: (a) => (a.debit ? <Money value={a.debit} /> : '') },
          { label: 'Credit', numeric: true, cell: (a) => (a.credit ? <Money value={a.credit} /> : '') },
        ]}
        foot={[{ label: 'Total', cells: ['', <Money value={d.totalDebit} />, <Money value={d.totalCredit} />], className: d.balanced ? '' : 'gap' }]}
        empty="No account has a balance at that date."
      />
    </>
  );
}

export function TrialBalance({ query }: { query: URLSearchParams }): JSX.Element {
  const values = pick(query, ['asOf']);
  const path = apiPath('/v1/reports/trial-balance', values);
  const [load] = useLoad(() => loadReport<TrialBalanceData>(path, values, FIELDS), [path]);
  return (
    <>
      <FilterForm report="trial-balance" fields={FIELDS} values={values} />
      <Loaded load={load}>{(d) => <Body d={d} />}</Loaded>
    </>
  );
}
