import { stringify } from 'yaml';
import { type BodyLimitSpec, bodyLimitText, LEGACY_ROUTE, ROUTE_LIST, type RouteName } from '../lambdas/http/routes';
import { defaultOf } from '../lambdas/runtime/environment';
import { routeSchemas as browserSavesRoutes } from '../lambdas/browser-saves/schema';
import { routeSchemas as credentialsRoutes } from '../lambdas/credentials/schema';
import { routeSchemas as entriesRoutes } from '../lambdas/entries/schema';
import { routeSchemas as legacyKeysRoutes } from '../lambdas/legacy-keys/schema';
import { routeSchemas as linkRequestsRoutes } from '../lambdas/link-requests/schema';
import { routeSchemas as loadEntryDataRoutes } from '../lambdas/load-entry-data/schema';
import { legacyBodySchema } from '../lambdas/legacy-load-entry-data/schema';
import { routeSchemas as mintRoutes } from '../lambdas/mint/schema';
import { routeSchemas as shortLinkRoutes } from '../lambdas/short-links/schema';
import { ERROR_STATUS } from '../lambdas/domain/errors';
import type { RouteSchema } from '../lambdas/http/route-schema';

/** The schemas the Lambdas validate with, by route: the single source of the document. */
export const ROUTE_SCHEMAS: { readonly [N in RouteName]: RouteSchema } = {
  ...loadEntryDataRoutes,
  ...browserSavesRoutes,
  ...linkRequestsRoutes,
  ...credentialsRoutes,
  ...entriesRoutes,
  ...mintRoutes,
  ...shortLinkRoutes,
  ...legacyKeysRoutes,
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: object, description: string) => ({ description, content: { 'application/json': { schema } } });
const error = (description: string) => json(ref('Error'), description);

/** A route's 413, with its body limit from the routes table (lambdas/http/routes.ts). */
const tooLarge = (limit: BodyLimitSpec | undefined) =>
  error(`${codesFor(413)}: a body over ${limit === undefined ? "the route's limit" : bodyLimitText(limit, defaultOf('SAVE_MAX_BODY_BYTES'))}`);
/** The request body's largest size in bytes (an extension: OpenAPI has no keyword for it); the browser-saves routes' is their setting's default. */
const maxBodyBytes = (limit: BodyLimitSpec) => ({ 'x-max-body-bytes': typeof limit === 'number' ? limit : defaultOf('SAVE_MAX_BODY_BYTES') });

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
    algorithm: { enum: ['sha256', 'hmac-sha256'], description: "sha256: the seed's tokens; hmac-sha256: v2 tokens" },
    provider: {
      type: 'string',
      description: 'A sending provider that signs links in its own templates: it verifies, mint never signs with it, and replace revokes only the same kind',
    },
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

/** The redirect of a short link: the same for GET and HEAD, which never has a body. */
function shortLinkFound(method: 'GET' | 'HEAD') {
  return {
    302: {
      description: `Redirects to the full resume link the code was minted for${method === 'HEAD' ? ' (no body; nothing is read beyond the link, nothing written)' : ''}`,
      headers: {
        Location: { description: 'The resume link stored at mint, never anything from the request', schema: { type: 'string' } },
        'Cache-Control': { schema: { const: 'no-store' } },
        'Referrer-Policy': { schema: { const: 'no-referrer' } },
      },
    },
  };
}

/** An unknown or expired short code: a page for browsers, JSON for clients that ask for it. */
const shortLinkNotFound = {
  description: 'not_found: no such code, or its link has expired',
  content: {
    'text/html': { schema: { type: 'string', description: 'A small page saying the link has expired or does not exist' } },
    'application/json': { schema: ref('Error') },
  },
};

/** A project's browser-saves setting, as GET and PUT answer it. */
const BROWSER_SAVES = { enabled: { type: 'boolean' }, sms_countries: { type: 'array', items: { type: 'string', pattern: '^[A-Z]{2}$' } } };

/** A flow's resume policy, as its routes answer it (docs/withheld-fields.md). */
const RESUME_POLICY = {
  flow_id: { type: 'string' },
  withheld_fields: { type: 'array', items: { type: 'string' } },
  verify_field: { type: ['string', 'null'] },
};

const SUCCESS: Record<RouteName, Record<string, unknown>> = {
  loadEntryData: {
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
          save_token: {
            type: 'string',
            description:
              "For a project with browser saves on (current contract only), to a person's resume (not an automated client's): the token this device saves the entry with from now on. It is a new one each time: every save token issued before for the entry answers 401 invalid_save_token from then on",
          },
        },
      },
      'The saved entry',
    ),
    204: { description: 'CORS preflight answered (OPTIONS)' },
  },
  createEntry: {
    201: json(
      exactly({
        entry_id: { type: 'string', description: 'Made by the server: 128 bits from the CSPRNG' },
        save_token: { type: 'string', description: 'Authorises saves to this entry (and only this one) from this page' },
      }),
      'Created',
    ),
    204: { description: 'CORS preflight answered (OPTIONS)' },
  },
  saveProgress: {
    200: json(exactly({ seq: { type: 'integer' } }), 'Saved'),
    204: { description: 'CORS preflight answered (OPTIONS)' },
  },
  linkRequests: {
    202: json(
      exactly({
        channel: { enum: ['email', 'sms'] },
        expires_at: { type: 'string', description: 'When the link expires; the link itself goes only on the bus, never to the page' },
      }),
      "A link was minted and a Resume Link Requested event put on the deployment's bus, for the team's rule to deliver",
    ),
    204: { description: 'CORS preflight answered (OPTIONS)' },
  },
  handoff: {
    201: json(
      exactly({
        url: {
          type: 'string',
          description: "The entry's link, single-use (sr_confirm=1): opening it on another device resumes the entry there and ends this page's save token",
        },
        short_url: { type: 'string', description: 'The same link, short: what the QR code encodes' },
        expires_at: {
          type: 'string',
          description: 'When the link expires: 10 minutes after the request unless the deployment sets handoffLifetime (at most 1 hour)',
        },
      }),
      'A single-use link to the entry, for the page to show as a QR code; counted in campaign handoff',
    ),
    204: { description: 'CORS preflight answered (OPTIONS)' },
  },
  createCredential: {
    201: json(
      exactly({
        credential: credentialMetadata,
        secret: { type: 'string', description: 'Shown in this response only' },
        revoked_credential_ids: {
          type: 'array',
          items: { type: 'string' },
          description: 'The active credentials this creation revoked (replace: true); empty when there were none',
        },
      }),
      'Created; the secret value appears here and never again',
    ),
  },
  listCredentials: {
    200: json(exactly({ credentials: { type: 'array', items: credentialMetadata } }), 'Metadata only'),
  },
  revokeCredential: { 204: { description: 'Revoked' } },
  getAllowedOrigins: {
    200: json(
      exactly({ allowed_origins: { type: ['array', 'null'], items: { type: 'string' } } }),
      "The project's own list, or null when the deployment's list applies",
    ),
  },
  setAllowedOrigins: {
    200: json(exactly({ allowed_origins: { type: 'array', items: { type: 'string' } } }), 'Saved'),
  },
  clearAllowedOrigins: {
    200: json(exactly({ allowed_origins: { type: 'null' } }), "Cleared: the deployment's list applies again"),
  },
  revokeLinks: {
    200: json(exactly({ entry_id: { type: 'string' }, links_valid_after: { type: 'string', format: 'date-time' } }), 'Every link issued so far stops working'),
  },
  completeEntry: {
    200: json(
      {
        type: 'object',
        required: ['entry_id', 'completed_at'],
        additionalProperties: false,
        properties: {
          entry_id: { type: 'string' },
          completed_at: { type: 'string', format: 'date-time', description: 'When the flow was first recorded as finished; a repeat answers the same' },
          campaign: { type: 'string', description: 'The campaign of the last resume through a campaign link within 7 days, if any' },
        },
      },
      'Recorded (or recorded before: nothing changes, and it is counted once)',
    ),
  },
  listCampaigns: {
    200: json(
      {
        type: 'object',
        required: ['campaigns'],
        additionalProperties: false,
        properties: {
          campaigns: { type: 'array', items: ref('Campaign'), description: "The project's campaigns in name order, at most `limit` (100 by default)" },
          next: { type: 'string', description: 'Present when more campaigns follow: pass it as `after` for the next page' },
        },
      },
      "The project's campaigns and their recovery figures, over each campaign's whole life",
    ),
  },
  getCampaign: {
    200: json(exactly({ campaign: ref('Campaign') }), "The campaign's recovery figures, over its whole life"),
  },
  getBrowserSaves: { 200: json(exactly(BROWSER_SAVES), 'Whether the project takes saves from the browser, and the countries its link requests may text') },
  setBrowserSaves: { 200: json(exactly(BROWSER_SAVES), 'Saved') },
  getResumePolicy: {
    200: json(exactly(RESUME_POLICY), "The flow's resume policy: fields withheld from every resume, and the field a person must confirm (null: none)"),
  },
  setResumePolicy: { 200: json(exactly(RESUME_POLICY), 'Saved: it takes effect within keyCacheTtl') },
  clearResumePolicy: { 200: json(exactly(RESUME_POLICY), 'Cleared: it takes effect within keyCacheTtl') },
  putEntry: {
    200: json(exactly({ entry: adminEntry }), 'Updated'),
    201: json(exactly({ entry: adminEntry }), 'Created'),
  },
  getEntry: { 200: json(exactly({ entry: adminEntry }), 'The entry') },
  deleteEntry: { 204: { description: 'Erased' } },
  mint: {
    200: json(
      {
        type: 'object',
        required: ['token', 'entry_id', 'flow_id', 'expires_at', 'credential_id'],
        additionalProperties: false,
        properties: {
          token: { type: 'string' },
          entry_id: { type: 'string' },
          flow_id: { type: 'string', description: "The entry's flow: the page the link opens posts it as flow_id" },
          expires_at: { type: 'string' },
          url: { type: 'string', description: 'resume_url with token, entry_id and expires_at added, URL-encoded' },
          url_length: { type: 'integer', description: 'Characters in url: above 160, the link alone fills more than one SMS segment (ask for short: true)' },
          short_url: {
            type: 'string',
            description: 'With short: true: a link of about 40 characters plus your domain that redirects (302) to url until it expires',
          },
          credential_id: { type: 'string' },
        },
      },
      'A signed resume link',
    ),
  },
  mintBatch: {
    200: json(
      exactly({
        links: {
          type: 'array',
          description: "One item per row, in the order sent: a link, or that row's error (a bad row never fails the batch)",
          items: {
            oneOf: [
              {
                type: 'object',
                required: ['entry_id', 'token', 'expires_at'],
                additionalProperties: false,
                properties: {
                  entry_id: { type: 'string' },
                  token: { type: 'string' },
                  expires_at: { type: 'string' },
                  url: { type: 'string', description: 'With resume_url' },
                  short_url: { type: 'string', description: 'With short: true' },
                },
              },
              {
                type: 'object',
                required: ['entry_id', 'error'],
                additionalProperties: false,
                properties: {
                  entry_id: { type: ['string', 'null'], description: 'As sent; null when the row had no string entry_id' },
                  error: ref('ErrorDetail'),
                },
              },
            ],
          },
        },
      }),
      'Every row, minted or refused',
    ),
  },
  followShortLink: shortLinkFound('GET'),
  checkShortLink: shortLinkFound('HEAD'),
  importLegacyKey: { 204: { description: 'Imported' } },
  retireLegacyKey: { 204: { description: 'Retired' } },
};

const ERRORS: Record<RouteName, number[]> = {
  loadEntryData: [400, 401, 403, 404, 413, 415, 429, 503],
  createEntry: [400, 403, 409, 413, 415, 429, 503],
  saveProgress: [400, 401, 403, 404, 409, 413, 415, 429, 503],
  linkRequests: [400, 401, 403, 404, 409, 413, 415, 429, 503],
  handoff: [400, 401, 403, 404, 409, 413, 415, 429, 503],
  getBrowserSaves: [400, 503],
  setBrowserSaves: [400, 409, 503],
  getResumePolicy: [400, 503],
  setResumePolicy: [400, 409, 503],
  clearResumePolicy: [400, 409, 503],
  createCredential: [400, 409, 503],
  listCredentials: [400, 503],
  revokeCredential: [400, 404, 503],
  getAllowedOrigins: [400, 503],
  setAllowedOrigins: [400, 503],
  clearAllowedOrigins: [400, 503],
  revokeLinks: [400, 404, 503],
  completeEntry: [400, 404, 503],
  listCampaigns: [400, 503],
  getCampaign: [400, 404, 503],
  putEntry: [400, 409, 413, 415, 503],
  getEntry: [400, 404, 503],
  deleteEntry: [400, 404, 503],
  mint: [400, 404, 409, 503],
  mintBatch: [400, 409, 413, 415, 503],
  followShortLink: [404, 429, 503],
  checkShortLink: [404, 429, 503],
  importLegacyKey: [400, 503],
  retireLegacyKey: [400, 404, 503],
};

/** Routes whose own bounds answer 429 with an error code, besides API Gateway's throttling. */
const LIMITED = {
  linkRequests: 'too_many_link_requests',
  createEntry: 'too_many_entries',
  loadEntryData: 'too_many_verification_attempts',
  handoff: 'too_many_handoffs (or too_many_link_requests while the entry holds 100 unused page links)',
} as const;

const codesFor = (status: number) =>
  Object.entries(ERROR_STATUS)
    .filter(([, s]) => s === status)
    .map(([c]) => c)
    .join(', ');

const parameters = (where: 'path' | 'query', schema: RouteSchema['pathParameters']) => {
  const s = schema as { properties?: Record<string, object>; required?: string[] } | undefined;
  return Object.entries(s?.properties ?? {}).map(([name, sch]) => ({ name, in: where, required: s?.required?.includes(name) ?? false, schema: sch }));
};

/** The OpenAPI 3.1 document of every route, built from the route table and the Lambdas' own schemas. */
export const buildOpenApi = () => {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTE_LIST) {
    const schema = ROUTE_SCHEMAS[route.name];
    const responses: Record<string, unknown> = { ...SUCCESS[route.name] };
    for (const status of ERRORS[route.name]) {
      responses[status] =
        status === 429 && route.name in LIMITED
          ? json(
              { oneOf: [ref('Error'), exactly({ message: { type: 'string' } })] },
              `${LIMITED[route.name as keyof typeof LIMITED]} (Retry-After says when), or API Gateway throttling ({"message":"Too Many Requests"})`,
            )
          : status === 429
            ? { description: 'API Gateway throttling ({"message":"Too Many Requests"})' }
            : route.access === 'open' && status === 404
              ? shortLinkNotFound
              : status === 413
                ? tooLarge(route.maxBodyBytes)
                : error(codesFor(status));
    }
    paths[route.path] ??= {};
    paths[route.path][route.method.toLowerCase()] = {
      operationId: route.name,
      security: route.access === 'iam' ? [{ sigv4: [] }] : [],
      parameters: [...parameters('path', schema.pathParameters), ...parameters('query', schema.queryStringParameters)],
      ...(schema.body
        ? {
            requestBody: {
              required: true,
              ...(route.maxBodyBytes === undefined ? {} : maxBodyBytes(route.maxBodyBytes)),
              content: { 'application/json': { schema: schema.body } },
            },
          }
        : {}),
      responses,
    };
    for (const p of Object.values(paths[route.path])) {
      if ((p as { parameters: unknown[] }).parameters.length === 0) delete (p as { parameters?: unknown }).parameters;
    }
  }
  paths['/'] = {
    servers: [
      {
        url: '{LegacyLoadEntryDataUrl}',
        variables: {
          LegacyLoadEntryDataUrl: {
            default: 'http://127.0.0.1:3001',
            description: 'the stack output LegacyLoadEntryDataUrl (a Lambda Function URL), or the local runtime',
          },
        },
      },
    ],
    post: {
      operationId: 'legacyLoadEntryData',
      deprecated: true,
      description:
        'The legacy load_entry_data contract, verified with per-flow legacy keys only. Every response carries Deprecation, Link (and Sunset when set) headers; 410 once the operator switches it off.',
      security: [],
      requestBody: { required: true, ...maxBodyBytes(LEGACY_ROUTE.maxBodyBytes), content: { 'application/json': { schema: legacyBodySchema } } },
      responses: {
        ...SUCCESS.loadEntryData,
        ...Object.fromEntries([400, 401, 404, 410, 415, 503].map((status) => [status, error(codesFor(status))])),
        413: tooLarge(LEGACY_ROUTE.maxBodyBytes),
      },
    },
  };
  return {
    openapi: '3.1.0',
    info: {
      title: 'session-recovery',
      version: '1.0.0',
      description:
        "Resume a multi-page flow on another device from a signed link. The public route is called by browsers; every other route needs IAM (SigV4) authorization. Generated from the Lambdas' JSON Schemas by scripts/gen-openapi.ts; do not edit by hand.",
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
          properties: { error: ref('ErrorDetail') },
        },
        ErrorDetail: {
          type: 'object',
          required: ['code', 'message'],
          additionalProperties: false,
          properties: {
            code: { enum: Object.keys(ERROR_STATUS) },
            message: { type: 'string' },
            field: { type: 'string', description: "verification_required and verification_failed: the flow's verify field, for the page's one-field form" },
          },
        },
        Campaign: {
          ...exactly({
            campaign: { type: 'string' },
            links_minted: { type: 'integer', minimum: 0, description: 'Links mint handed out in the campaign (a batch counts its minted rows)' },
            entries_resumed: { type: 'integer', minimum: 0, description: 'Entries resumed by a person through a link of the campaign, each counted once' },
            completions: { type: 'integer', minimum: 0, description: 'Entries whose first completion was attributed to the campaign' },
            recovery_rate: {
              type: ['number', 'null'],
              minimum: 0,
              maximum: 1,
              description:
                'completions / entries_resumed: of the entries people came back to through the campaign, the share completed; null before any was resumed',
            },
          }),
        },
      },
    },
  };
};

export const renderOpenApi = (): string =>
  `# Generated by scripts/gen-openapi.ts from the Lambdas' JSON Schemas. Do not edit.\n${stringify(buildOpenApi(), { lineWidth: 0, aliasDuplicateObjects: false })}`;
