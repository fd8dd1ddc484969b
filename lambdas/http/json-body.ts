import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ApiError, invalidRequest } from '../domain/errors';
import { findDuplicateKey } from './json-duplicates';
import { checkUnicode } from './unicode';

/** A body limit in bytes: one for every request, or the limit of the request's route. */
export type BodyLimit = number | ((event: APIGatewayProxyEventV2) => number);

export interface JsonBodyOptions {
  /** Largest accepted body in bytes, after base64 decoding. Larger bodies get 413. */
  readonly maxBytes: BodyLimit;
}

// text/plain is accepted as JSON so browsers can send a "simple" request with no CORS preflight.
const ACCEPTED_TYPES = new Set(['application/json', 'text/plain']);

const headerValue = (event: APIGatewayProxyEventV2, name: string): string | undefined => {
  const headers = event.headers ?? {};
  for (const key of Object.keys(headers)) {
    if (key.toLowerCase() === name) return headers[key];
  }
  return undefined;
};

/** Throws unless the Content-Type is JSON (or text/plain) in UTF-8. */
const checkContentType = (contentType: string | undefined): void => {
  if (contentType === undefined || contentType.trim() === '') {
    throw new ApiError('unsupported_media_type', 'Send the body as JSON with Content-Type: application/json.');
  }
  const [mediaType, ...params] = contentType.split(';').map((p) => p.trim().toLowerCase());
  if (!ACCEPTED_TYPES.has(mediaType)) {
    throw new ApiError('unsupported_media_type', `Content-Type ${mediaType} is not accepted; send application/json.`);
  }
  for (const param of params) {
    const [key, value] = param.split('=').map((p) => p.trim().replace(/^"|"$/g, ''));
    if (key === 'charset' && value !== 'utf-8' && value !== 'utf8') {
      throw new ApiError('unsupported_media_type', 'Only the UTF-8 charset is accepted.');
    }
  }
};

/**
 * Why a JSON number's text cannot be kept as a number, or undefined when it can:
 * past the largest double it parses as Infinity (`1e400`), a nonzero number too
 * small becomes 0 (`1e-400`), and an integer past Number.MAX_SAFE_INTEGER is
 * rounded (`12345678901234567890` reads back as `12345678901234567000`). A number
 * written with a fraction or an exponent (`0.1`, `1e300`) is a double's, as sent.
 */
const unsurvivingNumber = (value: number, source: string): string | undefined => {
  if (!Number.isFinite(value)) return 'is too large to be a number';
  if (value === 0 && /[1-9]/.test(source.split(/e/i)[0])) return 'is too small to be a number (it would be 0)';
  if (/^-?\d+$/.test(source) && !Number.isSafeInteger(value))
    return `is an integer larger than ${Number.MAX_SAFE_INTEGER} in magnitude, which would be rounded`;
  return undefined;
};

const BODYLESS_METHODS = new Set(['GET', 'DELETE', 'HEAD', 'OPTIONS']);

/**
 * Checks Content-Type and size, then replaces `event.body` with the parsed JSON,
 * refusing bytes that are not UTF-8, strings that are not valid Unicode (unicode.ts)
 * and numbers that would not read back as sent (unsurvivingNumber).
 * Runs before validation, so every later step sees a parsed object or nothing.
 * Also turns absent path and query parameters into `{}`, so schemas can name the
 * missing field rather than a missing container.
 */
export const jsonBody = (options: JsonBodyOptions): MiddlewareObj => ({
  before: (request) => {
    const event = request.event as APIGatewayProxyEventV2;
    event.pathParameters ??= {};
    event.queryStringParameters ??= {};
    if (BODYLESS_METHODS.has(event.requestContext?.http?.method ?? 'POST')) {
      event.body = undefined;
      return;
    }
    const raw = event.body ?? '';
    const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
    const maxBytes = typeof options.maxBytes === 'number' ? options.maxBytes : options.maxBytes(event);
    if (bytes.length > maxBytes) {
      throw new ApiError('payload_too_large', `The request body is larger than ${maxBytes} bytes.`);
    }
    checkContentType(headerValue(event, 'content-type'));
    if (bytes.length === 0) throw invalidRequest('the request body is empty; send a JSON object');
    let parsed: unknown;
    let text: string;
    let badNumber: { source: string; reason: string } | undefined;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      // Node 24's reviver is given each primitive's source text, so a number is checked against what was sent.
      parsed = JSON.parse(text, function (this: unknown, _key: string, value: unknown, context?: { source?: string }) {
        if (typeof value === 'number' && badNumber === undefined && context?.source !== undefined) {
          const reason = unsurvivingNumber(value, context.source);
          if (reason !== undefined) badNumber = { source: context.source, reason };
        }
        return value;
      } as (this: unknown, key: string, value: unknown) => unknown);
    } catch {
      throw invalidRequest('the request body is not valid UTF-8 JSON');
    }
    if (badNumber !== undefined) {
      throw invalidRequest(`the request body has the number ${badNumber.source.slice(0, 40)}, which ${badNumber.reason}; send it as a string`);
    }
    const duplicate = findDuplicateKey(text);
    if (duplicate !== undefined) {
      throw invalidRequest(`the request body has the key "${JSON.stringify(duplicate.slice(0, 64)).slice(1, -1)}" more than once`);
    }
    checkUnicode(parsed);
    (event as { body: unknown }).body = parsed;
  },
});
