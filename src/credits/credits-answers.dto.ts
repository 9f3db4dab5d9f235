// Answer shapes of /api/user/credits and /api/admin/users/{id}/credits for the OpenAPI document.
import { apiSchema, nullable, pageOf, TIME } from '../common/api-docs.dto.js';

export const CREDITS_ACCOUNT = apiSchema('CreditsAccount', {
  type: 'object',
  required: ['balance', 'low_balance_threshold', 'enabled'],
  properties: { balance: { type: 'integer' }, low_balance_threshold: { type: 'integer' }, enabled: { type: 'boolean' } },
  example: { balance: 950, low_balance_threshold: 100, enabled: true },
});

export const CREDIT_TRANSACTION = apiSchema('CreditTransaction', {
  type: 'object',
  required: ['id', 'type', 'amount', 'running_balance', 'created_at'],
  properties: {
    id: { type: 'string' },
    type: { type: 'string', enum: ['GRANT', 'TOP_UP', 'USAGE', 'REFUND'] },
    amount: { type: 'integer', description: 'Negative for USAGE.' },
    running_balance: { type: 'integer' },
    reason: nullable({ type: 'string' }),
    execution_id: nullable({ type: 'string' }),
    node_execution_id: nullable({ type: 'string' }),
    attempt: nullable({ type: 'integer' }),
    block: nullable({ type: 'string' }),
    created_at: TIME,
  },
});

export const CREDIT_TRANSACTION_PAGE = apiSchema('CreditTransactionPage', pageOf(CREDIT_TRANSACTION));

export const ADMIN_CREDIT_ANSWER = apiSchema('AdminCreditAnswer', {
  type: 'object',
  required: ['transaction', 'balance'],
  properties: { transaction: CREDIT_TRANSACTION, balance: { type: 'integer' } },
});
