import { SHORT_CODE_PATTERN } from '../domain/short-links';
import type { RouteSchemasOf } from '../http/route-schema';

/**
 * The code in the path. The Lambda checks it with isShortCode rather than a
 * validator: whatever is not a code this product made is an unknown link (a
 * 404 page for the browser that opened it), not a bad request, and costs no read.
 */
const codeParams = {
  type: 'object',
  required: ['code'],
  properties: { code: { type: 'string', pattern: SHORT_CODE_PATTERN } },
} as const;

export const routeSchemas = {
  followShortLink: { pathParameters: codeParams },
  checkShortLink: { pathParameters: codeParams },
} as const satisfies RouteSchemasOf<'short-links'>;
