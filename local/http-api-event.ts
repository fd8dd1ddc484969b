import { randomBytes, randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { FUNCTION_TIMEOUT_MS } from '../lambdas/runtime/deadline';

export interface HttpRequestLike {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  readonly rawQueryString?: string;
  /** Header names in any case; repeated headers already joined with ",". */
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
  readonly routeKey?: string;
  readonly pathParameters?: Record<string, string>;
  readonly sourceIp?: string;
  /** The API's own `host[:port]`, which AWS sets, never the client's `Host` header. */
  readonly domainName?: string;
}

// API Gateway HTTP APIs pass these content types as text and base64-encode the rest.
const TEXT_TYPES = /^(text\/|application\/(json|xml|javascript|x-www-form-urlencoded)|[^;]*\+json)/i;

/**
 * Builds an API Gateway HTTP API payload-format-2.0 event (also what a Lambda
 * Function URL sends) the way AWS does: lower-case header names, text bodies as
 * strings, other bodies base64-encoded, query parameters decoded.
 */
export const toHttpApiEvent = (req: HttpRequestLike): APIGatewayProxyEventV2 => {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers ?? {})) headers[name.toLowerCase()] = value;
  const now = new Date();
  const raw = req.body === undefined ? undefined : Buffer.isBuffer(req.body) ? req.body : Buffer.from(req.body, 'utf8');
  const isText = raw === undefined || TEXT_TYPES.test(headers['content-type'] ?? 'text/plain');
  const rawQueryString = req.rawQueryString ?? '';
  const queryStringParameters: Record<string, string> = {};
  for (const [key, value] of new URLSearchParams(rawQueryString)) {
    queryStringParameters[key] = key in queryStringParameters ? `${queryStringParameters[key]},${value}` : value;
  }
  const routeKey = req.routeKey ?? '$default';
  return {
    version: '2.0',
    routeKey,
    rawPath: req.path,
    rawQueryString,
    headers,
    queryStringParameters: rawQueryString ? queryStringParameters : undefined,
    pathParameters: req.pathParameters,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: req.domainName ?? '127.0.0.1',
      domainPrefix: 'local',
      http: {
        method: req.method.toUpperCase(),
        path: req.path,
        protocol: 'HTTP/1.1',
        sourceIp: req.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      // API Gateway's ids are 16 characters (e.g. "JKJaXmPLvHcESHA="); a Function URL's are the Lambda request id.
      requestId: routeKey === '$default' ? randomUUID() : randomBytes(11).toString('base64'),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    // A text body is a JSON string in the event, which cannot hold bytes that are not UTF-8: they arrive as U+FFFD,
    // as in a payload passed on as text, and the handler refuses U+FFFD (lambdas/http/unicode.ts).
    body: raw === undefined ? undefined : isText ? raw.toString('utf8') : raw.toString('base64'),
    isBase64Encoded: !isText,
  };
};

/** A Lambda context for in-process invocations. */
export const lambdaContext = (functionName: string, timeoutMs = FUNCTION_TIMEOUT_MS): Context => {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, timeoutMs - (Date.now() - started)),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
};
