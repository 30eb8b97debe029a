/**
 * Records as the JSON Xero returns: PascalCase, "/Date(ms+0000)/" dates, money as JSON numbers
 * converted from exact cents at the last moment (toWire asserts each one reads back exactly).
 */
import { divRound } from '../../domain/rounding.js';
import type { AccountRecord, Books, BankTransactionRecord, ContactRecord, CreditNoteRecord, DocumentRecord, InvoiceRecord, LineRecord, LinesDoc, ManualJournalRecord, PaymentRecord, TaxRateRecord, Terms } from './books.js';
import { dateString, money, msDate, msDateTime, QTY_DP, RATE_DP, toWire, UNIT_DP, XERO_ROUNDING } from './wire.js';

export type JsonObject = Record<string, unknown>;

/**
 * Built JSON per record, reused while the record's mutable fields (the key) are unchanged: GETs
 * with a `where` filter render a whole collection, and the benchmark makes thousands of them.
 * Responses are serialised, never mutated, so sharing the objects is safe.
 */
const built = new WeakMap<object, { key: string; json: JsonObject }>();

function memo(rec: object, key: string, build: () => JsonObject): JsonObject {
  const hit = built.get(rec);
  if (hit && hit.key === key) return hit.json;
  const json = build();
  built.set(rec, { key, json });
  return json;
}

const contactKey = (c: ContactRecord | undefined): string => (c ? `${c.status}|${c.isCustomer}|${c.isSupplier}|${c.updatedMs}` : '');

/** Drops undefined members so responses carry only what is set (as Xero omits empty fields). */
function compact(o: JsonObject): JsonObject {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

const ACCOUNT_CLASS: Record<string, string> = {
  BANK: 'ASSET', CURRENT: 'ASSET', FIXED: 'ASSET', INVENTORY: 'ASSET', NONCURRENT: 'ASSET', PREPAYMENT: 'ASSET',
  CURRLIAB: 'LIABILITY', LIABILITY: 'LIABILITY', TERMLIAB: 'LIABILITY', PAYG: 'LIABILITY',
  EQUITY: 'EQUITY', REVENUE: 'REVENUE', SALES: 'REVENUE', OTHERINCOME: 'REVENUE',
  DIRECTCOSTS: 'EXPENSE', EXPENSE: 'EXPENSE', OVERHEADS: 'EXPENSE', DEPRECIATN: 'EXPENSE',
};

export function accountJson(a: AccountRecord, books: Books): JsonObject {
  const bank = a.type === 'BANK';
  return compact({
    AccountID: a.accountId,
    Code: a.code,
    Name: a.name,
    Status: 'ACTIVE',
    Type: a.type,
    TaxType: a.taxType ?? 'NONE',
    Class: ACCOUNT_CLASS[a.type],
    EnablePaymentsToAccount: a.enablePaymentsToAccount,
    ShowInExpenseClaims: false,
    BankAccountNumber: bank ? '0000000000' : undefined,
    BankAccountType: bank ? 'BANK' : '',
    CurrencyCode: bank ? books.organisation.baseCurrency : undefined,
    ReportingCode: undefined,
    HasAttachments: false,
    UpdatedDateUTC: msDateTime(books.organisation.createdMs),
    AddToWatchlist: false,
  });
}

export function taxRateJson(t: TaxRateRecord): JsonObject {
  const rate = toWire(t.rate, RATE_DP);
  return {
    Name: t.name,
    TaxType: t.taxType,
    Status: 'ACTIVE',
    TaxComponents: [{ Name: 'GST', Rate: rate, IsCompound: false, IsNonRecoverable: false }],
    CanApplyToAssets: true,
    CanApplyToEquity: true,
    CanApplyToExpenses: true,
    CanApplyToLiabilities: true,
    CanApplyToRevenue: true,
    DisplayTaxRate: rate,
    EffectiveRate: rate,
  };
}

const termsJson = (t: Terms | undefined): JsonObject | undefined => (t ? { Day: t.day, Type: t.type } : undefined);

export function contactJson(c: ContactRecord): JsonObject {
  return memo(c, contactKey(c), () => buildContactJson(c));
}

function buildContactJson(c: ContactRecord): JsonObject {
  const terms = c.sales || c.bills ? compact({ Sales: termsJson(c.sales), Bills: termsJson(c.bills) }) : undefined;
  return compact({
    ContactID: c.contactId,
    ContactNumber: c.contactNumber,
    AccountNumber: c.accountNumber,
    ContactStatus: c.status,
    Name: c.name,
    FirstName: c.firstName,
    LastName: c.lastName,
    EmailAddress: c.emailAddress,
    Addresses: [],
    Phones: [],
    UpdatedDateUTC: msDateTime(c.updatedMs),
    ContactGroups: [],
    IsSupplier: c.isSupplier,
    IsCustomer: c.isCustomer,
    PaymentTerms: terms,
    ContactPersons: [],
    HasAttachments: false,
    HasValidationErrors: false,
  });
}

/** Unit amounts show 4 places with unitdp=4, else rounded to 2 as Xero does. */
function unitAmountJson(u: bigint, unitdp: number): number {
  return unitdp === 4 ? toWire(u, UNIT_DP) : toWire(divRound(u, 100n, XERO_ROUNDING), 2);
}

export function lineJson(l: LineRecord, unitdp: number): JsonObject {
  return compact({
    LineItemID: l.lineItemId,
    Description: l.description,
    Quantity: toWire(l.quantity, QTY_DP),
    UnitAmount: unitAmountJson(l.unitAmount, unitdp),
    ItemCode: l.itemCode,
    AccountCode: l.accountCode,
    TaxType: l.taxType,
    TaxAmount: money(l.taxAmount),
    LineAmount: money(l.lineAmount),
    DiscountRate: l.discountRate === undefined ? undefined : toWire(l.discountRate, RATE_DP),
    Tracking: [],
  });
}

function contactOf(books: Books, id: string): JsonObject {
  const c = books.contacts.get(id);
  if (!c) throw new Error(`assertion: document contact ${id} exists`);
  return contactJson(c);
}

function paymentRefs(books: Books, ids: readonly string[]): JsonObject[] {
  const out: JsonObject[] = [];
  for (const id of ids) {
    const p = books.payments.get(id);
    if (p && p.status === 'AUTHORISED') out.push(compact({ PaymentID: p.paymentId, Date: msDate(p.date), Amount: money(p.amount), Reference: p.reference, CurrencyRate: 1, HasAccount: true, HasValidationErrors: false }));
  }
  return out;
}

/** The lines and totals of an invoice, credit note or bank transaction, in Xero's order. */
function linesJson(d: LinesDoc, unitdp: number): JsonObject {
  return {
    LineAmountTypes: d.lineAmountTypes,
    LineItems: d.lines.map((l) => lineJson(l, unitdp)),
    SubTotal: money(d.subTotal),
    TotalTax: money(d.totalTax),
    Total: money(d.total),
  };
}

/** The fields invoices and credit notes end with, in Xero's order. */
function documentTailJson(d: DocumentRecord, books: Books, unitdp: number): JsonObject {
  return {
    Contact: contactOf(books, d.contactId),
    DateString: dateString(d.date),
    Date: msDate(d.date),
    DueDateString: d.dueDate ? dateString(d.dueDate) : undefined,
    DueDate: d.dueDate ? msDate(d.dueDate) : undefined,
    Status: d.status,
    ...linesJson(d, unitdp),
    UpdatedDateUTC: msDateTime(d.updatedMs),
    CurrencyCode: d.currencyCode,
    FullyPaidOnDate: d.fullyPaidOnDate ? msDate(d.fullyPaidOnDate) : undefined,
    SentToContact: false,
  };
}

export function invoiceJson(inv: InvoiceRecord, books: Books, unitdp = 2): JsonObject {
  const key = `${inv.status}|${inv.amountDue}|${inv.amountPaid}|${inv.paymentIds.length}|${inv.updatedMs}|${unitdp}|${contactKey(books.contacts.get(inv.contactId))}`;
  return memo(inv, key, () => buildInvoiceJson(inv, books, unitdp));
}

function buildInvoiceJson(inv: InvoiceRecord, books: Books, unitdp: number): JsonObject {
  return compact({
    Type: inv.type,
    InvoiceID: inv.invoiceId,
    InvoiceNumber: inv.invoiceNumber,
    Reference: inv.reference ?? '',
    Payments: paymentRefs(books, inv.paymentIds),
    CreditNotes: [],
    Prepayments: [],
    Overpayments: [],
    AmountDue: money(inv.amountDue),
    AmountPaid: money(inv.amountPaid),
    AmountCredited: money(inv.amountCredited),
    CurrencyRate: 1,
    IsDiscounted: inv.lines.some((l) => l.discountRate !== undefined),
    HasAttachments: false,
    HasErrors: false,
    ...documentTailJson(inv, books, unitdp),
  });
}

export function creditNoteJson(cn: CreditNoteRecord, books: Books, unitdp = 2): JsonObject {
  const key = `${cn.status}|${cn.remainingCredit}|${cn.paymentIds.length}|${cn.updatedMs}|${unitdp}|${contactKey(books.contacts.get(cn.contactId))}`;
  return memo(cn, key, () => buildCreditNoteJson(cn, books, unitdp));
}

function buildCreditNoteJson(cn: CreditNoteRecord, books: Books, unitdp: number): JsonObject {
  return compact({
    Type: cn.type,
    CreditNoteID: cn.creditNoteId,
    CreditNoteNumber: cn.creditNoteNumber,
    Reference: cn.reference ?? '',
    Payments: paymentRefs(books, cn.paymentIds),
    Allocations: [],
    RemainingCredit: money(cn.remainingCredit),
    AppliedAmount: money(cn.total - cn.remainingCredit),
    CurrencyRate: 1,
    HasAttachments: false,
    HasErrors: false,
    ...documentTailJson(cn, books, unitdp),
  });
}

export function manualJournalJson(mj: ManualJournalRecord, books: Books): JsonObject {
  return memo(mj, `${mj.status}|${mj.updatedMs}`, () => buildManualJournalJson(mj, books));
}

function buildManualJournalJson(mj: ManualJournalRecord, books: Books): JsonObject {
  return compact({
    ManualJournalID: mj.manualJournalId,
    Date: msDate(mj.date),
    Status: mj.status,
    LineAmountTypes: mj.lineAmountTypes,
    UpdatedDateUTC: msDateTime(mj.updatedMs),
    Narration: mj.narration,
    Url: mj.url,
    JournalLines: mj.lines.map((l) =>
      compact({
        Description: l.description,
        TaxType: l.taxType,
        TaxAmount: money(l.taxAmount),
        LineAmount: money(l.lineAmount),
        AccountCode: l.accountCode,
        AccountID: books.accounts.get(l.accountCode)?.accountId,
        Tracking: [],
        IsBlank: false,
      }),
    ),
    ShowOnCashBasisReports: mj.showOnCashBasisReports,
    HasAttachments: false,
  });
}

export function paymentJson(p: PaymentRecord, books: Books): JsonObject {
  return memo(p, `${p.status}|${p.updatedMs}`, () => buildPaymentJson(p, books));
}

function buildPaymentJson(p: PaymentRecord, books: Books): JsonObject {
  const inv = p.invoiceId ? books.invoices.get(p.invoiceId) : undefined;
  const cn = p.creditNoteId ? books.creditNotes.get(p.creditNoteId) : undefined;
  const account = books.accounts.get(p.accountCode);
  return compact({
    PaymentID: p.paymentId,
    Date: msDate(p.date),
    BankAmount: money(p.amount),
    Amount: money(p.amount),
    Reference: p.reference,
    CurrencyRate: 1,
    PaymentType: p.paymentType,
    Status: p.status,
    UpdatedDateUTC: msDateTime(p.updatedMs),
    HasAccount: true,
    IsReconciled: false,
    Account: { AccountID: account?.accountId, Code: p.accountCode },
    Invoice: inv ? { Type: inv.type, InvoiceID: inv.invoiceId, InvoiceNumber: inv.invoiceNumber, Contact: { ContactID: inv.contactId } } : undefined,
    CreditNote: cn ? { Type: cn.type, CreditNoteID: cn.creditNoteId, CreditNoteNumber: cn.creditNoteNumber, Contact: { ContactID: cn.contactId } } : undefined,
    HasValidationErrors: false,
  });
}

export function bankTransactionJson(bt: BankTransactionRecord, books: Books, unitdp = 2): JsonObject {
  return memo(bt, `${bt.status}|${bt.updatedMs}|${unitdp}|${contactKey(books.contacts.get(bt.contactId))}`, () => buildBankTransactionJson(bt, books, unitdp));
}

function buildBankTransactionJson(bt: BankTransactionRecord, books: Books, unitdp: number): JsonObject {
  const account = books.accounts.get(bt.bankAccountCode);
  return compact({
    BankTransactionID: bt.bankTransactionId,
    Type: bt.type,
    Contact: contactOf(books, bt.contactId),
    BankAccount: { AccountID: account?.accountId, Code: bt.bankAccountCode, Name: account?.name },
    IsReconciled: false,
    Date: msDate(bt.date),
    DateString: dateString(bt.date),
    Reference: bt.reference,
    CurrencyCode: bt.currencyCode,
    CurrencyRate: 1,
    Status: bt.status,
    ...linesJson(bt, unitdp),
    UpdatedDateUTC: msDateTime(bt.updatedMs),
    HasAttachments: false,
  });
}

export function organisationJson(books: Books, tenantId: string): JsonObject {
  const o = books.organisation;
  return compact({
    OrganisationID: tenantId,
    APIKey: '',
    Name: o.name,
    LegalName: o.name,
    PaysTax: true,
    Version: o.baseCurrency === 'AUD' ? 'AU' : 'GLOBAL',
    OrganisationType: 'COMPANY',
    BaseCurrency: o.baseCurrency,
    IsDemoCompany: false,
    OrganisationStatus: 'ACTIVE',
    FinancialYearEndDay: 30,
    FinancialYearEndMonth: 6,
    SalesTaxBasis: 'ACCRUALS',
    SalesTaxPeriod: 'QUARTERLY1',
    DefaultSalesTax: 'Tax Exclusive',
    DefaultPurchasesTax: 'Tax Exclusive',
    PeriodLockDate: o.periodLockDate ? msDate(o.periodLockDate) : undefined,
    CreatedDateUTC: msDateTime(o.createdMs),
    OrganisationEntityType: 'COMPANY',
    ShortCode: '!sbx01',
    Class: 'STANDARD',
    Edition: 'BUSINESS',
    LineOfBusiness: 'Inventory sandbox',
    Addresses: [],
    Phones: [],
    ExternalLinks: [],
    PaymentTerms: {},
  });
}
