/**
 * Inventory adjustments export (seed 002), a three-step wizard:
 *   Criteria — the count date (default: the latest count not exported; exported and superseded
 *              counts are not offered);
 *   Entries  — the journal adjustment report: what the export will post, and whether it balances;
 *   Export   — post it, and show the count_export event or the coded problem.
 * `#/counts?step=<criteria|entries|export>&count=<date>`, so back/forward walk the steps.
 */
import type { JSX } from 'preact';
import { useState } from 'preact/hooks';
import { can, type Problem } from '../api';
import { Loaded, Page, ProblemBox, QuietLoaded, toProblem, useLoad, useQuietLoad } from '../components/ui';
import { eventHref, go, type Route } from '../router';
import { AdjustmentReport, BalancedBadge } from './parts-b/adjustments';
import { adjustments, exportable, exportCount, listCounts, type CountList, type ExportResult } from './parts-b/counts-api';

const STEPS = [
  { id: 'criteria', label: 'Criteria' },
  { id: 'entries', label: 'Inventory adjustments for export' },
  { id: 'export', label: 'Export' },
] as const;
type Step = (typeof STEPS)[number]['id'];

const stepOf = (s: string | null): Step => STEPS.find((x) => x.id === s)?.id ?? 'criteria';

function StepNav({ step, count }: { step: Step; count: string | undefined }): JSX.Element {
  return (
    <ol class="steps" aria-label="Steps">
      {STEPS.map((s, i) => (
        <li class={s.id === step ? 'current' : ''} aria-current={s.id === step ? 'step' : undefined}>
          <button type="button" class="link" disabled={count === undefined && s.id !== 'criteria'} onClick={() => go('counts', { step: s.id, count })}>
            {i + 1}. {s.label}
          </button>
        </li>
      ))}
    </ol>
  );
}

function Criteria({ list, count, onCount }: { list: CountList; count: string | undefined; onCount: (c: string) => void }): JSX.Element {
  const open = exportable(list);
  const exported = list.counts.filter((c) => c.exportedBy !== null);
  // A count given in the address but no longer offered is still shown, so the choice is visible.
  const options = open.some((c) => c.date === count) || count === undefined ? open : [...open, list.counts.find((c) => c.date === count) ?? { date: count, exportedBy: null }];
  return (
    <section aria-labelledby="criteria-title">
      <h2 id="criteria-title">Criteria</h2>
      {open.length === 0 && (
        <p class="note" role="status">
          No counts to export. {list.counts.length === 0 ? 'Record a count (stocktake events) first.' : 'Every count is exported or superseded by a later export; void an export to export its count again.'}
        </p>
      )}
      <label for="count-date">Count date</label>
      <select id="count-date" data-testid="count-select" value={count ?? ''} disabled={options.length === 0} onChange={(e) => onCount(e.currentTarget.value)}>
        {options.length === 0 && <option value="">No count to export</option>}
        {[...options].reverse().map((c) => (
          <option value={c.date}>{c.date}{c.date === list.next ? ' (latest, default)' : ''}{open.includes(c) ? '' : c.exportedBy ? ' (already exported)' : ' (not offered)'}</option>
        ))}
      </select>
      {exported.length > 0 && (
        <p class="muted">Already exported (not offered): {exported.map((c) => `${c.date} by ${c.exportedBy ?? ''}`).join(', ')}.</p>
      )}
    </section>
  );
}

function Entries({ count }: { count: string }): JSX.Element {
  const [load] = useLoad(() => adjustments(count), [count]);
  return (
    <section aria-labelledby="entries-title">
      <h2 id="entries-title">Inventory adjustments for export: count {count}</h2>
      <Loaded load={load}>
        {(p) => (
          <>
            {p.exportedBy && <p class="note">This count is already exported by <a href={eventHref(p.exportedBy)}>{p.exportedBy}</a>.</p>}
            <AdjustmentReport p={p} />
          </>
        )}
      </Loaded>
    </section>
  );
}

type ExportState = { state: 'ready' } | { state: 'busy' } | { state: 'done'; result: ExportResult } | { state: 'failed'; problem: Problem };

function ExportOutcome({ s }: { s: ExportState }): JSX.Element | null {
  if (s.state === 'done') {
    const ev = s.result.event;
    return (
      <p class="ok-box">
        Exported. Posted event <a href={eventHref(ev)}><strong>{ev}</strong></a>
        {s.result.journals.length > 0 && <> with journal {s.result.journals.map((j) => j.id).join(', ')}</>}; debits {s.result.preview.totals.debit}, credits {s.result.preview.totals.credit} ({s.result.preview.currency}).
      </p>
    );
  }
  if (s.state === 'failed') return <ProblemBox problem={s.problem} />;
  return null;
}

/**
 * The export of the wizard's count. Seed 002 puts "Export" on the adjustments tab, and the wizard
 * has an export step too: started from either, the outcome shows on the export step.
 */
function useExport(count: string | undefined, onExported: () => void): { s: ExportState; run: () => void } {
  const [st, setSt] = useState<{ count: string | undefined; s: ExportState }>({ count: undefined, s: { state: 'ready' } });
  const s: ExportState = st.count === count ? st.s : { state: 'ready' };
  const run = (): void => {
    if (count === undefined) return;
    setSt({ count, s: { state: 'busy' } });
    go('counts', { step: 'export', count });
    exportCount(count).then(
      (result) => (setSt({ count, s: { state: 'done', result } }), onExported()),
      (e: unknown) => setSt({ count, s: { state: 'failed', problem: toProblem(e) } }),
    );
  };
  return { s, run };
}

function ExportButton({ s, run }: { s: ExportState; run: () => void }): JSX.Element {
  return (
    <button type="button" data-testid="export-button" disabled={s.state === 'busy' || s.state === 'done'} onClick={run}>
      {s.state === 'busy' ? 'Exporting…' : 'Export'}
    </button>
  );
}

function ExportStep({ count, s, run }: { count: string; s: ExportState; run: () => void }): JSX.Element {
  const [load] = useLoad(() => adjustments(count), [count]);
  return (
    <section aria-labelledby="export-title">
      <h2 id="export-title">Export count {count}</h2>
      {load.state === 'ok' && (
        <p>
          Every entry on the report is posted as one journal dated {count}: {load.data.entries.length} entries, debits <strong>{load.data.totals.debit}</strong>, credits <strong>{load.data.totals.credit}</strong> {load.data.currency}. <BalancedBadge balanced={load.data.balanced} />
        </p>
      )}
      <ExportButton s={s} run={run} />
      <div data-testid="export-result" aria-live="polite"><ExportOutcome s={s} /></div>
    </section>
  );
}

function Buttons({ step, count, exp }: { step: Step; count: string | undefined; exp: { s: ExportState; run: () => void } }): JSX.Element {
  const i = STEPS.findIndex((s) => s.id === step);
  const prev = STEPS[i - 1];
  const next = STEPS[i + 1];
  return (
    <div class="actions wizard-buttons">
      {prev && <button type="button" class="secondary" onClick={() => go('counts', { step: prev.id, count })}>Back</button>}
      {next && <button type="button" class={step === 'entries' ? 'secondary' : ''} data-testid="wizard-next" disabled={count === undefined} onClick={() => go('counts', { step: next.id, count })}>Next</button>}
      {step === 'entries' && <ExportButton s={exp.s} run={exp.run} />}
      <button type="button" class="secondary" onClick={() => go('dashboard')}>Close</button>
    </div>
  );
}

function Wizard({ route, list, reload }: { route: Route; list: CountList; reload: () => void }): JSX.Element {
  const step = stepOf(route.query.get('step'));
  const open = exportable(list);
  const fallback = open.some((c) => c.date === list.next) ? list.next : open[open.length - 1]?.date;
  const count = route.query.get('count') ?? fallback ?? undefined;
  const exp = useExport(count, reload);
  return (
    <>
      <StepNav step={step} count={count} />
      {step === 'criteria' && <Criteria list={list} count={count} onCount={(c) => go('counts', { step, count: c })} />}
      {step === 'entries' && count !== undefined && <Entries count={count} />}
      {step === 'export' && count !== undefined && <ExportStep count={count} s={exp.s} run={exp.run} />}
      <Buttons step={step} count={count} exp={exp} />
    </>
  );
}

export function Counts({ route }: { route: Route }): JSX.Element {
  const allowed = can('export');
  // Reloaded quietly after an export, so the export step keeps its result on screen.
  const list = useQuietLoad(() => (allowed ? listCounts() : Promise.resolve({ counts: [], next: null })), [allowed]);
  if (!allowed) {
    return (
      <Page title="Inventory adjustments export">
        <p class="problem" role="alert">The inventory adjustments export is only available to users given access to it: your key has no export permission. Ask an admin for an exporter key.</p>
      </Page>
    );
  }
  return (
    <Page title="Inventory adjustments export">
      <p class="muted">Posts the value of an ending inventory count to the general ledger per inventory category: the prior ending inventory reversed (Dr COGS, Cr asset), then the count's valuation (Dr asset, Cr COGS).</p>
      <QuietLoaded load={list}>{(l) => <Wizard route={route} list={l} reload={list.reload} />}</QuietLoaded>
    </Page>
  );
}
