// GET /api/notifications, PATCH /api/notifications/{id}, POST /api/admin/notifications: thin.
import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { RequireScopes } from '../auth/auth.decorators.js';
import { CurrentPrincipal, type Principal } from '../auth/principal.js';
import { ListNotificationsQuery, SystemNotificationDto, UpdateNotificationDto, type NotificationView } from './notifications.dto.js';
import { NotificationsService } from './notifications.service.js';

@ApiTags('notifications')
@ApiBearerAuth('bearer')
@ApiSecurity('api_key')
@Controller('api')
export class NotificationsController {
  constructor(private readonly notifications: NotificationsService) {}

  @Get('notifications')
  @RequireScopes('account')
  @ApiOperation({ summary: 'Your notifications, newest first, cursor-paginated; ?unread=true for unread ones only' })
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
  update(@CurrentPrincipal() principal: Principal, @Param('id') id: string, @Body() body: UpdateNotificationDto): Promise<NotificationView> {
    return this.notifications.setRead(principal.user.id, id, body.read);
  }

  @Post('admin/notifications')
  @HttpCode(201)
  @RequireScopes('admin')
  @ApiOperation({ summary: "Admin: a SYSTEM notification to every user, through each user's SYSTEM channels" })
  async broadcast(@Body() body: SystemNotificationDto): Promise<{ kind: 'SYSTEM'; recipients: number }> {
    const recipients = await this.notifications.broadcast(body.title, body.body, body.data ?? {});
    return { kind: 'SYSTEM', recipients };
  }
}
