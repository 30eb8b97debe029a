/**
 * The Xero sandbox (src/sandbox/xero), driven through the official xero-node SDK as our sync
 * adapter drives it (plain fetch only for what the SDK does not send: form posts to the token
 * endpoint, and deliberately malformed bodies). Covers Xero's line maths, batch errors,
 * uniqueness rules, manual journals, the period lock, idempotency, rate and concurrency limits,
 * token rotation, auth failures, where filters, and that everything the SDK sent and got back
 * matched Xero's OpenAPI schema.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { XeroClient, Invoice, LineAmountTypes, ManualJournal, CreditNote, BankTransaction, type Invoices } from 'xero-node';
import { startXeroSandbox, type XeroSandbox, type SandboxOptions } from '../src/sandbox/xero/index.js';
import { fromWire, unitsOfText } from '../src/sandbox/xero/wire.js';
import { compileWhere, WhereError } from '../src/sandbox/xero/where.js';

const started: XeroSandbox[] = [];

async function sandbox(opts: SandboxOptions = {}): Promise<XeroSandbox> {
  const sb = await startXeroSandbox(opts);
  started.push(sb);
  return sb;
}

after(async () => {
  await Promise.all(started.map((sb) => sb.close()));
});

function sdk(sb: XeroSandbox): XeroClient {
  const xero = new XeroClient();
  xero.accountingApi.basePath = sb.apiBase;
  xero.setTokenSet(sb.issueTokenSet());
  return xero;
}

interface SdkFailure {
  statusCode: number;
  body: Record<string, unknown>;
  headers: Record<string, string>;
}

/** The SDK rejects with a JSON string of { response: { statusCode, body, headers } }. */
async function failure(p: Promise<unknown>): Promise<SdkFailure> {
  try {
    await p;
  } catch (e) {
    const parsed = JSON.parse(String(e)) as { response: SdkFailure };
    return parsed.response;
  }
  return assert.fail('expected the call to fail');
}

/** Validation messages of every element of a 400 ValidationException or a summarizeErrors=false answer. */
function messages(elements: unknown): string[] {
  const list = Array.isArray(elements) ? (elements as Array<{ ValidationErrors?: Array<{ Message: string }>; validationErrors?: Array<{ message?: string }> }>) : [];
  return list.flatMap((e) => [...(e.ValidationErrors ?? []).map((v) => v.Message), ...(e.validationErrors ?? []).map((v) => v.message ?? '')]);
}

const line = (unitAmount: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ description: 'Tea', quantity: 1, unitAmount, accountCode: '200', taxType: 'OUTPUT', ...extra });

function sale(extra: Partial<Invoice> = {}, lines = [line(3.33)]): Invoices {
  return {
    invoices: [{ type: Invoice.TypeEnum.ACCREC, contact: { name: 'Bayside Ltd' }, date: '2026-04-01', dueDate: '2026-04-30', status: Invoice.StatusEnum.AUTHORISED, lineAmountTypes: LineAmountTypes.Exclusive, lineItems: lines, ...extra }],
  };
}

const journal = (narration: string, amounts: number[], accounts = ['630', '800']): { manualJournals: ManualJournal[] } => ({
  manualJournals: [
    {
      narration,
      date: '2026-04-02',
      status: ManualJournal.StatusEnum.POSTED,
      lineAmountTypes: LineAmountTypes.NoTax,
      journalLines: amounts.map((a, i) => ({ lineAmount: a, accountCode: accounts[i % accounts.length], description: `line ${i + 1}` })),
    },
  ],
});

async function form(url: string, fields: Record<string, string>, user = 'sandbox-client', pass = 'sandbox-secret'): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('wire conversions and where clauses', () => {
  test('JSON numbers become exact units and round half away from zero', () => {
    assert.equal(fromWire(3.33, 2, 'x'), 333n);
    assert.equal(fromWire(1.005, 2, 'x'), 101n); // the double is not 1.005 exactly; String() is, and Xero rounds up
    assert.equal(fromWire(-1.005, 2, 'x'), -101n);
    assert.equal(fromWire(1e-7, 4, 'x'), 0n);
    assert.equal(fromWire(2.5e21, 2, 'x'), 250000000000000000000000n);
    assert.equal(unitsOfText('0.125', 2, 'x'), 13n);
    assert.throws(() => fromWire('1', 2, 'x'), /must be a number/);
  });

  test('where clauses parse, filter, and refuse unknown syntax or fields', () => {
    const any = (): boolean => true;
    const f = compileWhere('Contact.ContactNumber=="C-1" && Name.ToLower()=="bayside ltd" AND Status!="VOIDED"', any);
    assert.equal(f({ Contact: { ContactNumber: 'C-1' }, Name: 'Bayside LTD', Status: 'AUTHORISED' }), true);
    assert.equal(f({ Contact: { ContactNumber: 'C-2' }, Name: 'Bayside LTD', Status: 'AUTHORISED' }), false);
    assert.equal(compileWhere('Narration.StartsWith("IV.TRX-12 ")', any)({ Narration: 'IV.TRX-12 shipment' }), true);
    assert.equal(compileWhere('Narration.Contains("TRX")', any)({ Narration: 'IV.TRX-12' }), true);
    assert.equal(compileWhere('Total>10.5 || Total<=1', any)({ Total: 10.51 }), true);
    assert.equal(compileWhere('Date>=DateTime(2026,04,01)', any)({ Date: '/Date(1775001600000+0000)/' }), true);
    assert.throws(() => compileWhere('Name LIKE "x"', any), WhereError);
    assert.throws(() => compileWhere('Name.Frobnicate("x")', any), WhereError);
    assert.throws(() => compileWhere('Nope=="x"', () => false), /No property or field 'Nope'/);
  });
});

describe('Xero sandbox through xero-node', () => {
  let sb: XeroSandbox;
  let xero: XeroClient;

  before(async () => {
    // These tests make more than Xero's 60 calls a minute; the limits have tests of their own.
    sb = await sandbox({ limits: { perMinute: 10_000 }, contacts: [{ name: 'Harbour Foods', contactNumber: 'C-1', salesTermsDays: 14 }] });
    xero = sdk(sb);
  });

  test('organisation, accounts, tax rates and connections', async () => {
    const org = (await xero.accountingApi.getOrganisations(sb.tenantId)).body.organisations?.[0];
    assert.equal(org?.organisationID, sb.tenantId);
    assert.equal(org?.baseCurrency, 'AUD');
    const accounts = (await xero.accountingApi.getAccounts(sb.tenantId, undefined, 'Type=="BANK"')).body.accounts ?? [];
    assert.deepEqual(accounts.map((a) => a.code), ['090']);
    const rates = (await xero.accountingApi.getTaxRates(sb.tenantId)).body.taxRates ?? [];
    assert.equal(rates.find((r) => r.taxType === 'OUTPUT')?.effectiveRate, 10);
    const res = await fetch(sb.connectionsUrl, { headers: { authorization: `Bearer ${sb.issueTokenSet().access_token}` } });
    const [conn] = (await res.json()) as Array<Record<string, unknown>>;
    assert.equal(conn?.tenantId, sb.tenantId);
    assert.equal(conn?.tenantType, 'ORGANISATION');
  });

  test('an ACCREC invoice rounds tax per line: three lines of 3.33 at 10% carry 0.99', async () => {
    const res = await xero.accountingApi.createInvoices(sb.tenantId, sale({}, [line(3.33), line(3.33), line(3.33)]));
    const inv = res.body.invoices?.[0];
    assert.equal(inv?.invoiceNumber, 'INV-0001');
    assert.equal(inv?.status, Invoice.StatusEnum.AUTHORISED);
    assert.deepEqual([inv?.subTotal, inv?.totalTax, inv?.total, inv?.amountDue], [9.99, 0.99, 10.98, 10.98]);
    const stored = sb.state.invoices.find((i) => i.invoiceId === inv?.invoiceID);
    assert.deepEqual([stored?.subTotal, stored?.totalTax, stored?.total], [999n, 99n, 1098n]);
  });

  test('inclusive lines, unitdp=4 and half-away-from-zero rounding', async () => {
    const inclusive = await xero.accountingApi.createInvoices(sb.tenantId, sale({ lineAmountTypes: LineAmountTypes.Inclusive }, [line(10), line(0.05)]));
    const inc = inclusive.body.invoices?.[0];
    assert.deepEqual(inc?.lineItems?.map((l) => l.taxAmount), [0.91, 0]); // 10 × 10/110 = 0.909…; 0.05 × 10/110 = 0.0045…
    assert.deepEqual([inc?.subTotal, inc?.totalTax, inc?.total], [9.14, 0.91, 10.05]);
    const exclusive = await xero.accountingApi.createInvoices(sb.tenantId, sale({}, [line(0.05), line(1.2345, { quantity: 3 })]), undefined, 4);
    const exc = exclusive.body.invoices?.[0];
    // 0.05 × 10% = 0.005 → 0.01 (half away from zero; banker's rounding would give 0.00); 3 × 1.2345 = 3.7035 → 3.70
    assert.deepEqual(exc?.lineItems?.map((l) => [l.unitAmount, l.lineAmount, l.taxAmount]), [[0.05, 0.05, 0.01], [1.2345, 3.7, 0.37]]);
    const rounded = await xero.accountingApi.createInvoices(sb.tenantId, sale({}, [line(1.2345, { quantity: 3 })]));
    assert.equal(rounded.body.invoices?.[0]?.lineItems?.[0]?.lineAmount, 3.69); // without unitdp the unit amount is 1.23
  });

  test('summarizeErrors=false answers 200 with a verdict per element and saves the good ones', async () => {
    const before = sb.state.invoices.length;
    const body = { invoices: [...(sale({ invoiceNumber: 'B-1' }).invoices ?? []), ...(sale({ invoiceNumber: 'B-2' }, [line(5, { accountCode: '999' })]).invoices ?? [])] };
    const res = await xero.accountingApi.createInvoices(sb.tenantId, body, false);
    const raw = (res.response.data as { Invoices: Array<Record<string, unknown>> }).Invoices;
    assert.deepEqual(raw.map((i) => i.StatusAttributeString), ['OK', 'ERROR']);
    assert.equal(raw[1]?.HasErrors, true);
    assert.deepEqual(messages([raw[1]]), ["Account code '999' does not match a recognised account."]);
    assert.equal(sb.state.invoices.length, before + 1);
  });

  test('with summarizeErrors (the default) one bad element fails the batch and saves nothing', async () => {
    const before = sb.state.invoices.length;
    const body = { invoices: [...(sale({ invoiceNumber: 'C-1' }).invoices ?? []), ...(sale({ invoiceNumber: 'C-2' }, [line(5, { accountCode: '090' })]).invoices ?? [])] };
    const err = await failure(xero.accountingApi.createInvoices(sb.tenantId, body));
    assert.equal(err.statusCode, 400);
    assert.deepEqual([err.body.ErrorNumber, err.body.Type, err.body.Message], [10, 'ValidationException', 'A validation exception occurred']);
    assert.deepEqual(messages(err.body.Elements), ["Account code '090' is not a valid code for this document."]);
    assert.equal(sb.state.invoices.length, before);
  });

  test('ACCREC invoice numbers are unique, also within one batch', async () => {
    await xero.accountingApi.createInvoices(sb.tenantId, sale({ invoiceNumber: 'U-1' }));
    const again = await failure(xero.accountingApi.createInvoices(sb.tenantId, sale({ invoiceNumber: 'U-1' })));
    assert.deepEqual(messages(again.body.Elements), ['Invoice # must be unique.']);
    const pair = { invoices: [...(sale({ invoiceNumber: 'U-2' }).invoices ?? []), ...(sale({ invoiceNumber: 'U-2' }).invoices ?? [])] };
    const res = await xero.accountingApi.createInvoices(sb.tenantId, pair, false);
    assert.deepEqual(res.body.invoices?.map((i) => i.statusAttributeString), ['OK', 'ERROR']);
  });

  test('missing dates: DueDate from the contact terms, else refused when approving', async () => {
    const withTerms = await xero.accountingApi.createInvoices(sb.tenantId, sale({ contact: { contactNumber: 'C-1' }, dueDate: undefined }));
    const inv = withTerms.body.invoices?.[0];
    assert.equal(inv?.contact?.name, 'Harbour Foods');
    assert.equal((inv?.dueDate as unknown as Date).toISOString().slice(0, 10), '2026-04-15');
    const none = await failure(xero.accountingApi.createInvoices(sb.tenantId, sale({ dueDate: undefined })));
    assert.deepEqual(messages(none.body.Elements), ['The document DueDate field must be specified.']);
    const draft = await xero.accountingApi.createInvoices(sb.tenantId, sale({ dueDate: undefined, status: Invoice.StatusEnum.DRAFT }));
    assert.equal(draft.body.invoices?.[0]?.status, Invoice.StatusEnum.DRAFT);
  });

  test('contact names are unique among active contacts; invoices reuse a contact by exact name', async () => {
    const res = await xero.accountingApi.createContacts(sb.tenantId, { contacts: [{ name: 'Kettle & Co', contactNumber: 'K-1' }] });
    assert.equal(res.body.contacts?.[0]?.name, 'Kettle & Co');
    const dup = await failure(xero.accountingApi.createContacts(sb.tenantId, { contacts: [{ name: 'Kettle & Co' }] }));
    assert.deepEqual(messages(dup.body.Elements), ['The contact name Kettle & Co is already assigned to another contact. The contact name must be unique across all active contacts.']);
    const count = sb.state.contacts.length;
    await xero.accountingApi.createInvoices(sb.tenantId, sale({ contact: { name: 'Kettle & Co' } }));
    assert.equal(sb.state.contacts.length, count);
    const terms = await xero.accountingApi.getContacts(sb.tenantId, undefined, 'ContactNumber=="C-1"');
    assert.deepEqual({ ...terms.body.contacts?.[0]?.paymentTerms?.sales }, { day: 14, type: 'DAYSAFTERBILLDATE' });
  });

  test('manual journals: posted, unbalanced, bank account, voided through the API and the UI', async () => {
    const res = await xero.accountingApi.createManualJournals(sb.tenantId, journal('IV.TRX-12 shipment', [100, -100]));
    const mj = res.body.manualJournals?.[0];
    assert.equal(mj?.status, ManualJournal.StatusEnum.POSTED);
    const unbalanced = await failure(xero.accountingApi.createManualJournals(sb.tenantId, journal('IV.TRX-13', [100, -90])));
    assert.deepEqual(messages(unbalanced.body.Elements), ['The total debits (100.00) must equal total credits (-90.00)']);
    const bank = await failure(xero.accountingApi.createManualJournals(sb.tenantId, journal('IV.TRX-14', [5, -5], ['630', '090'])));
    assert.match(messages(bank.body.Elements).join(), /bank accounts cannot be used in manual journals/);
    const one = await failure(xero.accountingApi.createManualJournals(sb.tenantId, journal('IV.TRX-15', [0])));
    assert.match(messages(one.body.Elements).join(), /at least two journal lines/);
    const found = await xero.accountingApi.getManualJournals(sb.tenantId, undefined, 'Narration.StartsWith("IV.TRX-12 ")');
    assert.deepEqual(found.body.manualJournals?.map((j) => j.manualJournalID), [mj?.manualJournalID]);
    const voided = await xero.accountingApi.updateManualJournal(sb.tenantId, mj?.manualJournalID ?? '', { manualJournals: [{ narration: 'IV.TRX-12 shipment', status: ManualJournal.StatusEnum.VOIDED }] });
    assert.equal(voided.body.manualJournals?.[0]?.status, ManualJournal.StatusEnum.VOIDED);
    const second = await xero.accountingApi.createManualJournals(sb.tenantId, journal('IV.TRX-16', [1.5, -1.5]));
    const id = second.body.manualJournals?.[0]?.manualJournalID ?? '';
    sb.voidManualJournal(id);
    assert.equal((await xero.accountingApi.getManualJournal(sb.tenantId, id)).body.manualJournals?.[0]?.status, ManualJournal.StatusEnum.VOIDED);
  });

  test('payments reduce the amount due; a paid invoice cannot be voided, an unpaid one can', async () => {
    const inv = (await xero.accountingApi.createInvoices(sb.tenantId, sale({}, [line(100)]))).body.invoices?.[0];
    const pay = (amount: number): Promise<unknown> => xero.accountingApi.createPayments(sb.tenantId, { payments: [{ invoice: { invoiceID: inv?.invoiceID }, account: { code: '090' }, date: '2026-04-10', amount }] });
    await pay(60);
    const over = await failure(pay(50.01));
    assert.deepEqual(messages(over.body.Elements), ['Payment amount exceeds the amount outstanding on this document.']);
    await pay(50);
    const paid = (await xero.accountingApi.getInvoice(sb.tenantId, inv?.invoiceID ?? '')).body.invoices?.[0];
    assert.deepEqual([paid?.status, paid?.amountDue, paid?.amountPaid, paid?.payments?.length], [Invoice.StatusEnum.PAID, 0, 110, 2]);
    const voidPaid = await failure(xero.accountingApi.updateInvoice(sb.tenantId, inv?.invoiceID ?? '', { invoices: [{ status: Invoice.StatusEnum.VOIDED }] }));
    assert.deepEqual(messages(voidPaid.body.Elements), ['Invoice not of valid status for modification', 'This document cannot be edited as it has a payment or credit note allocated to it.']);
    const other = (await xero.accountingApi.createInvoices(sb.tenantId, sale())).body.invoices?.[0];
    const voided = await xero.accountingApi.updateInvoice(sb.tenantId, other?.invoiceID ?? '', { invoices: [{ status: Invoice.StatusEnum.VOIDED }] });
    assert.equal(voided.body.invoices?.[0]?.status, Invoice.StatusEnum.VOIDED);
    const third = (await xero.accountingApi.createInvoices(sb.tenantId, sale())).body.invoices?.[0];
    sb.voidInvoice(third?.invoiceID ?? '');
    assert.equal(sb.state.invoices.find((i) => i.invoiceId === third?.invoiceID)?.status, 'VOIDED');
  });

  test('deleting a payment puts the amount back on the invoice', async () => {
    const inv = (await xero.accountingApi.createInvoices(sb.tenantId, sale({}, [line(10)]))).body.invoices?.[0];
    const paid = await xero.accountingApi.createPayment(sb.tenantId, { invoice: { invoiceNumber: inv?.invoiceNumber }, account: { code: '090' }, date: '2026-04-11', amount: 11 });
    const paymentId = paid.body.payments?.[0]?.paymentID ?? '';
    assert.equal(sb.state.invoices.find((i) => i.invoiceId === inv?.invoiceID)?.status, 'PAID');
    await xero.accountingApi.deletePayment(sb.tenantId, paymentId, { status: 'DELETED' });
    const back = sb.state.invoices.find((i) => i.invoiceId === inv?.invoiceID);
    assert.deepEqual([back?.status, back?.amountDue, back?.amountPaid], ['AUTHORISED', 1100n, 0n]);
    const listed = await xero.accountingApi.getPayments(sb.tenantId, undefined, `Status=="DELETED"`);
    assert.deepEqual(listed.body.payments?.map((p) => p.paymentID), [paymentId]);
  });

  test('credit notes and bank transactions', async () => {
    const cn = (await xero.accountingApi.createCreditNotes(sb.tenantId, { creditNotes: [{ type: CreditNote.TypeEnum.ACCRECCREDIT, contact: { name: 'Bayside Ltd' }, date: '2026-04-03', status: CreditNote.StatusEnum.AUTHORISED, lineAmountTypes: LineAmountTypes.Exclusive, lineItems: [line(20)] }] })).body.creditNotes?.[0];
    assert.deepEqual([cn?.creditNoteNumber, cn?.total, cn?.remainingCredit], ['CN-0001', 22, 22]);
    const voided = await xero.accountingApi.updateCreditNote(sb.tenantId, cn?.creditNoteID ?? '', { creditNotes: [{ status: CreditNote.StatusEnum.VOIDED }] });
    assert.equal(voided.body.creditNotes?.[0]?.status, CreditNote.StatusEnum.VOIDED);
    const bt = (await xero.accountingApi.createBankTransactions(sb.tenantId, { bankTransactions: [{ type: BankTransaction.TypeEnum.SPEND, contact: { name: 'Kettle & Co' }, bankAccount: { code: '090' }, date: '2026-04-04', lineAmountTypes: LineAmountTypes.Inclusive, lineItems: [{ description: 'Freight', quantity: 1, unitAmount: 33, accountCode: '429', taxType: 'INPUT' }] }] })).body.bankTransactions?.[0];
    assert.deepEqual([bt?.total, bt?.totalTax, bt?.subTotal], [33, 3, 30]);
    const notBank = await failure(xero.accountingApi.createBankTransactions(sb.tenantId, { bankTransactions: [{ type: BankTransaction.TypeEnum.SPEND, contact: { name: 'Kettle & Co' }, bankAccount: { code: '429' }, lineItems: [line(1)] }] }));
    assert.match(messages(notBank.body.Elements).join(), /not a bank account/);
  });

  test('where, InvoiceNumbers and Statuses filters; bad filters are a QueryParseException', async () => {
    const byNumber = await xero.accountingApi.getInvoices(sb.tenantId, undefined, undefined, undefined, undefined, ['INV-0001', 'U-1']);
    assert.deepEqual(byNumber.body.invoices?.map((i) => i.invoiceNumber).sort(), ['INV-0001', 'U-1']);
    const drafts = await xero.accountingApi.getInvoices(sb.tenantId, undefined, undefined, undefined, undefined, undefined, undefined, ['DRAFT']);
    assert.ok((drafts.body.invoices ?? []).length > 0 && drafts.body.invoices?.every((i) => i.status === Invoice.StatusEnum.DRAFT));
    const where = await xero.accountingApi.getInvoices(sb.tenantId, undefined, 'Type=="ACCREC" && Contact.Name.ToLower()=="harbour foods"');
    assert.deepEqual(where.body.invoices?.map((i) => i.contact?.contactNumber), ['C-1']);
    const byName = await xero.accountingApi.getContacts(sb.tenantId, undefined, 'Name=="Bayside Ltd"');
    assert.equal(byName.body.contacts?.length, 1);
    const bad = await failure(xero.accountingApi.getInvoices(sb.tenantId, undefined, 'Status = = "X"'));
    assert.deepEqual([bad.statusCode, bad.body.Type], [400, 'QueryParseException']);
    const unknown = await failure(xero.accountingApi.getContacts(sb.tenantId, undefined, 'Colour=="red"'));
    assert.match(String(unknown.body.Message), /Colour/);
    const page = await xero.accountingApi.getInvoices(sb.tenantId, undefined, undefined, 'InvoiceNumber DESC', undefined, undefined, undefined, undefined, 1, undefined, undefined, undefined, undefined, 2);
    assert.equal(page.body.invoices?.length, 2);
    assert.equal(page.body.pagination?.page, 1);
    const byTotal = await xero.accountingApi.getInvoices(sb.tenantId, undefined, 'Type=="ACCREC"', 'Total DESC');
    const totals = byTotal.body.invoices?.map((i) => i.total ?? 0) ?? [];
    assert.deepEqual(totals, [...totals].sort((a, b) => b - a));
    assert.ok(totals.length > 10 && (totals[0] ?? 0) >= 110);
  });

  test('Idempotency-Key: a retry replays the first answer; the key on another body is refused', async () => {
    const key = 'sync-INV-IDEM-1';
    const first = await xero.accountingApi.createInvoices(sb.tenantId, sale({ invoiceNumber: 'IDEM-1' }), undefined, undefined, key);
    const count = sb.state.invoices.length;
    const again = await xero.accountingApi.createInvoices(sb.tenantId, sale({ invoiceNumber: 'IDEM-1' }), undefined, undefined, key);
    assert.equal(again.body.invoices?.[0]?.invoiceID, first.body.invoices?.[0]?.invoiceID);
    assert.equal(sb.state.invoices.length, count);
    const other = await failure(xero.accountingApi.createInvoices(sb.tenantId, sale({ invoiceNumber: 'IDEM-2' }), undefined, undefined, key));
    assert.equal(other.statusCode, 400);
    assert.match(String(other.body.Message), /already used for a different request/);
    const long = await failure(xero.accountingApi.createInvoices(sb.tenantId, sale({ invoiceNumber: 'IDEM-3' }), undefined, undefined, 'k'.repeat(129)));
    assert.match(String(long.body.Message), /at most 128 characters/);
  });

  test('the period lock refuses documents dated on or before it', async () => {
    sb.setPeriodLockDate('2026-03-31');
    try {
      const org = (await xero.accountingApi.getOrganisations(sb.tenantId)).body.organisations?.[0];
      assert.equal((org?.periodLockDate as unknown as Date).toISOString().slice(0, 10), '2026-03-31');
      const locked = await failure(xero.accountingApi.createInvoices(sb.tenantId, sale({ date: '2026-03-31' })));
      assert.deepEqual(messages(locked.body.Elements), ['The document date cannot be before the period lock date, currently set at 31-Mar-2026']);
      const mj = await failure(xero.accountingApi.createManualJournals(sb.tenantId, { manualJournals: [{ ...journal('IV.TRX-20', [1, -1]).manualJournals[0], date: '2026-03-01' } as ManualJournal] }));
      assert.match(messages(mj.body.Elements).join(), /period lock date/);
      await xero.accountingApi.createInvoices(sb.tenantId, sale({ date: '2026-04-01' }));
    } finally {
      sb.setPeriodLockDate(undefined);
    }
  });

  test('a malformed body is a schema violation (400), and nothing the SDK sent or got back was one', async () => {
    const token = sb.issueTokenSet().access_token;
    const res = await fetch(`${sb.apiBase}/Invoices`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${token}`, 'xero-tenant-id': sb.tenantId, 'content-type': 'application/json' },
      body: JSON.stringify({ Invoices: [{ Type: 'ACCREC', Contact: { Name: 'X' }, LineItems: 'three boxes' }] }),
    });
    const body = (await res.json()) as Record<string, unknown>;
    assert.deepEqual([res.status, body.ErrorNumber, body.Type], [400, 14, 'SchemaViolation']);
    assert.match(String(body.Message), /LineItems must be array/);
    const sdkViolations = sb.violations.slice(0, -1);
    assert.deepEqual(sdkViolations, []);
    assert.deepEqual(sb.violations.map((v) => [v.route, v.direction]), [['PUT /Invoices', 'request']]);
    assert.ok((sb.stats().byRoute['PUT /Invoices'] ?? 0) > 10);
  });
});

describe('rate limits, tokens and auth', () => {
  test('over the minute limit: 429 with Retry-After in Xero seconds, then admitted again', async () => {
    const sb = await sandbox({ timeScale: 60, limits: { perMinute: 5 } });
    const xero = sdk(sb);
    const remaining: string[] = [];
    for (let i = 0; i < 5; i++) remaining.push((await xero.accountingApi.getOrganisations(sb.tenantId)).response.headers['x-minlimit-remaining'] as string);
    assert.deepEqual(remaining, ['4', '3', '2', '1', '0']);
    const refused = await failure(xero.accountingApi.getOrganisations(sb.tenantId));
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.headers['x-rate-limit-problem'], 'minute');
    const retryAfter = Number(refused.headers['retry-after']);
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.ok(refused.headers['x-daylimit-remaining'] === '4995');
    await sleep((retryAfter * 1000) / 60 + 50);
    await xero.accountingApi.getOrganisations(sb.tenantId);
    assert.deepEqual([sb.stats().throttled, sb.stats().calls], [1, 7]);
  });

  test('over the day limit: X-Rate-Limit-Problem day', async () => {
    const sb = await sandbox({ limits: { perDay: 2 } });
    const xero = sdk(sb);
    await xero.accountingApi.getOrganisations(sb.tenantId);
    await xero.accountingApi.getOrganisations(sb.tenantId);
    const refused = await failure(xero.accountingApi.getOrganisations(sb.tenantId));
    assert.deepEqual([refused.statusCode, refused.headers['x-rate-limit-problem']], [429, 'day']);
  });

  test('more calls at once than the concurrency limit: the extra ones get 429 concurrent', async () => {
    const sb = await sandbox({ latencyMs: 150, limits: { concurrent: 2 } });
    const xero = sdk(sb);
    const results = await Promise.allSettled(Array.from({ length: 5 }, () => xero.accountingApi.getOrganisations(sb.tenantId)));
    const refused = results.filter((r) => r.status === 'rejected').map((r) => (JSON.parse(String((r as PromiseRejectedResult).reason)) as { response: SdkFailure }).response);
    assert.equal(refused.length, 3);
    assert.ok(refused.every((r) => r.statusCode === 429 && r.headers['x-rate-limit-problem'] === 'concurrent'));
    assert.equal(sb.stats().concurrentPeak, 2);
  });

  test('refreshing rotates both tokens; a spent refresh token is invalid_grant', async () => {
    const sb = await sandbox();
    const first = sb.issueTokenSet();
    const fresh = await form(sb.tokenUrl, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.equal(fresh.status, 200);
    assert.deepEqual(Object.keys(fresh.body).sort(), ['access_token', 'expires_in', 'refresh_token', 'scope', 'token_type']);
    assert.notEqual(fresh.body.refresh_token, first.refresh_token);
    assert.equal(fresh.body.expires_in, 1800);
    const reuse = await form(sb.tokenUrl, { grant_type: 'refresh_token', refresh_token: first.refresh_token });
    assert.deepEqual([reuse.status, reuse.body], [400, { error: 'invalid_grant' }]);
    const badClient = await form(sb.tokenUrl, { grant_type: 'refresh_token', refresh_token: String(fresh.body.refresh_token) }, 'sandbox-client', 'wrong');
    assert.deepEqual([badClient.status, badClient.body], [400, { error: 'invalid_client' }]);
    const xero = new XeroClient();
    xero.accountingApi.basePath = sb.apiBase;
    xero.setTokenSet({ ...fresh.body });
    assert.equal((await xero.accountingApi.getOrganisations(sb.tenantId)).response.status, 200);
  });

  test('401 for expired and revoked tokens, 403 for another tenant', async () => {
    const sb = await sandbox({ timeScale: 60, tokenTtlSeconds: 6 }); // 6 Xero seconds = 100 ms
    const xero = sdk(sb);
    await xero.accountingApi.getOrganisations(sb.tenantId);
    await sleep(150);
    const expired = await failure(xero.accountingApi.getOrganisations(sb.tenantId));
    assert.equal(expired.statusCode, 401);
    assert.equal(expired.body.Title, 'Unauthorized');
    assert.match(String(expired.body.Detail), /^TokenExpired: token expired at \d\d\/\d\d\/\d{4} \d\d:\d\d:\d\d$/);
    const other = await failure(sdk(sb).accountingApi.getOrganisations('00000000-0000-0000-0000-000000000001'));
    assert.equal(other.statusCode, 403);
    const live = sdk(sb);
    const set = sb.issueTokenSet();
    sb.revokeTokens();
    const revoked = await failure(live.accountingApi.getOrganisations(sb.tenantId));
    assert.deepEqual([revoked.statusCode, revoked.body.Detail], [401, 'AuthenticationUnsuccessful']);
    const refresh = await form(sb.tokenUrl, { grant_type: 'refresh_token', refresh_token: set.refresh_token });
    assert.deepEqual(refresh.body, { error: 'invalid_grant' });
    assert.equal((await sdk(sb).accountingApi.getOrganisations(sb.tenantId)).response.status, 200); // a new consent
  });
});
