/**
 * Records → Xero request elements. Pure: a function of the record, its neighbours' sync
 * states and the reference data a run loaded from Xero.
 *
 * The rule that keeps Xero's books equal to ours: a record's ledger lines = the lines Xero
 * derives from the document we send (AR/AP total, line accounts, tax) + a manual journal of
 * the remainder. For a sale that remainder is seed 000's inventory journal, IV.TRX-n (Dr COGS,
 * Cr inventory); for a bill, its PPV, deposit or landed-cost lines. Where Xero's line-by-line
 * rounding would make its total differ from ours, a rounding or adjustment line brings the
 * total back (a warning), and the per-account difference is kept as the record's variance.
 */
import { Invoice, CreditNote, ManualJournal, LineAmountTypes, BankTransaction, type LineItem, type ManualJournalLine, type Contact as XContact } from 'xero-node';
import { resolveAccount, type Company, type Role } from '../../domain/config.js';
import { FailureError, failure, type Failure } from '../../domain/errors.js';
import { currencyExponent, formatMoney } from '../../domain/money.js';
import { divRound } from '../../domain/rounding.js';
import { absBig } from '../../domain/decimal.js';
import type { BookEvent, EventOf } from '../../domain/events.js';
import type { JournalLine } from '../../posting/journal.js';
import type { Contact, SyncConfig } from '../config.js';
import type { SyncRecord } from '../records.js';
import { mayBeInTarget, type SyncWarning, type TargetIds } from '../state.js';
import type { Part, PlanInput, PlanResult } from '../target.js';
import { decimalToWire, toWire } from './wire.js';

export interface XeroContactRef { id: string; name: string; salesDays: number | undefined; billsDays: number | undefined; created: boolean }

export interface XeroReference {
  accounts: ReadonlyMap<string, { type: string }>;
  /** TaxType → rate in units of 10^-4 percent. */
  taxRates: ReadonlyMap<string, bigint>;
  /** Our contact code → the Xero contact it matched (or that was created). */
  contacts: ReadonlyMap<string, XeroContactRef>;
}

export interface PlanContext { co: Company; sync: SyncConfig; ref: XeroReference }

/** Narrations start with the journal's number and this separator, so a journal can be found again. */
export const NARRATION_SEP = ' · ';

type DocType = 'ACCREC' | 'ACCPAY' | 'ACCRECCREDIT' | 'ACCPAYCREDIT';

interface DocLine { description: string; qty: bigint | undefined; amount: bigint; tax: bigint; account: string }

/** Sign of the control-account (AR/AP) side of each document type in our debit-positive lines. */
const SIGN: Record<DocType, bigint> = { ACCREC: 1n, ACCRECCREDIT: -1n, ACCPAY: -1n, ACCPAYCREDIT: 1n };

class Planner {
  readonly warnings: SyncWarning[] = [];
  readonly parts: Part[] = [];
  variance: Record<string, string> | undefined;
  expectedTotal: string | undefined;

  constructor(readonly input: PlanInput, readonly c: PlanContext) {}

  get rec(): SyncRecord { return this.input.record; }
  get currency(): string { return this.c.co.baseCurrency; }

  account(role: Role, at: { product?: string | undefined; warehouse?: string | undefined; override?: string | undefined } = {}): string {
    return resolveAccount(this.c.co, role, { ...at, event: this.rec.event.id });
  }

  /** The version suffix keeps a re-posted record's numbers apart from its earlier version's. */
  number(base: string): string {
    return this.input.state.version > 1 ? `${base}#v${this.input.state.version}` : base;
  }

  contact(code: string, sales: boolean): { ref: XContact; days: number } {
    const ours = this.c.sync.contacts.get(code);
    if (!ours) stop(failure('CONTACT_MISSING', `${this.what()} names ${sales ? 'customer' : 'supplier'} "${code}", which has no contact in the company's "contacts".`, `Add {"code": "${code}", "name": "<name as in Xero>"} to "contacts" in the company configuration, then sync again.`, { record: this.rec.id, contact: code }));
    const days = ours.termsDays ?? (sales ? this.c.sync.settings.salesTermsDays : this.c.sync.settings.billTermsDays);
    const theirs = this.c.ref.contacts.get(code);
    if (!theirs) {
      this.warn('CONTACT_CREATED', `No Xero contact matches ContactNumber "${ours.contactNumber}" or the exact name "${ours.name}": a new contact will be created.`);
      return { ref: { name: ours.name, contactNumber: ours.contactNumber }, days };
    }
    if (theirs.created) this.warn('CONTACT_CREATED', `No Xero contact matched ContactNumber "${ours.contactNumber}" or the exact name "${ours.name}": contact "${theirs.name}" was created.`);
    this.checkTerms(ours, theirs, sales, days);
    return { ref: { contactID: theirs.id }, days };
  }

  checkTerms(ours: Contact, theirs: XeroContactRef, sales: boolean, days: number): void {
    const xeroDays = sales ? theirs.salesDays : theirs.billsDays;
    if (xeroDays === undefined || xeroDays === days) return;
    this.warn('TERMS_MISMATCH', `Xero contact "${theirs.name}" has ${sales ? 'sales' : 'bill'} terms of ${xeroDays} days; stockbook has ${days} for "${ours.code}". The due date was set from stockbook's terms; update the terms in one place so they agree.`);
  }

  warn(code: SyncWarning['code'], message: string): void {
    this.warnings.push({ code, message });
  }

  what(): string {
    return `Record ${this.rec.id} (${this.rec.event.type.replace(/_/g, ' ')})`;
  }

  taxType(sales: boolean, taxed: boolean): { type: string; rate: bigint } {
    const s = this.c.sync.settings;
    const type = !taxed ? s.noTaxType : sales ? s.salesTaxType : s.purchaseTaxType;
    const rate = this.c.ref.taxRates.get(type);
    if (rate === undefined) {
      const setting = !taxed ? 'noTaxType' : sales ? 'salesTaxType' : 'purchaseTaxType';
      stop(failure('MAPPING_MISSING', `${this.what()}: tax type "${type}" (sync.${setting}) is not one of Xero's tax rates.`, `Set sync.${setting} to a TaxType Xero lists under Tax Rates.`, { record: this.rec.id, taxType: type }));
    }
    return { type, rate };
  }

  /** Journal lines whose accounts Xero must know. */
  checkAccounts(codes: Iterable<string>): void {
    for (const code of codes) {
      if (this.c.ref.accounts.has(code)) continue;
      stop(failure('ACCOUNT_NOT_IN_TARGET', `${this.what()} posts to account "${code}", which is not in Xero's chart of accounts.`, `Add account ${code} to Xero's chart, or map the role that resolves to it to an account Xero has (docs/config.md#mapping).`, { record: this.rec.id, account: code }));
    }
  }

  /** The remainder as a manual journal part (none when nothing remains). */
  journal(lines: readonly JournalLine[], number: string, text: string): void {
    const grouped = group(lines);
    if (grouped.length === 0) return;
    this.checkAccounts(grouped.map((l) => l.account));
    const noTax = this.c.sync.settings.noTaxType;
    const journalLines: ManualJournalLine[] = grouped.map((l) => ({ lineAmount: toWire(l.amount, this.currency), accountCode: l.account, description: l.description, taxType: noTax }));
    const body: ManualJournal = { narration: `${number}${NARRATION_SEP}${text}`, date: this.rec.date, lineAmountTypes: LineAmountTypes.NoTax, status: ManualJournal.StatusEnum.POSTED, journalLines, showOnCashBasisReports: true };
    this.parts.push({ kind: 'journal', body, fills: 'journal', number });
  }
}

/** Sums lines per (account, product, warehouse) and drops what nets to zero. */
function group(lines: readonly JournalLine[]): { account: string; amount: bigint; description: string }[] {
  const m = new Map<string, { account: string; amount: bigint; description: string }>();
  for (const l of lines) {
    const where = l.product === undefined ? '' : `${l.product}${l.warehouse === undefined ? '' : ` @ ${l.warehouse}`}`;
    const k = `${l.account}\u0000${where}`;
    const cur = m.get(k);
    if (cur) cur.amount += l.amount;
    else m.set(k, { account: l.account, amount: l.amount, description: where || l.memo || l.account });
  }
  return [...m.values()].filter((l) => l.amount !== 0n);
}

/** ledger − implied, per account (and product/warehouse where the ledger line has them). */
function remainder(ledger: readonly JournalLine[], implied: ReadonlyMap<string, bigint>): JournalLine[] {
  const left = new Map(implied);
  const out: JournalLine[] = [];
  for (const l of ledger) {
    const take = left.get(l.account) ?? 0n;
    if (take === 0n) {
      out.push(l);
      continue;
    }
    // Implied amounts are taken from ledger lines of the same sign first; the rest stays.
    const used = l.amount > 0n === take > 0n ? (absBig(take) < absBig(l.amount) ? take : l.amount) : 0n;
    left.set(l.account, take - used);
    if (l.amount !== used) out.push({ ...l, amount: l.amount - used });
  }
  for (const [account, amount] of left) if (amount !== 0n) out.push({ account, amount: -amount, memo: 'document line beyond the ledger', product: undefined, warehouse: undefined });
  return out;
}

function add(m: Map<string, bigint>, account: string, amount: bigint): void {
  if (amount !== 0n) m.set(account, (m.get(account) ?? 0n) + amount);
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

class Stop extends Error {
  constructor(readonly failure: Failure) { super(failure.message); }
}

function stop(f: Failure): never {
  throw new Stop(f);
}

// ---- documents -----------------------------------------------------------------------------

/** How Xero computes one line: amount from quantity × unit (4 dp), tax per line, both rounded half away from zero. */
function xeroLine(p: Planner, l: DocLine, sales: boolean): { item: LineItem; net: bigint; tax: bigint } {
  const exp = BigInt(currencyExponent(p.currency));
  const tt = p.taxType(sales, l.tax !== 0n);
  const qtyWire = l.qty === undefined ? undefined : decimalToWire(l.qty, 6, 4);
  const qty = qtyWire === undefined ? 1_000_000n : l.qty!;
  const unit4 = divRound(l.amount * 10n ** (4n - exp) * 1_000_000n, qty, 'half-away-from-zero');
  const net = divRound(qty * unit4, 1_000_000n * 10n ** (4n - exp), 'half-away-from-zero');
  const tax = divRound(net * tt.rate, 100n * 10_000n, 'half-away-from-zero');
  const unitAmount = decimalToWire(unit4, 4, 4)!;
  const item: LineItem = { description: l.description, quantity: qtyWire ?? 1, unitAmount, accountCode: l.account, taxType: tt.type };
  return { item, net, tax };
}

function documentParts(p: Planner, type: DocType, lines: DocLine[], contactCode: string, number: string, reference: string | undefined): void {
  const sales = type === 'ACCREC' || type === 'ACCRECCREDIT';
  const sign = SIGN[type];
  const { ref: contact, days } = p.contact(contactCode, sales);
  const predicted = lines.map((l) => xeroLine(p, l, sales));
  const ourNet = lines.reduce((s, l) => s + l.amount, 0n);
  const ourTax = lines.reduce((s, l) => s + l.tax, 0n);
  const xNet = predicted.reduce((s, x) => s + x.net, 0n);
  const xTax = predicted.reduce((s, x) => s + x.tax, 0n);
  const items = predicted.map((x) => x.item);
  const roundingAccount = p.account('rounding');
  const noTax = p.c.sync.settings.noTaxType;
  const extra = (description: string, amount: bigint): void => {
    items.push({ description, quantity: 1, unitAmount: toWire(amount, p.currency), accountCode: roundingAccount, taxType: noTax });
  };
  // Tax rounded per line can differ from the source's by at most a cent a line: a rounding line.
  const taxDiff = ourTax - xTax;
  const rounding = taxDiff !== 0n && absBig(taxDiff) <= BigInt(lines.length) ? taxDiff : 0n;
  if (rounding !== 0n) {
    extra('Rounding', rounding);
    p.warn('ROUNDING_LINE_ADDED', `Xero rounds tax line by line to ${formatMoney(xTax, p.currency)}; stockbook's tax is ${formatMoney(ourTax, p.currency)}. A rounding line of ${formatMoney(rounding, p.currency)} (account ${roundingAccount}) was added so the totals agree.`);
  }
  const rest = ourNet + ourTax - (xNet + xTax + rounding);
  if (rest !== 0n) {
    const tol = p.c.sync.settings.tolerance;
    if (absBig(rest) > tol) {
      stop(failure('OUT_OF_BALANCE', `${p.what()}: Xero would total ${formatMoney(xNet + xTax + rounding, p.currency)} but stockbook has ${formatMoney(ourNet + ourTax, p.currency)} (difference ${formatMoney(rest, p.currency)}, tolerance ${formatMoney(tol, p.currency)}).`, 'Check the lines\' quantities, amounts and tax against the tax rates in Xero (sync.salesTaxType / purchaseTaxType), or raise sync.tolerance.', { record: p.rec.id }));
    }
    extra('Adjustment', rest);
    p.warn('ADJUSTMENT_LINE_ADDED', `The invoice total in Xero would differ from stockbook's ${formatMoney(ourNet + ourTax, p.currency)} by ${formatMoney(rest, p.currency)} (quantity × unit price rounding); an adjustment line (account ${roundingAccount}) was added.`);
  }
  const control = p.account(sales ? 'ar' : 'ap');
  const taxAccount = p.account('tax');
  const implied = new Map<string, bigint>();
  const xeroSide = new Map<string, bigint>();
  add(implied, control, sign * (ourNet + ourTax));
  lines.forEach((l, i) => {
    add(implied, l.account, -sign * l.amount);
    add(implied, taxAccount, -sign * l.tax);
    add(xeroSide, l.account, -sign * (predicted[i]!.net - l.amount));
  });
  add(xeroSide, taxAccount, -sign * (xTax - ourTax));
  add(xeroSide, roundingAccount, -sign * (rounding + rest));
  p.checkAccounts([control, taxAccount, ...lines.map((l) => l.account), ...(rounding !== 0n || rest !== 0n ? [roundingAccount] : [])]);
  if (xeroSide.size > 0) p.variance = Object.fromEntries([...xeroSide].filter(([, v]) => v !== 0n).map(([k, v]) => [k, String(v)]));
  p.expectedTotal = formatMoney(ourNet + ourTax, p.currency);
  const common = { contact, date: p.rec.date, dueDate: addDays(p.rec.date, days), lineAmountTypes: LineAmountTypes.Exclusive, currencyCode: p.currency as unknown as Invoice['currencyCode'], lineItems: items };
  if (type === 'ACCREC' || type === 'ACCPAY') {
    const body: Invoice = { ...common, type: type === 'ACCREC' ? Invoice.TypeEnum.ACCREC : Invoice.TypeEnum.ACCPAY, invoiceNumber: number, status: Invoice.StatusEnum.AUTHORISED };
    if (type === 'ACCREC' && reference !== undefined) body.reference = reference;
    p.parts.push({ kind: 'invoice', body, fills: 'document', number });
  } else {
    const body: CreditNote = { contact, date: p.rec.date, lineAmountTypes: LineAmountTypes.Exclusive, currencyCode: common.currencyCode as unknown as CreditNote['currencyCode'], lineItems: items, type: type === 'ACCRECCREDIT' ? CreditNote.TypeEnum.ACCRECCREDIT : CreditNote.TypeEnum.ACCPAYCREDIT, creditNoteNumber: number, status: CreditNote.StatusEnum.AUTHORISED };
    if (reference !== undefined) body.reference = reference;
    p.parts.push({ kind: 'creditNote', body, fills: 'document', number });
  }
  const left = remainder(p.rec.lines, implied);
  const jn = sales ? p.input.journalNumber : p.number(`${p.rec.id}/adj`);
  p.journal(left, jn, sales ? `Inventory journal for ${type === 'ACCREC' ? 'invoice' : 'credit note'} ${number}` : `Ledger lines of ${p.rec.id} beyond the ${type === 'ACCPAY' ? 'bill' : 'supplier credit'}`);
}

function saleLines(p: Planner, ev: EventOf<'sale_invoice'> | EventOf<'sale_credit_note'>): DocLine[] {
  return ev.lines.map((l, i) => ({
    description: l.description ?? (l.product === undefined ? `Line ${i + 1}` : (p.c.co.products.get(l.product)?.name ?? l.product)),
    qty: l.qty, amount: l.amount, tax: l.tax,
    account: p.account('sales', { product: l.product, warehouse: l.warehouse, override: l.account }),
  }));
}

function purchaseLines(p: Planner, ev: EventOf<'purchase_invoice'> | EventOf<'purchase_credit_note'>): DocLine[] {
  return ev.lines.map((l, i) => {
    const stockedLine = l.product !== undefined && l.qty !== undefined && p.c.co.products.get(l.product)?.stocked !== false;
    const account = l.account ?? (stockedLine ? p.account('inventory', { product: l.product, warehouse: l.warehouse }) : p.account('expense', { product: l.product, warehouse: l.warehouse }));
    return { description: l.description ?? (l.product === undefined ? `Line ${i + 1}` : (p.c.co.products.get(l.product)?.name ?? l.product)), qty: l.qty, amount: l.amount, tax: l.tax, account };
  });
}

// ---- payments and bank transactions --------------------------------------------------------

function paymentParts(p: Planner, ev: EventOf<'customer_payment'> | EventOf<'supplier_payment'>): void {
  const paid = p.input.paidDocument;
  const who = ev.type === 'customer_payment' ? ev.customer : ev.supplier;
  if (!paid) {
    stop(failure('PAYMENT_UNALLOCATED', `${p.what()} of ${formatMoney(ev.amount, p.currency)} from "${who}" names no live ${ev.type === 'customer_payment' ? 'invoice' : 'bill'} by its reference "${ev.reference ?? ''}".`, `Give the payment the "reference" of the ${ev.type === 'customer_payment' ? 'sale invoice' : 'bill'} it pays (same ${ev.type === 'customer_payment' ? 'customer' : 'supplier'}), or record it in Xero by hand and hold it here.`, { record: p.rec.id, reference: ev.reference ?? '' }));
  }
  const st = p.input.stateOf(paid.id);
  const docId = st.posted?.documentId;
  if (st.status !== 'posted' || docId === undefined) {
    stop(failure('DEPENDENCY_NOT_POSTED', `${p.what()} pays ${paid.id}, which is not posted to Xero yet.`, `Sync ${paid.type} first (record ${paid.id}), then sync payments again.`, { record: p.rec.id, dependsOn: paid.id }));
  }
  const bank = p.account('bank', { override: ev.bankAccount });
  const control = p.account(ev.type === 'customer_payment' ? 'ar' : 'ap');
  p.checkAccounts([bank]);
  const sign = ev.type === 'customer_payment' ? 1n : -1n;
  const implied = new Map<string, bigint>();
  add(implied, bank, sign * ev.amount);
  add(implied, control, -sign * ev.amount);
  const body = { invoice: { invoiceID: docId }, account: { code: bank }, date: p.rec.date, amount: toWire(ev.amount, p.currency), reference: p.number(p.rec.id) };
  p.parts.push({ kind: 'payment', body, fills: 'document', number: p.number(p.rec.id) });
  p.journal(remainder(p.rec.lines, implied), p.number(`${p.rec.id}/adj`), `Ledger lines of ${p.rec.id} beyond the payment`);
}

function bankParts(p: Planner, ev: EventOf<'customer_prepayment'> | EventOf<'supplier_deposit'>): void {
  const receive = ev.type === 'customer_prepayment';
  const { ref: contact } = p.contact(receive ? ev.customer : ev.supplier, receive);
  const bank = p.account('bank', { override: ev.bankAccount });
  const holding = p.account(receive ? 'customerPrepayments' : 'supplierDeposits');
  p.checkAccounts([bank, holding]);
  const sign = receive ? 1n : -1n;
  const implied = new Map<string, bigint>();
  add(implied, bank, sign * ev.amount);
  add(implied, holding, -sign * ev.amount);
  const number = p.number(p.rec.id);
  const body: BankTransaction = {
    type: receive ? BankTransaction.TypeEnum.RECEIVE : BankTransaction.TypeEnum.SPEND, contact, bankAccount: { code: bank }, date: p.rec.date, reference: number,
    lineAmountTypes: LineAmountTypes.NoTax, status: BankTransaction.StatusEnum.AUTHORISED,
    lineItems: [{ description: receive ? 'Customer prepayment' : 'Supplier deposit', quantity: 1, unitAmount: toWire(ev.amount, p.currency), accountCode: holding, taxType: p.c.sync.settings.noTaxType }],
  };
  p.parts.push({ kind: 'bankTransaction', body, fills: 'document', number });
  p.journal(remainder(p.rec.lines, implied), p.number(`${p.rec.id}/adj`), `Ledger lines of ${p.rec.id} beyond the bank transaction`);
}

// ---- voids ----------------------------------------------------------------------------------

/**
 * The parts that undo in Xero what a posted record put there: its document first (a paid
 * invoice refuses before anything is touched), then its journal. `cannot` names a document
 * kind the mapping cannot void.
 */
export function voidsOf(posted: TargetIds, fallback: string): { parts: Part[]; cannot?: string | undefined } {
  const parts: Part[] = [];
  const doc = posted.documentId;
  if (doc !== undefined) {
    const number = posted.documentNumber ?? fallback;
    const kind = posted.documentKind;
    if (kind === 'invoice') parts.push({ kind: 'voidInvoice', body: { invoiceID: doc, status: Invoice.StatusEnum.VOIDED }, fills: 'none', number, targetId: doc });
    else if (kind === 'creditNote') parts.push({ kind: 'voidCreditNote', body: { creditNoteID: doc, status: CreditNote.StatusEnum.VOIDED }, fills: 'none', number, targetId: doc });
    else if (kind === 'payment') parts.push({ kind: 'deletePayment', body: { status: 'DELETED' }, fills: 'none', number: fallback, targetId: doc });
    else return { parts, cannot: kind ?? 'document' };
  }
  const jid = posted.journalId;
  if (jid !== undefined) parts.push({ kind: 'voidJournal', body: { manualJournalID: jid, status: ManualJournal.StatusEnum.VOIDED, narration: posted.journalNumber ?? fallback }, fills: 'none', number: posted.journalNumber ?? fallback, targetId: jid });
  return { parts };
}

/** The variance that cancels `v` (undefined when there is none). */
function negated(v: Record<string, string> | undefined): Record<string, string> | undefined {
  const out = Object.entries(v ?? {}).filter(([, x]) => BigInt(x) !== 0n).map(([k, x]) => [k, String(-BigInt(x))] as const);
  return out.length === 0 ? undefined : Object.fromEntries(out);
}

function voidParts(p: Planner): void {
  const target = p.rec.voids!;
  const st = p.input.stateOf(target);
  if (mayBeInTarget(st)) {
    stop(failure('DEPENDENCY_NOT_POSTED', `${p.what()} voids ${target}, whose last sync did not finish.`, `Sync ${target}'s record type again first; it will be found in Xero or sent, then this void can follow.`, { record: p.rec.id, dependsOn: target }));
  }
  const posted = st.status === 'posted' ? st.posted : undefined;
  if (posted) {
    const v = voidsOf(posted, target);
    if (v.cannot !== undefined) stop(failure('CANNOT_VOID', `${p.what()} voids ${target}, a ${v.cannot} that the Xero mapping cannot void.`, `Delete ${posted.documentNumber ?? target} in Xero by hand, then hold this record.`, { record: p.rec.id, reference: target }));
    p.parts.push(...v.parts);
    // Voiding the document takes its rounding and adjustment lines out of Xero's books too.
    p.variance = negated(posted.variance);
  }
  // Corrections of the voided event that reached Xero are reversed; unposted ones are cancelled.
  const lines = [...(p.input.postedCorrections ?? []).flatMap((r) => r.lines.map((l) => ({ ...l, amount: -l.amount }))), ...(p.input.groupedShare ?? [])];
  p.journal(lines, p.number(p.rec.id), `Reverses the posted cost corrections of ${target} (void ${p.rec.id})`);
}

// ---- entry ----------------------------------------------------------------------------------

function planDocument(p: Planner, ev: BookEvent): void {
  const rec = p.rec;
  switch (ev.type) {
    case 'sale_invoice': return documentParts(p, 'ACCREC', saleLines(p, ev), ev.customer, p.number(ev.id), ev.reference);
    case 'sale_credit_note': return documentParts(p, 'ACCRECCREDIT', saleLines(p, ev), ev.customer, p.number(ev.id), ev.reference);
    case 'purchase_invoice': return documentParts(p, 'ACCPAY', purchaseLines(p, ev), ev.supplier, p.number(ev.reference ?? ev.id), undefined);
    case 'purchase_credit_note': return documentParts(p, 'ACCPAYCREDIT', purchaseLines(p, ev), ev.supplier, p.number(ev.id), ev.reference);
    case 'expense_bill': return documentParts(p, 'ACCPAY', ev.lines.map((l, i) => ({ description: l.description ?? `Line ${i + 1}`, qty: undefined, amount: l.amount, tax: l.tax, account: p.account('expense', { override: l.account }) })), ev.supplier, p.number(ev.reference ?? ev.id), undefined);
    case 'customer_payment': case 'supplier_payment': return paymentParts(p, ev);
    case 'customer_prepayment': case 'supplier_deposit': return bankParts(p, ev);
    case 'shipment': return p.journal(rec.lines, p.input.journalNumber, `Inventory journal for shipment ${ev.id}${ev.sale === undefined ? '' : ` (invoice ${ev.sale})`}`);
    default: return p.journal(rec.lines, p.number(rec.id), `${ev.type.replace(/_/g, ' ')} ${ev.id}${ev.reference === undefined ? '' : ` (${ev.reference})`}`);
  }
}

export function planRecord(input: PlanInput, c: PlanContext): PlanResult {
  const p = new Planner(input, c);
  try {
    const rec = input.record;
    if (rec.event.docCurrency !== c.co.baseCurrency) {
      stop(failure('FOREIGN_CURRENCY_UNSUPPORTED', `${p.what()} is in ${rec.event.docCurrency}; the Xero mapping posts base-currency (${c.co.baseCurrency}) documents only.`, 'Enter the document in Xero by hand (in its currency), then hold this record so it is not synced.', { record: rec.id, currency: rec.event.docCurrency }));
    }
    if (rec.kind === 'correction') p.journal(rec.lines, p.number(rec.id), rec.grouped === true ? `Cost corrections caused by ${rec.event.id}` : `Cost correction of ${rec.event.id}${rec.cause === undefined ? '' : ` caused by ${rec.cause}`}`);
    else if (rec.kind === 'void') voidParts(p);
    else planDocument(p, rec.event);
  } catch (e) {
    if (e instanceof Stop) return { ok: false, error: e.failure };
    if (e instanceof FailureError) return { ok: false, error: { ...e.failure, record: { record: input.record.id, ...e.failure.record } } };
    throw e;
  }
  return { ok: true, plan: { record: input.record, parts: p.parts, warnings: p.warnings, variance: p.variance, expectedTotal: p.expectedTotal } };
}
