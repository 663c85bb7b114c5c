/** The kinds of failure a user can meet; each maps to one HTTP status and one CLI exit code. */
export type ErrorKind =
  | 'usage'
  | 'validation'
  | 'not_found'
  | 'method_not_allowed'
  | 'unauthenticated'
  | 'forbidden'
  | 'conflict'
  | 'too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'check_failed'
  | 'bug';

/** An expected failure: carries a kind, a message for people, an optional hint and details. */
export class AppError extends Error {
  constructor(
    readonly kind: ErrorKind,
    message: string,
    readonly hint?: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string, id: string): AppError => new AppError('not_found', `${what} ${id} not found`);
export const conflict = (message: string, hint?: string): AppError => new AppError('conflict', message, hint);
export const invalid = (message: string, details?: unknown): AppError =>
  new AppError('validation', message, undefined, details);
export const forbidden = (message: string): AppError => new AppError('forbidden', message);

export const HTTP_STATUS: Record<ErrorKind, number> = {
  usage: 400,
  validation: 422,
  not_found: 404,
  method_not_allowed: 405,
  unauthenticated: 401,
  forbidden: 403,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  check_failed: 422,
  bug: 500,
};

/** CONTRACT.md exit codes. `check_failed` is a check that found what it looks for (exit 3). */
export const EXIT_CODE: Record<ErrorKind, number> = {
  usage: 2,
  validation: 7,
  not_found: 5,
  method_not_allowed: 2,
  unauthenticated: 4,
  forbidden: 4,
  conflict: 7,
  too_large: 2,
  rate_limited: 1,
  unavailable: 6,
  check_failed: 3,
  bug: 1,
};

export function errorKindForStatus(status: number): ErrorKind {
  switch (status) {
    case 400: return 'usage';
    case 401: return 'unauthenticated';
    case 403: return 'forbidden';
    case 404: return 'not_found';
    case 405: return 'method_not_allowed';
    case 409: return 'conflict';
    case 413: return 'too_large';
    case 422: return 'validation';
    case 429: return 'rate_limited';
    case 503: return 'unavailable';
    default: return 'bug';
  }
}
