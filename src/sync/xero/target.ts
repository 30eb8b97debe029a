/**
 * Xero as a sync target: loads the reference data a run needs (chart, tax rates, contacts),
 * matches contacts by ContactNumber then exact name (creating the rest), sends parts in
 * batches of up to 50 elements with summarizeErrors=false (one element's validation error
 * never fails another), and finds documents again by number for in-doubt recovery, many per
 * lookup.
 */
import { createHash } from 'node:crypto';
import { ObjectSerializer, type Contact as XContact, type Invoice, type CreditNote, type ManualJournal, type Payment, type BankTransaction } from 'xero-node';
import type { Company } from '../../domain/config.js';
import { failure, FailureError, type Failure } from '../../domain/errors.js';
import type { Contact, SyncConfig } from '../config.js';
import type { FoundPart, Part, PartKind, PartOutcome, PlanInput, PlanResult, SyncTarget, TargetStatus } from '../target.js';
import type { TargetIds } from '../state.js';
import { contactOf } from '../records.js';
import { validationMessages, XeroRejected, type XeroConnectionClient } from './client.js';
import { NARRATION_SEP, planRecord, voidsOf, type XeroContactRef, type XeroReference } from './plan.js';
import { fromWire, rateFromWire } from './wire.js';
import { formatMoney } from '../../domain/money.js';

const BATCH = 50;

/** xero-node model name of each part kind's element (for the wire form of a dry run). */
const MODEL: Record<PartKind, string> = {
  invoice: 'Invoice', creditNote: 'CreditNote', journal: 'ManualJournal', payment: 'Payment', bankTransaction: 'BankTransaction',
  voidInvoice: 'Invoice', voidCreditNote: 'CreditNote', voidJournal: 'ManualJournal', deletePayment: 'PaymentDelete',
};

interface Element { invoiceID?: string | undefined; creditNoteID?: string | undefined; manualJournalID?: string | undefined; paymentID?: string | undefined; bankTransactionID?: string | undefined; invoiceNumber?: string | undefined; creditNoteNumber?: string | undefined; total?: number | undefined; hasErrors?: boolean | undefined; statusAttributeString?: string | undefined; validationErrors?: { message?: string | undefined }[] | undefined }

function idOf(kind: PartKind, e: Element): string | undefined {
  switch (kind) {
    case 'invoice': case 'voidInvoice': return e.invoiceID;
    case 'creditNote': case 'voidCreditNote': return e.creditNoteID;
    case 'journal': case 'voidJournal': return e.manualJournalID;
    case 'payment': case 'deletePayment': return e.paymentID;
    case 'bankTransaction': return e.bankTransactionID;
  }
}

function quote(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

export class XeroTarget implements SyncTarget {
  private ref: { accounts: Map<string, { type: string }>; taxRates: Map<string, bigint>; contacts: Map<string, XeroContactRef> } = { accounts: new Map(), taxRates: new Map(), contacts: new Map() };
  private xeroContacts: XContact[] = [];
  private readonly announced = new Map<string, string>();

  readonly name: string;

  constructor(private readonly client: XeroConnectionClient, private readonly co: Company, private readonly sync: SyncConfig) {
    this.name = client.target;
  }

  calls(): number {
    return this.client.calls;
  }

  async prepare(): Promise<void> {
    const [accounts, rates] = await Promise.all([
      this.client.call((api, t) => api.getAccounts(t)),
      this.client.call((api, t) => api.getTaxRates(t)),
    ]);
    this.ref.accounts = new Map((accounts.accounts ?? []).filter((a) => a.code !== undefined).map((a) => [a.code!, { type: String(a.type ?? '') }]));
    this.ref.taxRates = new Map();
    for (const r of rates.taxRates ?? []) {
      const rate = rateFromWire(r.effectiveRate ?? r.displayTaxRate ?? 0);
      if (r.taxType !== undefined && rate !== undefined) this.ref.taxRates.set(r.taxType, rate);
    }
    this.xeroContacts = await this.allContacts();
    this.ref.contacts = new Map();
    for (const c of this.sync.contacts.values()) {
      const m = this.match(c);
      if (m) this.ref.contacts.set(c.code, m);
    }
  }

  private async allContacts(): Promise<XContact[]> {
    const out: XContact[] = [];
    for (let page = 1; page <= 1000; page++) {
      const res = await this.client.call((api, t) => api.getContacts(t, undefined, 'ContactStatus=="ACTIVE"', undefined, undefined, page, false, false, undefined, 100));
      const got = res.contacts ?? [];
      out.push(...got);
      if (got.length < 100) break;
    }
    return out;
  }

  private match(c: Contact, created = false): XeroContactRef | undefined {
    const x = this.xeroContacts.find((k) => k.contactNumber === c.contactNumber) ?? this.xeroContacts.find((k) => k.name === c.name);
    if (!x?.contactID) return undefined;
    return { id: x.contactID, name: x.name ?? c.name, salesDays: x.paymentTerms?.sales?.day, billsDays: x.paymentTerms?.bills?.day, created };
  }

  unmatchedContacts(contacts: readonly Contact[]): Contact[] {
    return contacts.filter((c) => !this.ref.contacts.has(c.code));
  }

  async createContacts(contacts: readonly Contact[]): Promise<Map<string, PartOutcome>> {
    const out = new Map<string, PartOutcome>();
    for (let i = 0; i < contacts.length; i += BATCH) {
      const chunk = contacts.slice(i, i + BATCH);
      const bodies: XContact[] = chunk.map((c) => this.contactBody(c));
      const key = createHash('sha256').update(`contacts\u0000${chunk.map((c) => c.code).join('\u0000')}`).digest('hex');
      const res = await this.batch(() => this.client.call((api, t) => api.createContacts(t, { contacts: bodies }, false, key)), chunk.length);
      chunk.forEach((c, k) => {
        const el = res.ok ? (res.elements[k] as XContact | undefined) : undefined;
        const errors = el ? messagesOf(el as Element) : [];
        if (!res.ok || !el?.contactID || errors.length > 0) {
          out.set(c.code, { ok: false, error: res.ok ? this.rejected(`Contact "${c.name}" (${c.code})`, errors) : res.error });
          return;
        }
        this.xeroContacts.push(el);
        this.ref.contacts.set(c.code, { ...this.match(c, true)!, created: true });
        out.set(c.code, { ok: true, id: el.contactID });
      });
    }
    return out;
  }

  private contactBody(c: Contact): XContact {
    const body: XContact = { name: c.name, contactNumber: c.contactNumber };
    if (c.email !== undefined) body.emailAddress = c.email;
    if (c.termsDays !== undefined) {
      const term = { day: c.termsDays, type: 'DAYSAFTERBILLDATE' as never };
      body.paymentTerms = { sales: term, bills: term };
    }
    return body;
  }

  plan(input: PlanInput): PlanResult {
    const ref: XeroReference = this.ref;
    const r = planRecord(input, { co: this.co, sync: this.sync, ref });
    if (r.ok) r.plan.warnings = r.plan.warnings.filter((w) => w.code !== 'CONTACT_CREATED' || this.announce(input.record));
    return r;
  }

  /** A created contact is reported on the first record that needed it, not on every one. */
  private announce(rec: PlanInput['record']): boolean {
    const code = contactOf(rec) ?? '';
    const first = this.announced.get(code);
    if (first === undefined) this.announced.set(code, rec.id);
    return first === undefined || first === rec.id;
  }

  voids(posted: TargetIds, record: string): { parts: Part[]; cannot?: string | undefined } {
    return voidsOf(posted, record);
  }

  wire(part: Part): unknown {
    return ObjectSerializer.serialize(part.body, MODEL[part.kind]);
  }

  private rejected(what: string, messages: string[]): Failure {
    return failure('TARGET_REJECTED', `Xero refused ${what}: ${messages.join(' ') || 'no reason given'}`, 'Correct what Xero names (in stockbook\'s configuration or in Xero) and sync again.', { messages: messages.join(' | ') });
  }

  /** Runs a batch call; a whole-call failure becomes every element's failure. */
  private async batch(call: () => Promise<unknown>, n: number): Promise<{ ok: true; elements: unknown[] } | { ok: false; error: Failure; stop: boolean }> {
    try {
      const body = (await call()) as Record<string, unknown>;
      const list = Object.values(body).find((v) => Array.isArray(v)) as unknown[] | undefined;
      return { ok: true, elements: list ?? new Array<unknown>(n).fill(undefined) };
    } catch (e) {
      if (e instanceof FailureError) return { ok: false, error: e.failure, stop: e.failure.code === 'TARGET_AUTH' };
      if (e instanceof XeroRejected) return { ok: false, error: this.rejected('the request', validationMessages(e.body)), stop: false };
      throw e;
    }
  }

  async send(kind: PartKind, items: readonly { part: Part; key: string }[]): Promise<PartOutcome[]> {
    const out: PartOutcome[] = [];
    if (kind.startsWith('void') || kind === 'deletePayment') {
      for (const it of items) out.push(await this.sendOne(kind, it.part, it.key));
      return out;
    }
    for (let i = 0; i < items.length; i += BATCH) {
      const chunk = items.slice(i, i + BATCH);
      const key = chunk.length === 1 ? chunk[0]!.key : createHash('sha256').update(chunk.map((c) => c.key).join('\u0000')).digest('hex');
      const res = await this.batch(() => this.create(kind, chunk.map((c) => c.part.body), key), chunk.length);
      chunk.forEach((c, k) => out.push(this.outcome(kind, c.part, res, res.ok ? res.elements[k] : undefined)));
    }
    return out;
  }

  private create(kind: PartKind, bodies: unknown[], key: string): Promise<unknown> {
    switch (kind) {
      case 'invoice': return this.client.call((api, t) => api.createInvoices(t, { invoices: bodies as Invoice[] }, false, 4, key));
      case 'creditNote': return this.client.call((api, t) => api.createCreditNotes(t, { creditNotes: bodies as CreditNote[] }, false, 4, key));
      case 'journal': return this.client.call((api, t) => api.createManualJournals(t, { manualJournals: bodies as ManualJournal[] }, false, key));
      case 'payment': return this.client.call((api, t) => api.createPayments(t, { payments: bodies as Payment[] }, false, key));
      case 'bankTransaction': return this.client.call((api, t) => api.createBankTransactions(t, { bankTransactions: bodies as BankTransaction[] }, false, 4, key));
      default: throw new Error(`assertion: ${kind} is not a batch kind`);
    }
  }

  private outcome(kind: PartKind, part: Part, res: Awaited<ReturnType<XeroTarget['batch']>>, el: unknown): PartOutcome {
    if (!res.ok) return { ok: false, error: res.error, stop: res.stop };
    const e = (el ?? {}) as Element;
    const errors = messagesOf(e);
    const id = idOf(kind, e);
    if (errors.length > 0 || id === undefined) return { ok: false, error: this.rejected(part.number, errors) };
    return { ok: true, id, number: e.invoiceNumber ?? e.creditNoteNumber ?? part.number, total: this.totalText(e.total) };
  }

  /** Xero's document total as stockbook formats money (compared with the plan's expected total). */
  private totalText(total: number | undefined): string | undefined {
    if (total === undefined) return undefined;
    const minor = fromWire(total, this.co.baseCurrency);
    return minor === undefined ? String(total) : formatMoney(minor, this.co.baseCurrency);
  }

  private async sendOne(kind: PartKind, part: Part, key: string): Promise<PartOutcome> {
    const id = part.targetId!;
    const res = await this.batch(() => {
      switch (kind) {
        case 'voidInvoice': return this.client.call((api, t) => api.updateInvoice(t, id, { invoices: [part.body as Invoice] }, undefined, key));
        case 'voidCreditNote': return this.client.call((api, t) => api.updateCreditNote(t, id, { creditNotes: [part.body as CreditNote] }, undefined, key));
        case 'voidJournal': return this.withNarration(part).then((body) => this.client.call((api, t) => api.updateManualJournal(t, id, { manualJournals: [body] }, key)));
        case 'deletePayment': return this.client.call((api, t) => api.deletePayment(t, id, { status: 'DELETED' }, key));
        default: throw new Error(`assertion: ${kind} is not a single-element kind`);
      }
    }, 1);
    return this.outcome(kind, part, res, res.ok ? res.elements[0] : undefined);
  }

  /** Xero's schema wants a narration on a status change: the journal's own, so nothing else is edited. */
  private async withNarration(part: Part): Promise<ManualJournal> {
    const body = part.body as ManualJournal;
    const r = await this.client.call((api, t) => api.getManualJournal(t, part.targetId!));
    const narration = r.manualJournals?.[0]?.narration;
    return narration === undefined ? body : { ...body, narration };
  }

  /** In-doubt recovery: per part kind, one lookup (a where filter or number list) per LOOKUP_BATCH parts. */
  async find(parts: readonly Part[]): Promise<(FoundPart | undefined)[]> {
    const out = new Array<FoundPart | undefined>(parts.length).fill(undefined);
    const byKind = new Map<PartKind, number[]>();
    parts.forEach((p, i) => byKind.set(p.kind, [...(byKind.get(p.kind) ?? []), i]));
    for (const [kind, indexes] of byKind) {
      if (!FINDABLE.has(kind)) continue;
      for (let i = 0; i < indexes.length; i += LOOKUP_BATCH) {
        const chunk = indexes.slice(i, i + LOOKUP_BATCH);
        const hits = await this.allHits(kind, [...new Set(chunk.map((k) => parts[k]!.number))]);
        for (const k of chunk) {
          const part = parts[k]!;
          const hit = hits.find((h) => h.live && h.key === part.number && (kind !== 'invoice' || h.type === String((part.body as Invoice).type)));
          if (hit) out[k] = { id: hit.id, number: hit.number };
        }
      }
    }
    return out;
  }

  /** Every page of one lookup. */
  private async allHits(kind: PartKind, numbers: string[]): Promise<Hit[]> {
    const out: Hit[] = [];
    for (let page = 1; page <= 100; page++) {
      const got = await this.hits(kind, numbers, page);
      out.push(...got);
      if (got.length < PAGE_SIZE) break;
    }
    return out;
  }

  private async hits(kind: PartKind, numbers: string[], page: number): Promise<Hit[]> {
    const any = (field: string): string => numbers.map((n) => `${field}=="${quote(n)}"`).join(' OR ');
    switch (kind) {
      case 'invoice': {
        const r = await this.client.call((api, t) => api.getInvoices(t, undefined, undefined, undefined, undefined, numbers, undefined, undefined, page));
        return (r.invoices ?? []).map((i) => hit(i.invoiceID, i.invoiceNumber, i.status, i.invoiceNumber, String(i.type)));
      }
      case 'creditNote': {
        const r = await this.client.call((api, t) => api.getCreditNotes(t, undefined, any('CreditNoteNumber'), undefined, page));
        return (r.creditNotes ?? []).map((c) => hit(c.creditNoteID, c.creditNoteNumber, c.status, c.creditNoteNumber));
      }
      case 'journal': {
        const where = numbers.map((n) => `Narration.StartsWith("${quote(n + NARRATION_SEP)}")`).join(' OR ');
        const r = await this.client.call((api, t) => api.getManualJournals(t, undefined, where, undefined, page));
        return (r.manualJournals ?? []).map((j) => hit(j.manualJournalID, j.narration?.split(NARRATION_SEP)[0], j.status));
      }
      case 'payment': {
        const r = await this.client.call((api, t) => api.getPayments(t, undefined, any('Reference'), undefined, page));
        return (r.payments ?? []).map((p) => hit(p.paymentID, p.reference, p.status));
      }
      case 'bankTransaction': {
        const r = await this.client.call((api, t) => api.getBankTransactions(t, undefined, any('Reference'), undefined, page));
        return (r.bankTransactions ?? []).map((b) => hit(b.bankTransactionID, b.reference, b.status));
      }
      default: return [];
    }
  }

  async status(kind: PartKind, id: string): Promise<TargetStatus> {
    try {
      const status = await this.statusOf(kind, id);
      return status === undefined ? 'missing' : isLive(status) ? 'live' : 'voided';
    } catch (e) {
      if (e instanceof XeroRejected && e.status === 404) return 'missing';
      throw e;
    }
  }

  private async statusOf(kind: PartKind, id: string): Promise<unknown> {
    switch (kind) {
      case 'invoice': return (await this.client.call((api, t) => api.getInvoice(t, id))).invoices?.[0]?.status;
      case 'creditNote': return (await this.client.call((api, t) => api.getCreditNote(t, id))).creditNotes?.[0]?.status;
      case 'payment': return (await this.client.call((api, t) => api.getPayment(t, id))).payments?.[0]?.status;
      case 'bankTransaction': return (await this.client.call((api, t) => api.getBankTransaction(t, id))).bankTransactions?.[0]?.status;
      case 'journal': return (await this.client.call((api, t) => api.getManualJournal(t, id))).manualJournals?.[0]?.status;
      default: throw new Error(`assertion: ${kind} is not a document or journal kind`);
    }
  }
}

/** Parts of these kinds can be found again by number, narration or reference. */
const FINDABLE: ReadonlySet<PartKind> = new Set(['invoice', 'creditNote', 'journal', 'payment', 'bankTransaction']);
/** Numbers per lookup: a where filter of 25 alternatives stays a short URL. */
const LOOKUP_BATCH = 25;
/** Xero's page size for the collections looked up. */
const PAGE_SIZE = 100;

/** One document a lookup returned: its id, the number or reference it is found by, and whether it still counts. */
interface Hit { id: string; key: string | undefined; live: boolean; number: string | undefined; type: string | undefined }

const isLive = (status: unknown): boolean => String(status) !== 'VOIDED' && String(status) !== 'DELETED';

function hit(id: string | undefined, key: string | undefined, status: unknown, number?: string, type?: string): Hit {
  return { id: id ?? '', key, live: id !== undefined && isLive(status), number, type };
}

function messagesOf(e: Element): string[] {
  const list = (e.validationErrors ?? []).map((v) => v.message ?? '').filter((m) => m !== '');
  if (list.length === 0 && (e.hasErrors === true || e.statusAttributeString === 'ERROR')) list.push('the element was refused without a message');
  return list;
}
