import { invalidRequest } from '../domain/errors';

/** U+FFFD: what a decoder puts in place of bytes that are not UTF-8. */
const REPLACEMENT = '\uFFFD';

/**
 * Refuses (400) a parsed request whose strings, keys included, at any depth,
 * are not valid Unicode text:
 *
 * - a lone UTF-16 surrogate (`"p\ud800"` is valid JSON, but no UTF-8 encodes
 *   it, so DynamoDB and Secrets Manager refuse the write and the caller got a 5xx);
 * - U+FFFD, the replacement character: bytes that were not UTF-8 become it
 *   wherever a body passed on as text is decoded (the local runtime, a proxy),
 *   so a body that carries it is refused like the invalid bytes themselves,
 *   rather than stored with the user's text silently changed.
 */
export const checkUnicode = (value: unknown): void => {
  const stack: unknown[] = [value];
  while (stack.length > 0) {
    const item = stack.pop();
    if (typeof item === 'string') {
      checkText(item);
    } else if (typeof item === 'object' && item !== null) {
      for (const [key, child] of Object.entries(item)) {
        checkText(key);
        stack.push(child);
      }
    }
  }
};

const checkText = (text: string): void => {
  // isWellFormed: no lone surrogate. A /\p{Surrogate}/u test says the same, but compiling its Unicode property on a new
  // instance's first body cost more than the rest of this check (bench/HISTORY.md, step 29).
  if (!text.isWellFormed()) throw invalidRequest('the request body has a string that is not valid Unicode: a lone UTF-16 surrogate such as \\ud800');
  if (text.includes(REPLACEMENT)) throw invalidRequest('the request body is not valid UTF-8: it has U+FFFD, the replacement character for bytes that are not');
};
