import { Ajv } from 'ajv';
import { routeSchema, routeValidator, type RouteValidators } from '../../../lambdas/http/route-schema';
import { ROUTES } from '../../../lambdas/http/routes';
import { validationMessage } from '../../../lambdas/http/validation-message';

const CREATE = ROUTES.createCredential.key;
const LIST = ROUTES.listCredentials.key;
const projectParams = { type: 'object', required: ['project_id'], properties: { project_id: { type: 'string', pattern: '^[a-z_0-9]+$' } } } as const;

// Two of the credentials Lambda's routes, each compiled on its own as scripts/validators.ts does: enough to see one route's schema apply and not the other's.
const ajv = new Ajv({ allErrors: true });
const validate = routeValidator<'credentials'>({
  createCredential: ajv.compile(
    routeSchema({
      pathParameters: projectParams,
      body: { type: 'object', required: ['label'], properties: { label: { type: 'string' } }, additionalProperties: false },
    }),
  ),
  listCredentials: ajv.compile(routeSchema({ pathParameters: projectParams })),
} as unknown as RouteValidators<'credentials'>);
const check = (event: object) => (validate(event) ? 'valid' : validationMessage(validate.errors!, {}));

it("applies each route's schema to the events of that route", () => {
  expect(check({ routeKey: CREATE, pathParameters: { project_id: 'p1' }, body: { label: 'ci' } })).toBe('valid');
  expect(check({ routeKey: CREATE, pathParameters: { project_id: 'p1' }, body: {} })).toBe('Invalid request: label is required.');
  expect(check({ routeKey: CREATE, pathParameters: { project_id: 'p1' }, body: { label: 'ci', replace: 1 } })).toBe(
    'Invalid request: unknown field "replace".',
  );
});

it("applies no other route's schema: a route that names no body takes none", () => {
  expect(check({ routeKey: LIST, pathParameters: { project_id: 'p1' } })).toBe('valid');
  expect(check({ routeKey: LIST, pathParameters: { project_id: 'p1' }, body: 'anything' })).toBe('valid');
});

it('requires every part a route names', () => {
  expect(check({ routeKey: CREATE, pathParameters: { project_id: 'p1' } })).toBe('Invalid request: body is required.');
  expect(check({ routeKey: LIST })).toBe('Invalid request: pathParameters is required.');
  expect(check({ routeKey: LIST, pathParameters: { project_id: 'P!' } })).toBe('Invalid request: project_id is not valid.');
});

it('refuses a route not listed, and an event with no route', () => {
  expect(validate({ routeKey: ROUTES.revokeCredential.key, pathParameters: { project_id: 'p1' } })).toBe(false);
  expect(validate.errors).toEqual([expect.objectContaining({ instancePath: '/routeKey', keyword: 'enum', params: { allowedValues: [CREATE, LIST] } })]);
  expect(validate({ pathParameters: { project_id: 'p1' } })).toBe(false);
  expect(validate.errors).toEqual([expect.objectContaining({ keyword: 'required', params: { missingProperty: 'routeKey' } })]);
  expect(validate(null)).toBe(false);
  expect(validate('POST /v1/tokens')).toBe(false);
});

it('keeps no errors from an earlier event', () => {
  expect(validate({ routeKey: CREATE, pathParameters: { project_id: 'p1' }, body: {} })).toBe(false);
  expect(validate({ routeKey: LIST, pathParameters: { project_id: 'p1' } })).toBe(true);
  expect(validate.errors).toBeNull();
});
