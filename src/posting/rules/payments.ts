/** Deposits, prepayments and payments: cash against AP/AR or a prepayment account (seed 004). */
import type { PostingRule } from '../types.js';

export const supplierDeposit: PostingRule<'supplier_deposit'> = {
  type: 'supplier_deposit',
  recordType: 'payments',
  plan: () => [],
  post(ev, _r, ctx, j) {
    j.entry(ctx.account('supplierDeposits'), ctx.account('bank', { override: ev.bankAccount }), ev.amount, { memo: `deposit to ${ev.supplier}` });
  },
};

export const supplierPayment: PostingRule<'supplier_payment'> = {
  type: 'supplier_payment',
  recordType: 'payments',
  plan: () => [],
  post(ev, _r, ctx, j) {
    j.entry(ctx.account('ap'), ctx.account('bank', { override: ev.bankAccount }), ev.amount, { memo: `payment to ${ev.supplier}` });
  },
};

export const customerPrepayment: PostingRule<'customer_prepayment'> = {
  type: 'customer_prepayment',
  recordType: 'payments',
  plan: () => [],
  post(ev, _r, ctx, j) {
    j.entry(ctx.account('bank', { override: ev.bankAccount }), ctx.account('customerPrepayments'), ev.amount, { memo: `prepayment from ${ev.customer}` });
  },
};

export const customerPayment: PostingRule<'customer_payment'> = {
  type: 'customer_payment',
  recordType: 'payments',
  plan: () => [],
  post(ev, _r, ctx, j) {
    j.entry(ctx.account('bank', { override: ev.bankAccount }), ctx.account('ar'), ev.amount, { memo: `payment from ${ev.customer}` });
  },
};
