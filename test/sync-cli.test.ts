/**
 * `stockbook sync` against the Xero sandbox, over a temporary SQLite ledger. A few commands run
 * as the real CLI in a child process (spawned asynchronously: the sandbox serves from this
 * process); the rest run the same commands in this process with their output captured, which
 * is many times faster than starting the CLI each time.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { inProcess, stockbook, type Out } from './helpers/cli.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../src/store/open.js';
import { CompanyLedger, putCompany } from '../src/ledger/service.js';
import type { XeroSandbox } from '../src/sandbox/xero/index.js';
import { registerSync } from '../src/cli/sync.js';
import { EVENTS, startSandbox, syncCompany, writes } from './helpers/sync.js';


let sb: XeroSandbox;
let dir: string;
let db: string;


const companyArgs = (): string[] => ['--db', db, '--company', 'seed-004'];

/** `stockbook sync <command> … --db <db> --company seed-004` as a child process. */
const cli = (...args: string[]): Promise<Out> => stockbook(['sync', ...args, ...companyArgs()]);

/** The same command in this process: its output captured, its exit code taken back. */
function sync(...args: string[]): Promise<Out> {
  return inProcess(registerSync, ['sync', ...args, ...companyArgs()]);
}

const parse = <T>(o: Out): T => JSON.parse(o.stdout) as T;
const errorCode = (o: Out): string => (JSON.parse(o.stderr.trim().split('\n').pop()!) as { error: { code: string } }).error.code;

interface Result { record: string; status: string; ids?: Record<string, string>; warnings: { code: string }[]; error?: { code: string; fix: string }; requests?: { kind: string; body: Record<string, unknown> }[] }
interface Summary { run: string; type: string; dryRun: boolean; stopped?: { code: string }; results: Result[] }
interface Listed { counts: Record<string, number>; records: { id: string; status: string; error?: { code: string } }[] }

const byRecord = (s: Summary): Map<string, Result> => new Map(s.results.map((r) => [r.record, r]));

function writeToken(name: string): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(sb.issueTokenSet()));
  return file;
}

describe('stockbook sync', () => {
  before(async () => {
    sb = await startSandbox();
    dir = mkdtempSync(join(tmpdir(), 'stockbook-sync-cli-'));
    db = join(dir, 'ledger.sqlite');
    const store = await openStore({ sqlitePath: db });
    try {
      assert.ok(!('code' in (await putCompany(store, syncCompany(sb)))), 'company loads');
      const ledger = await CompanyLedger.open(store, 'seed-004');
      assert.ok(ledger instanceof CompanyLedger);
      const posted = await ledger.postBatch(EVENTS);
      assert.deepEqual(posted.map((o) => o.status), EVENTS.map(() => 'ok'));
    } finally {
      await store.close();
    }
  });
  after(async () => {
    await sb.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('connect stores the token set; an unreadable token file exits 2, an unconnected run stops', async () => {
    const before = await cli('run', '--type', 'procurement');
    assert.equal(before.status, 1);
    assert.equal(errorCode(before), 'SYNC_NOT_CONFIGURED');
    assert.match(before.stdout, /Stopped: .*no Xero token set[\s\S]*Fix: .*stockbook sync connect/);

    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ access_token: 'x' }));
    for (const r of await Promise.all([cli('connect', '--token-file', bad), sync('connect', '--token-file', join(dir, 'missing.json'))])) {
      assert.equal(r.status, 2, r.stderr);
      assert.equal(errorCode(r), 'INVALID_CONFIG');
    }
    const r = await cli('connect', '--token-file', writeToken('token.json'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`Connected company seed-004 to Xero \\(tenant ${sb.tenantId}\\)`));
  });

  test('list: unposted counts per type, then the records, as a table, JSON or CSV', async () => {
    const [table, json, csv, invoices] = [await sync('list'), await sync('list', '-f', 'json'), await sync('list', '-f', 'csv'), await sync('list', '--type', 'invoices', '-f', 'json')];
    for (const r of [table, json, csv, invoices]) assert.equal(r.status, 0, r.stderr);
    const listed = parse<Listed>(json);
    assert.deepEqual(listed.counts, { invoices: 3, procurement: 1, expenses: 0, payments: 1, journals: 0 });
    assert.deepEqual(listed.records.map((r) => [r.id, r.status]), [['BILL-1', 'unposted'], ['INV-1', 'unposted'], ['INV-2', 'unposted'], ['INV-3', 'unposted'], ['RCPT-1', 'unposted']]);
    assert.deepEqual(parse<Listed>(invoices).records.map((r) => r.id), ['INV-1', 'INV-2', 'INV-3']);
    assert.match(table.stdout, /^Unposted: invoices 3 · procurement 1 · expenses 0 · payments 1 · journals 0/);
    assert.match(table.stdout, /INV-1\s*│\s*invoices\s*│\s*document\s*│\s*sale_invoice\s*│\s*2026-03-08\s*│\s*SO-1\s*│\s*unposted\s*│\s*1/);
    const rows = csv.stdout.trim().split('\n');
    assert.equal(rows[0], 'record,type,kind,event_type,event,date,reference,status,version,error_code,error_message,error_fix');
    assert.equal(rows.length, 6);
  });

  test('list --limit gives one page and the cursor of the next; --after it gives the rest; a bad cursor exits 2', async () => {
    const first = await sync('list', '--limit', '3', '-f', 'json');
    assert.equal(first.status, 0, first.stderr);
    const page = parse<Listed & { next?: string }>(first);
    assert.deepEqual(page.records.map((r) => r.id), ['BILL-1', 'INV-1', 'INV-2']);
    assert.ok(typeof page.next === 'string');
    const table = await sync('list', '--limit', '3');
    assert.match(table.stderr, new RegExp(`--after ${page.next}`));
    const rest = parse<Listed & { next?: string }>(await sync('list', '--limit', '3', '--after', page.next, '-f', 'json'));
    assert.deepEqual(rest.records.map((r) => r.id), ['INV-3', 'RCPT-1']);
    assert.equal(rest.next, undefined);
    const bad = await sync('list', '--after', 'bm90LWEtY3Vyc29y');
    assert.equal(bad.status, 2);
    assert.equal(errorCode(bad), 'INVALID_REQUEST');
  });

  test('run --dry-run -f json prints the request bodies exactly and sends nothing', async () => {
    const r = await sync('run', '--type', 'invoices', '--dry-run', '-f', 'json');
    assert.equal(r.status, 1, 'a record would fail');
    const s = parse<Summary>(r);
    assert.equal(s.dryRun, true);
    const res = byRecord(s);
    assert.equal(res.get('INV-1')!.status, 'would-post');
    const [invoice, journal] = res.get('INV-1')!.requests!;
    assert.equal(invoice!.kind, 'invoice');
    assert.equal(invoice!.body['InvoiceNumber'], 'INV-1');
    assert.equal(invoice!.body['Type'], 'ACCREC');
    assert.equal(journal!.kind, 'journal');
    assert.match(String(journal!.body['Narration']), /^IV\.TRX-\? · Inventory journal for invoice INV-1/);
    assert.equal(res.get('INV-2')!.status, 'would-fail');
    assert.equal(res.get('INV-2')!.error!.code, 'CONTACT_MISSING');
    assert.deepEqual(writes(sb), {}, 'no PUT or POST reached Xero');
    assert.equal(parse<Listed>(await sync('list', '-f', 'json')).counts['invoices'], 3, 'nothing stored');
  });

  test('run posts the bill, each invoice with its IV.TRX journal, and the payment; a missing contact fails alone', async () => {
    const bill = await sync('run', '--type', 'procurement', '-f', 'json');
    assert.equal(bill.status, 0, bill.stderr);
    assert.equal(byRecord(parse<Summary>(bill)).get('BILL-1')!.ids!['documentNumber'], 'PO-1');

    const inv = await cli('run', '--type', 'invoices');
    assert.equal(inv.status, 1, 'INV-2 failed');
    assert.match(inv.stdout, /INV-1\s*│\s*posted with warnings\s*│\s*INV-1, IV\.TRX-1\s*│\s*CONTACT_CREATED: /);
    assert.match(inv.stdout, /INV-2\s*│\s*failed\s*│\s*│\s*│\s*CONTACT_MISSING: Record INV-2 .*NOBODY/);
    assert.match(inv.stdout, /INV-3\s*│\s*posted\s*│\s*INV-3, IV\.TRX-2\s*│\s*│/, 'a created contact is reported once');
    assert.match(inv.stdout, /Run run-\S+ of invoices: 2 posted \(1 with warnings\), 1 failed, 0 aborted; \d+ calls to xero:\S+\./);

    const pay = await sync('run', '--type', 'payments', '-f', 'json');
    assert.equal(pay.status, 0, pay.stdout);
    assert.equal(byRecord(parse<Summary>(pay)).get('RCPT-1')!.status, 'posted');

    assert.deepEqual(sb.state.invoices.map((i) => [i.type, i.invoiceNumber]).sort(), [['ACCPAY', 'PO-1'], ['ACCREC', 'INV-1'], ['ACCREC', 'INV-3']]);
    assert.deepEqual(sb.state.manualJournals.map((j) => j.narration.split(' · ')[0]), ['IV.TRX-1', 'IV.TRX-2']);
    assert.equal(sb.state.payments.length, 1);
  });

  test('results are stored: show a record and its history; runs lists the runs', async () => {
    const [json, table, runs, runsTable] = [await sync('show', 'INV-1', '-f', 'json'), await sync('show', 'INV-1'), await sync('runs', '-f', 'json'), await sync('runs', '--limit', '2')];
    for (const r of [json, table, runs, runsTable]) assert.equal(r.status, 0, r.stderr);
    const shown = parse<{ record: { status: string; posted: { journalNumber: string; documentNumber: string } }; history: { seq: string; action: string }[] }>(json);
    assert.equal(shown.record.status, 'posted');
    assert.equal(shown.record.posted.journalNumber, 'IV.TRX-1');
    assert.deepEqual(shown.history.map((h) => h.action), ['claim', 'posted']);
    assert.match(shown.history[0]!.seq, /^\d+$/);
    assert.match(table.stdout, /Target ids\s*│\s*INV-1, IV\.TRX-1/);
    assert.match(table.stdout, /claim\s*│\s*1\s*│\s*run-\S+\s*│\s*IV\.TRX-1/);
    assert.deepEqual(parse<Summary[]>(runs).map((s) => s.type), ['payments', 'invoices', 'procurement', 'procurement'], 'newest first; the unconnected run too');
    assert.equal(runsTable.stdout.match(/run-/g)?.length, 2);

    const missing = await sync('show', 'NOPE');
    assert.equal(missing.status, 1);
    assert.equal(errorCode(missing), 'NOT_FOUND');
  });

  test('a second run posts nothing more', async () => {
    const before = { writes: writes(sb), invoices: sb.state.invoices.length, journals: sb.state.manualJournals.length };
    const r = await sync('run', '--type', 'invoices', '-f', 'json');
    assert.equal(r.status, 1);
    assert.deepEqual(parse<Summary>(r).results.map((x) => [x.record, x.status]), [['INV-2', 'failed']]);
    assert.deepEqual({ writes: writes(sb), invoices: sb.state.invoices.length, journals: sb.state.manualJournals.length }, before);
  });

  test('hold keeps a record out of runs; release lets it back; posted or unknown records cannot be held', async () => {
    const held = await sync('hold', 'INV-2');
    assert.equal(held.status, 0, held.stderr);
    assert.match(held.stdout, /Held 1 record: INV-2/);
    assert.equal(parse<Listed>(await sync('list', '-f', 'json')).records.find((r) => r.id === 'INV-2')!.status, 'held');
    const skipped = await sync('run', '--type', 'invoices', '-f', 'json');
    assert.equal(skipped.status, 0);
    assert.deepEqual(parse<Summary>(skipped).results, []);

    assert.equal((await sync('release', 'INV-2')).status, 0);
    const again = await sync('run', '--type', 'invoices', '-f', 'json');
    assert.deepEqual(parse<Summary>(again).results.map((x) => x.record), ['INV-2']);

    const posted = await sync('hold', 'INV-1');
    assert.equal(posted.status, 1);
    assert.equal(errorCode(posted), 'RECORD_STATE');
    const unknown = await sync('release', 'NOPE');
    assert.equal(unknown.status, 1);
    assert.equal(errorCode(unknown), 'NOT_FOUND');
  });

  test('void-and-repost voids the invoice and its journal in Xero and posts them again', async () => {
    const first = sb.state.invoices.find((i) => i.invoiceNumber === 'INV-3')!;
    const r = await sync('void-and-repost', 'INV-3', '-f', 'json');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    const res = byRecord(parse<Summary>(r)).get('INV-3')!;
    assert.equal(res.status, 'posted');
    assert.equal(res.ids!['journalNumber'], 'IV.TRX-3');
    assert.equal(sb.state.invoices.find((i) => i.invoiceId === first.invoiceId)!.status, 'VOIDED');
    assert.equal(sb.state.manualJournals.find((j) => j.narration.startsWith('IV.TRX-2'))!.status, 'VOIDED');
    assert.equal(sb.state.invoices.filter((i) => i.invoiceNumber.startsWith('INV-3') && i.status !== 'VOIDED').length, 1);
    const repost = await sync('repost', 'INV-2');
    assert.equal(repost.status, 1, 'an unposted record is not re-posted');
    assert.equal(errorCode(repost), 'RECORD_STATE');
    const live = await sync('repost', 'INV-3');
    assert.equal(live.status, 1, 'Xero still holds INV-3#v2: re-posting would book it twice');
    assert.equal(errorCode(live), 'STILL_IN_TARGET');
    assert.equal(sb.state.invoices.filter((i) => i.invoiceNumber.startsWith('INV-3')).length, 2, 'no third copy');
  });

  test('a revoked connection stops the run with its message and fix (exit 1); connecting again resumes', async () => {
    sb.revokeTokens();
    const stopped = await cli('run', '--type', 'invoices');
    assert.equal(stopped.status, 1);
    assert.equal(errorCode(stopped), 'TARGET_AUTH');
    assert.match(stopped.stdout, /INV-2\s*│\s*aborted/);
    assert.match(stopped.stdout, /Stopped: Xero refused the connection[\s\S]*Fix: Reconnect to Xero/);
    assert.equal((await sync('connect', '--token-file', writeToken('token2.json'))).status, 0);
    const resumed = await sync('run', '--type', 'invoices', '-f', 'json');
    assert.equal(parse<Summary>(resumed).stopped, undefined);
    assert.equal(byRecord(parse<Summary>(resumed)).get('INV-2')!.error!.code, 'CONTACT_MISSING');
  });

  test('the sandbox saw no schema violations', () => {
    assert.deepEqual(sb.violations, []);
  });
});
