import type { ErrorObject } from 'ajv';

/** Field-specific explanations, so a validation failure tells the caller how to fix it. */
export type FieldRules = Readonly<Record<string, string>>;

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

const describe = (error: ErrorObject, rules: FieldRules, hints: FieldHints): string => {
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
      return Object.hasOwn(rules, ruleKey) ? `${ruleKey} ${rules[ruleKey]}` : `${field || 'body'} is not valid`;
    }
  }
};

/** One readable message from Ajv errors: at most three problems, one per field. */
export const validationMessage = (errors: readonly ErrorObject[], rules: FieldRules, hints: FieldHints = {}): string => {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const error of errors) {
    // `if`/`then` route dispatch reports its own failure next to the real one.
    if (error.keyword === 'if') continue;
    const key = error.keyword === 'additionalProperties' ? JSON.stringify(error.params) : fieldOf(error);
    if (seen.has(key)) continue;
    seen.add(key);
    parts.push(describe(error, rules, hints));
    if (parts.length === 3) break;
  }
  return parts.length ? `Invalid request: ${parts.join('; ')}.` : 'Invalid request.';
};
