/**
 * Expected business failures are values, not exceptions: a stable code, the record it
 * concerns, a message that names it, and the fix. The catalogue below is the single source
 * of truth; docs/errors.md lists the same codes and a test keeps the two in sync.
 * Programmer errors (broken invariants) are `assert` failures instead.
 */
export const ERROR_CODES = {
  INVALID_EVENT: 'The event is malformed: a field is missing, has the wrong type or an invalid value.',
  INVALID_DATE: 'A date is not a real calendar day written YYYY-MM-DD (2026-02-30, 2026-04-31, 2026-02-29, 2026-3-5, 5/3/2026, 2026-13-01).',
  INVALID_RANGE: 'A date range starts after it ends (from later than to).',
  INVALID_CONFIG: 'The company configuration is malformed or inconsistent.',
  INVALID_TEXT: 'A string (an id, memo, reference, SKU, name or parameter) contains a NUL character (U+0000) or a lone surrogate.',
  VALUE_OUT_OF_RANGE: 'An amount, quantity, unit cost or rate, or a total it would leave (an account\'s day total or balance, a pool\'s quantity or value), is outside the documented bounds.',
  UNKNOWN_EVENT_TYPE: 'The event type is not one stockbook knows.',
  MAPPING_MISSING: 'No account is mapped for an account role at any level (line, product, category, warehouse, company).',
  UNKNOWN_ACCOUNT: 'An account code is not in the chart of accounts.',
  UNKNOWN_PRODUCT: 'The product SKU is not in the configuration.',
  UNKNOWN_WAREHOUSE: 'The warehouse code is not in the configuration.',
  UNKNOWN_REFERENCE: 'The event refers to another event that does not exist (or is of the wrong type).',
  INSUFFICIENT_STOCK: 'Issuing the quantity would take stock on hand below zero while negative stock is blocked.',
  LOT_REQUIRED: 'The product is costed by specific lot/serial and the line names no lot.',
  NOT_STOCKED: 'A stock movement names a product that is not stocked (a service or non-inventory item).',
  DUPLICATE_EVENT_CONFLICT: 'An event with this id was already accepted with different content.',
  ALREADY_VOIDED: 'The event was already voided.',
  CANNOT_VOID: 'The event cannot be voided (it is a void itself).',
  VOID_HAS_DEPENDENTS: 'Other events depend on the event being voided.',
  UNBALANCED_JOURNAL: 'A manual journal does not balance.',
  INVENTORY_ACCOUNT_IN_MANUAL_JOURNAL: 'A manual journal posts to an inventory account directly, which would break the sub-ledger.',
  RATE_MISSING: 'A document in a foreign currency carries no exchange rate.',
  PERIOD_LOCKED: 'The event, or a correction it causes, falls in a locked period.',
  UNKNOWN_COMPANY: 'The company is not known to the ledger.',
  COSTING_CHANGE: 'A new company configuration would cost posted history differently (a costing setting, the base currency, or a product that has moved).',
  SETTING_MISMATCH: 'The event does not fit the company settings (e.g. a stock receipt while purchases are recognised at the bill).',
  INVALID_REQUEST: 'The HTTP request is malformed: not JSON, a wrong content type, or a body or parameter that does not match the API schema.',
  UNAUTHORIZED: 'The HTTP request carries no API key, or one the company does not know.',
  FORBIDDEN: "The API key's role does not allow the operation.",
  NOT_FOUND: 'The HTTP route, or the record it names, does not exist for the company of the API key.',
  BATCH_TOO_LARGE: 'The request carries more events (or bytes) than one batch may hold.',
  INTERNAL_ERROR: 'The server failed unexpectedly; a write that failed was rolled back.',
  SYNC_NOT_CONFIGURED: 'The company has no accounting target connection (sync.xero) or no token set for it.',
  CONTACT_MISSING: "A record's customer or supplier has no contact (name, number) in the company's contacts.",
  ACCOUNT_NOT_IN_TARGET: "A record posts to an account code that the accounting target's chart does not have.",
  OUT_OF_BALANCE: "The target would total a document differently from stockbook by more than the company's tolerance.",
  PAYMENT_UNALLOCATED: 'A payment names no live invoice or bill (by reference) for the target to apply it to.',
  DEPENDENCY_NOT_POSTED: 'A record depends on another record (the invoice a payment pays, the original a void cancels) that is not posted yet.',
  FOREIGN_CURRENCY_UNSUPPORTED: 'The record is in a currency other than the base currency, which the target mapping does not post.',
  INVENTORY_JOURNAL_EXISTS: "Re-posting an invoice whose inventory journal (IV.TRX) still stands unvoided in the target.",
  STILL_IN_TARGET: "Re-posting a record whose posted document or journal the target still holds unvoided: it would be booked twice.",
  TARGET_REJECTED: 'The accounting target refused the record; its validation messages are given verbatim.',
  TARGET_AUTH: "The target refused the connection's token (expired, revoked or not yet connected); the run stops.",
  TARGET_UNAVAILABLE: 'The target could not be reached, failed, or its call limits were exhausted; the record stays unposted.',
  ALREADY_EXPORTED: "The count's inventory adjustment was already exported (and not voided).",
  COUNT_SUPERSEDED: 'The count is dated before the latest export; exporting it would undo the balances that export left.',
  NO_COUNT: 'There is no count (stocktake) on the date asked, or no count left to export.',
  RECORD_STATE: 'The record is not in a state that allows the request (e.g. holding a posted record, re-posting an unposted one).',
  CONFIG_TOO_LARGE: 'The company configuration sent is larger than PUT /v1/company accepts.',
  DB_NOT_FOUND: 'The SQLite ledger file --db names does not exist (or its directory does not).',
  COMPANY_REQUIRED: 'The command names no company and the ledger holds several.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface Failure {
  readonly code: ErrorCode;
  /** What went wrong, naming the record. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /** The record concerned: event id, and where useful product, warehouse, role, line. */
  readonly record: Readonly<Record<string, string | number>>;
}

export function failure(
  code: ErrorCode,
  message: string,
  fix: string,
  record: Record<string, string | number> = {},
): Failure {
  return { code, message, fix, record };
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function err<T = never>(error: Failure): Result<T> {
  return { ok: false, error };
}

/**
 * Thrown inside the core to unwind an event that fails midway; the book catches it at the
 * event boundary and returns it as a value, having changed nothing.
 */
export class FailureError extends Error {
  constructor(readonly failure: Failure) {
    super(`${failure.code}: ${failure.message}`);
  }
}

export function fail(code: ErrorCode, message: string, fix: string, record: Record<string, string | number> = {}): never {
  throw new FailureError(failure(code, message, fix, record));
}

/** Programmer-error check: a broken invariant, never an expected business outcome. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`assertion failed: ${message}`);
}
