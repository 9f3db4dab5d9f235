// The edge check of every DTO-typed parameter: class-validator problems become our 400 VALIDATION_FAILED
// with `details.problems: [{pointer, message}]` (JSON Pointers into the body or query), every problem at once.
import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { validationFailed, type Problem } from './errors.js';

const PLAIN_TYPES = new Set<unknown>([String, Boolean, Number, Array, Object, Date]);

@Injectable()
export class ValidationPipe implements PipeTransform {
  async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const { metatype, type } = metadata;
    if (!metatype || PLAIN_TYPES.has(metatype) || type === 'custom') return value;
    const where = type === 'body' ? 'body' : type === 'query' ? 'query' : 'parameter';
    if (value === undefined && type === 'body') {
      throw validationFailed([{ pointer: '', message: 'the request has no body: send a JSON object with Content-Type: application/json' }]);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw validationFailed([{ pointer: '', message: `expected a JSON object in the ${where}, got ${describe(value)}` }]);
    }
    const instance = plainToInstance(metatype as new () => object, value);
    const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: true, forbidUnknownValues: false, validationError: { target: false } });
    if (errors.length) throw validationFailed(toProblems(errors, where));
    return instance;
  }
}

/** Flattens class-validator's tree into one problem per failed rule, each with a JSON Pointer. */
export function toProblems(errors: ValidationError[], where: 'body' | 'query' | 'parameter' = 'body', parent = ''): Problem[] {
  const problems: Problem[] = [];
  for (const error of errors) {
    const pointer = `${parent}/${escapePointer(error.property)}`;
    for (const [rule, message] of Object.entries(error.constraints ?? {})) {
      problems.push({ pointer, message: rule === 'whitelistValidation' ? unknownField(error.property, where) : message });
    }
    if (error.children?.length) problems.push(...toProblems(error.children, where, pointer));
  }
  return problems;
}

function unknownField(name: string, where: string): string {
  return where === 'query' ? `unknown query parameter "${name}": remove it` : `unknown field "${name}": remove it (check its spelling)`;
}

/** RFC 6901: `~` is written `~0` and `/` is written `~1`. */
export function escapePointer(segment: string): string {
  return segment.replaceAll('~', '~0').replaceAll('/', '~1');
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'string' ? 'text' : typeof value;
}
