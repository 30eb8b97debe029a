/**
 * Golden tests for seed 004 (Cin7 Core, "Accounting transactions"): every row of every Dr/Cr
 * table in the seed, reproduced to the cent by posting the runnable example files in
 * examples/seed-004 through the library (loadConfig → parseEvent → Book).
 *
 * Each scenario posts one example file and checks the journal of one event against the
 * seed's table(s), written as the seed prints them: debit account, credit account, amount
 * (negative where the seed prints "$-10") and date. A journal stores each seed row as two
 * consecutive lines (debit +amount, credit −amount, bigint minor units); the test rebuilds the
 * rows from those pairs and requires exactly the expected rows, in order, nothing more.
 *
 * Accounts are compared by NAME as the company chart spells them. The chart in
 * examples/seed-004/company.json uses the seed's labels; where the seed spells a label
 * differently, or names a choice rather than an account ("Labour account or Overheads
 * account", "Account specified in the invoice"), the row carries a `seed:` comment.
 *
 * The seed's "Transaction Date" column is checked too: each column value names the event
 * whose date the journal must carry (DATE_COLUMNS), and every expected date must equal it.
 *
 * Seed 000 (ConnectWise PSA invoice) has no Dr/Cr table; its example is checked at the end:
 * the invoice's Inventory → COGS lines are dated at the invoice (April), not the purchase.
 *
 * Money stays bigint / decimal strings throughout: no JS number ever holds an amount.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadConfig, type Company } from '../src/domain/config.js';
import { parseEvent } from '../src/domain/events.js';
import { parseMoney } from '../src/domain/money.js';
import { Book } from '../src/book/book.js';
import type { Journal } from '../src/posting/journal.js';

const EXAMPLES = fileURLToPath(new URL('../examples/', import.meta.url));

type Raw = Record<string, unknown>;

/** One row of a seed table: Dr | Cr | Amount | Transaction Date. */
interface SeedRow {
  dr: string;
  cr: string;
  /** Decimal string as the seed prints it, without "$": '100.00', '-10.00'. */
  amount: string;
  date: string;
}

interface SeedTable {
  /** The seed's words introducing the table. */
  seed: string;
  /** The seed's "Transaction Date" column, verbatim. */
  dateColumn: keyof typeof DATE_COLUMNS;
  rows: SeedRow[];
}

interface Scenario {
  name: string;
  /** Example file under examples/seed-004, runnable on its own with the CLI. */
  file: string;
  /** The event whose journal the tables describe. */
  journal: string;
  /** The seed table(s) the journal holds, concatenated in the seed's order. */
  tables: SeedTable[];
}

const ownDate = (ev: Raw): string => String(ev['date']);

/** Seed 004: "Max of Shipment Dates if multiple" — the latest line date (or the event date). */
const maxShipmentDate = (ev: Raw): string => {
  const dates = ((ev['lines'] as Raw[] | undefined) ?? []).map((l) => (typeof l['date'] === 'string' ? l['date'] : ownDate(ev)));
  return dates.reduce((a, b) => (b > a ? b : a), ownDate(ev));
};

/** What each value of the seed's "Transaction Date" column means: which event, which date. */
const DATE_COLUMNS = {
  'Deposit date': { types: ['supplier_deposit'], date: ownDate },
  'Invoice date': { types: ['purchase_invoice'], date: ownDate },
  'Invoice Date': { types: ['sale_invoice'], date: ownDate },
  'Manual Journal Date': { types: ['landed_cost'], date: ownDate },
  'Credit Note Date': { types: ['purchase_credit_note', 'sale_credit_note'], date: ownDate },
  'Payment Date': { types: ['supplier_payment', 'customer_payment'], date: ownDate },
  'Prepayment Date': { types: ['customer_prepayment'], date: ownDate },
  'Max of Shipment Dates if multiple': { types: ['shipment'], date: maxShipmentDate },
  'Effective Date': { types: ['stock_adjustment'], date: ownDate },
  'Assembly completion date': { types: ['assembly'], date: ownDate },
  'Date when user completed inventory write-off task': { types: ['write_off'], date: ownDate },
  'Date when user completed disassembly task': { types: ['disassembly'], date: ownDate },
} satisfies Record<string, { types: string[]; date: (ev: Raw) => string }>;

// ---- the seed's tables -------------------------------------------------------------------

/** "In the table below is an example of a purchase invoice" (10% tax, $22 expensed delivery). */
const PURCHASE_INVOICE: SeedTable = {
  seed: 'purchase invoice: $110 incl. $10 tax, $22 delivery fee allocated to an expense account',
  dateColumn: 'Invoice date',
  rows: [
    { dr: 'Inventory control', cr: 'Account Payable', amount: '100.00', date: '2026-03-05' },
    { dr: 'Tax', cr: 'Account Payable', amount: '10.00', date: '2026-03-05' },
    { dr: 'Expense', cr: 'Account Payable', amount: '20.00', date: '2026-03-05' },
    { dr: 'Tax', cr: 'Account Payable', amount: '2.00', date: '2026-03-05' },
  ],
};

const SCENARIOS: Scenario[] = [
  // ---- Purchase ----
  {
    name: 'Purchase: supplier deposit on the purchase order',
    file: 'supplier-deposit.jsonl',
    journal: 'DEP-1',
    tables: [{
      seed: 'purchase order with a $25 supplier deposit attached',
      dateColumn: 'Deposit date',
      rows: [{ dr: 'Supplier Deposits', cr: 'Bank', amount: '25.00', date: '2026-03-01' }],
    }],
  },
  {
    // Two seed tables, one journal: the bill, then "Account Payable will then be reduced by
    // the amount of supplier deposit made previously ($25)". The example posts the deposit
    // (DEP-1) first, so the bill can apply it.
    name: 'Purchase: purchase invoice, supplier deposit applied',
    file: 'purchase-invoice.jsonl',
    journal: 'BILL-1',
    tables: [
      PURCHASE_INVOICE,
      {
        seed: 'Account Payable reduced by the supplier deposit made previously ($25)',
        dateColumn: 'Invoice date',
        // seed: "Account Payable | Prepayment". The credit is the supplier-deposit (prepayment)
        // account the deposit was booked to, named "Supplier Deposits" in our chart ("Prepayment"
        // in our chart is the customer-prepayment liability of the Sale tables).
        rows: [{ dr: 'Account Payable', cr: 'Supplier Deposits', amount: '25.00', date: '2026-03-05' }],
      },
    ],
  },
  {
    // "the transactions are going to be the same as the above example plus the transaction
    // below": the purchase-invoice rows (no deposit on this order), then COGS at the bill.
    name: 'Purchase: dropship bill books COGS at the invoice',
    file: 'dropship.jsonl',
    journal: 'BILL-1',
    tables: [
      PURCHASE_INVOICE,
      {
        seed: 'dropship: COGS generated when the purchase invoice is authorized',
        dateColumn: 'Invoice date',
        rows: [{ dr: 'COGS', cr: 'Inventory control', amount: '100.00', date: '2026-03-05' }],
      },
    ],
  },
  {
    name: 'Purchase: delivery fee capitalised',
    file: 'capitalised-delivery.jsonl',
    journal: 'BILL-1',
    tables: [{
      seed: 'if the delivery fee is capitalised',
      dateColumn: 'Invoice date',
      rows: [
        { dr: 'Inventory control', cr: 'Account Payable', amount: '100.00', date: '2026-03-05' },
        { dr: 'Tax', cr: 'Account Payable', amount: '10.00', date: '2026-03-05' },
        { dr: 'Inventory control', cr: 'Account Payable', amount: '20.00', date: '2026-03-05' },
        { dr: 'Tax', cr: 'Account Payable', amount: '2.00', date: '2026-03-05' },
      ],
    }],
  },
  {
    // The seed's "manual journal" that allocates a cost to stock is a landed_cost event here
    // (a manual journal may not touch an inventory account). Its target is the capitalised
    // bill of the previous table: "the inventory items on this invoice".
    name: 'Purchase: $8 warehouse overheads allocated to the invoice items',
    file: 'landed-cost-purchase.jsonl',
    journal: 'LC-1',
    tables: [{
      seed: 'manual journal distributes $8 of Warehouse Overheads to the inventory items on this invoice',
      dateColumn: 'Manual Journal Date',
      rows: [{ dr: 'Inventory control', cr: 'Warehouse overheads', amount: '8.00', date: '2026-03-20' }],
    }],
  },
  {
    // One defective widget of a 10 × $10 bill goes back for $10 + $1 tax: it leaves stock at
    // exactly its $10 cost, so no price-variance row appears.
    name: 'Purchase: credit note for a defective item',
    file: 'purchase-credit-note.jsonl',
    journal: 'PCN-1',
    tables: [{
      seed: 'in a month a defect is found and a credit note requested ($11 incl. tax)',
      dateColumn: 'Credit Note Date',
      rows: [
        { dr: 'Inventory control', cr: 'Account Payable', amount: '-10.00', date: '2026-04-05' },
        { dr: 'Tax', cr: 'Account Payable', amount: '-1.00', date: '2026-04-05' },
      ],
    }],
  },
  {
    // The seed's $110 is the purchase amount incl. tax; the example pays a $100 + $10 bill.
    name: 'Purchase: invoice payment',
    file: 'supplier-payment.jsonl',
    journal: 'PAY-1',
    tables: [{
      seed: 'Invoice Payment',
      dateColumn: 'Payment Date',
      rows: [{ dr: 'Account Payable', cr: 'Bank', amount: '110.00', date: '2026-04-05' }],
    }],
  },
  // ---- Sale ----
  {
    name: 'Sale: customer prepayment on the quote',
    file: 'customer-prepayment.jsonl',
    journal: 'PRE-1',
    tables: [{
      seed: 'sale quote authorized, client prepayment/customer credit of $25',
      dateColumn: 'Prepayment Date',
      rows: [{ dr: 'Bank', cr: 'Prepayment', amount: '25.00', date: '2026-04-01' }],
    }],
  },
  {
    name: 'Sale: sale invoice with delivery fee, prepayment applied',
    file: 'sale-invoice.jsonl',
    journal: 'INV-1',
    tables: [{
      seed: 'sale invoice: $110 incl. $10 tax, $22 delivery fee to a different sale account, prepayment applied',
      dateColumn: 'Invoice Date',
      rows: [
        { dr: 'Accounts Receivable', cr: 'Sale', amount: '100.00', date: '2026-04-08' },
        { dr: 'Accounts Receivable', cr: 'Tax', amount: '10.00', date: '2026-04-08' },
        { dr: 'Accounts Receivable', cr: 'Sale 2', amount: '20.00', date: '2026-04-08' },
        { dr: 'Accounts Receivable', cr: 'Tax', amount: '2.00', date: '2026-04-08' },
        { dr: 'Prepayment', cr: 'Accounts Receivable', amount: '25.00', date: '2026-04-08' },
      ],
    }],
  },
  {
    name: 'Sale: non-inventory item invoiced',
    file: 'non-inventory-sale.jsonl',
    journal: 'INV-2',
    tables: [{
      seed: 'a non-inventory item is invoiced in a sale for $100',
      dateColumn: 'Invoice Date',
      // seed: "Account specified in the invoice" — the line names account 4020 "Services revenue".
      rows: [{ dr: 'Accounts Receivable', cr: 'Services revenue', amount: '100.00', date: '2026-04-08' }],
    }],
  },
  {
    // 10 widgets bought for $50 ship in two parts: 6 on 04-10 and 4 on 04-12. One row for the
    // $50 picked, dated at the later shipment date (the event itself is dated 04-10).
    name: 'Sale: shipment COGS at the latest shipment date',
    file: 'shipment.jsonl',
    journal: 'SHIP-1',
    tables: [{
      seed: 'Shipment tab authorized: value of the picked inventory cards',
      dateColumn: 'Max of Shipment Dates if multiple',
      rows: [{ dr: 'COGS', cr: 'Inventory control', amount: '50.00', date: '2026-04-12' }],
    }],
  },
  {
    name: 'Sale: $8 warehouse overheads allocated to the COGS of the sale',
    file: 'landed-cost-sale.jsonl',
    journal: 'LC-1',
    tables: [{
      seed: 'manual journal distributes $8 of Warehouse Overheads to the COGS of this sale',
      dateColumn: 'Manual Journal Date',
      rows: [{ dr: 'COGS', cr: 'Warehouse overheads', amount: '8.00', date: '2026-04-20' }],
    }],
  },
  {
    // The seed's $110 is the sale amount incl. tax; the example collects a $100 + $10 invoice.
    name: 'Sale: customer pays the invoice',
    file: 'customer-payment.jsonl',
    journal: 'RCPT-1',
    tables: [{
      seed: 'the customer makes the invoice payment',
      dateColumn: 'Payment Date',
      rows: [{ dr: 'Bank', cr: 'Accounts Receivable', amount: '110.00', date: '2026-04-30' }],
    }],
  },
  {
    // The seed's numbers do not chain here: the purchase tables cost a widget $10, but the
    // credit note's COGS row is $-5. The example therefore buys 10 widgets for $50 ($5 each),
    // invoices them for $100 + $10 tax, ships them (COGS $50, as in the shipment table) and a
    // month later credits one defective widget for $10 + $1 tax, restocked at the $5 it left at.
    name: 'Sale: credit note for a defective item',
    file: 'sale-credit-note.jsonl',
    journal: 'SCN-1',
    tables: [{
      seed: 'in a month the customer finds a defect and requests a credit note ($11 incl. tax)',
      dateColumn: 'Credit Note Date',
      rows: [
        { dr: 'Accounts Receivable', cr: 'Sale', amount: '-10.00', date: '2026-05-12' },
        { dr: 'Accounts Receivable', cr: 'Tax', amount: '-1.00', date: '2026-05-12' },
        { dr: 'COGS', cr: 'Inventory control', amount: '-5.00', date: '2026-05-12' },
      ],
    }],
  },
  // ---- Stock adjustments ----
  {
    // One widget found, valued at the $10 average cost of the 10 × $10 on hand.
    name: 'Stock adjustment: $10 increase in stock value',
    file: 'stock-adjustment-increase.jsonl',
    journal: 'ADJ-1',
    tables: [{
      seed: 'a $10 increase in stock value due to a stock adjustment',
      dateColumn: 'Effective Date',
      // seed: "Inventory Control" (capital C).
      rows: [{ dr: 'Inventory control', cr: 'Inventory Discrepancy Account', amount: '10.00', date: '2026-03-31' }],
    }],
  },
  {
    name: 'Stock adjustment: $10 decrease in stock value',
    file: 'stock-adjustment-decrease.jsonl',
    journal: 'ADJ-1',
    tables: [{
      seed: 'a $10 decrease in stock value due to a stock adjustment',
      dateColumn: 'Effective Date',
      // seed: "Inventory Control" (capital C).
      rows: [{ dr: 'Inventory control', cr: 'Inventory Discrepancy Account', amount: '-10.00', date: '2026-03-31' }],
    }],
  },
  // ---- Assembly ----
  {
    // Three seed tables, one journal: allocate components to WIP, complete into finished
    // goods, and the service costs. 10 parts bought for $10 make one kit.
    name: 'Assembly: components to WIP, WIP to finished goods, labour',
    file: 'assembly.jsonl',
    journal: 'ASM-1',
    tables: [
      {
        seed: 'stage one: components allocated to the WIP account',
        dateColumn: 'Assembly completion date',
        // seed: "WIP Account | Inventory Control".
        rows: [{ dr: 'WIP account', cr: 'Inventory control', amount: '10.00', date: '2026-03-15' }],
      },
      {
        seed: 'Complete: WIP closed, assembled goods to the Inventory account',
        dateColumn: 'Assembly completion date',
        // seed: "Inventory Control | WIP account".
        rows: [{ dr: 'Inventory control', cr: 'WIP account', amount: '10.00', date: '2026-03-15' }],
      },
      {
        seed: 'service costs (labour, overheads) allocated to the assembled goods',
        dateColumn: 'Assembly completion date',
        // seed: "Inventory Control | Labour account or Overheads account" — labour here.
        rows: [{ dr: 'Inventory control', cr: 'Labour account', amount: '150.00', date: '2026-03-15' }],
      },
    ],
  },
  {
    // As for purchases, the seed's manual journal to stock is a landed_cost event, here naming
    // the assembly whose finished goods carry the cost.
    name: 'Assembly: $8 warehouse overheads allocated to the assembled goods',
    file: 'landed-cost-assembly.jsonl',
    journal: 'LC-1',
    tables: [{
      seed: 'after the assembly, a manual journal distributes $8 of Warehouse Overheads to the assembled goods',
      dateColumn: 'Manual Journal Date',
      // seed: "Inventory Control".
      rows: [{ dr: 'Inventory control', cr: 'Warehouse overheads', amount: '8.00', date: '2026-03-20' }],
    }],
  },
  // ---- Inventory write-off ----
  {
    // Two $10 widgets written off, plus $100 of work booked from the overheads account.
    name: 'Inventory write-off with overheads',
    file: 'write-off.jsonl',
    journal: 'WO-1',
    tables: [{
      seed: 'inventory write-off, with labour/overheads to the expense account',
      dateColumn: 'Date when user completed inventory write-off task',
      rows: [
        // seed: "Selected Expense Account | Inventory Control".
        { dr: 'Selected Expense Account', cr: 'Inventory control', amount: '20.00', date: '2026-03-25' },
        // seed: "Selected Expense Account | Labour account or Overheads account" — overheads here.
        { dr: 'Selected Expense Account', cr: 'Overheads account', amount: '100.00', date: '2026-03-25' },
      ],
    }],
  },
  // ---- Disassembly ----
  {
    // A $200 kit taken apart into parts and widgets (all on the one inventory account), plus
    // $100 of labour.
    name: 'Disassembly with labour',
    file: 'disassembly.jsonl',
    journal: 'DIS-1',
    tables: [{
      seed: 'disassembly: product to WIP, components to inventory, labour/overheads',
      dateColumn: 'Date when user completed disassembly task',
      rows: [
        // seed: "WIP Account | Inventory Control".
        { dr: 'WIP account', cr: 'Inventory control', amount: '200.00', date: '2026-03-25' },
        // seed: "Inventory Control | Selected 'work in progress' account".
        { dr: 'Inventory control', cr: 'WIP account', amount: '200.00', date: '2026-03-25' },
        // seed: "Inventory Control | Labour account or Overheads account" — labour here.
        { dr: 'Inventory control', cr: 'Labour account', amount: '100.00', date: '2026-03-25' },
      ],
    }],
  },
];

// ---- harness -----------------------------------------------------------------------------

interface Posted {
  co: Company;
  events: Raw[];
  journals: Journal[];
}

function loadCompany(dir: string): Company {
  const co = loadConfig(JSON.parse(readFileSync(`${EXAMPLES}${dir}/company.json`, 'utf8')));
  assert.ok(co.ok, co.ok ? '' : co.error.message);
  return co.value;
}

/** Posts an example file through the library; every event must be accepted. */
function postExample(dir: string, file: string): Posted {
  const co = loadCompany(dir);
  const book = new Book(co);
  const events = readFileSync(`${EXAMPLES}${dir}/${file}`, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Raw);
  for (const raw of events) {
    const ev = parseEvent(raw, co);
    assert.ok(ev.ok, ev.ok ? '' : `${file}: ${ev.error.code} ${ev.error.message}`);
    const applied = book.apply(ev.value);
    assert.ok(applied.ok, applied.ok ? '' : `${file}: ${applied.error.code} ${applied.error.message}`);
  }
  return { co, events, journals: book.journals };
}

interface Row { dr: string; cr: string; amount: bigint; date: string }

function accountName(co: Company, code: string): string {
  const a = co.accounts.get(code);
  assert.ok(a, `account ${code} is in the chart`);
  return a.name;
}

/** The journal back as seed rows: lines taken in (debit, credit) pairs of opposite amounts. */
function rowsOf(j: Journal, co: Company): Row[] {
  assert.equal(j.lines.length % 2, 0, `journal ${j.id} has whole (debit, credit) pairs`);
  const rows: Row[] = [];
  for (let i = 0; i < j.lines.length; i += 2) {
    const dr = j.lines[i]!;
    const cr = j.lines[i + 1]!;
    assert.equal(cr.amount, -dr.amount, `journal ${j.id} lines ${i}/${i + 1} are one entry (debit +x, credit −x)`);
    rows.push({ dr: accountName(co, dr.account), cr: accountName(co, cr.account), amount: dr.amount, date: j.date });
  }
  return rows;
}

/** The seed rows in the same shape, amounts parsed exactly; account names must exist in the chart. */
function expectedRows(rows: readonly SeedRow[], co: Company): Row[] {
  const names = new Set([...co.accounts.values()].map((a) => a.name));
  return rows.map((r) => {
    for (const n of [r.dr, r.cr]) assert.ok(names.has(n), `"${n}" is an account name in the chart`);
    const amount = parseMoney(r.amount, co.baseCurrency);
    assert.ok(amount.ok, `seed amount "${r.amount}" parses`);
    return { dr: r.dr, cr: r.cr, amount: amount.value, date: r.date };
  });
}

function journalOf(posted: Posted, eventId: string): Journal {
  const mine = posted.journals.filter((j) => j.event === eventId);
  assert.equal(mine.length, 1, `event ${eventId} has exactly one journal`);
  return mine[0]!;
}

// ---- the tests ---------------------------------------------------------------------------

for (const s of SCENARIOS) {
  test(`seed 004 — ${s.name} (examples/seed-004/${s.file})`, () => {
    const posted = postExample('seed-004', s.file);
    // The story is told in date order: nothing is re-costed, every journal is an original.
    for (const j of posted.journals) assert.equal(j.kind, 'original', `journal ${j.id} is an original`);

    const journal = journalOf(posted, s.journal);
    const raw = posted.events.find((e) => e['id'] === s.journal);
    assert.ok(raw, `${s.file} holds event ${s.journal}`);

    // The "Transaction Date" column: the right kind of event, and the date the column names.
    for (const t of s.tables) {
      const col = DATE_COLUMNS[t.dateColumn];
      assert.ok(col.types.includes(String(raw['type'])), `"${t.dateColumn}" is the date of a ${col.types.join('/')} (${s.journal} is a ${String(raw['type'])})`);
      for (const r of t.rows) assert.equal(r.date, col.date(raw), `"${t.dateColumn}" of ${s.journal}`);
      assert.equal(journal.date, col.date(raw), `journal ${journal.id} is dated at the seed's "${t.dateColumn}"`);
    }

    const expected = expectedRows(s.tables.flatMap((t) => t.rows), posted.co);
    assert.deepEqual(rowsOf(journal, posted.co), expected);
    assert.equal(journal.currency, 'USD');
  });
}

test('seed 004 — the shipment really has several shipment dates, the latest after the event date', () => {
  const posted = postExample('seed-004', 'shipment.jsonl');
  const ship = posted.events.find((e) => e['id'] === 'SHIP-1')!;
  const dates = new Set((ship['lines'] as Raw[]).map((l) => String(l['date'])));
  assert.ok(dates.size >= 2, 'more than one shipment date');
  assert.ok(maxShipmentDate(ship) > String(ship['date']), 'the latest shipment date is after the event date');
  assert.equal(journalOf(posted, 'SHIP-1').date, maxShipmentDate(ship));
});

test('seed 004 — every example file is a scenario above (and every scenario has its file)', () => {
  const files = readdirSync(`${EXAMPLES}seed-004`).filter((f) => f.endsWith('.jsonl') && !f.endsWith('.expected.jsonl')).sort();
  assert.deepEqual([...new Set(SCENARIOS.map((s) => s.file))].sort(), files);
});

test('seed 004 — the scenarios cover all 23 Dr/Cr tables of the seed', () => {
  assert.equal(SCENARIOS.flatMap((s) => s.tables).length, 23 + 1 /* the purchase-invoice table again, in the dropship journal */);
  assert.equal(new Set(SCENARIOS.flatMap((s) => s.tables)).size, 23);
});

// ---- seed 000 ------------------------------------------------------------------------------

test('seed 000 — PSA client invoice issues stock at its cost; Inventory → COGS dated at the April invoice', () => {
  const posted = postExample('seed-000', 'client-invoice.jsonl');
  for (const j of posted.journals) assert.equal(j.kind, 'original');
  const purchase = journalOf(posted, 'PO-1001');
  assert.equal(purchase.date, '2026-03-16', 'the item was bought in March');

  const raw = posted.events.find((e) => e['id'] === 'INV-53')!;
  const line = (raw['lines'] as Raw[])[0]!;
  assert.equal(raw['issuesStock'], true);
  assert.equal(line['warehouse'], 'MAIN', 'the stocked line names the warehouse it was sold from');
  assert.equal(line['cost'], '120.00', 'the stocked line carries its cost');

  const invoice = journalOf(posted, 'INV-53');
  assert.equal(invoice.date, String(raw['date']));
  assert.deepEqual(rowsOf(invoice, posted.co), expectedRows([
    { dr: 'Accounts Receivable', cr: 'Sales', amount: '180.00', date: '2026-04-14' },
    { dr: 'Accounts Receivable', cr: 'Sales Tax', amount: '18.00', date: '2026-04-14' },
    // The Inventory → COGS journal: the line's cost, at the invoice date (April), not March.
    { dr: 'Cost of Goods Sold', cr: 'Inventory', amount: '120.00', date: '2026-04-14' },
  ], posted.co));
  const cogs = invoice.lines.filter((l) => accountName(posted.co, l.account) === 'Inventory');
  assert.deepEqual(cogs.map((l) => ({ product: l.product, warehouse: l.warehouse })), [{ product: 'SSD-1TB', warehouse: 'MAIN' }]);
});
