// Request bodies and answers of /api/blocks.
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, ValidateBy, type ValidationOptions } from 'class-validator';
import type { BlockDescription } from './blocks.registry.js';

function IsNameMap(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isNameMap',
      validator: {
        validate: (value: unknown) =>
          value !== null && typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((v) => typeof v === 'string' && v.length > 0),
        defaultMessage: () => 'expected an object of credential field -> credential name, such as {"llm": "openai-prod"}',
      },
    },
    options,
  );
}

export class ExecuteBlockDto {
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Input pin -> value (defaults apply to the pins left out).',
    example: { template: 'Hello {{ name }}', values: { name: 'Ada' } },
  })
  @IsOptional()
  @IsObject({ message: 'expected an object of input pin -> value' })
  inputs?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Credential field -> credential name; unmapped fields use the system default, if any.',
  })
  @IsOptional()
  @IsNameMap()
  credentials?: Record<string, string>;
}

export class BlockOutputView {
  @ApiProperty({ description: 'The output pin.' })
  pin!: string;

  @ApiProperty({
    description: 'The value yielded on it: any JSON value.',
    oneOf: [{ type: 'string' }, { type: 'number' }, { type: 'boolean' }, { type: 'object' }, { type: 'array', items: {} }],
    nullable: true,
  })
  value!: unknown;
}

export class ExecuteBlockAnswer {
  @ApiProperty({ type: [BlockOutputView], description: 'Every (pin, value) the block yielded, in order.' })
  outputs!: BlockOutputView[];
}

export class BlockErrorView {
  @ApiProperty({ example: 'LLM_RATE_LIMITED', description: 'The code a node error carries (error.code); `retry.on` may list it.' })
  code!: string;

  @ApiProperty({ example: 'The provider is rate limiting the key (429).' })
  description!: string;

  @ApiProperty({ description: 'Trying again may help: `retry.on: transient` retries it.' })
  transient!: boolean;
}

export class BlockView implements BlockDescription {
  @ApiProperty({ example: 'text.template' })
  id!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ example: 'text' })
  category!: string;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'JSON Schema of the input pins.' })
  input_schema!: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'JSON Schema of the output pins (with error).' })
  output_schema!: Record<string, unknown>;

  @ApiProperty({ type: 'object', additionalProperties: true, description: 'Credential field -> {provider, types, optional}.' })
  credentials!: BlockDescription['credentials'];

  @ApiProperty({ description: 'Credits per attempt.' })
  cost!: number;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true, description: 'LLM blocks: credits by model, and the default.' })
  cost_by_model?: BlockDescription['cost_by_model'];

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string', enum: ['sticky', 'gather'] } })
  pin_modes!: BlockDescription['pin_modes'];

  @ApiProperty({ description: 'Yields are delivered at once (list.iterate).' })
  streaming!: boolean;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'boolean' },
    description: 'Input pin -> whether its string constants may hold ${{ }} expressions.',
  })
  expressions!: BlockDescription['expressions'];

  @ApiProperty({
    type: [BlockErrorView],
    description:
      "Every error code the block may fail with: its own, then those any block may give. A node's `retry.on: transient` retries the transient ones; a failure carrying an HTTP status (details.status) is judged by it (408, 429 and 5xx are transient).",
  })
  errors!: BlockErrorView[];
}

export class BlockListAnswer {
  @ApiProperty({ type: [BlockView] })
  items!: BlockView[];

  @ApiProperty({ type: 'string', nullable: true, description: 'Always null: the catalogue comes in one page.' })
  next_cursor!: string | null;
}
