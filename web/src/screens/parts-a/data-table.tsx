/**
 * A report table: like the shared `Table`, plus a footer for totals (opening, closing, grand
 * total), a test id and per-row classes. The first cell of a footer row is its row header.
 */
import type { ComponentChildren, JSX } from 'preact';
import type { Column } from '../../components/ui';

export interface FootRow {
  /** Row header ("Total", "Closing balance"). */
  label: string;
  /** Cells after the label, one per remaining column (`undefined` leaves it empty). */
  cells: ComponentChildren[];
  className?: string;
}

interface Props<R> {
  rows: readonly R[];
  columns: Column<R>[];
  caption?: string;
  empty?: string;
  testid?: string;
  head?: FootRow[];
  foot?: FootRow[];
  rowClass?: (r: R) => string;
  rowKey?: (r: R, i: number) => string;
  /** Long tables (a year of movements): scroll inside a box with the column heads kept in view, cells unwrapped. */
  long?: boolean;
}

/** Opening rows go in the body's top, totals in <tfoot>; both take a <th scope="row"> label. */
function SummaryRow({ row, columns }: { row: FootRow; columns: Column<unknown>[] }): JSX.Element {
  return (
    <tr class={`summary ${row.className ?? ''}`}>
      <th scope="row">{row.label}</th>
      {columns.slice(1).map((c, i) => <td class={c.numeric ? 'num' : ''}>{row.cells[i]}</td>)}
    </tr>
  );
}

export function DataTable<R>({ rows, columns, caption, empty, testid, head = [], foot = [], rowClass, rowKey, long }: Props<R>): JSX.Element {
  const cols = columns as Column<unknown>[];
  return (
    <div class={long ? 'table-wrap long' : 'table-wrap'} tabIndex={long ? 0 : undefined} role={long ? 'region' : undefined} aria-label={long ? caption : undefined}>
      <table data-testid={testid}>
        {caption && <caption>{caption}</caption>}
        <thead>
          <tr>{columns.map((c) => <th scope="col" class={c.numeric ? 'num' : ''}>{c.label}</th>)}</tr>
        </thead>
        <tbody>
          {head.map((h) => <SummaryRow row={h} columns={cols} />)}
          {rows.length === 0 && <tr><td colSpan={columns.length} class="muted">{empty ?? 'Nothing to show.'}</td></tr>}
          {rows.map((r, i) => (
            <tr key={rowKey?.(r, i) ?? String(i)} class={rowClass?.(r)}>
              {columns.map((c) => <td class={c.numeric ? 'num' : ''}>{c.cell(r)}</td>)}
            </tr>
          ))}
        </tbody>
        {foot.length > 0 && <tfoot>{foot.map((f) => <SummaryRow row={f} columns={cols} />)}</tfoot>}
      </table>
    </div>
  );
}

/** "✓ ties" or "DIFFERENCE": the word carries the meaning, the colour only repeats it. */
export function TieStatus({ ties }: { ties: boolean }): JSX.Element {
  return ties ? <span class="status tie">✓ ties</span> : <span class="status difference">DIFFERENCE</span>;
}
