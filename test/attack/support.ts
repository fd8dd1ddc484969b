import { createHash } from 'node:crypto';
import type { APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { OutcomeListener, RequestOutcome } from '../../lambdas/http/access-log';
import { ERROR_STATUS } from '../../lambdas/domain/errors';
import { findRoute, type LocalRoute, parseTarget } from '../../local/api-server';
import { lambdaContext, toHttpApiEvent } from '../../local/http-api-event';
import { registerSensitiveBody } from '../support/sensitive';

/** The seed's formula, computed without the product's code. */
export const seedToken = (secret: string, entryId: string, expires: string): string =>
  createHash('sha256').update(`${secret}---${entryId}---${expires}`, 'utf8').digest('hex');

export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
  /** In process only: the outcome the handler reported, as the access log writes it (its code and detail). */
  outcome?: RequestOutcome;
}

export const send = async (
  url: string,
  body: string | Uint8Array | undefined,
  headers: Record<string, string> = { 'content-type': 'application/json' },
  method = 'POST',
): Promise<HttpReply> => {
  if (typeof body === 'string') {
    try {
      registerSensitiveBody(JSON.parse(body));
    } catch {
      // not JSON
    }
  }
  // The service's own answer: a redirect is not followed.
  const res = await fetch(url, { method, headers, body, redirect: 'manual' });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  registerSensitiveBody(json);
  return { status: res.status, headers: res.headers, text, json };
};

export const postJson = (url: string, body: unknown) => send(url, JSON.stringify(body));

/** Sends one request: `target` is the path and query, the rest as `send` takes them. */
export type Sender = (target: string, body: string | Uint8Array | undefined, headers?: Record<string, string>, method?: string) => Promise<HttpReply>;

/** `send` to the server at `base` (the local runtime's API or legacy port), over HTTP. */
export const overHttp =
  (base: string): Sender =>
  (target, body, headers, method) =>
    send(`${base}${target}`, body, headers, method);

/**
 * The same exchange as `overHttp` to a local runtime's server, without the
 * socket: the route matched as the server matches it (local/api-server.ts), the
 * event built as it builds it (local/http-api-event.ts), the same handler called
 * in this process, and its result read as API Gateway reads it (a handler that
 * throws is API Gateway's 500). For fuzzing in bulk: HTTP costs more than the
 * handler does. `functionTimeoutMs`: the Lambda timeout each call runs with (the
 * deployed one by default), as the local runtime's `functionTimeoutMs`.
 */
export const inProcess =
  (routes: readonly LocalRoute[], defaultRoute?: LocalRoute, functionTimeoutMs?: number): Sender =>
  async (target, body, headers = { 'content-type': 'application/json' }, method = 'POST') => {
    const url = parseTarget(target);
    if (!url) throw new Error(`not a request target: ${target}`);
    const match = findRoute(routes, method, url.pathname) ?? (defaultRoute && { route: defaultRoute, pathParameters: undefined });
    if (!match) throw new Error(`no route serves ${method} ${url.pathname}`);
    const { route, pathParameters } = match;
    const bytes = body === undefined ? undefined : Buffer.from(body);
    if (bytes) {
      try {
        registerSensitiveBody(JSON.parse(bytes.toString('utf8')));
      } catch {
        // not JSON
      }
    }
    const event = toHttpApiEvent({
      method,
      path: url.pathname,
      rawQueryString: url.search.replace(/^\?/, ''),
      headers,
      body: bytes?.length ? bytes : undefined,
      routeKey: route.path === '*' ? '$default' : `${route.method} ${route.path}`,
      pathParameters,
    });
    let result: APIGatewayProxyStructuredResultV2;
    let outcome: RequestOutcome | undefined;
    // As the local server asks for it (local/api-server.ts): what the access log says of the request.
    const context: Context & OutcomeListener = { ...lambdaContext(route.functionName, functionTimeoutMs), reportOutcome: (o) => (outcome = o) };
    try {
      result = (await route.handler(event, context)) as APIGatewayProxyStructuredResultV2;
    } catch {
      result = { statusCode: 500, headers: { 'content-type': 'application/json' }, body: '{"message":"Internal Server Error"}' };
    }
    const structured = typeof result === 'object' && result !== null && 'statusCode' in result;
    const raw = structured ? (result.body ?? '') : JSON.stringify(result ?? null);
    const text = structured && result.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    const replyHeaders = new Headers(Object.entries(structured ? (result.headers ?? {}) : {}).map(([k, v]) => [k, String(v)]));
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    registerSensitiveBody(json);
    // HEAD: HTTP carries no body back.
    return {
      status: structured ? (result.statusCode ?? 200) : 200,
      headers: replyHeaders,
      text: method === 'HEAD' ? '' : text,
      json: method === 'HEAD' ? undefined : json,
      outcome,
    };
  };

/**
 * True when a reply is what the contract promises for a refusal: a 4xx whose
 * body is exactly `{"error":{"code","message"}}` with a documented code of that
 * status (API Gateway's own 404/413 answers aside).
 */
export const isDocumentedRefusal = (reply: HttpReply): boolean => {
  if (reply.status < 400 || reply.status >= 500) return false;
  const body = reply.json as { error?: { code?: unknown; message?: unknown } } | undefined;
  if (body && typeof body === 'object' && Object.keys(body).join() === 'error' && body.error) {
    const { code, message } = body.error;
    return (
      Object.keys(body.error).sort().join() === 'code,message' &&
      typeof code === 'string' &&
      typeof message === 'string' &&
      Object.hasOwn(ERROR_STATUS, code) &&
      ERROR_STATUS[code as keyof typeof ERROR_STATUS] === reply.status
    );
  }
  return reply.text === '{"message":"Not Found"}' || reply.text === '{"message":"Request Entity Too Large"}';
};

export const errorCode = (reply: HttpReply): string | undefined => (reply.json as { error?: { code?: string } } | undefined)?.error?.code;

/** The token with one character of its signature changed (the 11th): same length and alphabet, a different MAC. */
export const tampered = (token: string): string => `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
