import { createHash } from 'node:crypto';
import { ERROR_STATUS } from '../../lambdas/domain/errors';
import { registerSensitiveBody } from '../support/sensitive';

/** The seed's formula, computed without the product's code. */
export const seedToken = (secret: string, entryId: string, expires: string): string =>
  createHash('sha256').update(`${secret}---${entryId}---${expires}`, 'utf8').digest('hex');

export interface HttpReply {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

export const send = async (url: string, body: string | Uint8Array | undefined, headers: Record<string, string> = { 'content-type': 'application/json' }, method = 'POST'): Promise<HttpReply> => {
  if (typeof body === 'string') {
    try {
      registerSensitiveBody(JSON.parse(body));
    } catch {
      // not JSON
    }
  }
  const res = await fetch(url, { method, headers, body });
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
