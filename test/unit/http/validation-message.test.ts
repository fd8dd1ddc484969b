import { Ajv, type ErrorObject } from 'ajv';
import { validationMessage } from '../../../lambdas/http/validation-message';

const RULES = { label: 'must be 1 to 64 characters', origins: 'must be https:// origins', entry_id: 'must match the id grammar' };
const HINTS = { expires: 'expires belongs to the legacy contract; send expires_at' };

const error = (keyword: string, instancePath: string, params: Record<string, unknown> = {}): ErrorObject => ({
  keyword,
  instancePath,
  schemaPath: '#',
  params,
});

/** The errors Ajv reports for `data` under `schema`, as @middy/validator hands them over. */
const ajvErrors = (schema: object, data: unknown): ErrorObject[] => {
  const validate = new Ajv({ allErrors: true }).compile(schema);
  expect(validate(data)).toBe(false);
  return validate.errors!;
};

describe('naming the field', () => {
  it('names a missing field by its own name, wherever it belongs: body, path or query', () => {
    expect(validationMessage([error('required', '/body', { missingProperty: 'label' })], RULES)).toBe('Invalid request: label is required.');
    expect(validationMessage([error('required', '/pathParameters', { missingProperty: 'entry_id' })], RULES)).toBe('Invalid request: entry_id is required.');
    expect(validationMessage([error('required', '/queryStringParameters', { missingProperty: 'limit' })], RULES)).toBe('Invalid request: limit is required.');
  });

  it('names a nested field by its dotted path', () => {
    expect(validationMessage([error('required', '/body/settings', { missingProperty: 'mode' })], RULES)).toBe('Invalid request: settings.mode is required.');
    expect(validationMessage([error('type', '/body/settings/mode', { type: 'string' })], RULES)).toBe('Invalid request: settings.mode must be of type string.');
  });

  it('explains a body that is not an object', () => {
    expect(validationMessage(ajvErrors({ type: 'object', properties: { body: { type: 'object' } } }, { body: [1] }), RULES)).toBe(
      'Invalid request: the request body must be a JSON object.',
    );
  });
});

describe('explaining the problem', () => {
  it("gives a field's rule when it breaks one, the same rule for every item of an array", () => {
    expect(validationMessage([error('maxLength', '/body/label')], RULES)).toBe('Invalid request: label must be 1 to 64 characters.');
    expect(validationMessage([error('pattern', '/body/origins/2')], RULES)).toBe('Invalid request: origins must be https:// origins.');
    expect(validationMessage([error('pattern', '/pathParameters/entry_id')], RULES)).toBe('Invalid request: entry_id must match the id grammar.');
  });

  it('says "is not valid" for a field without a rule, "body" for the body itself', () => {
    expect(validationMessage([error('minimum', '/body/count')], RULES)).toBe('Invalid request: count is not valid.');
    expect(validationMessage([error('minProperties', '/body')], RULES)).toBe('Invalid request: body is not valid.');
  });

  it('takes rules and hints only from their own keys, never from Object.prototype', () => {
    expect(validationMessage([error('pattern', '/body/toString')], RULES)).toBe('Invalid request: toString is not valid.');
    expect(validationMessage([error('additionalProperties', '/body', { additionalProperty: 'constructor' })], RULES, HINTS)).toBe(
      'Invalid request: unknown field "constructor".',
    );
  });

  it('names an unknown field, or gives the hint for one from another contract', () => {
    expect(validationMessage([error('additionalProperties', '/body', { additionalProperty: 'colour' })], RULES)).toBe(
      'Invalid request: unknown field "colour".',
    );
    expect(validationMessage([error('additionalProperties', '/body', { additionalProperty: 'expires' })], RULES, HINTS)).toBe(
      'Invalid request: expires belongs to the legacy contract; send expires_at.',
    );
  });

  it('quotes at most 64 characters of an unknown field, escaped', () => {
    const long = 'f'.repeat(100);
    expect(validationMessage([error('additionalProperties', '/body', { additionalProperty: long })], RULES)).toBe(
      `Invalid request: unknown field "${'f'.repeat(64)}".`,
    );
    expect(validationMessage([error('additionalProperties', '/body', { additionalProperty: 'a"\n<b>' })], RULES)).toBe(
      'Invalid request: unknown field "a\\"\\n<b>".',
    );
  });
});

describe('several problems', () => {
  it('says each field once, each unknown field once, at most three in all', () => {
    const errors = ajvErrors(
      {
        type: 'object',
        properties: {
          body: {
            type: 'object',
            properties: { label: { type: 'string', minLength: 2, pattern: '^[a-z]+$' } },
            additionalProperties: false,
          },
        },
      },
      { body: { label: '1', x: 1, y: 2, z: 3 } },
    );
    expect(errors.length).toBeGreaterThan(3);
    expect(validationMessage(errors, RULES)).toBe('Invalid request: unknown field "x"; unknown field "y"; unknown field "z".');
    expect(
      validationMessage(
        errors.filter((e) => e.keyword !== 'additionalProperties'),
        RULES,
      ),
    ).toBe('Invalid request: label must be 1 to 64 characters.');
  });

  it('skips the `if` failure that route dispatch reports beside the real one', () => {
    const errors = ajvErrors(
      {
        type: 'object',
        if: { properties: { routeKey: { const: 'POST /x' } } },
        then: { properties: { body: { type: 'object', required: ['label'] } } },
      },
      { routeKey: 'POST /x', body: {} },
    );
    expect(errors.map((e) => e.keyword)).toEqual(['required', 'if']);
    expect(validationMessage(errors, RULES)).toBe('Invalid request: label is required.');
  });

  it('falls back to "Invalid request." when nothing can be said', () => {
    expect(validationMessage([], RULES)).toBe('Invalid request.');
    expect(validationMessage([error('if', '')], RULES)).toBe('Invalid request.');
  });
});
