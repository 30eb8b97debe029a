/**
 * `stockbook report …`: the reports of src/reports over the durable ledger, as one JSON object,
 * CSV (RFC 4180) or a table.
 *   valuation       on-hand quantity and value as of a date, checked against the GL
 *   stock-ledger    a product's movements with running quantity and value
 *   gl              GL detail of one account with a running balance
 *   gross-profit    revenue, ledger COGS, margin and the source system's recorded cost
 *   reconciliation  sub-ledger against GL per inventory account, with reconciling items
 *   drill           from a journal (line) to its event and the cost layers its moves consumed
 */
import Table from 'cli-table3';
import { Command, InvalidArgumentError, Option } from 'commander';
import type { Company } from '../domain/config.js';
import type { Failure } from '../domain/errors.js';
import { CompanyLedger } from '../ledger/service.js';
import type { LedgerStore } from '../store/store.js';
import { formatUnitCost, formatPercent, money, qty, unitCostOf } from '../reports/common.js';
import { valuation, valuationJson, valuationRows, VALUATION_GROUPS, type ValuationBy, type ValuationReport } from '../reports/valuation.js';
import { stockLedger, stockLedgerJson, stockLedgerRows, type StockLedgerReport } from '../reports/stock-ledger.js';
import { glDetailAll, glDetailJson, glDetailRows, type GlDetailReport } from '../reports/gl-detail.js';
import { grossProfit, grossProfitJson, grossProfitRows, GROSS_PROFIT_GROUPS, type GrossProfitBy, type GrossProfitReport } from '../reports/gross-profit.js';
import { reconciliation, reconciliationJson, reconciliationRows, type ReconciliationReport } from '../reports/reconciliation.js';
import { drill, drillJson, drillRows, type DrillReport } from '../reports/drill.js';
import { failureJson } from './format.js';
import { EXIT, isFailure } from './input.js';
import { csv, type Format } from './query.js';
import { COMPANY_HELP, today, type DbOptions } from './db.js';
import { dateOption } from './dates.js';
import type { CalendarDate } from '../domain/calendar-date.js';

/** What main.ts lends the report commands: its option helpers, store handling and output. */
export interface ReportCli {
  dbOptions(cmd: Command): Command;
  formatOption(): Option;
  withStore(opts: DbOptions, fn: (store: LedgerStore) => Promise<number>): Promise<void>;
  write(s: string): void;
  writeErr(s: string): void;
}

type Out = (s: string) => void;


function lineArg(v: string): number {
  if (!/^[1-9]\d{0,8}$/.test(v)) throw new InvalidArgumentError('expected a line number (1, 2, …).');
  return Number.parseInt(v, 10);
}

function table(head: string[]): Table.Table {
  return new Table({ head, style: { head: [], border: [], compact: true } });
}

/** Writes a report in the asked format: one JSON object, CSV rows, or the table. */
function emit(format: Format, out: Out, json: () => Record<string, unknown>, rows: () => string[][], text: () => string): void {
  if (format === 'json') out(JSON.stringify(json()));
  else if (format === 'csv') out(csv(rows()));
  else out(text());
}

interface Common extends DbOptions { company: string; format: Format }

/** Opens the company's ledger and runs one report; a refused input is a coded error on stderr (exit 2). */
async function run(cli: ReportCli, opts: Common, fn: (ledger: CompanyLedger, out: Out) => Promise<Failure | undefined>): Promise<void> {
  await cli.withStore(opts, async (store) => {
    const ledger = await CompanyLedger.open(store, opts.company);
    if (isFailure(ledger)) return cli.writeErr(JSON.stringify(failureJson(ledger))), EXIT.badInput;
    const failed = await fn(ledger, cli.write);
    if (failed) return cli.writeErr(JSON.stringify(failureJson(failed))), EXIT.badInput;
    return EXIT.ok;
  });
}

function command(cli: ReportCli, report: Command, name: string, description: string): Command {
  return cli.dbOptions(report.command(name).description(description).option('--company <id>', COMPANY_HELP));
}

// ---- tables for people -------------------------------------------------------------------

function valuationText(r: ValuationReport, co: Company): string {
  const m = (x: bigint): string => money(co, x);
  const uc = (v: bigint, q: bigint | undefined): string => (q === undefined ? '' : formatUnitCost(unitCostOf(co, v, q)));
  let t: Table.Table;
  if (r.by === 'pool') {
    t = table(['Product', 'Warehouse', 'Account', 'Qty', 'Unit cost', 'Value']);
    for (const l of r.lines) t.push([l.product ?? '', l.warehouse ?? '', l.account ?? '', qty(l.qty ?? 0n), uc(l.value, l.qty), m(l.value)]);
  } else if (r.by === 'product') {
    t = table(['Product', 'Name', 'Qty', 'Unit cost', 'Value']);
    for (const l of r.lines) t.push([l.product ?? '', l.name, qty(l.qty ?? 0n), uc(l.value, l.qty), m(l.value)]);
  } else {
    t = table([r.by === 'warehouse' ? 'Warehouse' : 'Category', 'Name', 'Value']);
    for (const l of r.lines) t.push([l.warehouse ?? l.category ?? '', l.name, m(l.value)]);
  }
  const a = table(['Account', 'Name', 'Sub-ledger', 'GL', 'Difference', 'Check']);
  for (const x of r.accounts) a.push([x.account, x.name, m(x.subledger), m(x.gl), m(x.difference), x.difference === 0n ? 'ok' : 'DIFFERENCE']);
  a.push(['', 'Total', m(r.total.subledger), m(r.total.gl), m(r.total.difference), r.ties ? 'ok' : 'DIFFERENCE']);
  return `Stock valuation of ${co.name}${r.asOf ? ` as of ${r.asOf}` : ''} (${co.baseCurrency}), by ${r.by}\n${t.toString()}\nPer inventory account, against the GL\n${a.toString()}`;
}

function stockLedgerText(r: StockLedgerReport, co: Company): string {
  const m0 = (x: bigint): string => (x === 0n ? '' : money(co, x));
  const q0 = (x: bigint): string => (x === 0n ? '' : qty(x));
  const t = table(['Date', 'Event', 'Type', 'Warehouse', 'Lot', 'In', 'Out', 'Unit cost', 'Value in', 'Value out', 'Qty', 'Value']);
  t.push([r.from ?? '', '', 'opening', '', '', '', '', '', '', '', qty(r.opening.qty), money(co, r.opening.value)]);
  for (const x of r.rows) t.push([x.date, x.event, x.eventType, x.warehouse, x.lot ?? '', q0(x.qtyIn), q0(x.qtyOut), formatUnitCost(x.unitCost), m0(x.valueIn), m0(x.valueOut), qty(x.runningQty), money(co, x.runningValue)]);
  t.push([r.to ?? '', '', 'closing', '', '', qty(r.totals.qtyIn), qty(r.totals.qtyOut), '', money(co, r.totals.valueIn), money(co, r.totals.valueOut), qty(r.closing.qty), money(co, r.closing.value)]);
  const where = r.warehouse === undefined ? 'all warehouses' : r.warehouse;
  const period = r.from || r.to ? `, ${r.from ?? '…'} to ${r.to ?? '…'}` : '';
  const trueUps = r.rows.some((x) => x.trueUp !== 0n) ? '\nReceipts that covered units issued short show their value net of the true-up to COGS.' : '';
  return `Stock ledger of ${r.product} (${r.productName}), ${where}${period} (${co.baseCurrency})\n${t.toString()}${trueUps}`;
}

function glText(r: GlDetailReport, co: Company): string {
  const t = table(['Date', 'Journal', 'Kind', 'Event', 'Memo', 'Debit', 'Credit', 'Balance']);
  t.push([r.from ?? '', '', '', '', 'Opening balance', '', '', money(co, r.opening)]);
  for (const x of r.rows) t.push([x.date, x.journal, x.kind, x.event, x.memo, x.amount > 0n ? money(co, x.amount) : '', x.amount < 0n ? money(co, -x.amount) : '', money(co, x.balance)]);
  t.push([r.to ?? '', '', '', '', 'Closing balance', money(co, r.totalDebit), money(co, r.totalCredit), money(co, r.closing)]);
  const period = r.from || r.to ? `, ${r.from ?? '…'} to ${r.to ?? '…'}` : '';
  return `GL detail of ${r.account} ${r.name}${period} (${co.baseCurrency}; balance: debit positive)\n${t.toString()}`;
}

function grossProfitText(r: GrossProfitReport, co: Company): string {
  const m = (x: bigint): string => money(co, x);
  const t = table([r.by === 'product' ? 'Product' : 'Customer', 'Name', 'Revenue', 'COGS', 'Margin', 'Margin %', 'Recorded cost', 'Difference']);
  const recorded = (x: GrossProfitReport['total']): string => (x.linesWithCost > 0 ? m(x.recordedCost) : '') + (x.linesWithoutCost > 0 ? ` (${x.linesWithoutCost} line${x.linesWithoutCost === 1 ? '' : 's'} without)` : '');
  for (const x of r.rows) t.push([x.key, x.name, m(x.revenue), m(x.cogs), m(x.margin), formatPercent(x.marginPct), recorded(x), x.difference === undefined ? '' : m(x.difference)]);
  t.push(['', 'Total', m(r.total.revenue), m(r.total.cogs), m(r.total.margin), formatPercent(r.total.marginPct), recorded(r.total), r.total.difference === undefined ? '' : m(r.total.difference)]);
  const period = r.from || r.to ? `, ${r.from ?? '…'} to ${r.to ?? '…'}` : '';
  return `Gross profit of ${co.name} by ${r.by}${period} (${co.baseCurrency}; recorded cost: the source system's line cost × qty; difference: COGS − recorded)\n${t.toString()}`;
}

function reconciliationText(r: ReconciliationReport, co: Company): string {
  const m = (x: bigint): string => money(co, x);
  const t = table(['Account', 'Name', 'Sub-ledger', 'GL', 'Difference', 'Status']);
  for (const a of r.accounts) {
    t.push([a.account, a.name, m(a.subledger), m(a.gl), m(a.difference), a.difference === 0n ? 'ties' : a.unexplained === 0n ? 'explained' : 'UNEXPLAINED']);
    for (const i of a.items) t.push(['', `  reconciling: ${i.name}`, '', '', m(i.amount), i.detail]);
    if (a.unexplained !== 0n) t.push(['', '  unexplained', '', '', m(a.unexplained), '']);
    for (const i of a.information) t.push(['', `  information: ${i.name}`, m(i.amount), '', '', i.detail]);
  }
  for (const i of r.information) t.push(['', `information: ${i.name}`, m(i.amount), '', '', i.detail]);
  t.push(['', 'Total', m(r.total.subledger), m(r.total.gl), m(r.total.difference), r.ties ? 'ties' : r.explained ? 'explained' : 'UNEXPLAINED']);
  return `Inventory reconciliation of ${co.name}${r.asOf ? ` as of ${r.asOf}` : ''} (${co.baseCurrency}): sub-ledger (cost pools) against GL\n${t.toString()}`;
}

function drillText(r: DrillReport, co: Company): string {
  const j = r.journal;
  const extra = [j.cause && `cause ${j.cause}`, j.reverses && `reverses ${j.reverses}`, j.shiftedFrom && `shifted from ${j.shiftedFrom}`].filter(Boolean).join(', ');
  const lt = table(['Line', 'Account', 'Debit', 'Credit', 'Detail']);
  for (const l of j.lines) {
    const mark = r.line?.n === l.n ? '▶ ' : '';
    lt.push([`${mark}${l.n}`, `${l.account} ${l.accountName}`, l.amount > 0n ? money(co, l.amount) : '', l.amount < 0n ? money(co, -l.amount) : '', [l.product, l.warehouse, l.memo].filter((x) => x !== undefined).join(' · ')]);
  }
  const ev = r.event ? `Event ${r.event.id} (${r.event.type}, ${r.event.date}${r.event.voidedBy ? `, voided by ${r.event.voidedBy}` : ''})\n${JSON.stringify(r.event.body)}` : `Event ${j.event}: not found`;
  let moves = 'No stock moves.';
  if (r.moves.length > 0) {
    const mt = table(['Move', 'Kind', 'Product', 'Warehouse', 'Qty', 'Value', 'Layer source', 'Receipt date', 'Lot', 'Expiry', 'Layer qty', 'Layer value', 'Unit cost']);
    for (const m of r.moves) {
      const head = [String(m.index), m.kind, m.product, m.warehouse, qty(m.qty), money(co, m.value)];
      if (m.layers.length === 0) mt.push([...head, '', '', m.lot ?? '', '', '', '', '']);
      m.layers.forEach((t, k) => mt.push([...(k === 0 ? head : ['', '', '', '', '', '']), t.source, t.receipt?.date ?? '', t.lot ?? '', t.expiry ?? '', qty(t.qty), money(co, t.value), formatUnitCost(t.unitCost)]));
    }
    moves = `Stock moves (current costs) and the layers they consumed\n${mt.toString()}`;
  }
  return `Journal ${j.id} (${j.kind}, ${j.date}${extra ? `, ${extra}` : ''})${j.memo ? `: ${j.memo}` : ''}\n${lt.toString()}\n${ev}\n${moves}`;
}

// ---- the commands ------------------------------------------------------------------------

export function registerReports(report: Command, cli: ReportCli): void {
  registerStockReports(report, cli);
  registerLedgerReports(report, cli);
}

/** The reports of the cost pools: valuation, stock ledger, GL detail. */
function registerStockReports(report: Command, cli: ReportCli): void {
  command(cli, report, 'valuation', 'On-hand quantity and value as of a date, from the cost pools, with a check per inventory account against the GL.')
    .addOption(dateOption('--as-of <date>', 'include events dated on or before this date (YYYY-MM-DD); default: today'))
    .addOption(new Option('--by <group>', 'one row per pool (product and warehouse), or per product, warehouse or category').choices([...VALUATION_GROUPS]).default('pool'))
    .addOption(cli.formatOption())
    .action(async (opts: Common & { asOf?: CalendarDate; by: ValuationBy }) => {
      await run(cli, opts, async (l, out) => {
        const r = await valuation(l, { asOf: opts.asOf ?? today(), by: opts.by });
        emit(opts.format, out, () => valuationJson(r, l.co), () => valuationRows(r, l.co), () => valuationText(r, l.co));
        return undefined;
      });
    });
  command(cli, report, 'stock-ledger', 'A product\'s stock movements in date order, with unit cost and running quantity and value.')
    .requiredOption('--product <sku>', 'product')
    .option('--warehouse <code>', 'one warehouse (default: all)')
    .addOption(dateOption('--from <date>', 'first date (YYYY-MM-DD); earlier movements make the opening balance'))
    .addOption(dateOption('--to <date>', 'last date (YYYY-MM-DD)'))
    .addOption(cli.formatOption())
    .action(async (opts: Common & { product: string; warehouse?: string; from?: CalendarDate; to?: CalendarDate }) => {
      await run(cli, opts, async (l, out) => {
        const r = await stockLedger(l, { product: opts.product, warehouse: opts.warehouse, from: opts.from, to: opts.to });
        if (isFailure(r)) return r;
        emit(opts.format, out, () => stockLedgerJson(r, l.co), () => stockLedgerRows(r, l.co), () => stockLedgerText(r, l.co));
        return undefined;
      });
    });
  command(cli, report, 'gl', 'GL detail of one account: each journal line with a running balance.')
    .requiredOption('--account <code>', 'account code')
    .addOption(dateOption('--from <date>', 'first date (YYYY-MM-DD); the opening balance is the balance the day before'))
    .addOption(dateOption('--to <date>', 'last date (YYYY-MM-DD)'))
    .addOption(cli.formatOption())
    .action(async (opts: Common & { account: string; from?: CalendarDate; to?: CalendarDate }) => {
      await run(cli, opts, async (l, out) => {
        const r = await glDetailAll(l, { account: opts.account, from: opts.from, to: opts.to });
        if (isFailure(r)) return r;
        emit(opts.format, out, () => glDetailJson(r, l.co), () => glDetailRows(r, l.co), () => glText(r, l.co));
        return undefined;
      });
    });
}

/** The reports that read journals against events: gross profit, reconciliation, drill-down. */
function registerLedgerReports(report: Command, cli: ReportCli): void {
  command(cli, report, 'gross-profit', 'Revenue, ledger COGS and margin per product or customer, beside the cost the source system recorded on its lines.')
    .addOption(dateOption('--from <date>', 'first date (YYYY-MM-DD)'))
    .addOption(dateOption('--to <date>', 'last date (YYYY-MM-DD)'))
    .addOption(new Option('--by <group>', 'one row per product or per customer').choices([...GROSS_PROFIT_GROUPS]).default('product'))
    .addOption(cli.formatOption())
    .action(async (opts: Common & { from?: CalendarDate; to?: CalendarDate; by: GrossProfitBy }) => {
      await run(cli, opts, async (l, out) => {
        const r = await grossProfit(l, { from: opts.from, to: opts.to, by: opts.by });
        emit(opts.format, out, () => grossProfitJson(r, l.co), () => grossProfitRows(r, l.co), () => grossProfitText(r, l.co));
        return undefined;
      });
    });
  command(cli, report, 'reconciliation', 'Per inventory account: the cost pools\' value against the GL balance, with the reconciling items.')
    .addOption(dateOption('--as-of <date>', 'as of this date (YYYY-MM-DD); default: everything'))
    .addOption(cli.formatOption())
    .action(async (opts: Common & { asOf?: CalendarDate }) => {
      await run(cli, opts, async (l, out) => {
        const r = await reconciliation(l, { asOf: opts.asOf });
        emit(opts.format, out, () => reconciliationJson(r, l.co), () => reconciliationRows(r, l.co), () => reconciliationText(r, l.co));
        return undefined;
      });
    });
  command(cli, report, 'drill', 'Drill down from a journal (line) to its event and the cost layers its stock moves consumed.')
    .requiredOption('--journal <id>', 'journal id (an event id, "id/c1" for a correction, a void\'s id for its reversal)')
    .option('--line <n>', 'journal line, 1-based: shows the moves of that line\'s product and warehouse', lineArg)
    .addOption(cli.formatOption())
    .action(async (opts: Common & { journal: string; line?: number }) => {
      await run(cli, opts, async (l, out) => {
        const r = await drill(l, { journal: opts.journal, line: opts.line });
        if (isFailure(r)) return r;
        emit(opts.format, out, () => drillJson(r, l.co), () => drillRows(r, l.co), () => drillText(r, l.co));
        return undefined;
      });
    });
}
