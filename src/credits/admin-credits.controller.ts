// POST /api/admin/users/{user_id}/credits: an admin grants, tops up or refunds credits.
import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswers, ApiAuthenticated, ApiError } from '../common/api-docs.dto.js';
import { ADMIN_CREDIT_ANSWER } from './credits-answers.dto.js';
import { RequireScopes } from '../auth/auth.decorators.js';
import { AdminCreditDto, transactionView, type TransactionView } from './credits.dto.js';
import { CreditsService } from './credits.service.js';

@ApiTags('admin')
@ApiAuthenticated()
@ApiError(403)
@RequireScopes('admin')
@Controller('api/admin/users')
export class AdminCreditsController {
  constructor(private readonly credits: CreditsService) {}

  @Post(':user_id/credits')
  @HttpCode(201)
  @ApiOperation({ summary: 'Add credits to a user: {type: GRANT|TOP_UP|REFUND, amount, reason}; answers the transaction and the new balance' })
  @ApiAnswers({ status: 201, schema: ADMIN_CREDIT_ANSWER, description: 'The transaction and the new balance' })
  @ApiError(400, 'VALIDATION_FAILED: a type other than GRANT, TOP_UP, REFUND, or an amount that is not a positive whole number')
  @ApiError(404, 'NOT_FOUND: no such user')
  async credit(@Param('user_id') userId: string, @Body() body: AdminCreditDto): Promise<{ transaction: TransactionView; balance: number }> {
    const row = await this.credits.adminCredit(userId, body.type, body.amount, body.reason ?? null);
    const transaction = transactionView(row);
    return { transaction, balance: transaction.running_balance };
  }
}
