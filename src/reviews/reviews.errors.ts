// Error codes of reviews. Unknown, not visible and (for links) closed reviews answer the same 404.
import { AppError } from '../common/errors.js';
import type { ReviewView } from './reviews.views.js';

export function reviewNotFound(id: string): AppError {
  return new AppError('NOT_FOUND', `No review "${id}" exists, or you may not see it. List yours with GET /api/reviews.`, { review: id });
}

export function reviewAlreadyDecided(review: ReviewView): AppError {
  return new AppError('CONFLICT', `Review "${review.id}" is already ${review.status}; the first decision stands (details.review shows it).`, { review });
}

export function badDecision(message: string, details: Record<string, unknown> = {}): AppError {
  return new AppError('VALIDATION_FAILED', message, details);
}

export function badReviewCursor(): AppError {
  return new AppError('BAD_REQUEST', 'The cursor is not one this list gave out: pass next_cursor from the previous page unchanged, or leave it out.', {});
}
