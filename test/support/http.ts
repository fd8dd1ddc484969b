import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { lambdaContext } from '../../local/http-api-event';
import { registerSensitiveBody } from './sensitive';

/** Any Lambda handler: middy's carry a third argument and a narrower event type. */
export type Handler = (event: never, context: never, ...rest: never[]) => Promise<unknown>;
type Invocable = (event: APIGatewayProxyEventV2, context: ReturnType<typeof lambdaContext>) => Promise<unknown>;

export interface Reply {
  status: number;
  headers: Record<string, string>;
  json: unknown;
  raw: string;
}

/**
 * The Lambda timeout a test's invocation runs with unless it passes a context: longer than any test, so the early
 * answer (7.5 s into the function's 10 s, lambdas/http/pipeline.ts) never cuts short a request that a loaded machine
 * made slow, in a test of something else. Tests of that deadline pass `lambdaContext(name)`, the function's own 10 s.
 */
export const UNHURRIED_TIMEOUT_MS = 300_000;

/** Invokes a handler as Lambda would and decodes its structured result. */
export const invoke = async (
  handler: Handler,
  event: APIGatewayProxyEventV2,
  context: ReturnType<typeof lambdaContext> = lambdaContext('test', UNHURRIED_TIMEOUT_MS),
): Promise<Reply> => {
  try {
    registerSensitiveBody(JSON.parse(event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString() : (event.body ?? '')));
  } catch {
    // not JSON: nothing to register
  }
  const result = (await (handler as unknown as Invocable)(event, context)) as APIGatewayProxyStructuredResultV2;
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(result.headers ?? {})) headers[k.toLowerCase()] = String(v);
  const raw = result.body ?? '';
  let json: unknown;
  try {
    json = raw ? JSON.parse(raw) : undefined;
  } catch {
    json = undefined;
  }
  registerSensitiveBody(json);
  return { status: result.statusCode ?? 200, headers, json, raw };
};

export const errorOf = (reply: Reply): { code: string; message: string } => (reply.json as { error: { code: string; message: string } }).error;
