import type { MiddlewareObj, Request } from '@middy/core';
import { errorNames, isApiError } from '../domain/errors';
import { verificationOutcomeOf } from '../domain/verification-outcome';
import type { LogKeys, Logger } from '../runtime/logger';

/**
 * What a request came to: `ok` or its error code; for a failure why (ApiError.detail, else the reason its answer
 * gives, else the error's name); and the keys of its request line (a resume's `human` or `early`, say).
 */
export interface RequestOutcome {
  readonly code: string;
  readonly detail?: string;
  readonly keys?: LogKeys;
}

/**
 * A Lambda context that asks to be told each request's outcome. Only the local
 * runtime's context has `reportOutcome` (local/api-server.ts prints it beside the
 * status); AWS's has none, so in AWS nothing is reported and no byte is added to
 * the request line. The detail never reaches a response.
 */
export interface OutcomeListener {
  readonly reportOutcome?: (outcome: RequestOutcome) => void;
}

/** The reason a refusal's answer gives (its `error.message`), for a 4xx; the answer's own words, nothing more. */
const answeredReason = (response: unknown): string | undefined => {
  const { statusCode, body } = (response ?? {}) as { statusCode?: number; body?: unknown };
  if (statusCode === undefined || statusCode >= 500 || typeof body !== 'string') return undefined;
  try {
    const message = (JSON.parse(body) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
};

const detailOf = (error: unknown, response: unknown): string | undefined => {
  if (error === undefined) return undefined;
  if (isApiError(error) && error.detail !== undefined) return error.detail;
  // A refusal with no detail of its own (a body that is not JSON, a field the schema refuses, one too large): the
  // reason its answer gives, rather than an internal name such as BadRequestError.
  const answered = answeredReason(response);
  if (answered !== undefined || isApiError(error)) return answered;
  // A failure the contract does not name (answered 500 or 503): its name only, as its log line has it.
  const { error_name, error_code } = errorNames(error);
  return error_code ? `${error_name} ${error_code}` : error_name;
};

/** The id API Gateway (or the Function URL) gave the request, so a line can be matched with its access log entry. */
const requestIdOf = (request: Request): string | undefined =>
  (request.event as { requestContext?: { requestId?: string } } | undefined)?.requestContext?.requestId ?? request.context?.awsRequestId;

/**
 * One log line per request: the request id, the ids the handler appended to the
 * logger (project, flow, credential) and the outcome code, which is `ok`, an
 * error code of the contract (lambdas/domain/errors.ts, each with one status),
 * or for a refused token its verification outcome (log-schema.ts). Nothing from
 * the body is logged. No message and no status: `outcome` marks the line and
 * says both, and API Gateway's access log has the status, route, latency and
 * source address under the same request id (lib/access-log-format.ts). The
 * metric filters in lib/constructs/log-metrics.ts count these lines.
 */
export const accessLog = (logger: Logger): MiddlewareObj => {
  const write = (request: Request, fallback: string): void => {
    const code = (request.internal as { outcome?: string }).outcome ?? fallback;
    logger.info('', { outcome: verificationOutcomeOf(request.error) ?? code });
    // Worked out only for the local runtime, the one listener: in AWS a request pays nothing for it.
    const listener = (request.context as OutcomeListener | undefined)?.reportOutcome;
    listener?.({ code, detail: detailOf(request.error, request.response), keys: logger.keys });
  };
  return {
    // Each request's lines carry its own ids only: none are left from the request before.
    before: (request) => {
      logger.resetKeys();
      logger.appendKeys({ request_id: requestIdOf(request) });
    },
    after: (request) => {
      write(request, 'ok');
      logger.resetKeys();
    },
    // A failure that nothing formatted (error formatting itself failed) is no success.
    onError: (request) => {
      write(request, 'error');
      logger.resetKeys();
    },
  };
};
