// Bodies and queries of the reviews API.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQuery } from '../common/page-query.dto.js';

export class DecideReviewDto {
  @ApiProperty({ enum: ['approve', 'reject', 'edit'], description: 'One of the decisions the review offers' })
  @IsIn(['approve', 'reject', 'edit'], { message: 'expected approve, reject or edit' })
  decision!: 'approve' | 'reject' | 'edit';

  @ApiPropertyOptional({ description: 'Why (kept in the audit record and given to the rejected output)' })
  @IsOptional()
  @IsString({ message: 'expected text' })
  @MaxLength(10_000)
  comment?: string;

  @ApiPropertyOptional({ description: 'The edited data (decision edit only), checked against the review schema' })
  @IsOptional()
  data?: unknown;
}

export class ListReviewsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: ['pending', 'approved', 'rejected', 'timed_out', 'cancelled'] })
  @IsOptional()
  @IsIn(['pending', 'approved', 'rejected', 'timed_out', 'cancelled'], { message: 'expected pending, approved, rejected, timed_out or cancelled' })
  status?: string;
}
