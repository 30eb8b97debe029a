/**
 * Coded failures over HTTP: RFC 7807 problem details (`application/problem+json`). The `code`,
 * `detail` (the message), `fix` and `record` are those of the Failure (docs/errors.md); `type`
 * is a stable URL per code.
 */
import { ERROR_CODES, failure, type ErrorCode, type Failure } from '../domain/errors.js';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  fix: string;
  record: Record<string, string | number>;
}

/** The HTTP status a coded failure is answered with. */
export function statusOf(code: ErrorCode): number {
  switch (code) {
    case 'INVALID_REQUEST':
    case 'INVALID_EVENT':
    case 'INVALID_DATE':
    case 'INVALID_RANGE':
    case 'INVALID_CONFIG':
    case 'INVALID_TEXT':
    case 'UNKNOWN_EVENT_TYPE':
      return 400;
    case 'UNAUTHORIZED':
      return 401;
    case 'FORBIDDEN':
      return 403;
    case 'NOT_FOUND':
    case 'UNKNOWN_COMPANY':
      return 404;
    case 'DUPLICATE_EVENT_CONFLICT':
    case 'ALREADY_VOIDED':
      return 409;
    case 'BATCH_TOO_LARGE':
      return 413;
    case 'INTERNAL_ERROR':
      return 500;
    default:
      // A business refusal of well-formed input (unknown product, insufficient stock, …).
      return 422;
  }
}

/** Title: the catalogue's one-line description of the code. */
export function problemOf(f: Failure, status: number = statusOf(f.code)): Problem {
  return { type: `https://stockbook.dev/errors/${f.code}`, title: ERROR_CODES[f.code], status, code: f.code, detail: f.message, fix: f.fix, record: { ...f.record } };
}

/** Thrown by handlers and hooks; the server's error handler answers it as a problem. */
export class ProblemError extends Error {
  constructor(readonly failure: Failure, readonly status: number = statusOf(failure.code)) {
    super(`${failure.code}: ${failure.message}`);
  }
}

export function problem(code: ErrorCode, message: string, fix: string, record: Record<string, string | number> = {}, status?: number): ProblemError {
  return new ProblemError(failure(code, message, fix, record), status);
}
