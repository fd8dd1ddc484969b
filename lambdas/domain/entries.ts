import { ApiError, invalidRequest } from './errors';

/** Largest `user_data`, serialised, well below DynamoDB's 400 KB item limit. */
export const MAX_USER_DATA_BYTES = 300 * 1024;
/** Deepest nesting accepted in `user_data`. */
export const MAX_USER_DATA_DEPTH = 32;
/** Keys refused anywhere in `user_data`: they pollute prototypes in code that merges it. */
export const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** A printable page key: no control characters. */
export const PAGE_KEY_PATTERN = '^[^\\u0000-\\u001f\\u007f]+$';
export const MAX_PAGE_KEY_LENGTH = 256;

const check = (value: unknown, depth: number, path: string): void => {
  if (depth > MAX_USER_DATA_DEPTH) {
    throw invalidRequest(`user_data is nested deeper than ${MAX_USER_DATA_DEPTH} levels`);
  }
  if (Array.isArray(value)) {
    value.forEach((item, i) => check(item, depth + 1, `${path}[${i}]`));
    return;
  }
  if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) {
      if (FORBIDDEN_KEYS.has(key)) {
        throw invalidRequest(`user_data may not contain the key "${key}" (at ${path})`);
      }
      check((value as Record<string, unknown>)[key], depth + 1, `${path}.${key}`);
    }
  }
};

/**
 * Checks `user_data` before it is stored: a JSON object, no prototype-polluting
 * keys at any depth, bounded depth and size. Returns its serialised size.
 */
export const validateUserData = (value: unknown): number => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidRequest('user_data must be a JSON object');
  }
  check(value, 1, 'user_data');
  const bytes = Buffer.byteLength(JSON.stringify(value), 'utf8');
  if (bytes > MAX_USER_DATA_BYTES) {
    throw new ApiError('payload_too_large', `user_data is ${bytes} bytes; the limit is ${MAX_USER_DATA_BYTES}.`);
  }
  return bytes;
};
