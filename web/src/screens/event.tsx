/**
 * An event and what it booked: `#/events/<id>[?journal=&line=]`. Shows the event as it was sent
 * (type, date, reference, memo, its other fields and lines), its journals with every line linked
 * to its drill-down, and its stock moves; with a line chosen, the drill-down comes first: the line
 * → the event → the cost layers it consumed.
 */
import type { JSX } from 'preact';
import { useEffect } from 'preact/hooks';
import { api } from '../api';
import { Loaded, Money, Page, useLoad } from '../components/ui';
import { eventHref, type Route } from '../router';
import type { Journal } from '../wire';
import { DrillPanel } from './parts-b/drill';
import { JournalTable } from './parts-b/journal-table';

interface MoveResult { qty: string; value: string; takes: { source: string; qty: string; value: string }[] }
interface Move { index: number; kind: string; product: string; warehouse: string; qty: string; lot?: string; value?: string; amount?: string; result: MoveResult | null }

interface EventView {
  id: string;
  type: string;
  seq: string;
  voidedBy: string | null;
  event: Record<string, unknown>;
  journals: Journal[];
  written: Journal[];
  moves: Move[];
}

/** Shown in the header list before the event's other fields. */
const LEADING = ['type', 'date', 'reference', 'memo'];
/** Not a "key field": shown elsewhere (lines), or identity. */
const SKIP = new Set(['id', 'lines', ...LEADING]);

const text = (v: unknown): string => (v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function EventFields({ e }: { e: EventView }): JSX.Element {
  const body = e.event;
  const others = Object.keys(body).filter((k) => !SKIP.has(k));
  return (
    <dl class="fields">
      {LEADING.filter((k) => body[k] !== undefined).map((k) => <div><dt>{k}</dt><dd>{text(body[k])}</dd></div>)}
      {others.map((k) => <div><dt>{k}</dt><dd>{text(body[k])}</dd></div>)}
      {e.voidedBy && <div><dt>voided by</dt><dd><a href={eventHref(e.voidedBy)}>{e.voidedBy}</a></dd></div>}
    </dl>
  );
}

/** The event's own lines, as sent: one column per field any line has. */
function EventLines({ lines }: { lines: Record<string, unknown>[] }): JSX.Element {
  const keys = [...new Set(lines.flatMap((l) => Object.keys(l)))];
  return (
    <div class="table-wrap">
      <table>
        <caption>Event lines</caption>
        <thead><tr><th scope="col">#</th>{keys.map((k) => <th scope="col">{k}</th>)}</tr></thead>
        <tbody>{lines.map((l, i) => <tr><th scope="row">{i + 1}</th>{keys.map((k) => <td>{text(l[k])}</td>)}</tr>)}</tbody>
      </table>
    </div>
  );
}

function Moves({ moves }: { moves: Move[] }): JSX.Element {
  return (
    <div class="table-wrap">
      <table>
        <caption>Stock moves at current cost</caption>
        <thead><tr><th scope="col">Move</th><th scope="col">Product @ warehouse</th><th scope="col" class="num">Qty</th><th scope="col" class="num">Value</th><th scope="col">Layers</th></tr></thead>
        <tbody>
          {moves.map((m) => (
            <tr>
              <th scope="row">{m.index} {m.kind}</th>
              <td>{m.product} @ {m.warehouse}{m.lot && ` (lot ${m.lot})`}</td>
              <td class="num">{m.result?.qty ?? m.qty}</td>
              <td class="num"><Money value={m.result?.value ?? m.value} /></td>
              <td>{(m.result?.takes ?? []).map((t) => `${t.source}: ${t.qty}`).join('; ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function EventBody({ e, chosen }: { e: EventView; chosen: { journal: string; line: number } | undefined }): JSX.Element {
  const own = new Set(e.journals.map((j) => j.id));
  const caused = e.written.filter((j) => !own.has(j.id));
  const lines = Array.isArray(e.event['lines']) ? (e.event['lines'] as Record<string, unknown>[]) : [];
  return (
    <>
      <EventFields e={e} />
      <h2>Journals</h2>
      <JournalTable journals={e.journals} caption="Journals booking this event (choose a line to drill down)" showEvent={false} chosen={chosen} />
      {caused.length > 0 && <JournalTable journals={caused} caption="Corrections of other events written when this event was posted" chosen={chosen} />}
      {e.moves.length > 0 && <><h2>Stock moves</h2><Moves moves={e.moves} /></>}
      {lines.length > 0 && <><h2>Lines as sent</h2><EventLines lines={lines} /></>}
    </>
  );
}

export function EventDrill({ route }: { route: Route }): JSX.Element {
  const id = route.path.slice(1).join('/');
  const journal = route.query.get('journal') ?? undefined;
  const line = route.query.get('line') ?? undefined;
  const [load] = useLoad(() => api<EventView>(`/v1/events/${encodeURIComponent(id)}`), [id]);
  const chosen = journal && line ? { journal, line: Number(line) } : undefined;
  // Choosing another line on this page moves the reader to its drill-down.
  useEffect(() => {
    if (chosen) document.getElementById('drill-title')?.focus();
  }, [journal, line]);
  const title = load.state === 'ok' ? `Event ${load.data.id} (${load.data.type})` : `Event ${id}`;
  return (
    <Page title={title} actions={<a href="#/journals">All journals</a>}>
      {chosen && journal && line && <DrillPanel journal={journal} line={line} />}
      <Loaded load={load}>{(e) => <EventBody e={e} chosen={chosen} />}</Loaded>
    </Page>
  );
}
