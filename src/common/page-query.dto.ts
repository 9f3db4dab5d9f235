import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';

/** `?limit=&cursor=` of every cursor-paginated list (`{items, next_cursor}`); list queries extend it. */
export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'expected a whole number from 1 to 200' })
  @Min(1, { message: 'expected a whole number from 1 to 200' })
  @Max(200, { message: 'expected a whole number from 1 to 200' })
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString({ message: 'expected the next_cursor of a previous page' })
  cursor?: string;
}
