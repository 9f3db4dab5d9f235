// Request bodies and answers of /api/user/api-keys.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, IsString, MaxLength, MinLength, ValidateBy } from 'class-validator';
import type { ApiKeyEntity } from './api-key.entity.js';
import { isScope, SCOPES } from './principal.js';

function AreScopes(): PropertyDecorator {
  return ValidateBy({
    name: 'areScopes',
    validator: {
      validate: (value: unknown) => Array.isArray(value) && value.length > 0 && value.every(isScope),
      defaultMessage: (args) => {
        const value = args?.value as unknown[];
        if (!Array.isArray(value)) return `expected a list of scopes among ${SCOPES.join(', ')}`;
        if (value.length === 0) return 'give at least one scope, or leave "scopes" out for every scope you have';
        const unknown = value.filter((scope) => !isScope(scope));
        return `unknown scope${unknown.length === 1 ? '' : 's'} ${unknown.map((s) => JSON.stringify(s)).join(', ')} (known: ${SCOPES.join(', ')})`;
      },
    },
  });
}

export class CreateApiKeyDto {
  @ApiProperty({ example: 'ci deploys', maxLength: 100 })
  @IsString({ message: 'expected a name for the key, such as "ci deploys"' })
  @MinLength(1, { message: 'expected a name for the key, such as "ci deploys"' })
  @MaxLength(100, { message: 'at most 100 characters' })
  name!: string;

  @ApiPropertyOptional({ enum: SCOPES, isArray: true, description: 'default: every scope you have' })
  @IsOptional()
  @AreScopes()
  scopes?: string[];

  @ApiPropertyOptional({ example: '2030-01-01T00:00:00Z', description: 'when the key stops working (default: never)' })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'expected an ISO 8601 time such as 2030-01-01T00:00:00Z' })
  expires_at?: string;
}

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

/** A new key: the secret `key` is in this answer and never again. */
export interface NewApiKeyView extends ApiKeyView {
  key: string;
}

export function apiKeyView(key: ApiKeyEntity, lastUsedAt: Date | null = key.last_used_at): ApiKeyView {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    created_at: key.created_at.toISOString(),
    last_used_at: lastUsedAt?.toISOString() ?? null,
    expires_at: key.expires_at?.toISOString() ?? null,
    revoked_at: key.revoked_at?.toISOString() ?? null,
  };
}
