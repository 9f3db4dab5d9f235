// The api role's review routes: the JSON API under /api/reviews and the signed-link page under /reviews.
import { Module } from '@nestjs/common';
import { ReviewLinksController } from './review-links.controller.js';
import { ReviewsController } from './reviews.controller.js';

@Module({ controllers: [ReviewsController, ReviewLinksController] })
export class ReviewsHttpModule {}
