/**
 * The drill-down of one journal line (GET /v1/reports/drill, src/reports/drill.ts): the line,
 * and for each stock move of its product and warehouse the cost layers it consumed — which
 * receipt, lot and expiry, how many units at what unit cost and value.
 */
import type { JSX } from 'preact';
import { api } from '../../api';
import { Loaded, Money, useLoad } from '../../components/ui';
import { eventHref } from '../../router';

interface DrillLine { n: number; account: string; accountName: string; amount: string; product: string | null; warehouse: string | null; memo: string | null }

interface DrillLayer {
  source: string;
  receipt: { event: string; line: number; type: string | null; date: string | null } | null;
  lot: string | null;
  expiry: string | null;
  qty: string;
  value: string;
  unitCost: string | null;
}

interface DrillMove { index: number; kind: string; product: string; warehouse: string; lot: string | null; qty: string; value: string; unitCost: string | null; layers: DrillLayer[] }

interface DrillReport {
  currency: string;
  journal: { id: string; kind: string; event: string; eventType: string; date: string; lines: DrillLine[] };
  line: DrillLine | null;
  moves: DrillMove[];
}

/** Where a layer came from: a receipt's line, a pooled cost (average, standard), or units issued beyond stock. */
function LayerSource({ t }: { t: DrillLayer }): JSX.Element {
  if (t.receipt) {
    return (
      <>
        {/* Receipt lines are 0-based in the source; shown 1-based like journal lines. */}
        <a href={eventHref(t.receipt.event)}>{t.receipt.event}</a> line {t.receipt.line + 1}
        <div class="muted small">{[t.receipt.type, t.receipt.date].filter(Boolean).join(', ')}</div>
      </>
    );
  }
  if (t.source.startsWith('short:')) return <span class="warning">Issued beyond stock ({t.source.slice(6)})</span>;
  return <span>Pooled cost: {t.source}</span>;
}

function MoveBody({ m }: { m: DrillMove }): JSX.Element {
  const rows = Math.max(m.layers.length, 1);
  const head = (
    <th scope="rowgroup" rowSpan={rows}>
      {m.kind} {m.product} @ {m.warehouse}
      <div class="muted small">{m.qty} units, <Money value={m.value} /></div>
    </th>
  );
  if (m.layers.length === 0) {
    return <tbody><tr>{head}<td colSpan={6} class="muted">No cost layers consumed (a receipt or a revaluation of this pool).</td></tr></tbody>;
  }
  return (
    <tbody>
      {m.layers.map((t, i) => (
        <tr>
          {i === 0 && head}
          <td><LayerSource t={t} /></td>
          <td>{[t.lot, t.expiry].filter(Boolean).join(' · ')}</td>
          <td class="num">{t.qty}</td>
          <td class="num">{t.unitCost ?? '—'}</td>
          <td class="num"><Money value={t.value} /></td>
        </tr>
      ))}
    </tbody>
  );
}

function LayersTable({ r }: { r: DrillReport }): JSX.Element {
  return (
    <div class="table-wrap">
      <table data-testid="drill-layers">
        <caption>Cost layers consumed ({r.currency})</caption>
        <thead>
          <tr>
            <th scope="col">Stock move</th><th scope="col">Source receipt</th><th scope="col">Lot · expiry</th>
            <th scope="col" class="num">Qty</th><th scope="col" class="num">Unit cost</th><th scope="col" class="num">Value</th>
          </tr>
        </thead>
        {r.moves.length === 0 && <tbody><tr><td colSpan={6} class="muted">This line moves no stock, so it consumed no cost layers.</td></tr></tbody>}
        {r.moves.map((m) => <MoveBody m={m} />)}
      </table>
    </div>
  );
}

function LineSummary({ r }: { r: DrillReport }): JSX.Element | null {
  const l = r.line;
  if (!l) return null;
  return (
    <p class="drill-line">
      Line {l.n} of journal <strong>{r.journal.id}</strong> ({r.journal.kind}, {r.journal.date}): <strong>{l.account} {l.accountName}</strong>{' '}
      {l.amount.startsWith('-') ? <>{l.amount.slice(1)} Cr</> : <>{l.amount} Dr</>}
      {l.product && <> for {l.product}{l.warehouse && ` @ ${l.warehouse}`}</>}
      {l.memo && <> — {l.memo}</>}
    </p>
  );
}

export function DrillPanel({ journal, line }: { journal: string; line: string }): JSX.Element {
  const path = `/v1/reports/drill?journal=${encodeURIComponent(journal)}&line=${encodeURIComponent(line)}`;
  const [load] = useLoad(() => api<DrillReport>(path), [path]);
  return (
    <section aria-labelledby="drill-title" class="card drill" id="drill">
      <h2 id="drill-title" tabIndex={-1}>Drill-down: line {line} of {journal}</h2>
      <Loaded load={load}>
        {(r) => (
          <>
            <LineSummary r={r} />
            <LayersTable r={r} />
          </>
        )}
      </Loaded>
    </section>
  );
}
