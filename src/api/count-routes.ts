/**
 * The count routes of the HTTP API: the inventory adjustments export (seed 002,
 * src/ledger/count-export.ts), registered by src/api/server.ts.
 *
 *   GET  /v1/counts                      every count, its export, the default count (next)
 *   GET  /v1/counts/adjustments[?count=] the journal adjustment report of a count
 *   POST /v1/counts/export {count?}      post the count's adjustment journal (201)
 *
 * The export "is only available and visible to users given access" (seed 002): every route
 * needs the export permission (exporter and admin keys); viewers and posters get 403.
 * Each request uses the server's own ledger of the company, opened again when another process
 * appended events since, so a count posted elsewhere is seen and an export is posted once.
 */
import { companyOf } from './request.js';
import { freshLedger } from './ledgers.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ErrorCode, Failure } from '../domain/errors.js';
import type { CalendarDate } from '../domain/calendar-date.js';
import type { CompanyLedger } from '../ledger/service.js';
import { counts, exportCount, preview } from '../ledger/count-export.js';
import { countsJson, exportJson, previewJson } from '../cli/counts-format.js';
import { ProblemError, statusOf } from './problems.js';
import { CountPreviewSchema, countSchemas as s } from './count-schemas.js';
import type { SyncRouteDeps } from './sync-routes.js';

/** Statuses of the export's failures beyond statusOf's: no such count, and the company's state. */
const COUNT_STATUS: Partial<Record<ErrorCode, number>> = {
  NO_COUNT: 404,
  ALREADY_EXPORTED: 409,
  MAPPING_MISSING: 409,
};

const isFailure = (x: object): x is Failure => 'code' in x && 'fix' in x && 'record' in x;

function countProblem(f: Failure): ProblemError {
  return new ProblemError(f, COUNT_STATUS[f.code] ?? statusOf(f.code));
}


export function registerCountRoutes(app: FastifyInstance, deps: SyncRouteDeps): void {
  app.addSchema(CountPreviewSchema);

  const fresh = (req: FastifyRequest): Promise<CompanyLedger> => freshLedger(deps, companyOf(req));

  app.get('/v1/counts', { schema: s.list, config: { permission: 'export' } }, async (req) => countsJson(await counts(await fresh(req))));

  app.get('/v1/counts/adjustments', { schema: s.adjustments, config: { permission: 'export' } }, async (req) => {
    const { count } = req.query as { count?: CalendarDate };
    const p = await preview(await fresh(req), count);
    if (isFailure(p)) throw countProblem(p);
    return previewJson(p);
  });

  // The body is optional: none exports the default count.
  const noBody = async (req: FastifyRequest): Promise<void> => void (req.body ??= {});
  app.post('/v1/counts/export', { schema: s.export, config: { permission: 'export' }, preValidation: noBody }, async (req, reply) => {
    const { count } = req.body as { count?: CalendarDate };
    const ledger = await fresh(req);
    const r = await exportCount(ledger, count);
    if (isFailure(r)) throw countProblem(r);
    const journals = r.outcome.status === 'ok' ? r.outcome.journals : [];
    req.log.info({ company: ledger.id, count: r.preview.count, event: r.event, by: req.auth?.keyId }, 'count exported');
    return reply.code(201).send(exportJson({ ...r, journals }, ledger.co));
  });
}
