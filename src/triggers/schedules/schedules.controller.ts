import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { ApiAnswers, ApiAuthenticated, ApiError } from '../../common/api-docs.dto.js';
import { SCHEDULE, SCHEDULE_PAGE } from './schedules-answers.dto.js';
import { RequireScopes } from '../../auth/auth.decorators.js';
import { CurrentPrincipal, type Principal } from '../../auth/principal.js';
import { CreateScheduleDto, UpdateScheduleDto } from './schedules.dto.js';
import { SchedulesApiService, type ScheduleView } from './schedules-api.service.js';

@ApiTags('schedules')
@ApiAuthenticated()
@ApiError(403)
@Controller('api')
export class SchedulesController {
  constructor(private readonly schedules: SchedulesApiService) {}

  @Get('graphs/:id/schedules')
  @RequireScopes('graphs:read')
  @ApiOperation({ summary: 'Schedules of a graph (its trigger.cron nodes and ad-hoc schedules) with their next fire times' })
  @ApiAnswers({ status: 200, schema: SCHEDULE_PAGE, description: 'Its schedules' }, 404)
  listForGraph(@CurrentPrincipal() principal: Principal, @Param('id') id: string): Promise<{ items: ScheduleView[]; next_cursor: null }> {
    return this.schedules.list(principal, id);
  }

  @Post('graphs/:id/schedules')
  @HttpCode(201)
  @RequireScopes('graphs:write')
  @ApiOperation({ summary: 'An ad-hoc schedule {cron, timezone, inputs} running the active version, billed to you' })
  @ApiAnswers({ status: 201, schema: SCHEDULE, description: 'The schedule' }, 400, 404)
  create(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: CreateScheduleDto): Promise<ScheduleView> {
    return this.schedules.create(principal, id, body);
  }

  @Get('schedules')
  @RequireScopes('graphs:read')
  @ApiOperation({ summary: 'Every schedule you may see, ad-hoc and trigger.cron, with its next fire times' })
  @ApiAnswers({ status: 200, schema: SCHEDULE_PAGE, description: 'Every schedule you may see' })
  list(@CurrentPrincipal() principal: Principal): Promise<{ items: ScheduleView[]; next_cursor: null }> {
    return this.schedules.list(principal);
  }

  @Patch('schedules/:scheduleId')
  @RequireScopes('graphs:write')
  @ApiOperation({ summary: '{paused: true|false}: pause or resume a schedule' })
  @ApiAnswers({ status: 200, schema: SCHEDULE, description: 'The schedule' }, 400, 404)
  update(@CurrentPrincipal() principal: Principal, @Param('scheduleId') id: string, @Body() body: UpdateScheduleDto): Promise<ScheduleView> {
    return this.schedules.setPaused(principal, id, body.paused);
  }

  @Delete('schedules/:scheduleId')
  @HttpCode(204)
  @RequireScopes('graphs:write')
  @ApiOperation({ summary: 'Remove an ad-hoc schedule (a trigger.cron node is removed from its agent instead: 409)' })
  @ApiResponse({ status: 204, description: 'Removed' })
  @ApiError(404)
  @ApiError(409)
  async remove(@CurrentPrincipal() principal: Principal, @Param('scheduleId') id: string): Promise<void> {
    await this.schedules.remove(principal, id);
  }
}
