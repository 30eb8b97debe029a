/**
 * JSON shapes of the API answers the screens share (src/api/web-routes.ts, src/reports/*.ts
 * `*Json`, src/posting/journal.ts as stored, GET /v1/company): the wire form, so money and
 * quantities are exact decimal strings throughout, never the server's bigints. Shapes only one
 * screen reads stay beside the code that fetches them (sync.ts, counts-api.ts, drill.tsx).
 */

/** The sync record types, in the order the UI lists them, and their names there. */
export const RECORD_TYPES = ['invoices', 'procurement', 'expenses', 'payments', 'journals'] as const;
export type RecordType = (typeof RECORD_TYPES)[number];
export const TYPE_LABELS: Record<RecordType, string> = {
  invoices: 'Invoices',
  procurement: 'Procurement / Inventory',
  expenses: 'Expenses',
  payments: 'Payments',
  journals: 'Journals',
};

/** A stored journal (GET /v1/journals, GET /v1/events/:id); a negative amount is a credit. */
export interface JournalLine { account: string; accountName: string; amount: string; product?: string; warehouse?: string; memo?: string }

export interface Journal {
  id: string;
  event: string;
  eventType: string;
  kind: 'original' | 'correction' | 'reversal';
  date: string;
  currency: string;
  lines: JournalLine[];
  cause?: string;
  reverses?: string;
  reference?: string;
  memo?: string;
  shiftedFrom?: string;
  seq?: string;
}

export interface AccountTie { account: string; name: string; subledger: string; gl: string; difference: string }

export interface LastRun {
  run: string;
  type: RecordType;
  finishedAt: string;
  counts: { posted: number; warnings: number; failed: number; aborted: number };
  stopped: { code: string; message: string; fix: string } | null;
}

export interface DashboardData {
  currency: string;
  from: string | null;
  to: string | null;
  inventoryValue: { month: string; asOf: string; value: string }[];
  margin: { month: string; revenue: string; cogs: string; grossProfit: string; marginPercent: string | null }[];
  reconciliation: (AccountTie & { ties: boolean })[];
  unposted: Record<RecordType, number> | null;
  lastRun: LastRun | null;
}

export interface TrialBalanceData {
  asOf: string | null;
  currency: string;
  accounts: { account: string; name: string; debit: string; credit: string; balance: string }[];
  totalDebit: string;
  totalCredit: string;
  balanced: boolean;
}

export type ValuationBy = 'pool' | 'product' | 'warehouse' | 'category';

export interface ValuationData {
  asOf: string | null;
  currency: string;
  by: ValuationBy;
  lines: { product?: string; warehouse?: string; category?: string; name: string; account?: string | null; qty?: string; unitCost?: string | null; value: string }[];
  accounts: (AccountTie & { check: 'ok' | 'DIFFERENCE' })[];
  total: { subledger: string; gl: string; difference: string };
  ties: boolean;
}

export interface StockLedgerRow {
  date: string; event: string; eventType: string; warehouse: string; kind: string; lot: string | null;
  qtyIn: string; qtyOut: string; valueIn: string; valueOut: string; unitCost: string | null; trueUp: string;
  runningQty: string; runningValue: string;
}

export interface StockLedgerData {
  currency: string;
  product: string;
  productName: string;
  warehouse: string | null;
  from: string | null;
  to: string | null;
  opening: { qty: string; value: string };
  rows: StockLedgerRow[];
  totals: { qtyIn: string; qtyOut: string; valueIn: string; valueOut: string };
  closing: { qty: string; value: string };
}

export type GrossProfitBy = 'product' | 'customer';

export interface GrossProfitFigures {
  revenue: string; cogs: string; margin: string; marginPct: string | null;
  recordedCost: string | null; difference: string | null; linesWithCost: number; linesWithoutCost: number;
}

export interface GrossProfitData {
  currency: string;
  from: string | null;
  to: string | null;
  by: GrossProfitBy;
  rows: (GrossProfitFigures & { product?: string | null; customer?: string | null; name: string })[];
  total: GrossProfitFigures;
}

export type Mapping = Partial<Record<string, string>>;

export interface CompanyData {
  id: string;
  name: string;
  baseCurrency: string;
  settings: {
    costingMethod: string; cogsTiming: string; purchaseRecognition: string; negativeStock: string;
    rounding: string; lockDate?: string; lockMode: string; inventorySystem: string;
  };
  accounts: { code: string; name: string; type: string }[];
  mapping: Mapping;
  warehouses: { code: string; name?: string; mapping?: Mapping }[];
  categories: { code: string; name?: string; mapping?: Mapping }[];
  products: { sku: string; name?: string; category?: string; stocked?: boolean; costingMethod?: string; standardCost?: string; mapping?: Mapping }[];
  config: { sync?: { xero?: { tenantId?: string; apiUrl?: string } } & Record<string, unknown> } & Record<string, unknown>;
}
