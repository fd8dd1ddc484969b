import type { Logger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj, Request } from '@middy/core';

/**
 * One log line per request: route, status and outcome code, plus the ids the
 * handler appended to the logger (project, flow, credential). Nothing from the
 * body is logged.
 */
export const accessLog = (logger: Logger): MiddlewareObj => {
  const write = (request: Request): void => {
    const response = request.response as { statusCode?: number } | undefined;
    const event = request.event as { routeKey?: string };
    logger.info('request', {
      route: event.routeKey,
      status: response?.statusCode,
      outcome: (request.internal as { outcome?: string }).outcome ?? 'ok',
    });
  };
  return { after: write, onError: write };
};
