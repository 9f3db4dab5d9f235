// GET /api/reviews, GET /api/reviews/{id}, POST /api/reviews/{id}: thin.
import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../auth/auth.decorators.js';
import { ApiAnswers, ApiAuthenticated } from '../common/api-docs.dto.js';
import { REVIEW, REVIEW_PAGE } from './reviews-answers.dto.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { DecideReviewDto, ListReviewsQuery } from './reviews.dto.js';
import { ReviewsService } from './reviews.service.js';
import type { ReviewView } from './reviews.views.js';

@ApiTags('reviews')
@ApiAuthenticated()
@Controller('api/reviews')
export class ReviewsController {
  constructor(private readonly reviews: ReviewsService) {}

  @Get()
  @RequireScopes('executions:read')
  @ApiOperation({ summary: 'Reviews you may decide (reviewers, admins) or whose execution you started, newest first; ?status=' })
  @ApiAnswers({ status: 200, schema: REVIEW_PAGE, description: 'A page of reviews' }, 400, 403)
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
  @ApiAnswers({ status: 200, schema: REVIEW, description: 'The review' }, 403, 404)
  get(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<ReviewView> {
    return this.reviews.get(principal, id);
  }

  @Post(':id')
  @HttpCode(200)
  @RequireScopes('reviews:decide')
  @ApiOperation({ summary: 'Decide a pending review (once: a second decision answers 409 with the review as decided)' })
  @ApiAnswers({ status: 200, schema: REVIEW, description: 'The review, decided' }, 400, 403, 404, 409)
  decide(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: DecideReviewDto): Promise<ReviewView> {
    return this.reviews.decide(principal, id, { decision: body.decision, comment: body.comment, data: body.data });
  }
}
