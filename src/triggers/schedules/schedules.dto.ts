// Bodies of the schedules API. Cron and time zone are checked by the service (same messages as agent files).
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsObject, IsOptional, IsString } from 'class-validator';

export class CreateScheduleDto {
  @ApiProperty({ example: '0 9 * * 1-5', description: 'cron: 5 fields, or 6 with seconds first' })
  @IsString({ message: 'expected a cron expression such as "0 9 * * 1-5" (5 fields, or 6 with seconds first)' })
  cron!: string;

  @ApiPropertyOptional({ example: 'Europe/Berlin', default: 'UTC' })
  @IsOptional()
  @IsString({ message: 'expected an IANA time zone name such as "Europe/Berlin"' })
  timezone?: string;

  @ApiPropertyOptional({ description: 'graph input name -> value for every run', example: { who: 'Ada' } })
  @IsOptional()
  @IsObject({ message: 'expected an object of graph input name -> value' })
  inputs?: Record<string, unknown>;
}

export class UpdateScheduleDto {
  @ApiProperty({ description: 'true stops the schedule firing; false resumes it from the next fire time' })
  @IsBoolean({ message: 'expected true or false' })
  paused!: boolean;
}
