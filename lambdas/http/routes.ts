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

interface RouteDefinition {
  /** API Gateway's route key: the method and the path template, e.g. `GET /v1/entries/{entry_id}`. */
  readonly key: `${Method} /${string}`;
  readonly fn: Exclude<FunctionName, 'legacy-load-entry-data' | 'not-found'>;
  readonly access: RouteAccess;
}

/** Every route, by name. */
export const ROUTES = {
  loadEntryData: { key: 'POST /v1/load-entry-data', fn: 'load-entry-data', access: 'public' },
  createEntry: { key: 'POST /v1/entries', fn: 'browser-saves', access: 'public' },
  saveProgress: { key: 'POST /v1/entries/{entry_id}/progress', fn: 'browser-saves', access: 'public' },
  linkRequests: { key: 'POST /v1/entries/{entry_id}/link-requests', fn: 'link-requests', access: 'public' },
  // Served by the link-requests Lambda: the same admission and mint, and no cold start of its own (bench/HISTORY.md).
  handoff: { key: 'POST /v1/entries/{entry_id}/handoff', fn: 'link-requests', access: 'public' },
  createCredential: { key: 'POST /v1/projects/{project_id}/credentials', fn: 'credentials', access: 'iam' },
  listCredentials: { key: 'GET /v1/projects/{project_id}/credentials', fn: 'credentials', access: 'iam' },
  revokeCredential: { key: 'DELETE /v1/projects/{project_id}/credentials/{credential_id}', fn: 'credentials', access: 'iam' },
  getAllowedOrigins: { key: 'GET /v1/projects/{project_id}/allowed-origins', fn: 'credentials', access: 'iam' },
  setAllowedOrigins: { key: 'PUT /v1/projects/{project_id}/allowed-origins', fn: 'credentials', access: 'iam' },
  clearAllowedOrigins: { key: 'DELETE /v1/projects/{project_id}/allowed-origins', fn: 'credentials', access: 'iam' },
  getBrowserSaves: { key: 'GET /v1/projects/{project_id}/browser-saves', fn: 'credentials', access: 'iam' },
  setBrowserSaves: { key: 'PUT /v1/projects/{project_id}/browser-saves', fn: 'credentials', access: 'iam' },
  getResumePolicy: { key: 'GET /v1/projects/{project_id}/flows/{flow_id}/resume-policy', fn: 'credentials', access: 'iam' },
  setResumePolicy: { key: 'PUT /v1/projects/{project_id}/flows/{flow_id}/resume-policy', fn: 'credentials', access: 'iam' },
  clearResumePolicy: { key: 'DELETE /v1/projects/{project_id}/flows/{flow_id}/resume-policy', fn: 'credentials', access: 'iam' },
  putEntry: { key: 'PUT /v1/entries/{entry_id}', fn: 'entries', access: 'iam' },
  getEntry: { key: 'GET /v1/entries/{entry_id}', fn: 'entries', access: 'iam' },
  deleteEntry: { key: 'DELETE /v1/entries/{entry_id}', fn: 'entries', access: 'iam' },
  revokeLinks: { key: 'POST /v1/entries/{entry_id}/revoke-links', fn: 'entries', access: 'iam' },
  completeEntry: { key: 'POST /v1/entries/{entry_id}/complete', fn: 'entries', access: 'iam' },
  listCampaigns: { key: 'GET /v1/projects/{project_id}/campaigns', fn: 'entries', access: 'iam' },
  getCampaign: { key: 'GET /v1/projects/{project_id}/campaigns/{campaign}', fn: 'entries', access: 'iam' },
  mint: { key: 'POST /v1/tokens', fn: 'mint', access: 'iam' },
  mintBatch: { key: 'POST /v1/tokens/batch', fn: 'mint', access: 'iam' },
  // HEAD is its own route in API Gateway: link scanners and previews send it, and get GET's answer without its body.
  followShortLink: { key: 'GET /r/{code}', fn: 'short-links', access: 'open' },
  checkShortLink: { key: 'HEAD /r/{code}', fn: 'short-links', access: 'open' },
  importLegacyKey: { key: 'PUT /v1/legacy/flows/{flow_id}/key', fn: 'legacy-keys', access: 'iam' },
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
}

const spec = (name: RouteName): RouteSpec => {
  const { key, fn, access } = ROUTES[name];
  const [method, path] = key.split(' ') as [Method, string];
  return { name, key, method, path, fn, access };
};

/** Every route, in the order above. */
export const ROUTE_LIST: readonly RouteSpec[] = (Object.keys(ROUTES) as RouteName[]).map(spec);

/** A route's path template, e.g. `routePath('loadEntryData')` is `/v1/load-entry-data`. */
export const routePath = (name: RouteName): string => spec(name).path;

/** The route a route key names, or undefined. */
export const routeByKey = (key: string): RouteSpec | undefined => ROUTE_LIST.find((r) => r.key === key);
