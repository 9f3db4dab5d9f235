// GET /api/notifications, PATCH /api/notifications/{id}, POST /api/admin/notifications: thin.
import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiAnswers, ApiAuthenticated, ApiError } from '../common/api-docs.dto.js';
import { BROADCAST_ANSWER, NOTIFICATION, NOTIFICATION_PAGE } from './notifications-answers.dto.js';
import { RequireScopes } from '../auth/auth.decorators.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ListNotificationsQuery, SystemNotificationDto, UpdateNotificationDto, type NotificationView } from './notifications.dto.js';
import { NotificationsService } from './notifications.service.js';

@ApiTags('notifications')
@ApiAuthenticated()
@ApiError(403)
@Controller('api')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get('notifications')
  @RequireScopes('account')
  @ApiOperation({ summary: 'Your notifications, newest first, cursor-paginated; ?unread=true for unread ones only' })
  @ApiAnswers({ status: 200, schema: NOTIFICATION_PAGE, description: 'A page of notifications' }, 400)
  list(@CurrentPrincipal() principal: Principal, @Query() query: ListNotificationsQuery): Promise<{ items: NotificationView[]; next_cursor: string | null }> {
    return this.notifications.list(principal.user.id, {
      unread: query.unread === 'true',
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
    });
  }

  @Patch('notifications/:id')
  @RequireScopes('account')
  @ApiOperation({ summary: 'Mark one of your notifications read ({read: true}) or unread ({read: false})' })
  @ApiAnswers({ status: 200, schema: NOTIFICATION, description: 'The notification' }, 400, 404)
  update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: UpdateNotificationDto): Promise<NotificationView> {
    return this.notifications.setRead(principal.user.id, id, body.read);
  }

  @Post('admin/notifications')
  @HttpCode(201)
  @RequireScopes('admin')
  @ApiOperation({ summary: "Admin: a SYSTEM notification to every user, through each user's SYSTEM channels" })
  @ApiAnswers({ status: 201, schema: BROADCAST_ANSWER, description: 'How many users it went to' }, 400)
  async broadcast(@Body() body: SystemNotificationDto): Promise<{ kind: 'SYSTEM'; recipients: number }> {
    const recipients = await this.notifications.broadcast(body.title, body.body, body.data ?? {});
    return { kind: 'SYSTEM', recipients };
  }
}
