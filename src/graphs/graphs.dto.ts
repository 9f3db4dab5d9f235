// Queries and bodies of /api/graphs. Agent bodies (POST, PUT) are not DTOs: the agent validator checks
// them, with the same messages as agent files, pointing into the body with JSON Pointers.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsObject, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateBy, type ValidationOptions } from 'class-validator';
import { GRAPH_SOURCES } from './graph.entity.js';
import type { GraphSource } from '../agent-format/graph.types.js';
import { PageQuery } from '../common/page-query.dto.js';
import { MAX_INT32 } from '../common/query-values.js';

const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

export class ListGraphsQuery extends PageQuery {
  @ApiPropertyOptional({ enum: GRAPH_SOURCES })
  @IsOptional()
  @IsIn(GRAPH_SOURCES, { message: 'expected "file" or "api"' })
  source?: GraphSource;

  @ApiPropertyOptional({ type: Boolean, description: 'true: only active graphs; false: only deactivated ones' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean({ message: 'expected true or false' })
  active?: boolean;
}

export class GraphVersionQuery {
  @ApiPropertyOptional({ minimum: 1, description: 'a version other than the active one' })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'expected a version number (1, 2, ...)' })
  @Min(1, { message: 'expected a version number (1, 2, ...)' })
  @Max(MAX_INT32, { message: `expected a version number from 1 to ${MAX_INT32}` })
  version?: number;
}

export const DIAGRAM_FORMATS = ['mermaid', 'svg'] as const;

export class DiagramQuery extends GraphVersionQuery {
  @ApiPropertyOptional({ enum: DIAGRAM_FORMATS, default: 'mermaid' })
  @IsOptional()
  @IsIn(DIAGRAM_FORMATS, { message: 'expected "mermaid" or "svg"' })
  format?: (typeof DIAGRAM_FORMATS)[number];
}

export class SetActiveVersionDto {
  @ApiProperty({ type: Number, nullable: true, description: 'API graphs: the version to make active. File graphs: the version to pin, or null to unpin.' })
  @ValidateBy({
    name: 'isVersionOrNull',
    validator: {
      validate: (value: unknown) => value === null || (Number.isInteger(value) && (value as number) >= 1 && (value as number) <= MAX_INT32),
      defaultMessage: () => 'expected {"version": N} with a version number (1, 2, ...), or {"version": null} to unpin a file graph',
    },
  })
  version!: number | null;
}

/** Credential names as the execute API takes them: `{field: name}`, or `{node: {field: name}}`. */
function isCredentialNames(value: unknown): boolean {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  return Object.values(value).every(
    (item) =>
      typeof item === 'string' ||
      (item !== null && typeof item === 'object' && !Array.isArray(item) && Object.values(item).every((name) => typeof name === 'string')),
  );
}

function IsCredentialNames(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isCredentialNames',
      validator: {
        validate: isCredentialNames,
        defaultMessage: () => 'expected credential names (never secrets): {"<field>": "<credential name>"} or {"<node>": {"<field>": "<credential name>"}}',
      },
    },
    options,
  );
}

export class CreatePresetDto {
  @ApiProperty({ example: 'large pull requests', maxLength: 100 })
  @IsString({ message: 'expected the preset\'s name, such as "nightly run"' })
  @Matches(/\S/, { message: 'expected a name that is not blank' })
  @MaxLength(100, { message: 'at most 100 characters' })
  name!: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString({ message: 'expected text' })
  @MaxLength(1000, { message: 'at most 1000 characters' })
  description?: string;

  @ApiPropertyOptional({ description: 'graph input name -> value', example: { who: 'Ada' } })
  @IsOptional()
  @IsObject({ message: 'expected an object of graph input name -> value' })
  inputs?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'credential names, as the execute API takes them', example: { github: 'github-bot' } })
  @IsOptional()
  @IsCredentialNames()
  credentials?: Record<string, unknown>;
}
