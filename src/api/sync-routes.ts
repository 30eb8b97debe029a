/**
 * The sync routes of the HTTP API (docs/sync.md), registered by src/api/server.ts:
 *
 *   GET  /v1/sync/records[?type=&all=&limit=&after=]  counts and a page of records (viewer)
 *   GET  /v1/sync/records/:id                    a record's state and history (viewer)
 *   POST /v1/sync/records/:id/hold | /release | /repost | /void-and-repost   (exporter)
 *   POST /v1/sync/runs {type, dryRun?}           run a sync (exporter)
 *   GET  /v1/sync/runs[?limit=]                  recent runs (viewer)
 *   PUT  /v1/sync/connection {tokenSet}          store the Xero token set (admin)
 *
 * Each request opens the company's sync over the server's own ledger of the company, so the
 * API syncs the same book it posts to.
 */
import { PassThrough } from 'node:stream';
import { companyOf } from './request.js';
import { freshLedger, type LedgerDeps } from './ledgers.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode, Failure } from '../domain/errors.js';
import type { RecordType } from '../posting/types.js';
import { badSyncCursor, parseSyncCursor, type RunSummary } from '../sync/engine.js';
import { syncEntryJson } from '../sync/json.js';
import { openSync, type CompanySync } from '../sync/open.js';
import type { TokenSetData } from '../sync/xero/client.js';
import { ProblemError, statusOf } from './problems.js';
import { RunSummarySchema, syncSchemas as s } from './sync-schemas.js';

export type SyncRouteDeps = LedgerDeps;

/** Statuses of the failures sync answers beyond statusOf's (the company's state, the target's answers). */
const SYNC_STATUS: Partial<Record<ErrorCode, number>> = {
  RECORD_STATE: 409,
  STILL_IN_TARGET: 409,
  INVENTORY_JOURNAL_EXISTS: 409,
  SYNC_NOT_CONFIGURED: 409,
  INVALID_CONFIG: 409,
  TARGET_AUTH: 409,
  TARGET_UNAVAILABLE: 503,
  TARGET_REJECTED: 502,
};

export function syncProblem(f: Failure): ProblemError {
  return new ProblemError(f, SYNC_STATUS[f.code] ?? statusOf(f.code));
}

const isFailure = (x: unknown): x is Failure => typeof x === 'object' && x !== null && 'code' in x && 'fix' in x && 'record' in x;


const idOf = (req: FastifyRequest): string => (req.params as { id: string }).id;

/** Whether the run tried no record: it stopped before the first (no token set, refused connection). */
function nothingTried(r: RunSummary): boolean {
  return r.results.every((x) => x.status === 'aborted');
}

/**
 * A run streamed as JSON Lines, for a live progress bar: {"progress": {done, total}} after each
 * chunk of records, then {"summary": …} (or {"problem": …} if the run could not start).
 */
function streamRun(reply: FastifyReply, sync: CompanySync, body: { type: RecordType; dryRun?: boolean }): FastifyReply {
  const out = new PassThrough();
  const line = (x: unknown): string => `${JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))}\n`;
  out.write(line({ progress: { done: 0, total: 0 } }));
  sync.engine.run({ type: body.type, dryRun: body.dryRun === true, onProgress: (done, total) => out.write(line({ progress: { done, total } })) }).then(
    (r) => out.end(line({ summary: r })),
    (e: unknown) => out.end(line({ problem: { code: 'INTERNAL_ERROR', detail: e instanceof Error ? e.message : String(e) } })),
  );
  return reply.type('application/x-ndjson').send(out);
}

export function registerSyncRoutes(app: FastifyInstance, deps: SyncRouteDeps): void {
  app.addSchema(RunSummarySchema);


  const syncOf = async (req: FastifyRequest): Promise<CompanySync> => {
    const company = companyOf(req);
    const opened = await openSync(deps.store, company, { ledger: await freshLedger(deps, company) });
    if (isFailure(opened)) throw syncProblem(opened);
    return opened;
  };

  const recordOf = async (sync: CompanySync, id: string): Promise<{ record: unknown }> => {
    const found = await sync.engine.record(id);
    if (isFailure(found)) throw syncProblem(found);
    return { record: found.record };
  };

  app.get('/v1/sync/records', { schema: s.listRecords, config: { permission: 'read' } }, async (req) => {
    const q = req.query as { type?: RecordType; all?: boolean; limit: number; after?: string };
    const afterSeq = q.after === undefined ? undefined : parseSyncCursor(q.after);
    if (q.after !== undefined && afterSeq === undefined) throw syncProblem(badSyncCursor());
    const page = await (await syncOf(req)).engine.list({ type: q.type, all: q.all, limit: q.limit, afterSeq });
    return { ...page, next: page.next ?? null };
  });

  app.get('/v1/sync/records/:id', { schema: s.getRecord, config: { permission: 'read' } }, async (req) => {
    const found = await (await syncOf(req)).engine.record(idOf(req));
    if (isFailure(found)) throw syncProblem(found);
    return { record: found.record, history: found.history.map(syncEntryJson) };
  });

  const marks = { hold: s.hold, release: s.release, repost: s.repost } as const;
  for (const action of ['hold', 'release', 'repost'] as const) {
    app.post(`/v1/sync/records/:id/${action}`, { schema: marks[action], config: { permission: 'export' } }, async (req) => {
      const sync = await syncOf(req);
      const id = idOf(req);
      const f = action === 'hold' ? await sync.engine.hold([id]) : action === 'release' ? await sync.engine.release([id]) : await sync.engine.repost(id);
      if (f) throw syncProblem(f);
      return recordOf(sync, id);
    });
  }

  app.post('/v1/sync/records/:id/void-and-repost', { schema: s.voidAndRepost, config: { permission: 'export' } }, async (req) => {
    const r = await (await syncOf(req)).engine.voidAndRepost(idOf(req));
    if (isFailure(r)) throw syncProblem(r);
    return r;
  });

  app.post('/v1/sync/runs', { schema: s.postRun, config: { permission: 'export' } }, async (req, reply) => {
    const body = req.body as { type: RecordType; dryRun?: boolean };
    if (String(req.headers.accept ?? '').includes('application/x-ndjson')) return streamRun(reply, await syncOf(req), body);
    const r = await (await syncOf(req)).engine.run({ type: body.type, dryRun: body.dryRun === true });
    if (r.stopped && nothingTried(r)) throw syncProblem({ ...r.stopped, record: { ...r.stopped.record, run: r.run } });
    req.log.info({ company: r.company, run: r.run, type: r.type, dryRun: r.dryRun, counts: r.counts }, 'sync run');
    return r;
  });

  app.get('/v1/sync/runs', { schema: s.listRuns, config: { permission: 'read' } }, async (req) => {
    const { limit } = req.query as { limit: number };
    return { runs: await (await syncOf(req)).engine.runs(limit) };
  });

  app.put('/v1/sync/connection', { schema: s.putConnection, config: { permission: 'admin' } }, async (req, reply) => {
    const { tokenSet } = req.body as { tokenSet: TokenSetData };
    await (await syncOf(req)).client.connect(tokenSet);
    req.log.info({ company: companyOf(req), by: req.auth?.keyId }, 'Xero token set stored');
    return reply.code(204).send();
  });
}
