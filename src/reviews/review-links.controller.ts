// GET and POST /reviews/{id}?token=: a reviewer's signed one-time link. GET shows the review and decides
// nothing (link scanners are harmless); POST (form fields decision, comment) decides as the token's user
// and kills the token. Cookies and HTTP auth are ignored; unknown, wrong-token and closed all answer 404.
import { Controller, Get, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppError } from '../common/errors.js';
import { decidedPage, notFoundPage, REVIEW_PAGE_HEADERS, reviewPage, escapeHtml } from './review-page.js';
import { ReviewsService } from './reviews.service.js';

const HTML = { 'text/html': { schema: { type: 'string' as const } } };
const TOKEN = ApiQuery({ name: 'token', required: true, description: "The reviewer's one-time token from the link", schema: { type: 'string' } });

@ApiTags('reviews')
@Controller('reviews')
export class ReviewLinksController {
  constructor(private readonly reviews: ReviewsService) {}

  @Get(':id')
  @ApiOperation({ summary: "A reviewer's link: a small page with the review and its decisions as buttons (decides nothing)" })
  @TOKEN
  @ApiResponse({ status: 200, description: 'The page', content: HTML })
  @ApiResponse({ status: 404, description: 'Unknown review, wrong token or closed review (all alike)', content: HTML })
  async show(@Param('id') id: string, @Query('token') token: unknown, @Res() res: Response): Promise<void> {
    const found = typeof token === 'string' ? await this.reviews.byToken(id, token) : null;
    if (!found) return send(res, 404, notFoundPage());
    send(res, 200, reviewPage(found.row, `/reviews/${encodeURIComponent(id)}?token=${encodeURIComponent(token as string)}`));
  }

  @Post(':id')
  @ApiOperation({ summary: "A reviewer's link: decide as the token's user (form fields decision, comment); the token dies" })
  @TOKEN
  @ApiResponse({ status: 200, description: 'Decided', content: HTML })
  @ApiResponse({ status: 400, description: 'Not a decision this review offers', content: HTML })
  @ApiResponse({ status: 404, description: 'Unknown review, wrong token or closed review (all alike)', content: HTML })
  async decide(@Param('id') id: string, @Query('token') token: unknown, @Req() req: Request & { rawBody?: Buffer }, @Res() res: Response): Promise<void> {
    if (typeof token !== 'string') return send(res, 404, notFoundPage());
    const form = new URLSearchParams(req.rawBody?.toString('utf8') ?? '');
    const comment = form.get('comment');
    try {
      const decided = await this.reviews.decideByToken(id, token, { decision: form.get('decision') ?? '', ...(comment ? { comment } : {}) });
      if (!decided) return send(res, 404, notFoundPage());
      send(res, 200, decidedPage(decided.status));
    } catch (error) {
      // A decision that lost the race to another (409) closes the link like any closed review.
      if (error instanceof AppError && error.code === 'CONFLICT') return send(res, 404, notFoundPage());
      if (error instanceof AppError) return send(res, 400, `<!doctype html><title>Bad request</title><p>${escapeHtml(error.message)}</p>`);
      throw error;
    }
  }
}

function send(res: Response, status: number, html: string): void {
  res.status(status).set(REVIEW_PAGE_HEADERS).type('text/html; charset=utf-8').send(html);
}
