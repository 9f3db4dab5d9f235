// The request boundary for poison values (release-2.md section 1): a parsed JSON body holding a string
// with U+0000 (or an unpaired surrogate), or nested deeper than `limits.max_json_depth`, is a 400 naming
// the JSON Pointer, and so is a URL with an encoded NUL (%00) in its path or query. Nothing that passes
// here can fail a later write to Postgres for these reasons. Webhook bodies (raw bytes) are checked where
// they are parsed (triggers/webhooks/webhook-request.ts), with the same function.
import type { NextFunction, Request, Response } from 'express';
import { validationFailed } from './errors.js';
import { describeUnstorable, findUnstorable, showPointer } from './storable-json.js';

export function storableRequestMiddleware(maxJsonDepth: number) {
  return (req: Request, _res: Response, next: NextFunction): void => {
    if (/%00|\u0000/i.test(req.originalUrl ?? req.url)) {
      next(validationFailed([{ pointer: '', message: 'the URL contains an encoded NUL character (%00), which cannot be stored or looked up: remove it' }]));
      return;
    }
    const body: unknown = req.body;
    if (body !== null && typeof body === 'object' && !Buffer.isBuffer(body)) {
      const problem = unstorableBodyProblem(body, maxJsonDepth);
      if (problem) {
        next(problem);
        return;
      }
    }
    next();
  };
}

/** The 400 for a JSON value a request may not carry, or null when it is storable. */
export function unstorableBodyProblem(body: unknown, maxJsonDepth: number, prefix = '') {
  const found = findUnstorable(body, maxJsonDepth);
  if (!found) return null;
  const pointer = prefix + found.pointer;
  const where = pointer === '' ? 'the body' : showPointer(pointer);
  return validationFailed(
    [{ pointer, message: describeUnstorable(found, maxJsonDepth) }],
    `The request body cannot be accepted: ${where} ${describeUnstorable(found, maxJsonDepth)}.`,
  );
}
