import { stringify } from 'yaml';
import { ROUTES, routeKey, type FunctionName } from '../lambdas/http/routes';
import { routeSchemas as credentialsRoutes } from '../lambdas/credentials/schema';
import { routeSchemas as entriesRoutes } from '../lambdas/entries/schema';
import { routeSchemas as legacyKeysRoutes } from '../lambdas/legacy-keys/schema';
import { loadEntryDataBodySchema } from '../lambdas/load-entry-data/schema';
import { legacyBodySchema } from '../lambdas/legacy-load-entry-data/schema';
import { routeSchemas as mintRoutes } from '../lambdas/mint/schema';
import { ERROR_STATUS } from '../lambdas/domain/errors';
import type { RouteSchema } from '../lambdas/http/route-schema';

/** The schemas each Lambda validates with, by route key: the single source of the document. */
export const ROUTE_SCHEMAS: Record<Exclude<FunctionName, 'legacy-load-entry-data'>, Record<string, RouteSchema>> = {
  'load-entry-data': { 'POST /v1/load-entry-data': { body: loadEntryDataBodySchema } },
  credentials: credentialsRoutes,
  entries: entriesRoutes,
  mint: mintRoutes,
  'legacy-keys': legacyKeysRoutes,
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ref('Error'), description);

// Response schemas are closed (additionalProperties: false), so a field the API adds without documenting it
// fails test/integration/openapi-responses.test.ts, which checks real responses against this document.
const credentialMetadata = {
  type: 'object',
  required: ['credential_id', 'label', 'environment', 'created_at', 'status', 'algorithm'],
  additionalProperties: false,
  properties: {
    credential_id: { type: 'string' },
    label: { type: 'string' },
    environment: { type: 'string' },
    created_at: { type: 'string', format: 'date-time' },
    status: { enum: ['active', 'revoked'] },
    revoked_at: { type: 'string', format: 'date-time' },
    algorithm: { enum: ['sha256', 'hmac-sha256'], description: 'sha256: the seed\'s tokens; hmac-sha256: v2 tokens' },
  },
};

const adminEntry = {
  type: 'object',
  required: ['entry_id', 'project_id', 'flow_id', 'current_page_key', 'user_data', 'created_at', 'updated_at'],
  additionalProperties: false,
  properties: {
    entry_id: { type: 'string' },
    project_id: { type: 'string' },
    flow_id: { type: 'string' },
    current_page_key: { type: 'string' },
    user_data: { type: 'object' },
    created_at: { type: 'string', format: 'date-time' },
    updated_at: { type: 'string', format: 'date-time' },
    retain_until: { type: 'string', format: 'date-time' },
    links_valid_after: { type: 'string', format: 'date-time', description: 'Set by revoke-links: links issued before it no longer work' },
  },
};

/** An object with exactly these properties, all present. */
const exactly = (properties: Record<string, object>) => ({ type: 'object', required: Object.keys(properties), additionalProperties: false, properties });

const SUCCESS: Record<string, Record<string, unknown>> = {
  'POST /v1/load-entry-data': {
    200: json(
      {
        type: 'object',
        required: ['entry'],
        additionalProperties: false,
        properties: {
          entry: {
            type: 'object',
            description: 'The saved user data properties, plus entry_id and current_page_key',
            required: ['entry_id', 'current_page_key'],
            properties: { entry_id: { type: 'string' }, current_page_key: { type: 'string' } },
            additionalProperties: true,
          },
        },
      },
      'The saved entry',
    ),
    204: { description: 'CORS preflight answered (OPTIONS)' },
  },
  'POST /v1/projects/{project_id}/credentials': {
    201: json(
      exactly({ credential: credentialMetadata, secret: { type: 'string', description: 'Shown in this response only' } }),
      'Created; the secret value appears here and never again',
    ),
  },
  'GET /v1/projects/{project_id}/credentials': {
    200: json(exactly({ credentials: { type: 'array', items: credentialMetadata } }), 'Metadata only'),
  },
  'DELETE /v1/projects/{project_id}/credentials/{credential_id}': { 204: { description: 'Revoked' } },
  'GET /v1/projects/{project_id}/allowed-origins': {
    200: json(exactly({ allowed_origins: { type: ['array', 'null'], items: { type: 'string' } } }), 'The project\'s own list, or null when the deployment\'s list applies'),
  },
  'PUT /v1/projects/{project_id}/allowed-origins': {
    200: json(exactly({ allowed_origins: { type: 'array', items: { type: 'string' } } }), 'Saved'),
  },
  'DELETE /v1/projects/{project_id}/allowed-origins': {
    200: json(exactly({ allowed_origins: { type: 'null' } }), 'Cleared: the deployment\'s list applies again'),
  },
  'POST /v1/entries/{entry_id}/revoke-links': {
    200: json(exactly({ entry_id: { type: 'string' }, links_valid_after: { type: 'string', format: 'date-time' } }), 'Every link issued so far stops working'),
  },
  'PUT /v1/entries/{entry_id}': {
    200: json(exactly({ entry: adminEntry }), 'Updated'),
    201: json(exactly({ entry: adminEntry }), 'Created'),
  },
  'GET /v1/entries/{entry_id}': { 200: json(exactly({ entry: adminEntry }), 'The entry') },
  'DELETE /v1/entries/{entry_id}': { 204: { description: 'Erased' } },
  'POST /v1/tokens': {
    200: json(
      {
        type: 'object',
        required: ['token', 'entry_id', 'expires_at', 'credential_id'],
        additionalProperties: false,
        properties: {
          token: { type: 'string' },
          entry_id: { type: 'string' },
          expires_at: { type: 'string' },
          url: { type: 'string', description: 'resume_url with token, entry_id and expires_at added, URL-encoded' },
          credential_id: { type: 'string' },
        },
      },
      'A signed resume link',
    ),
  },
  'PUT /v1/legacy/flows/{flow_id}/key': { 204: { description: 'Imported' } },
  'DELETE /v1/legacy/flows/{flow_id}/key': { 204: { description: 'Retired' } },
};

const ERRORS: Record<string, number[]> = {
  'POST /v1/load-entry-data': [400, 401, 403, 404, 413, 415, 429, 503],
  'POST /v1/projects/{project_id}/credentials': [400, 409, 503],
  'GET /v1/projects/{project_id}/credentials': [400, 503],
  'DELETE /v1/projects/{project_id}/credentials/{credential_id}': [400, 404, 503],
  'GET /v1/projects/{project_id}/allowed-origins': [400, 503],
  'PUT /v1/projects/{project_id}/allowed-origins': [400, 503],
  'DELETE /v1/projects/{project_id}/allowed-origins': [400, 503],
  'POST /v1/entries/{entry_id}/revoke-links': [400, 404, 503],
  'PUT /v1/entries/{entry_id}': [400, 409, 413, 415, 503],
  'GET /v1/entries/{entry_id}': [400, 404, 503],
  'DELETE /v1/entries/{entry_id}': [400, 404, 503],
  'POST /v1/tokens': [400, 409, 503],
  'PUT /v1/legacy/flows/{flow_id}/key': [400, 503],
  'DELETE /v1/legacy/flows/{flow_id}/key': [400, 404, 503],
};

const codesFor = (status: number) =>
  Object.entries(ERROR_STATUS)
    .filter(([, s]) => s === status)
    .map(([c]) => c)
    .join(', ');

const parameters = (where: 'path' | 'query', schema: object | undefined) => {
  const s = schema as { properties?: Record<string, object>; required?: string[] } | undefined;
  return Object.entries(s?.properties ?? {}).map(([name, sch]) => ({ name, in: where, required: s?.required?.includes(name) ?? false, schema: sch }));
};

/** The OpenAPI 3.1 document of every route, built from the route table and the Lambdas' own schemas. */
export const buildOpenApi = () => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const key = routeKey(route.method, route.path);
    const schema = ROUTE_SCHEMAS[route.fn as keyof typeof ROUTE_SCHEMAS][key];
    const responses: Record<string, unknown> = { ...SUCCESS[key] };
    for (const status of ERRORS[key]) {
      responses[status] = status === 429 ? { description: 'API Gateway throttling ({"message":"Too Many Requests"})' } : error(codesFor(status));
    }
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = {
      operationId: `${route.fn}-${route.method.toLowerCase()}`.replace(/-(\w)/g, (_m, c: string) => c.toUpperCase()),
      security: route.access === 'iam' ? [{ sigv4: [] }] : [],
      parameters: [...parameters('path', schema.pathParameters), ...parameters('query', schema.queryStringParameters)],
      ...(schema.body ? { requestBody: { required: true, content: { 'application/json': { schema: schema.body } } } } : {}),
      responses,
    };
    for (const p of Object.values(paths[route.path])) {
      if ((p as { parameters: unknown[] }).parameters.length === 0) delete (p as { parameters?: unknown }).parameters;
    }
  }
  paths['/'] = {
    servers: [{ url: '{LegacyLoadEntryDataUrl}', variables: { LegacyLoadEntryDataUrl: { default: 'http://127.0.0.1:3001', description: 'the stack output LegacyLoadEntryDataUrl (a Lambda Function URL), or the local runtime' } } }],
    post: {
      operationId: 'legacyLoadEntryData',
      deprecated: true,
      description:
        'The legacy load_entry_data contract, verified with per-flow legacy keys only. Every response carries Deprecation, Link (and Sunset when set) headers; 410 once the operator switches it off.',
      security: [],
      requestBody: { required: true, content: { 'application/json': { schema: legacyBodySchema } } },
      responses: {
        ...SUCCESS['POST /v1/load-entry-data'],
        ...Object.fromEntries([400, 401, 404, 410, 413, 415, 503].map((status) => [status, error(codesFor(status))])),
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'session-recovery',
      version: '1.0.0',
      description:
        'Resume a multi-page flow on another device from a signed link. The public route is called by browsers; every other route needs IAM (SigV4) authorization. Generated from the Lambdas\' JSON Schemas by scripts/gen-openapi.ts; do not edit by hand.',
    },
    servers: [{ url: '{ApiUrl}', variables: { ApiUrl: { default: 'http://127.0.0.1:3000', description: 'the stack output ApiUrl, or the local runtime' } } }],
    paths,
    components: {
      securitySchemes: {
        sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          additionalProperties: false,
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              additionalProperties: false,
              properties: { code: { enum: Object.keys(ERROR_STATUS) }, message: { type: 'string' } },
            },
          },
        },
      },
    },
  };
};

export const renderOpenApi = (): string => `# Generated by scripts/gen-openapi.ts from the Lambdas' JSON Schemas. Do not edit.\n${stringify(buildOpenApi(), { lineWidth: 0, aliasDuplicateObjects: false })}`;
