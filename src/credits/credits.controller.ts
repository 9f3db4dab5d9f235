// /api/user/credits (the caller's balance) and /api/user/credits/transactions (the ledger, newest first).
import { Controller, Get, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswers, ApiAuthenticated, ApiError } from '../common/api-docs.dto.js';
import { CREDIT_TRANSACTION_PAGE, CREDITS_ACCOUNT } from './credits-answers.dto.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { badTransactionsCursor } from './credits.errors.js';
import { decodeTransactionsCursor, encodeTransactionsCursor, TransactionsQuery, transactionView, type TransactionView } from './credits.dto.js';
import { CreditsService, type CreditsAccount } from './credits.service.js';

@ApiTags('user')
@ApiAuthenticated()
@Controller('api/user/credits')
export class CreditsController {
  constructor(private readonly credits: CreditsService) {}

  @Get()
  @ApiOperation({ summary: "The caller's balance: {balance, low_balance_threshold, enabled}" })
  @ApiAnswers({ status: 200, schema: CREDITS_ACCOUNT, description: 'Your balance' })
  async balance(@CurrentPrincipal() principal: Principal): Promise<CreditsAccount> {
    return this.credits.account(principal.user.id);
  }

  @Get('transactions')
  @ApiOperation({ summary: "The caller's ledger (GRANT, TOP_UP, USAGE, REFUND with running balances), newest first, cursor-paginated" })
  @ApiAnswers({ status: 200, schema: CREDIT_TRANSACTION_PAGE, description: 'A page of the ledger' })
  @ApiError(400, 'BAD_REQUEST: a cursor this list never gave out; VALIDATION_FAILED: a bad limit')
  async transactions(
    @CurrentPrincipal() principal: Principal,
    @Query() query: TransactionsQuery,
  ): Promise<{ items: TransactionView[]; next_cursor: string | null }> {
    const before = decodeTransactionsCursor(query.cursor);
    if (before === null) throw badTransactionsCursor();
    const page = await this.credits.transactions(principal.user.id, before ?? null, query.limit ?? 50);
    const last = page.rows[page.rows.length - 1];
    return { items: page.rows.map(transactionView), next_cursor: page.more && last ? encodeTransactionsCursor(String(last.id)) : null };
  }
}
