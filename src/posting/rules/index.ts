/** The posting rules, one per event type. The book looks rules up here and nowhere else. */
import type { EventType } from '../../domain/events.js';
import type { PostingRule } from '../types.js';
import { supplierDeposit, supplierPayment, customerPrepayment, customerPayment } from './payments.js';
import { purchaseInvoice, expenseBill, stockReceipt, purchaseCreditNote } from './purchases.js';
import { saleInvoice, shipment, saleCreditNote, landedCost, manualJournal } from './sales.js';
import { stockAdjustment, stocktake, transfer, assembly, disassembly, writeOff } from './stock.js';
import { countExport } from './counts.js';

type RuleMap = { [T in Exclude<EventType, 'void'>]: PostingRule<T> };

export const RULES: RuleMap = {
  supplier_deposit: supplierDeposit,
  supplier_payment: supplierPayment,
  customer_prepayment: customerPrepayment,
  customer_payment: customerPayment,
  purchase_invoice: purchaseInvoice,
  expense_bill: expenseBill,
  stock_receipt: stockReceipt,
  purchase_credit_note: purchaseCreditNote,
  landed_cost: landedCost,
  manual_journal: manualJournal,
  sale_invoice: saleInvoice,
  shipment,
  sale_credit_note: saleCreditNote,
  stock_adjustment: stockAdjustment,
  stocktake,
  transfer,
  assembly,
  disassembly,
  write_off: writeOff,
  count_export: countExport,
};
