import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { dynamodb } from '../adapters/clients';
import { DynamoDbShortLinkReader } from '../adapters/dynamodb-short-link-reader';
import { ApiError } from '../domain/errors';
import { resolveShortLink } from '../domain/short-links';
import { accessLog } from '../http/access-log';
import { errorResponse } from '../http/error-response';
import { htmlErrors } from '../http/html-errors';
import { responseHeaders } from '../http/response-headers';
import type { HttpResult } from '../http/types';
import { setting } from '../runtime/environment';
import { logger } from '../runtime/logger';

const reader = new DynamoDbShortLinkReader(dynamodb, setting('TABLE_NAME'));

/**
 * `GET` and `HEAD /r/{code}`: 302 to the full resume link the code was minted
 * for. One GetItem and nothing written, whatever the method and however often a
 * link preview or a mail scanner opens it: a link is never consumed or counted,
 * and only its own expiry (and, at load-entry-data, its entry's revocation)
 * ends it. `Location` is always the URL stored at mint, never anything from the
 * request, so the route redirects nowhere else. The code is never logged: it is
 * as good as the link.
 */
const redirect = async (event: APIGatewayProxyEventV2): Promise<HttpResult> => {
  const link = await resolveShortLink(reader, event.pathParameters?.code ?? '', Date.now());
  if (!link) throw new ApiError('not_found', 'This link has expired or does not exist: ask for a new one.');
  logger.appendKeys({ project_id: link.projectId });
  // Cache-Control: no-store and Referrer-Policy: no-referrer come with the security headers.
  return { statusCode: 302, headers: { Location: link.url }, body: '' };
};

// httpPipeline's order, less what a page link needs not: no CORS (browsers navigate here, scripts do not fetch it),
// no body, no validator (the code is checked by isShortCode). htmlErrors sits before errorResponse, so it formats after it.
export const handler = middy<APIGatewayProxyEventV2, HttpResult>()
  .use(accessLog(logger))
  .use(responseHeaders())
  .use(htmlErrors())
  .use(errorResponse({ logger, fieldRules: {} }))
  .handler(redirect);
