import { Ajv } from 'ajv';
import { routeEventSchema, type RouteSchemasOf } from '../../../lambdas/http/route-schema';
import { ROUTES } from '../../../lambdas/http/routes';
import { validationMessage } from '../../../lambdas/http/validation-message';

const CREATE = ROUTES.createCredential.key;
const LIST = ROUTES.listCredentials.key;
const projectParams = { type: 'object', required: ['project_id'], properties: { project_id: { type: 'string', pattern: '^[a-z_0-9]+$' } } } as const;

// Two of the credentials Lambda's routes: enough to see one route's schema apply and not the other's.
const validate = new Ajv({ allErrors: true }).compile(
  routeEventSchema<'credentials'>({
    createCredential: {
      pathParameters: projectParams,
      body: { type: 'object', required: ['label'], properties: { label: { type: 'string' } }, additionalProperties: false },
    },
    listCredentials: { pathParameters: projectParams },
  } as unknown as RouteSchemasOf<'credentials'>),
);
const check = (event: object) => (validate(event) ? 'valid' : validationMessage(validate.errors!, {}));

it('applies each route\'s schema to the events of that route', () => {
  expect(check({ routeKey: CREATE, pathParameters: { project_id: 'p1' }, body: { label: 'ci' } })).toBe('valid');
  expect(check({ routeKey: CREATE, pathParameters: { project_id: 'p1' }, body: {} })).toBe('Invalid request: label is required.');
  expect(check({ routeKey: CREATE, pathParameters: { project_id: 'p1' }, body: { label: 'ci', replace: 1 } })).toBe('Invalid request: unknown field "replace".');
});

it('applies no other route\'s schema: a route that names no body takes none', () => {
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
  expect(validate.errors!.map((e) => e.keyword)).toEqual(['enum']);
  expect(validate({ pathParameters: { project_id: 'p1' } })).toBe(false);
  expect(validate.errors).toContainEqual(expect.objectContaining({ keyword: 'required', params: { missingProperty: 'routeKey' } }));
});
