/**
 * The HTTP routes of the product and the Lambda behind each: the one place a
 * route key is written. API Gateway (lib/), the local runtime, each Lambda's
 * dispatch and schemas, the OpenAPI document and the tests all derive from it.
 * Plain data with no imports, so the CDK app can read it too.
 */

/**
 * A Lambda of the product: its folder under `lambdas/`. The legacy one sits
 * behind a Function URL, not in ROUTES; `not-found` answers DEFAULT_ROUTE.
 */
export type FunctionName =
  | 'load-entry-data'
  | 'browser-saves'
  | 'link-requests'
  | 'credentials'
  | 'entries'
  | 'mint'
  | 'legacy-keys'
  | 'legacy-load-entry-data'
  | 'short-links'
  | 'not-found';

export type RouteAccess =
  /** Called by browsers: no auth, and an OPTIONS route for the CORS preflight. */
  | 'public'
  /** Called by backends and operators: IAM (SigV4) authorization in AWS. */
  | 'iam'
  /**
   * Opened by anyone, as a page (a navigation, not a script's fetch): no auth
   * and no CORS, so no OPTIONS route. The short-link redirect.
   */
  | 'open';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'DELETE';

/**
 * The largest body a route takes, in bytes (larger gets 413 `payload_too_large`),
 * or the setting that holds it (the browser-saves routes' `browserSaveMaxBytes`).
 * The handlers, the OpenAPI document and the README's 413 row all read it here.
 */
export type BodyLimitSpec = number | 'SAVE_MAX_BODY_BYTES';

interface RouteDefinition {
  /** API Gateway's route key: the method and the path template, e.g. `GET /v1/entries/{entry_id}`. */
  readonly key: `${Method} /${string}`;
  readonly fn: Exclude<FunctionName, 'legacy-load-entry-data' | 'not-found'>;
  readonly access: RouteAccess;
  /** Routes that take a body (POST, PUT): its limit. GET, HEAD and DELETE bodies are dropped unread (json-body.ts). */
  readonly maxBodyBytes?: BodyLimitSpec;
}

const KiB = 1024;
/** A resume link, a link request, a project's settings: ids and a few short strings. */
const SMALL_BODY = 4 * KiB;
/** A batch of 500 rows is about 125 KB (168 KB with the longest ids the grammar allows); API Gateway itself refuses bodies over 10 MB. */
const MINT_BODY = 256 * KiB;
/** Above the user_data limit (300 KiB), so an oversized user_data gets its own precise 413. */
const ENTRY_BODY = 400 * KiB;

/** Every route, by name. */
export const ROUTES = {
  loadEntryData: { key: 'POST /v1/load-entry-data', fn: 'load-entry-data', access: 'public', maxBodyBytes: SMALL_BODY },
  createEntry: { key: 'POST /v1/entries', fn: 'browser-saves', access: 'public', maxBodyBytes: 'SAVE_MAX_BODY_BYTES' },
  saveProgress: { key: 'POST /v1/entries/{entry_id}/progress', fn: 'browser-saves', access: 'public', maxBodyBytes: 'SAVE_MAX_BODY_BYTES' },
  linkRequests: { key: 'POST /v1/entries/{entry_id}/link-requests', fn: 'link-requests', access: 'public', maxBodyBytes: SMALL_BODY },
  // Served by the link-requests Lambda: the same admission and mint, and no cold start of its own (bench/HISTORY.md).
  handoff: { key: 'POST /v1/entries/{entry_id}/handoff', fn: 'link-requests', access: 'public', maxBodyBytes: SMALL_BODY },
  createCredential: { key: 'POST /v1/projects/{project_id}/credentials', fn: 'credentials', access: 'iam', maxBodyBytes: SMALL_BODY },
  listCredentials: { key: 'GET /v1/projects/{project_id}/credentials', fn: 'credentials', access: 'iam' },
  revokeCredential: { key: 'DELETE /v1/projects/{project_id}/credentials/{credential_id}', fn: 'credentials', access: 'iam' },
  getAllowedOrigins: { key: 'GET /v1/projects/{project_id}/allowed-origins', fn: 'credentials', access: 'iam' },
  setAllowedOrigins: { key: 'PUT /v1/projects/{project_id}/allowed-origins', fn: 'credentials', access: 'iam', maxBodyBytes: SMALL_BODY },
  clearAllowedOrigins: { key: 'DELETE /v1/projects/{project_id}/allowed-origins', fn: 'credentials', access: 'iam' },
  getBrowserSaves: { key: 'GET /v1/projects/{project_id}/browser-saves', fn: 'credentials', access: 'iam' },
  setBrowserSaves: { key: 'PUT /v1/projects/{project_id}/browser-saves', fn: 'credentials', access: 'iam', maxBodyBytes: SMALL_BODY },
  getResumePolicy: { key: 'GET /v1/projects/{project_id}/flows/{flow_id}/resume-policy', fn: 'credentials', access: 'iam' },
  setResumePolicy: { key: 'PUT /v1/projects/{project_id}/flows/{flow_id}/resume-policy', fn: 'credentials', access: 'iam', maxBodyBytes: SMALL_BODY },
  clearResumePolicy: { key: 'DELETE /v1/projects/{project_id}/flows/{flow_id}/resume-policy', fn: 'credentials', access: 'iam' },
  putEntry: { key: 'PUT /v1/entries/{entry_id}', fn: 'entries', access: 'iam', maxBodyBytes: ENTRY_BODY },
  getEntry: { key: 'GET /v1/entries/{entry_id}', fn: 'entries', access: 'iam' },
  deleteEntry: { key: 'DELETE /v1/entries/{entry_id}', fn: 'entries', access: 'iam' },
  revokeLinks: { key: 'POST /v1/entries/{entry_id}/revoke-links', fn: 'entries', access: 'iam', maxBodyBytes: ENTRY_BODY },
  completeEntry: { key: 'POST /v1/entries/{entry_id}/complete', fn: 'entries', access: 'iam', maxBodyBytes: ENTRY_BODY },
  listCampaigns: { key: 'GET /v1/projects/{project_id}/campaigns', fn: 'entries', access: 'iam' },
  getCampaign: { key: 'GET /v1/projects/{project_id}/campaigns/{campaign}', fn: 'entries', access: 'iam' },
  mint: { key: 'POST /v1/tokens', fn: 'mint', access: 'iam', maxBodyBytes: MINT_BODY },
  mintBatch: { key: 'POST /v1/tokens/batch', fn: 'mint', access: 'iam', maxBodyBytes: MINT_BODY },
  // HEAD is its own route in API Gateway: link scanners and previews send it, and get GET's answer without its body.
  followShortLink: { key: 'GET /r/{code}', fn: 'short-links', access: 'open' },
  checkShortLink: { key: 'HEAD /r/{code}', fn: 'short-links', access: 'open' },
  importLegacyKey: { key: 'PUT /v1/legacy/flows/{flow_id}/key', fn: 'legacy-keys', access: 'iam', maxBodyBytes: 8 * KiB },
  retireLegacyKey: { key: 'DELETE /v1/legacy/flows/{flow_id}/key', fn: 'legacy-keys', access: 'iam' },
} as const satisfies Record<string, RouteDefinition>;

/**
 * API Gateway's catch-all route: every request no route above matches (another
 * path, or another method on a route's path). Without it API Gateway answers
 * `{"message":"Not Found"}`; with it, the `not-found` Lambda answers the
 * documented 404 `{"error":{"code":"not_found",…}}`. No authorization: it must
 * answer anyone, and it reads nothing.
 */
export const DEFAULT_ROUTE = { key: '$default', fn: 'not-found' } as const;

/**
 * The legacy contract's Function URL (not an API Gateway route): `POST /` with
 * the seed's body, whose limit is the resume route's.
 */
export const LEGACY_ROUTE = { fn: 'legacy-load-entry-data', maxBodyBytes: SMALL_BODY } as const satisfies { fn: FunctionName; maxBodyBytes: BodyLimitSpec };

export type RouteName = keyof typeof ROUTES;
export type RouteKey = (typeof ROUTES)[RouteName]['key'];
/** The names of the routes one Lambda serves. */
export type RouteNameOf<F extends FunctionName> = { [N in RouteName]: (typeof ROUTES)[N]['fn'] extends F ? N : never }[RouteName];

/** A route with its key split into method and path. */
export interface RouteSpec {
  readonly name: RouteName;
  readonly key: RouteKey;
  readonly method: Method;
  /** API Gateway path template, e.g. `/v1/entries/{entry_id}`. */
  readonly path: string;
  readonly fn: RouteDefinition['fn'];
  readonly access: RouteAccess;
  readonly maxBodyBytes?: BodyLimitSpec;
}

const spec = (name: RouteName): RouteSpec => {
  const route: RouteDefinition = ROUTES[name];
  const [method, path] = route.key.split(' ') as [Method, string];
  return { name, key: route.key as RouteKey, method, path, fn: route.fn, access: route.access, maxBodyBytes: route.maxBodyBytes };
};

/** Every route, in the order above. */
export const ROUTE_LIST: readonly RouteSpec[] = (Object.keys(ROUTES) as RouteName[]).map(spec);

/** A route's path template, e.g. `routePath('loadEntryData')` is `/v1/load-entry-data`. */
export const routePath = (name: RouteName): string => spec(name).path;

/** The route a route key names, or undefined. */
export const routeByKey = (key: string): RouteSpec | undefined => ROUTE_LIST.find((r) => r.key === key);

/**
 * The body limits of one Lambda's routes, by route key, in bytes: `saveMaxBodyBytes`
 * is the browser-saves setting's value (SAVE_MAX_BODY_BYTES). A request on none of
 * them (a body on a route that takes none is dropped unread) gets the largest.
 */
export const bodyLimits = (fn: FunctionName, saveMaxBodyBytes?: number): ((event: { routeKey?: string }) => number) => {
  const bytes = (limit: BodyLimitSpec): number => {
    if (typeof limit === 'number') return limit;
    if (saveMaxBodyBytes === undefined) throw new Error(`the routes of ${fn} need the value of ${limit}`);
    return saveMaxBodyBytes;
  };
  const byKey = new Map(ROUTE_LIST.filter((r) => r.fn === fn && r.maxBodyBytes !== undefined).map((r) => [r.key as string, bytes(r.maxBodyBytes!)]));
  const largest = Math.max(...byKey.values());
  if (!Number.isFinite(largest)) throw new Error(`no route of ${fn} takes a body`);
  return (event) => byKey.get(event.routeKey ?? '') ?? largest;
};

/** Where a short link's code is served: `base` (no trailing slash needed) and the followShortLink route's path. */
export const shortLinkUrl = (base: string, code: string): string => `${base.replace(/\/+$/, '')}${routePath('followShortLink').replace('{code}', code)}`;

/** A body limit in words, as the OpenAPI document and the README's 413 row give it: `4 KiB`, or `64 KiB (browserSaveMaxBytes)` for the setting's default. */
export const bodyLimitText = (limit: BodyLimitSpec, saveMaxBodyBytesDefault: number): string => {
  const bytes = typeof limit === 'number' ? limit : saveMaxBodyBytesDefault;
  const text = bytes % KiB === 0 ? `${bytes / KiB} KiB` : `${bytes} bytes`;
  return typeof limit === 'number' ? text : `${text} (\`browserSaveMaxBytes\`)`;
};
