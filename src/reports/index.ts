/**
 * Reports over a company's ledger (its book and store): pure functions returning exact figures
 * (bigint), each with a JSON form (one object, decimal strings) and a rectangular row form for CSV.
 */
export { type ReportSource, isDate, dayBefore, UNIT_COST_PLACES } from './common.js';
export { valuation, valuationJson, valuationRows, poolValues, VALUATION_GROUPS, type ValuationBy, type ValuationOptions, type ValuationReport } from './valuation.js';
export { stockLedger, stockLedgerJson, stockLedgerRows, type StockLedgerOptions, type StockLedgerReport } from './stock-ledger.js';
export { glDetail, glDetailAll, glDetailJson, glDetailRows, GL_PAGE_MAX, type GlDetailOptions, type GlDetailReport } from './gl-detail.js';
export { grossProfit, grossProfitJson, grossProfitRows, GROSS_PROFIT_GROUPS, type GrossProfitBy, type GrossProfitOptions, type GrossProfitReport } from './gross-profit.js';
export { reconciliation, reconciliationJson, reconciliationRows, type ReconciliationOptions, type ReconciliationReport } from './reconciliation.js';
export { drill, drillJson, drillRows, type DrillOptions, type DrillReport } from './drill.js';
