/**
 * Errors that carry a stable code, a message a person can act on, and a cause.
 * One handler (the CLI's, the HTTP server's) turns them into exit codes and answers.
 */
export type ErrorCode =
  | 'INVALID_INPUT' // bad input from outside: a network file, a command's arguments, a form
  | 'INVALID_CONFIG' // the environment is wrong
  | 'NOT_FOUND' // the thing asked for does not exist
  | 'FORBIDDEN' // the person may not see or do this
  | 'CONFLICT' // a concurrent change won; try again
  | 'UNAVAILABLE' // a dependency (Redis, a platform) does not answer; transient
  | 'INTERNAL';

export class SamlaError extends Error {
  readonly code: ErrorCode;
  /** Individual problems, e.g. one line per invalid field of a network file. */
  readonly details: string[];

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: string[] } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SamlaError';
    this.code = code;
    this.details = options.details ?? [];
  }

  /** True for errors caused by what someone gave us, which they can fix themselves. */
  get isUserError(): boolean {
    return this.code === 'INVALID_INPUT' || this.code === 'NOT_FOUND' || this.code === 'FORBIDDEN';
  }
}

export function invalidInput(message: string, details: string[] = [], cause?: unknown): SamlaError {
  return new SamlaError('INVALID_INPUT', message, { details, cause });
}

export function notFound(message: string): SamlaError {
  return new SamlaError('NOT_FOUND', message);
}

export function isSamlaError(e: unknown): e is SamlaError {
  return e instanceof SamlaError;
}
