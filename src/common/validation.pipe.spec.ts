import { describe, expect, it } from '@jest/globals';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Min, ValidateNested } from 'class-validator';
import { AppError } from './errors.js';
import { escapePointer, ValidationPipe } from './validation.pipe.js';

class Address {
  @IsString({ message: 'expected text' })
  city!: string;
}

class Body {
  @IsString({ message: 'expected text' })
  name!: string;

  @IsOptional()
  @IsInt({ message: 'expected a whole number' })
  @Min(1, { message: 'expected 1 or more' })
  count?: number;

  @IsOptional()
  @ValidateNested({ each: true })
  @Type(() => Address)
  addresses?: Address[];
}

class Query {
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'expected a whole number' })
  limit?: number;
}

const pipe = new ValidationPipe();

async function problemsOf(value: unknown, type: 'body' | 'query' = 'body', metatype: new () => object = Body) {
  try {
    await pipe.transform(value, { type, metatype });
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    const appError = error as AppError;
    expect(appError.code).toBe('VALIDATION_FAILED');
    expect(appError.status).toBe(400);
    return { message: appError.message, problems: appError.details.problems };
  }
  throw new Error('expected a validation failure');
}

describe('ValidationPipe', () => {
  it('answers a class instance for a valid body', async () => {
    const out = await pipe.transform({ name: 'x', count: 2 }, { type: 'body', metatype: Body });
    expect(out).toBeInstanceOf(Body);
    expect(out).toEqual(Object.assign(new Body(), { name: 'x', count: 2 }));
  });

  it('reports every problem at once, each with a JSON Pointer', async () => {
    const { problems, message } = await problemsOf({ count: 0, addresses: [{ city: 'Paris' }, { city: 5 }], extra: true });
    expect(problems).toEqual(
      expect.arrayContaining([
        { pointer: '/name', message: 'expected text' },
        { pointer: '/count', message: 'expected 1 or more' },
        { pointer: '/addresses/1/city', message: 'expected text' },
        { pointer: '/extra', message: 'unknown field "extra": remove it (check its spelling)' },
      ]),
    );
    expect(problems).toHaveLength(4);
    expect(message).toContain('4 problems');
  });

  it('refuses a body that is not an object, and a missing body', async () => {
    expect((await problemsOf([1, 2])).problems).toEqual([{ pointer: '', message: 'expected a JSON object in the body, got an array' }]);
    expect((await problemsOf(undefined)).problems).toEqual([
      { pointer: '', message: 'the request has no body: send a JSON object with Content-Type: application/json' },
    ]);
  });

  it('converts and checks query parameters', async () => {
    expect(await pipe.transform({ limit: '5' }, { type: 'query', metatype: Query })).toEqual(Object.assign(new Query(), { limit: 5 }));
    const { problems } = await problemsOf({ limit: 'many', foo: '1' }, 'query', Query);
    expect(problems).toHaveLength(2);
    expect(problems).toEqual(
      expect.arrayContaining([
        { pointer: '/limit', message: 'expected a whole number' },
        { pointer: '/foo', message: 'unknown query parameter "foo": remove it' },
      ]),
    );
  });

  it('leaves plain and custom parameters alone', async () => {
    expect(await pipe.transform('abc', { type: 'param', metatype: String })).toBe('abc');
    expect(await pipe.transform({ any: 1 }, { type: 'custom', metatype: Body })).toEqual({ any: 1 });
    expect(await pipe.transform(7, { type: 'body' })).toBe(7);
  });

  it('escapes pointer segments as RFC 6901 says', () => {
    expect(escapePointer('a/b~c')).toBe('a~1b~0c');
  });
});
