// The HTTP shapes of notifications: the list query, the PATCH and admin bodies, and the view.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsObject, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import type { NotificationKind } from '../users/notification-preferences.types.js';
import type { NotificationEntity } from './notification.entity.js';
import { PageQuery } from '../common/page-query.dto.js';

export class ListNotificationsQuery extends PageQuery {
  @ApiPropertyOptional({ description: 'true: only unread notifications', enum: ['true', 'false'] })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'expected true or false' })
  unread?: string;
}

export class UpdateNotificationDto {
  @ApiProperty({ description: 'true marks it read, false unread' })
  @IsBoolean({ message: 'expected true (read) or false (unread)' })
  read!: boolean;
}

export class SystemNotificationDto {
  @ApiProperty({ example: 'Maintenance tonight' })
  @IsString({ message: 'expected a short title' })
  @MinLength(1, { message: 'expected a short title' })
  @MaxLength(200, { message: 'keep the title under 200 characters' })
  title!: string;

  @ApiProperty({ example: 'Trellis restarts at 22:00 UTC for about five minutes.' })
  @IsString({ message: 'expected the text of the notification' })
  @MaxLength(10_000, { message: 'keep the body under 10,000 characters' })
  body!: string;

  @ApiPropertyOptional({ description: 'extra facts, stored with it' })
  @IsOptional()
  @IsObject({ message: 'expected an object' })
  data?: Record<string, unknown>;
}

export interface NotificationView {
  id: string;
  kind: NotificationKind;
  title: string;
  body: string;
  data: Record<string, unknown>;
  read: boolean;
  read_at: string | null;
  created_at: string;
}

export function notificationView(row: NotificationEntity): NotificationView {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    body: row.body,
    data: row.data ?? {},
    read: row.read_at !== null,
    read_at: row.read_at ? new Date(row.read_at).toISOString() : null,
    created_at: new Date(row.created_at).toISOString(),
  };
}
