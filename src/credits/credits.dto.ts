// The credits API's bodies, queries and answers (snake_case JSON).
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { TransactionRow } from './credits.repository.js';
import { PageQuery } from '../common/page-query.dto.js';
import { isBigintText } from '../common/query-values.js';

export const ADMIN_CREDIT_TYPES = ['GRANT', 'TOP_UP', 'REFUND'] as const;
export type AdminCreditType = (typeof ADMIN_CREDIT_TYPES)[number];

export class AdminCreditDto {
  @ApiProperty({ enum: ADMIN_CREDIT_TYPES, example: 'TOP_UP' })
  @IsIn(ADMIN_CREDIT_TYPES, { message: 'expected "GRANT", "TOP_UP" or "REFUND"' })
  type!: AdminCreditType;

  @ApiProperty({ minimum: 1, example: 500 })
  @IsInt({ message: 'expected a whole number of credits, 1 or more' })
  @Min(1, { message: 'expected a whole number of credits, 1 or more' })
  @Max(Number.MAX_SAFE_INTEGER, { message: 'expected a whole number of credits, at most 9007199254740991' })
  amount!: number;

  @ApiPropertyOptional({ maxLength: 500, example: 'monthly top-up' })
  @IsOptional()
  @IsString({ message: 'expected text saying why, such as "monthly top-up"' })
  @MaxLength(500, { message: 'expected at most 500 characters' })
  reason?: string;
}

export class TransactionsQuery extends PageQuery {}

export interface TransactionView {
  id: string;
  type: string;
  amount: number;
  running_balance: number;
  reason: string | null;
  execution_id: string | null;
  node_execution_id: string | null;
  attempt: number | null;
  block: string | null;
  created_at: string;
}

export function transactionView(row: TransactionRow): TransactionView {
  return {
    id: String(row.id),
    type: row.type,
    amount: Number(row.amount),
    running_balance: Number(row.running_balance),
    reason: row.reason,
    execution_id: row.execution_id,
    node_execution_id: row.node_execution_id,
    attempt: row.attempt,
    block: row.block,
    created_at: new Date(row.created_at).toISOString(),
  };
}

/** Cursors are opaque: the base64url of the last id of the page. */
export function encodeTransactionsCursor(id: string): string {
  return Buffer.from(JSON.stringify({ before: id })).toString('base64url');
}

/** The id to continue before; undefined without a cursor, null for a cursor this list never gave out. */
export function decodeTransactionsCursor(cursor: string | undefined): string | null | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { before?: unknown };
    return isBigintText(value.before) ? value.before : null;
  } catch {
    return null;
  }
}
