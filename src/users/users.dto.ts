// Request bodies and answers of /api/user and /api/admin/users.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsEmail, IsIn, IsInt, IsOptional, IsString, Matches, MaxLength, Min, ValidateBy, ValidateIf, type ValidationOptions } from 'class-validator';
import { NOTIFICATION_CHANNEL_TYPES, NOTIFICATION_KINDS } from './notification-preferences.types.js';
import { HANDLE_PATTERN, HANDLE_RULE } from './user.handle.js';
import type { UserEntity, UserRole } from './user.entity.js';
import { PageQuery } from '../common/page-query.dto.js';

const ROLES: UserRole[] = ['admin', 'user'];

/** Whether the runtime knows this IANA time zone (`Europe/Paris`, `UTC`). */
export function isIanaTimezone(value: unknown): boolean {
  if (typeof value !== 'string' || !value || value.length > 64) return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

/** Every problem of a `kind -> [channels]` map; empty when it is valid. */
export function notificationPreferenceProblems(value: unknown): string[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return ['expected an object of notification kind -> list of channels'];
  const problems: string[] = [];
  for (const [kind, channels] of Object.entries(value)) {
    if (!(NOTIFICATION_KINDS as readonly string[]).includes(kind)) {
      problems.push(`unknown notification kind "${kind}" (known: ${NOTIFICATION_KINDS.join(', ')})`);
      continue;
    }
    if (!Array.isArray(channels)) {
      problems.push(`${kind}: expected a list of channels such as ["in_app", "email"] ([] for none)`);
      continue;
    }
    for (const channel of channels) {
      if (!(NOTIFICATION_CHANNEL_TYPES as readonly string[]).includes(channel as string)) {
        problems.push(`${kind}: unknown channel ${JSON.stringify(channel)} (known: ${NOTIFICATION_CHANNEL_TYPES.join(', ')})`);
      }
    }
  }
  return problems;
}

function IsIanaTimezone(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isIanaTimezone',
      validator: {
        validate: (value: unknown) => isIanaTimezone(value),
        defaultMessage: () => 'expected an IANA time zone such as "UTC", "Europe/Paris" or "America/New_York"',
      },
    },
    options,
  );
}

function IsNotificationPreferences(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNotificationPreferences',
      validator: {
        validate: (value: unknown) => notificationPreferenceProblems(value).length === 0,
        defaultMessage: (args) => notificationPreferenceProblems(args?.value).join('; '),
      },
    },
    options,
  );
}

export class UpdateUserDto {
  @ApiPropertyOptional({ type: String, nullable: true, maxLength: 200, example: 'Ada Lovelace' })
  @IsOptional()
  @IsString({ message: 'expected text (or null to clear it)' })
  @MaxLength(200, { message: 'at most 200 characters' })
  name?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true, example: 'ada@example.com' })
  @IsOptional()
  @IsEmail({}, { message: 'expected an email address such as ada@example.com (or null to clear it)' })
  email?: string | null;

  @ApiPropertyOptional({ example: 'Europe/Paris' })
  @ValidateIf((_object, value) => value !== undefined)
  @IsIanaTimezone()
  timezone?: string;

  @ApiPropertyOptional({
    description: 'notification kind -> channels; kinds left out get the defaults',
    example: { AGENT_RUN: ['in_app'], EXECUTION_FAILED: ['in_app', 'email'] },
  })
  @ValidateIf((_object, value) => value !== undefined)
  @IsNotificationPreferences()
  notification_preferences?: Record<string, string[]>;
}

export class CreateUserDto {
  @ApiProperty({ example: 'ops', pattern: HANDLE_PATTERN.source })
  @IsString({ message: 'expected the new user\'s handle, such as "ops"' })
  @Matches(HANDLE_PATTERN, { message: `not a valid handle: ${HANDLE_RULE}` })
  handle!: string;

  @ApiPropertyOptional({ example: 'ops@example.com' })
  @IsOptional()
  @IsEmail({}, { message: 'expected an email address such as ops@example.com' })
  email?: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString({ message: 'expected text' })
  @MaxLength(200, { message: 'at most 200 characters' })
  name?: string;

  @ApiPropertyOptional({ enum: ROLES, default: 'user' })
  @IsOptional()
  @IsIn(ROLES, { message: 'expected "admin" or "user"' })
  role?: UserRole;

  @ApiPropertyOptional({ description: 'initial credits (default: credits.initial_grant)', minimum: 0 })
  @IsOptional()
  @IsInt({ message: 'expected a whole number of credits' })
  @Min(0, { message: 'expected 0 or more credits' })
  credits?: number;
}

export class ListUsersQuery extends PageQuery {}

export interface UserView {
  id: string;
  handle: string;
  email: string | null;
  name: string | null;
  role: UserRole;
  timezone: string;
  notification_preferences: Record<string, string[]>;
  created_at: string;
  updated_at: string;
}

export function userView(user: UserEntity): UserView {
  return {
    id: user.id,
    handle: user.handle,
    email: user.email,
    name: user.name,
    role: user.role,
    timezone: user.timezone,
    notification_preferences: user.notification_preferences,
    created_at: user.created_at.toISOString(),
    updated_at: user.updated_at.toISOString(),
  };
}
