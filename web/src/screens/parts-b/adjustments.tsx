/**
 * The journal adjustment report of a count (seed 002): per inventory category the value rolled
 * forward from the prior count, the prior ending inventory the export reverses and the count's
 * valuation it posts; then the entries, their totals and whether they balance.
 */
import type { JSX } from 'preact';
import { isZero, Money } from '../../components/ui';
import { accountText, useAccounts } from './accounts';
import { MOVEMENT_KINDS, type CategoryRow, type CountPreview, type Entry, type MovementKind } from './counts-api';

const KIND_LABEL: Record<(typeof MOVEMENT_KINDS)[number], string> = {
  receipts: 'Receipts', sales: 'Sales', transfers: 'Transfers', production: 'Production', adjustments: 'Adjustments', other: 'Other',
};

/** The movement kinds some category has; the others are named once under the table. */
function kindsShown(p: CountPreview): { shown: MovementKind[]; none: MovementKind[] } {
  const shown = MOVEMENT_KINDS.filter((k) => p.categories.some((c) => !isZero(c.movements[k])));
  return { shown, none: MOVEMENT_KINDS.filter((k) => !shown.includes(k)) };
}

function CategoryTr({ c, kinds, names }: { c: CategoryRow; kinds: MovementKind[]; names: Map<string, string> }): JSX.Element {
  return (
    <tr>
      <th scope="row" class="nowrap">{c.category ?? '(none)'} <span class="muted">{c.name}</span></th>
      <td>{accountText(names, c.asset)}</td>
      <td>{accountText(names, c.cogs)}</td>
      <td class="num"><Money value={c.opening} /></td>
      {kinds.map((k) => <td class="num"><Money value={c.movements[k]} /></td>)}
      <td class="num"><Money value={c.prior} /></td>
      <td class="num"><Money value={c.current} /></td>
    </tr>
  );
}

function CategoriesTable({ p, names }: { p: CountPreview; names: Map<string, string> }): JSX.Element {
  const { shown, none } = kindsShown(p);
  return (
    <div>
      <div class="table-wrap">
        <table>
          <caption>Categories: count {p.count}, prior count {p.priorCount ?? 'none'} ({p.currency}, {p.inventorySystem} inventory)</caption>
          <thead>
            <tr>
              <th scope="col">Category</th><th scope="col">Asset account</th><th scope="col">COGS account</th><th scope="col" class="num">Opening</th>
              {shown.map((k) => <th scope="col" class="num">{KIND_LABEL[k]}</th>)}
              <th scope="col" class="num">Prior (reversed)</th><th scope="col" class="num">Current (posted)</th>
            </tr>
          </thead>
          <tbody>
            {p.categories.length === 0 && <tr><td colSpan={6 + shown.length} class="muted">No stocked categories.</td></tr>}
            {p.categories.map((c) => <CategoryTr c={c} kinds={shown} names={names} />)}
          </tbody>
        </table>
      </div>
      {none.length > 0 && <p class="muted small">No {none.map((k) => KIND_LABEL[k].toLowerCase()).join(', ')} since the prior count. Opening + movements = current.</p>}
    </div>
  );
}

function EntryTr({ e, names }: { e: Entry; names: Map<string, string> }): JSX.Element {
  return (
    <tr>
      <td>{accountText(names, e.debit)}</td>
      <td>{accountText(names, e.credit)}</td>
      <td class="num"><Money value={e.amount} /></td>
      <td>{e.memo}</td>
    </tr>
  );
}

export function BalancedBadge({ balanced }: { balanced: boolean }): JSX.Element {
  return <strong data-testid="balanced" class={`status ${balanced ? 'ok' : 'error'}`}>{balanced ? 'Balanced' : 'UNBALANCED'}</strong>;
}

function EntriesTable({ p, names }: { p: CountPreview; names: Map<string, string> }): JSX.Element {
  return (
    <div class="table-wrap">
      <table>
        <caption>Entries the export posts</caption>
        <thead>
          <tr><th scope="col">Dr account</th><th scope="col">Cr account</th><th scope="col" class="num">Amount</th><th scope="col">Memo</th></tr>
        </thead>
        <tbody>
          {p.entries.length === 0 && <tr><td colSpan={4} class="muted">No entries: nothing to adjust.</td></tr>}
          {p.entries.map((e) => <EntryTr e={e} names={names} />)}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" colSpan={2}>Total debits</th>
            <td class="num"><Money value={p.totals.debit} /></td>
            <td />
          </tr>
          <tr>
            <th scope="row" colSpan={2}>Total credits</th>
            <td class="num"><Money value={p.totals.credit} /></td>
            <td><BalancedBadge balanced={p.balanced} /></td>
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

export function AdjustmentReport({ p }: { p: CountPreview }): JSX.Element {
  const names = useAccounts();
  return (
    <div data-testid="adjustments-table" class="report-stack">
      <CategoriesTable p={p} names={names} />
      <EntriesTable p={p} names={names} />
    </div>
  );
}
