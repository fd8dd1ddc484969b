/**
 * The HTTP routes of the product and the Lambda behind each. Plain data with no
 * CDK imports: the construct builds API Gateway from it and the local runtime
 * serves the same table, so the two cannot disagree.
 */

/** A Lambda of the product: its folder under `lambdas/`. The legacy one sits behind a Function URL, not in ROUTES. */
export type FunctionName = 'load-entry-data' | 'credentials' | 'entries' | 'mint' | 'legacy-keys' | 'legacy-load-entry-data';

export type RouteAccess =
  /** Called by browsers: no auth, and an OPTIONS route for the CORS preflight. */
  | 'public'
  /** Called by backends and operators: IAM (SigV4) authorization in AWS. */
  | 'iam';

export interface RouteSpec {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** API Gateway path template, e.g. `/v1/entries/{entry_id}`. */
  readonly path: string;
  readonly fn: FunctionName;
  readonly access: RouteAccess;
}

export const ROUTES: readonly RouteSpec[] = [
  { method: 'POST', path: '/v1/load-entry-data', fn: 'load-entry-data', access: 'public' },
  { method: 'POST', path: '/v1/projects/{project_id}/credentials', fn: 'credentials', access: 'iam' },
  { method: 'GET', path: '/v1/projects/{project_id}/credentials', fn: 'credentials', access: 'iam' },
  { method: 'DELETE', path: '/v1/projects/{project_id}/credentials/{credential_id}', fn: 'credentials', access: 'iam' },
  { method: 'GET', path: '/v1/projects/{project_id}/allowed-origins', fn: 'credentials', access: 'iam' },
  { method: 'PUT', path: '/v1/projects/{project_id}/allowed-origins', fn: 'credentials', access: 'iam' },
  { method: 'DELETE', path: '/v1/projects/{project_id}/allowed-origins', fn: 'credentials', access: 'iam' },
  { method: 'PUT', path: '/v1/entries/{entry_id}', fn: 'entries', access: 'iam' },
  { method: 'GET', path: '/v1/entries/{entry_id}', fn: 'entries', access: 'iam' },
  { method: 'DELETE', path: '/v1/entries/{entry_id}', fn: 'entries', access: 'iam' },
  { method: 'POST', path: '/v1/entries/{entry_id}/revoke-links', fn: 'entries', access: 'iam' },
  { method: 'POST', path: '/v1/tokens', fn: 'mint', access: 'iam' },
  { method: 'PUT', path: '/v1/legacy/flows/{flow_id}/key', fn: 'legacy-keys', access: 'iam' },
  { method: 'DELETE', path: '/v1/legacy/flows/{flow_id}/key', fn: 'legacy-keys', access: 'iam' },
];

export const routeKey = (method: string, path: string): string => `${method} ${path}`;
