/** The pieces of the settings screen: settings, accounting system, mappings (with gaps), chart. */
import type { JSX } from 'preact';
import { Table } from '../../components/ui';
import { href } from '../../router';
import { isGap, PRODUCT_ROLES, poolMappings, type PoolMapping, type Resolved } from './mapping';
import type { CompanyData, Mapping } from '../../wire';

/** What each setting means for the books, in a few words beside its value. */
const MEANING: Record<string, Record<string, string>> = {
  cogsTiming: { shipment: 'COGS posts when goods ship', invoice: 'COGS posts with the sale invoice' },
  purchaseRecognition: { bill: 'stock is recognised on the supplier bill', receipt: 'stock is recognised on receipt (GRNI until billed)' },
  inventorySystem: { perpetual: 'every movement posts to inventory', periodic: 'only count exports post to inventory' },
  negativeStock: { block: 'issues beyond stock on hand are refused', allow: 'issues may go below zero and are trued up' },
  lockMode: { reject: 'events dated in the locked period are refused', shift: 'their journals are dated at the first open date' },
};

function Setting({ label, name, value }: { label: string; name: string; value: string | undefined }): JSX.Element {
  const meaning = value === undefined ? undefined : MEANING[name]?.[value];
  return (
    <div>
      <dt>{label}</dt>
      <dd>{value ?? <span class="muted">none</span>}{meaning && <span class="muted sub">{meaning}</span>}</dd>
    </div>
  );
}

export function SettingsCard({ co }: { co: CompanyData }): JSX.Element {
  const s = co.settings;
  return (
    <section class="card" aria-labelledby="books-h" data-testid="settings">
      <h2 id="books-h">Books</h2>
      <dl class="kv settings-list">
        <Setting label="Base currency" name="baseCurrency" value={co.baseCurrency} />
        <Setting label="Costing method (default)" name="costingMethod" value={s.costingMethod} />
        <Setting label="COGS timing" name="cogsTiming" value={s.cogsTiming} />
        <Setting label="Purchase recognition" name="purchaseRecognition" value={s.purchaseRecognition} />
        <Setting label="Inventory system" name="inventorySystem" value={s.inventorySystem} />
        <Setting label="Negative stock" name="negativeStock" value={s.negativeStock} />
        <Setting label="Rounding" name="rounding" value={s.rounding} />
        <Setting label="Lock date" name="lockDate" value={s.lockDate} />
        {s.lockDate && <Setting label="Lock mode" name="lockMode" value={s.lockMode} />}
      </dl>
    </section>
  );
}

/** The Xero connection from config.sync; the client secret is never shown. */
export function TargetCard({ co }: { co: CompanyData }): JSX.Element {
  const sync = co.config.sync;
  const xero = sync?.xero;
  return (
    <section class="card" aria-labelledby="target-h" data-testid="accounting-target">
      <h2 id="target-h">Accounting system</h2>
      {xero ? <p class="status tie">✓ Sync to Xero is configured.</p> : <p class="status difference">Sync is not configured: add a "sync.xero" section to the configuration.</p>}
      {xero && (
        <dl class="kv">
          <div><dt>Target</dt><dd>Xero</dd></div>
          <div><dt>Tenant id</dt><dd><span class="code">{xero.tenantId ?? '—'}</span></dd></div>
          <div><dt>API URL</dt><dd><span class="code">{xero.apiUrl ?? 'Xero (default)'}</span></dd></div>
          {typeof sync?.['tolerance'] === 'string' && <div><dt>Rounding tolerance</dt><dd>{sync['tolerance']}</dd></div>}
        </dl>
      )}
      <p><a href={href('accounting/invoices')}>Records waiting to sync</a></p>
    </section>
  );
}

const LEVEL_WORD = { product: 'product', category: 'category', warehouse: 'warehouse', company: 'company' } as const;

function RoleCell({ r, names }: { r: Resolved; names: Map<string, string> }): JSX.Element {
  if (!r.needed) return <span class="muted">not used</span>;
  if (isGap(r)) return <strong>missing</strong>;
  return <span class="mapping-cell">{r.account} {names.get(r.account ?? '') ?? ''}<span class="muted">from {LEVEL_WORD[r.level ?? 'company']}</span></span>;
}

/** The table the accountant checks: a gap is a cell with class "gap" and the word "missing". */
export function ResolvedMappings({ co }: { co: CompanyData }): JSX.Element {
  // Gaps first, so a long product list does not hide them; otherwise configuration order.
  const all = poolMappings(co);
  const rows = [...all.filter((m) => m.roles.some(isGap)), ...all.filter((m) => !m.roles.some(isGap))];
  const names = new Map(co.accounts.map((a) => [a.code, a.name]));
  const gaps = rows.reduce((n, r) => n + r.roles.filter(isGap).length, 0);
  return (
    <section aria-labelledby="resolved-h">
      <h2 id="resolved-h">Accounts per stocked product</h2>
      <p>
        {gaps === 0
          ? <span class="status tie">✓ Every stocked product resolves every account it needs, in every warehouse.</span>
          : <span class="status difference">{gaps} missing {gaps === 1 ? 'mapping' : 'mappings'}: events for those products will fail with MAPPING_MISSING.</span>}
        {' '}<span class="muted">Resolved product → category → warehouse → company; PPV only for products at standard cost.</span>
      </p>
      <div class="table-wrap">
        <table data-testid="mappings">
          <caption class="sr">Resolved account per role for each stocked product and warehouse</caption>
          <thead>
            <tr><th scope="col">Product</th><th scope="col">Warehouse</th><th scope="col">Costing</th>{PRODUCT_ROLES.map((r) => <th scope="col">{r === 'ppv' ? 'PPV' : r === 'cogs' ? 'COGS' : r[0]!.toUpperCase() + r.slice(1)}</th>)}</tr>
          </thead>
          <tbody>
            {rows.map((m: PoolMapping) => (
              <tr class={m.roles.some(isGap) ? 'has-gap' : ''}>
                <th scope="row">{m.product}<span class="muted sub">{m.productName}</span></th>
                <td>{m.warehouse ?? '—'}</td>
                <td>{m.costingMethod}</td>
                {m.roles.map((r) => <td class={isGap(r) ? 'gap' : ''}><RoleCell r={r} names={names} /></td>)}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function Chips({ m }: { m: Mapping | undefined }): JSX.Element {
  const entries = Object.entries(m ?? {});
  if (entries.length === 0) return <span class="muted">none</span>;
  return <span class="chips">{entries.map(([role, code]) => <span class="chip">{role} → {code}</span>)}</span>;
}

interface LevelRow { level: string; code: string; name: string; mapping: Mapping | undefined }

/** Every level's own mappings, as configured (what the resolution above walks through). */
export function LevelMappings({ co }: { co: CompanyData }): JSX.Element {
  const rows: LevelRow[] = [
    { level: 'Company', code: co.id, name: co.name, mapping: co.mapping },
    ...co.warehouses.map((w) => ({ level: 'Warehouse', code: w.code, name: w.name ?? '', mapping: w.mapping })),
    ...co.categories.map((c) => ({ level: 'Category', code: c.code, name: c.name ?? '', mapping: c.mapping })),
    ...co.products.map((p) => ({ level: p.stocked === false ? 'Product (not stocked)' : 'Product', code: p.sku, name: p.name ?? '', mapping: p.mapping })),
  ];
  return (
    <section aria-labelledby="levels-h">
      <h2 id="levels-h">Mappings per level</h2>
      <Table
        testid="mapping-levels"
        caption="Role → account mappings as configured at each level"
        rows={rows}
        columns={[
          { label: 'Level', cell: (r) => r.level },
          { label: 'Code', cell: (r) => r.code },
          { label: 'Name', cell: (r) => r.name },
          { label: 'Mappings', cell: (r) => <Chips m={r.mapping} /> },
        ]}
      />
    </section>
  );
}

export function ChartOfAccounts({ co }: { co: CompanyData }): JSX.Element {
  return (
    <section aria-labelledby="chart-h">
      <h2 id="chart-h">Chart of accounts</h2>
      <Table caption={`${co.accounts.length} accounts`} rows={co.accounts} columns={[
        { label: 'Code', cell: (a) => a.code },
        { label: 'Name', cell: (a) => a.name },
        { label: 'Type', cell: (a) => a.type },
      ]} />
    </section>
  );
}
