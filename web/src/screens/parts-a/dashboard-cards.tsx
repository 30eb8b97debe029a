/** The dashboard's cards: charts with their figures, reconciliation, unposted records, last sync. */
import type { ComponentChildren, JSX } from 'preact';
import { Money, TieStatus } from '../../components/ui';
import { href } from '../../router';
import { MarginChart, monthLabel, ValueChart } from './charts';
import { RECORD_TYPES, TYPE_LABELS, type DashboardData, type LastRun } from '../../wire';

function Card({ id, title, testid, children }: { id: string; title: string; testid: string; children: ComponentChildren }): JSX.Element {
  return (
    <section class="card" id={id} aria-labelledby={`${id}-h`} data-testid={testid}>
      <h2 id={`${id}-h`}>{title}</h2>
      {children}
    </section>
  );
}

/** The chart's figures for screen readers (and anyone who opens the details). */
function Figures({ caption, heads, rows }: { caption: string; heads: string[]; rows: { key: string; cells: (string | null)[] }[] }): JSX.Element {
  return (
    <details class="figures">
      <summary>Figures</summary>
      <div class="table-wrap">
        <table>
          <caption class="sr">{caption}</caption>
          <thead><tr><th scope="col">Month</th>{heads.map((h) => <th scope="col" class="num">{h}</th>)}</tr></thead>
          <tbody>
            {rows.map((r) => <tr><th scope="row">{r.key}</th>{r.cells.map((c) => <td class="num"><Money value={c} /></td>)}</tr>)}
          </tbody>
        </table>
      </div>
    </details>
  );
}

export function ValueCard({ d }: { d: DashboardData }): JSX.Element {
  const last = d.inventoryValue[d.inventoryValue.length - 1];
  return (
    <Card id="value" title="Inventory value at month end" testid="value-card">
      {last && <p class="stat"><Money value={last.value} /> <span class="muted small">{d.currency} at {last.asOf}</span></p>}
      <div class="chart" data-testid="value-chart"><ValueChart data={d.inventoryValue} /></div>
      <Figures caption={`Inventory value at month end (${d.currency})`} heads={[`Value (${d.currency})`]} rows={d.inventoryValue.map((v) => ({ key: `${monthLabel(v.month)} (${v.asOf})`, cells: [v.value] }))} />
    </Card>
  );
}

export function MarginCard({ d }: { d: DashboardData }): JSX.Element {
  return (
    <Card id="margin" title="Revenue, COGS and gross margin by month" testid="margin-card">
      <div class="chart" data-testid="margin-chart"><MarginChart data={d.margin} /></div>
      <p class="muted small chart-note">
        From the GL: revenue is every sales and revenue account; COGS is the accounts mapped to COGS, as in
        the <a href={href('reports/gross-profit', { from: d.from ?? undefined, to: d.to ?? undefined })}>gross profit report</a>, so the two agree.
      </p>
      <Figures
        caption={`Revenue, cost of goods sold and gross margin by month (${d.currency})`}
        heads={['Revenue', 'COGS', 'Gross profit', 'Margin %']}
        rows={d.margin.map((m) => ({ key: monthLabel(m.month), cells: [m.revenue, m.cogs, m.grossProfit, m.marginPercent] }))}
      />
    </Card>
  );
}

export function ReconciliationCard({ d }: { d: DashboardData }): JSX.Element {
  const all = d.reconciliation.every((r) => r.ties);
  return (
    <Card id="reconciliation" title="Sub-ledger ↔ GL" testid="reconciliation">
      <p class={`status ${all ? 'tie' : 'difference'}`}>{all ? '✓ Every inventory account ties to the GL.' : 'An inventory account does not tie to the GL.'}</p>
      <div class="table-wrap">
        <table>
          <caption class="sr">Inventory sub-ledger against the GL, per inventory account ({d.currency})</caption>
          <thead><tr><th scope="col">Account</th><th scope="col" class="num">Sub-ledger</th><th scope="col" class="num">GL</th><th scope="col" class="num">Difference</th><th scope="col">Status</th></tr></thead>
          <tbody>
            {d.reconciliation.map((r) => (
              <tr class={r.ties ? '' : 'gap'}>
                <th scope="row">{r.account}<span class="muted sub">{r.name}</span></th>
                <td class="num"><Money value={r.subledger} /></td>
                <td class="num"><Money value={r.gl} /></td>
                <td class="num"><Money value={r.difference} /></td>
                <td><TieStatus ties={r.ties} /></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p><a href={href('reports/valuation')}>Valuation report with the GL check</a></p>
    </Card>
  );
}

export function UnpostedCard({ d }: { d: DashboardData }): JSX.Element {
  return (
    <Card id="unposted" title="Not yet in the accounting system" testid="unposted">
      {d.unposted === null ? (
        <p class="muted">Sync to an accounting system is not configured. <a href={href('settings')}>Settings</a></p>
      ) : (
        <ul class="counts">
          {RECORD_TYPES.map((t) => (
            <li><a href={href(`accounting/${t}`)}><span>{TYPE_LABELS[t]}</span> <span class="count">{d.unposted?.[t] ?? 0}</span></a></li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function when(iso: string): string {
  const t = new Date(iso);
  return Number.isNaN(t.getTime()) ? iso : t.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function RunSummary({ run }: { run: LastRun }): JSX.Element {
  const c = run.counts;
  return (
    <>
      <p><a href={href(`accounting/${run.type}`)}>{TYPE_LABELS[run.type] ?? run.type}</a>, finished <time dateTime={run.finishedAt}>{when(run.finishedAt)}</time></p>
      <dl class="run-counts">
        <div><dt>Posted</dt><dd class="status posted">{c.posted}</dd></div>
        <div><dt>Warnings</dt><dd class={c.warnings > 0 ? 'status warnings' : ''}>{c.warnings}</dd></div>
        <div><dt>Failed</dt><dd class={c.failed > 0 ? 'status failed' : ''}>{c.failed}</dd></div>
        {c.aborted > 0 && <div><dt>Aborted</dt><dd class="status aborted">{c.aborted}</dd></div>}
      </dl>
      {run.stopped && (
        <div class="problem" role="status">
          <strong>Stopped: {run.stopped.code}</strong> {run.stopped.message}
          <div class="fix">Fix: {run.stopped.fix}</div>
        </div>
      )}
    </>
  );
}

export function LastSyncCard({ d }: { d: DashboardData }): JSX.Element {
  return (
    <Card id="last-sync" title="Last sync" testid="last-sync">
      {d.lastRun ? <RunSummary run={d.lastRun} /> : <p class="muted">{d.unposted === null ? 'Sync is not configured.' : 'No sync has run yet.'}</p>}
    </Card>
  );
}
