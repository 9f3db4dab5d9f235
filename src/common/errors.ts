// Errors as codes: every module throws AppError with a code; the global filter maps it to the
// status and the common body `{error: {code, message, details, request_id}}`.

export const ErrorStatus = {
  VALIDATION_FAILED: 400,
  BAD_REQUEST: 400,
  UNAUTHENTICATED: 401,
  INSUFFICIENT_CREDITS: 402,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  FILE_MANAGED: 409,
  PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  RATE_LIMITED: 429,
  INTERNAL: 500,
  UNAVAILABLE: 503,
  /** A feature this server is not set up for (POST /api/graphs/{id}/propose without GitOps on GitHub). */
  GITOPS_NOT_CONFIGURED: 503,
} as const;

export type ErrorCode = keyof typeof ErrorStatus;

/** One problem of a validation failure; `pointer` is a JSON Pointer into the request body. */
export interface Problem {
  file?: string;
  line?: number;
  column?: number;
  pointer?: string;
  node?: string;
  pin?: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode | string,
    message: string,
    readonly details: Record<string, unknown> = {},
    readonly status: number = ErrorStatus[code as ErrorCode] ?? 500,
    /** Extra response headers (Retry-After for 429). */
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'AppError';
  }
}

/**
 * Marks an error transient (trying again may help: a timeout, a lost connection) or permanent for a node's
 * retry policy (`retry.on: transient`); unmarked errors are judged by their `details.status` and code.
 */
export function markTransient<E extends Error>(error: E, transient = true): E & { transient: boolean } {
  return Object.assign(error, { transient });
}

export function validationFailed(problems: Problem[], message?: string): AppError {
  const summary =
    message ??
    `The request has ${problems.length} problem${problems.length === 1 ? '' : 's'}: ${problems.map((p) => (p.pointer ? `${p.pointer}: ` : '') + p.message).join('; ')}`;
  return new AppError('VALIDATION_FAILED', summary, { problems });
}

export function notFound(what: string, id: string): AppError {
  return new AppError('NOT_FOUND', `No ${what} "${id}" exists, or you may not see it. Check the id (list them with GET /api/${what}s).`, { [what]: id });
}
