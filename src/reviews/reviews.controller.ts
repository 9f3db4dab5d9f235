// GET /api/reviews, GET /api/reviews/{id}, POST /api/reviews/{id}: thin.
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../auth/auth.decorators.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { DecideReviewDto, ListReviewsQuery } from './reviews.dto.js';
import { ReviewsService } from './reviews.service.js';
import type { ReviewView } from './reviews.views.js';

@ApiTags('reviews')
@ApiBearerAuth('bearer')
@ApiSecurity('api_key')
@Controller('api/reviews')
export class ReviewsController {
  constructor(private readonly reviews: ReviewsService) {}

  @Get()
  @RequireScopes('executions:read')
  @ApiOperation({ summary: 'Reviews you may decide (reviewers, admins) or whose execution you started, newest first; ?status=' })
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListReviewsQuery): Promise<{ items: ReviewView[]; next_cursor: string | null }> {
    return this.reviews.list(principal, {
      ...(query.status !== undefined ? { status: query.status } : {}),
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    });
  }

  @Get(':id')
  @RequireScopes('executions:read')
  @ApiOperation({ summary: 'One review you may decide or whose execution you started' })
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ReviewView> {
    return this.reviews.get(principal, id);
  }

  @Post(':id')
  @HttpCode(200)
  @RequireScopes('reviews:decide')
  @ApiOperation({ summary: 'Decide a pending review (once: a second decision answers 409 with the review as decided)' })
  decide(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: DecideReviewDto): Promise<ReviewView> {
    return this.reviews.decide(principal, id, { decision: body.decision, comment: body.comment, data: body.data });
  }
}
