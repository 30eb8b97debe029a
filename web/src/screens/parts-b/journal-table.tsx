/**
 * Journals as a table: one row per line, the journal's own columns spanning its lines (one
 * <tbody> per journal). Every line's account links to the drill-down of that line, so a COGS
 * line is one click from the cost layers it consumed.
 */
import type { JSX } from 'preact';
import { eventHref } from '../../router';
import type { Journal, JournalLine } from '../../wire';

/** Columns: the journal, then account, debit, credit, product @ warehouse, memo per line. */
const COLS = 6;

/** The drill-down of a journal line: its event's page with the line chosen (lines are 1-based). */
const lineLink = (j: Journal, n: number): string => eventHref(j.event, { journal: j.id, line: String(n) });

/** Debit and credit columns from the signed amount (the sign is text; no arithmetic on money). */
function DrCr({ amount }: { amount: string }): JSX.Element {
  const credit = amount.startsWith('-');
  return (
    <>
      <td class="num line">{credit ? '' : amount}</td>
      <td class="num line">{credit ? amount.slice(1) : ''}</td>
    </>
  );
}

/** A correction names the event that caused it, a reversal the journal it reverses. */
function KindNote({ j }: { j: Journal }): JSX.Element {
  if (j.kind === 'correction' && j.cause) return <>correction, caused by <a href={eventHref(j.cause)}>{j.cause}</a></>;
  if (j.kind === 'reversal' && j.reverses) return <>reversal of {j.reverses}</>;
  return <>{j.kind}</>;
}

/** The journal's own facts in one cell spanning its lines, so a phone-width screen shows the lines beside it. */
function JournalHead({ j, rows, showEvent }: { j: Journal; rows: number; showEvent: boolean }): JSX.Element {
  return (
    <th scope="rowgroup" rowSpan={rows} class="journal-head">
      <span class="jid">{j.id}</span>
      <span class="sub">{j.date}{j.shiftedFrom && ` (from ${j.shiftedFrom})`}</span>
      {showEvent && <span class="sub"><a href={eventHref(j.event)}>{j.event}</a> {j.eventType}</span>}
      <span class="sub"><KindNote j={j} /></span>
      {j.reference && <span class="sub muted">{j.reference}</span>}
    </th>
  );
}

function LineCells({ j, l, n, chosen }: { j: Journal; l: JournalLine; n: number; chosen: boolean }): JSX.Element {
  return (
    <>
      <td class="line">
        <a href={lineLink(j, n)} aria-current={chosen ? 'true' : undefined}>{l.account} {l.accountName}</a>
        <span class="sr"> (line {n} of {j.id}: drill down)</span>
      </td>
      <DrCr amount={l.amount} />
      <td class="line">{l.product ? `${l.product}${l.warehouse ? ` @ ${l.warehouse}` : ''}` : ''}</td>
      <td class="line">{l.memo ?? ''}</td>
    </>
  );
}

function JournalBody({ j, showEvent, chosen }: { j: Journal; showEvent: boolean; chosen: { journal: string; line: number } | undefined }): JSX.Element {
  const rows = Math.max(j.lines.length, 1);
  const isChosen = (n: number): boolean => chosen?.journal === j.id && chosen.line === n;
  return (
    <tbody class="journal">
      {j.lines.length === 0 && <tr><JournalHead j={j} rows={1} showEvent={showEvent} /><td colSpan={COLS - 1} class="muted">No lines.</td></tr>}
      {j.lines.map((l, i) => (
        <tr class={isChosen(i + 1) ? 'chosen' : ''}>
          {i === 0 && <JournalHead j={j} rows={rows} showEvent={showEvent} />}
          <LineCells j={j} l={l} n={i + 1} chosen={isChosen(i + 1)} />
        </tr>
      ))}
    </tbody>
  );
}

export function JournalTable({ journals, caption, testid, showEvent = true, chosen }: { journals: Journal[]; caption: string; testid?: string; showEvent?: boolean; chosen?: { journal: string; line: number } | undefined }): JSX.Element {
  return (
    <div class="table-wrap">
      <table class="journals" data-testid={testid}>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{showEvent ? 'Journal, date, event, kind' : 'Journal, date, kind'}</th>
            <th scope="col">Account (drill down)</th><th scope="col" class="num">Debit</th><th scope="col" class="num">Credit</th><th scope="col">Product @ warehouse</th><th scope="col">Memo</th>
          </tr>
        </thead>
        {journals.length === 0 && <tbody><tr><td colSpan={COLS} class="muted">No journals.</td></tr></tbody>}
        {journals.map((j) => <JournalBody key={j.id} j={j} showEvent={showEvent} chosen={chosen} />)}
      </table>
    </div>
  );
}
