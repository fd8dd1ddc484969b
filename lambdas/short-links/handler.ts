import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { type AwsClients, dynamodb } from '../adapters/clients';
import { DynamoDbShortLinkReader } from '../adapters/dynamodb-short-link-reader';
import { ApiError } from '../domain/errors';
import { resolveShortLink, type ShortLinkReader } from '../domain/short-links';
import { htmlErrors } from '../http/html-errors';
import { httpPipeline } from '../http/pipeline';
import type { HttpResult } from '../http/types';
import { type Environment, processEnvironment, setting } from '../runtime/environment';
import { logger } from '../runtime/logger';

export interface ShortLinksDeps {
  readonly reader: ShortLinkReader;
  readonly now: () => number;
}

/** The short-link redirect as the construct deploys it: the table read from `env` once, the client passed in. */
export const fromEnvironment = (env: Environment = processEnvironment(), clients: Pick<AwsClients, 'dynamodb'> = { dynamodb }): ShortLinksDeps => ({
  reader: new DynamoDbShortLinkReader(clients.dynamodb, setting('TABLE_NAME', env)),
  now: () => Date.now(),
});

/** The redirect's handler over `deps`: it keeps nothing of its own between requests. */
export const createHandler = (deps: ShortLinksDeps) => {
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
    const link = await resolveShortLink(deps.reader, event.pathParameters?.code ?? '', deps.now());
    if (!link) throw new ApiError('not_found', 'This link has expired or does not exist: ask for a new one.');
    logger.appendKeys({ project_id: link.projectId });
    // Cache-Control: no-store and Referrer-Policy: no-referrer come with the security headers.
    return { statusCode: 302, headers: { Location: link.url }, body: '' };
  };

  // No CORS (browsers navigate here, scripts do not fetch it), no body, no validator (the code is checked by isShortCode);
  // errors as a page, for the person who opened the link.
  return httpPipeline(redirect, { fieldRules: {}, errorPages: htmlErrors() });
};
