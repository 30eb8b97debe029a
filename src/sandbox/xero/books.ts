/**
 * The sandbox organisation's data: settings, chart of accounts, tax rates, contacts and the
 * documents created through the API. Money is exact: bigint cents (MONEY_DP); quantities and
 * unit amounts are bigint units of 10^-4 (QTY_DP, UNIT_DP); dates are YYYY-MM-DD.
 */
import { randomUUID } from 'node:crypto';
import { parseDecimal } from '../../domain/decimal.js';
import { lockDateText, RATE_DP } from './wire.js';

export type LineAmountType = 'Exclusive' | 'Inclusive' | 'NoTax';
export type TermsType = 'DAYSAFTERBILLDATE' | 'DAYSAFTERBILLMONTH' | 'OFCURRENTMONTH' | 'OFFOLLOWINGMONTH';

export interface AccountRecord {
  accountId: string;
  code: string;
  name: string;
  type: string;
  /** Default tax type for lines on this account that do not name one. */
  taxType?: string;
  enablePaymentsToAccount: boolean;
}

export interface TaxRateRecord {
  taxType: string;
  name: string;
  /** Percent in units of 10^-RATE_DP ("10" → 100000n). */
  rate: bigint;
  rateText: string;
}

export interface Terms {
  day: number;
  type: TermsType;
}

export interface ContactRecord {
  contactId: string;
  name: string;
  contactNumber?: string;
  accountNumber?: string;
  emailAddress?: string;
  firstName?: string;
  lastName?: string;
  status: 'ACTIVE' | 'ARCHIVED';
  sales?: Terms;
  bills?: Terms;
  isCustomer: boolean;
  isSupplier: boolean;
  updatedMs: number;
}

export interface LineRecord {
  lineItemId: string;
  description?: string;
  /** Units of 10^-QTY_DP. */
  quantity: bigint;
  /** Units of 10^-UNIT_DP. */
  unitAmount: bigint;
  /** Percent in units of 10^-RATE_DP, when the line has a discount. */
  discountRate?: bigint;
  itemCode?: string;
  accountCode?: string;
  taxType: string;
  /** Cents. */
  taxAmount: bigint;
  /** Cents; excludes tax when Exclusive, includes it when Inclusive. */
  lineAmount: bigint;
}

export type DocStatus = 'DRAFT' | 'SUBMITTED' | 'AUTHORISED' | 'PAID' | 'VOIDED' | 'DELETED';

/** What invoices, credit notes and bank transactions share: lines and their totals (cents). */
export interface LinesDoc {
  lineAmountTypes: LineAmountType;
  lines: LineRecord[];
  subTotal: bigint;
  totalTax: bigint;
  total: bigint;
}

/** What invoices and credit notes share besides their lines. */
export interface DocumentRecord extends LinesDoc {
  reference?: string;
  contactId: string;
  date: string;
  dueDate?: string;
  status: DocStatus;
  currencyCode: string;
  paymentIds: string[];
  fullyPaidOnDate?: string;
  updatedMs: number;
}

export interface InvoiceRecord extends DocumentRecord {
  invoiceId: string;
  type: 'ACCREC' | 'ACCPAY';
  invoiceNumber: string;
  amountPaid: bigint;
  amountDue: bigint;
  amountCredited: bigint;
}

export interface CreditNoteRecord extends DocumentRecord {
  creditNoteId: string;
  type: 'ACCRECCREDIT' | 'ACCPAYCREDIT';
  creditNoteNumber: string;
  remainingCredit: bigint;
}

export interface JournalLineRecord {
  /** Cents; debit positive, credit negative. */
  lineAmount: bigint;
  accountCode: string;
  description?: string;
  taxType: string;
  taxAmount: bigint;
}

export interface ManualJournalRecord {
  manualJournalId: string;
  narration: string;
  date: string;
  status: 'DRAFT' | 'POSTED' | 'VOIDED' | 'DELETED';
  lineAmountTypes: LineAmountType;
  lines: JournalLineRecord[];
  showOnCashBasisReports: boolean;
  url?: string;
  updatedMs: number;
}

export interface PaymentRecord {
  paymentId: string;
  date: string;
  /** Cents. */
  amount: bigint;
  accountCode: string;
  reference?: string;
  invoiceId?: string;
  creditNoteId?: string;
  paymentType: 'ACCRECPAYMENT' | 'ACCPAYPAYMENT' | 'ARCREDITPAYMENT' | 'APCREDITPAYMENT';
  status: 'AUTHORISED' | 'DELETED';
  updatedMs: number;
}

export interface BankTransactionRecord extends LinesDoc {
  bankTransactionId: string;
  type: 'RECEIVE' | 'SPEND';
  contactId: string;
  bankAccountCode: string;
  date: string;
  reference?: string;
  status: 'AUTHORISED' | 'DELETED' | 'VOIDED';
  currencyCode: string;
  updatedMs: number;
}

export interface OrganisationSettings {
  name: string;
  baseCurrency: string;
  periodLockDate?: string;
  createdMs: number;
}

export interface BooksSeed {
  organisation?: { name?: string; baseCurrency?: string; periodLockDate?: string };
  accounts?: ReadonlyArray<{ code: string; name: string; type: string; taxType?: string; enablePaymentsToAccount?: boolean }>;
  taxRates?: ReadonlyArray<{ taxType: string; name: string; rate: string }>;
  contacts?: ReadonlyArray<{ name: string; contactNumber?: string; salesTermsDays?: number; billsTermsDays?: number }>;
}

/** A small Australian-style chart, like a new Xero organisation's. */
export const DEFAULT_ACCOUNTS: NonNullable<BooksSeed['accounts']> = [
  { code: '090', name: 'Business Bank Account', type: 'BANK' },
  { code: '200', name: 'Sales', type: 'REVENUE', taxType: 'OUTPUT' },
  { code: '260', name: 'Other Revenue', type: 'OTHERINCOME', taxType: 'OUTPUT' },
  { code: '310', name: 'Cost of Goods Sold', type: 'DIRECTCOSTS', taxType: 'INPUT' },
  { code: '429', name: 'General Expenses', type: 'EXPENSE', taxType: 'INPUT' },
  { code: '610', name: 'Accounts Receivable', type: 'CURRENT', taxType: 'NONE' },
  { code: '630', name: 'Inventory', type: 'INVENTORY', taxType: 'NONE' },
  { code: '800', name: 'Accounts Payable', type: 'CURRLIAB', taxType: 'NONE' },
  { code: '820', name: 'GST', type: 'CURRLIAB', taxType: 'NONE' },
];

export const DEFAULT_TAX_RATES: NonNullable<BooksSeed['taxRates']> = [
  { taxType: 'OUTPUT', name: 'GST on Income', rate: '10' },
  { taxType: 'INPUT', name: 'GST on Expenses', rate: '10' },
  { taxType: 'NONE', name: 'No GST', rate: '0' },
  { taxType: 'EXEMPTOUTPUT', name: 'GST Free Income', rate: '0' },
  { taxType: 'EXEMPTEXPENSES', name: 'GST Free Expenses', rate: '0' },
];

function parseRate(text: string): bigint {
  const r = parseDecimal(text, RATE_DP);
  if (!r.ok || r.value < 0n) throw new Error(`Xero sandbox: tax rate "${text}" is not a percentage with up to ${RATE_DP} decimals`);
  return r.value;
}

const terms = (days: number | undefined): Terms | undefined => (days === undefined ? undefined : { day: days, type: 'DAYSAFTERBILLDATE' });

export class Books {
  readonly organisation: OrganisationSettings;
  readonly accounts = new Map<string, AccountRecord>(); // by code
  readonly taxRates = new Map<string, TaxRateRecord>(); // by tax type
  readonly contacts = new Map<string, ContactRecord>();
  readonly invoices = new Map<string, InvoiceRecord>();
  readonly creditNotes = new Map<string, CreditNoteRecord>();
  readonly manualJournals = new Map<string, ManualJournalRecord>();
  readonly payments = new Map<string, PaymentRecord>();
  readonly bankTransactions = new Map<string, BankTransactionRecord>();
  /** Last auto-number used, per prefix ("INV", "CN"). */
  readonly sequences = new Map<string, number>();

  constructor(seed: BooksSeed, now: number) {
    const org = seed.organisation ?? {};
    this.organisation = { name: org.name ?? 'Sandbox Trading Ltd', baseCurrency: org.baseCurrency ?? 'AUD', periodLockDate: org.periodLockDate, createdMs: now };
    for (const a of seed.accounts ?? DEFAULT_ACCOUNTS) {
      this.accounts.set(a.code, { accountId: randomUUID(), code: a.code, name: a.name, type: a.type, taxType: a.taxType, enablePaymentsToAccount: a.enablePaymentsToAccount ?? false });
    }
    for (const t of seed.taxRates ?? DEFAULT_TAX_RATES) this.taxRates.set(t.taxType, { taxType: t.taxType, name: t.name, rate: parseRate(t.rate), rateText: t.rate });
    for (const c of seed.contacts ?? []) {
      const rec: ContactRecord = { contactId: randomUUID(), name: c.name, contactNumber: c.contactNumber, status: 'ACTIVE', sales: terms(c.salesTermsDays), bills: terms(c.billsTermsDays), isCustomer: false, isSupplier: false, updatedMs: now };
      this.contacts.set(rec.contactId, rec);
    }
  }

  /** The account a request names: by code when it gives one, else by AccountID. */
  accountOf(code: string | undefined, id: string | undefined): AccountRecord | undefined {
    if (code !== undefined) return this.accounts.get(code);
    if (id !== undefined) for (const a of this.accounts.values()) if (a.accountId === id) return a;
    return undefined;
  }

  /** The active contact with exactly this name (Xero keeps names unique among active contacts). */
  contactByName(name: string): ContactRecord | undefined {
    for (const c of this.contacts.values()) if (c.status === 'ACTIVE' && c.name === name) return c;
    return undefined;
  }

  contactByNumber(n: string): ContactRecord | undefined {
    for (const c of this.contacts.values()) if (c.contactNumber === n) return c;
    return undefined;
  }

  /** Xero's refusal for a document dated in the locked period, if it is. */
  lockViolation(day: string | undefined): string | undefined {
    const lock = this.organisation.periodLockDate;
    if (day === undefined || lock === undefined || day > lock) return undefined;
    return `The document date cannot be before the period lock date, currently set at ${lockDateText(lock)}`;
  }
}
