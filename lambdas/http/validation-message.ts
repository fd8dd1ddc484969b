import type { ErrorObject } from 'ajv';
import { INVALID_REQUEST_PREFIX } from '../domain/errors';

/**
 * Field-specific explanations, so a validation failure tells the caller how to
 * fix it: a rule, or a function of the value sent that returns one (to name the
 * likely cause, e.g. a `+` lost to missing URL encoding).
 */
export type FieldRules = Readonly<Record<string, string | ((value: unknown) => string)>>;

/** Hints for fields that belong to another contract (e.g. the legacy `expires`). */
export type FieldHints = Readonly<Record<string, string>>;

// Body fields, path parameters and query parameters are all reported by their own name.
const CONTAINERS = /^\/((body|pathParameters|queryStringParameters)\/?)?/;

const fieldOf = (error: ErrorObject): string => {
  const path = error.instancePath.replace(CONTAINERS, '').replaceAll('/', '.');
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return path ? `${path}.${missing}` : missing;
  }
  return path;
};

/** The value a JSON Pointer (an Ajv `instancePath`) names in `data`, or undefined. */
const valueAt = (data: unknown, pointer: string): unknown =>
  pointer
    .split('/')
    .slice(1)
    .map((segment) => segment.replaceAll('~1', '/').replaceAll('~0', '~'))
    .reduce<unknown>(
      (node, key) => (typeof node === 'object' && node !== null && Object.hasOwn(node, key) ? (node as Record<string, unknown>)[key] : undefined),
      data,
    );

const describe = (error: ErrorObject, rules: FieldRules, hints: FieldHints, data: unknown): string => {
  const field = fieldOf(error);
  switch (error.keyword) {
    case 'required':
      return `${field} is required`;
    case 'additionalProperties': {
      const extra = (error.params as { additionalProperty: string }).additionalProperty;
      return Object.hasOwn(hints, extra) ? hints[extra] : `unknown field "${JSON.stringify(extra.slice(0, 64)).slice(1, -1)}"`;
    }
    case 'type':
      if (field === '') return 'the request body must be a JSON object';
      return `${field} must be of type ${(error.params as { type: string }).type}`;
    default: {
      // Array items are explained by their array's rule: "origins.2" → "origins".
      const ruleKey = field.replace(/\.\d+/g, '');
      if (!Object.hasOwn(rules, ruleKey)) return `${field || 'body'} is not valid`;
      const rule = rules[ruleKey];
      return `${ruleKey} ${typeof rule === 'function' ? rule(valueAt(data, error.instancePath)) : rule}`;
    }
  }
};

/**
 * One readable message from Ajv errors: at most three problems, one per field,
 * in the one format of every 400 (`Invalid request: ….`). `data` is what was
 * validated, for the rules that look at the value.
 */
export const validationMessage = (errors: readonly ErrorObject[], rules: FieldRules, hints: FieldHints = {}, data?: unknown): string => {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const error of errors) {
    // `if`/`then` route dispatch reports its own failure next to the real one.
    if (error.keyword === 'if') continue;
    const key = error.keyword === 'additionalProperties' ? JSON.stringify(error.params) : fieldOf(error);
    if (seen.has(key)) continue;
    seen.add(key);
    parts.push(describe(error, rules, hints, data));
    if (parts.length === 3) break;
  }
  return parts.length ? `${INVALID_REQUEST_PREFIX}${parts.join('; ')}.` : 'Invalid request.';
};
