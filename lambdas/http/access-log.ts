import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj, Request } from '@middy/core';
import { verificationOutcomeOf } from '../domain/verification-outcome';

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
    const outcome = verificationOutcomeOf(request.error) ?? (request.internal as { outcome?: string }).outcome ?? fallback;
    logger.info('', { outcome });
  };
  return {
    before: (request) => {
      logger.appendKeys({ request_id: requestIdOf(request) });
    },
    after: (request) => write(request, 'ok'),
    // A failure that nothing formatted (error formatting itself failed) is no success.
    onError: (request) => write(request, 'error'),
  };
};
