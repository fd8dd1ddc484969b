/** Stable error codes of the public contract, with their HTTP status. */
export const ERROR_STATUS = {
  invalid_request: 400,
  invalid_token: 401,
  token_expired: 401,
  link_revoked: 401,
  invalid_save_token: 401,
  verification_required: 401,
  verification_failed: 401,
  forbidden: 403,
  browser_saves_disabled: 403,
  sms_not_allowed: 403,
  person_required: 403,
  entry_not_found: 404,
  not_found: 404,
  conflict: 409,
  no_active_credential: 409,
  origins_required: 409,
  stale_save: 409,
  gone: 410,
  payload_too_large: 413,
  unsupported_media_type: 415,
  too_many_link_requests: 429,
  too_many_entries: 429,
  too_many_verification_attempts: 429,
  too_many_handoffs: 429,
  internal_error: 500,
  service_unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

/**
 * An error whose message is safe to show the caller. Anything that is not an
 * `ApiError` is answered with a generic message and logged instead.
 */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Seconds a client should wait before retrying (sets `Retry-After`). */
  readonly retryAfterSeconds?: number;
  /**
   * Why, for the operator running the service locally: e.g. "no key of proj_x
   * matched". Never in a response and never in the request's log line (the
   * public answer stays one `invalid_token` for every wrong link); only ids and
   * instants, never a token, a secret or user data.
   */
  readonly detail?: string;
  /**
   * The user_data field the answer is about, returned as `error.field`: the
   * resume policy's verify field on `verification_required` and
   * `verification_failed`, so a page can label its one-field form.
   */
  readonly field?: string;

  constructor(code: ErrorCode, message: string, options?: { retryAfterSeconds?: number; cause?: unknown; detail?: string; field?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ApiError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.retryAfterSeconds = options?.retryAfterSeconds;
    this.detail = options?.detail;
    this.field = options?.field;
  }
}

/** Every 400 reads the same: `Invalid request: <what is wrong>.` (the schema validator's messages too). */
export const INVALID_REQUEST_PREFIX = 'Invalid request: ';

/** A 400 `invalid_request`; `problem` starts in lower case and has no final full stop. */
export const invalidRequest = (problem: string): ApiError => new ApiError('invalid_request', `${INVALID_REQUEST_PREFIX}${problem}.`);

export const isApiError = (value: unknown): value is ApiError => value instanceof ApiError;

/**
 * A key lookup refused because this instance has read too many scopes it held
 * nothing for (KeyCache's token bucket). Answered 503 with Retry-After: the id may be a real project's.
 */
export class LookupLimitedError extends Error {
  constructor() {
    super('too many key lookups for unknown scopes');
    this.name = 'LookupLimitedError';
  }
}

/**
 * A dependency (DynamoDB, Secrets Manager) throttled, failed on its side or did
 * not answer, after its own retries. Adapters throw it; it is answered 503 with
 * Retry-After, never 500.
 */
export class UnavailableError extends Error {
  /**
   * @param dependencyError the name of the dependency's own error (logged; never its message)
   */
  constructor(
    readonly dependencyError: string,
    options?: { cause?: unknown },
  ) {
    super(`a dependency is unavailable (${dependencyError})`, options);
    this.name = 'UnavailableError';
  }
}

/**
 * What a failure's log line may say of it: its name and code, never its message
 * (messages of SDK errors can echo request fields). For an unavailable
 * dependency, the dependency's own error.
 */
export const errorNames = (error: unknown): { error_name: string; error_code?: string } => {
  // One an adapter raised for a reason of its own (lost races, a refused event) has no cause: its reason is the code.
  if (error instanceof UnavailableError && error.cause === undefined) return { error_name: error.name, error_code: error.dependencyError };
  const e = error instanceof UnavailableError ? error.cause : error;
  return {
    error_name: e instanceof Error ? e.name : typeof e,
    error_code: typeof e === 'object' && e !== null && 'code' in e ? String(e.code) : undefined,
  };
};
