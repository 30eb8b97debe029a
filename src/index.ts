/** stockbook as a library: load a company, parse events, apply them to a book, read journals. */
export { loadConfig, resolveAccount, inventoryAccounts, ROLES, COSTING_METHODS, ACCOUNT_TYPES } from './domain/config.js';
export type { Company, Role, CostingMethod, Settings, Product } from './domain/config.js';
export { parseEvent, fingerprint, orderKey } from './domain/events.js';
export type { BookEvent, EventType } from './domain/events.js';
export { EVENT_SCHEMA, EVENT_TYPES } from './domain/event-schema.js';
export { ERROR_CODES, type Failure, type ErrorCode, type Result } from './domain/errors.js';
export { divRound, ROUNDING_MODES, type RoundingMode } from './domain/rounding.js';
export { allocate, convert, share, formatMoney, parseMoney, currencyExponent } from './domain/money.js';
export { parseDecimal, formatDecimal, QTY_SCALE, UNIT_COST_SCALE } from './domain/decimal.js';
export { Book, type Applied, type BookOptions } from './book/book.js';
export type { Journal, JournalLine } from './posting/journal.js';
export { RULES } from './posting/rules/index.js';
