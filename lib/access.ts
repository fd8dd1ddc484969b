import { Tags, Token } from 'aws-cdk-lib';
import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { type FunctionName, ROUTE_LIST } from '../lambdas/http/routes';
import { acknowledgeWildcardResource } from './constructs/acknowledge';
import type { ApiFunction } from './constructs/api-function';
import type { SessionRecoveryProps } from './props';

/**
 * Who may read the secrets the service creates at run time, and their tags: every
 * such secret denies reading its value to all but these roles (secret-read-policy.ts):
 * each role that reads project secrets or legacy keys, whether or not its reads are on
 * today (the legacy Lambda's, for a later legacyEnabled), and the operator's. The
 * tags also go on every resource the construct creates.
 */
export const secretAccess = (scope: Construct, props: SessionRecoveryProps, functions: Readonly<Record<FunctionName, ApiFunction>>): void => {
  const readers = (['load-entry-data', 'credentials', 'browser-saves', 'link-requests', 'mint', 'legacy-load-entry-data'] as const).map(
    (f) => functions[f].role!.roleArn,
  );
  if (props.secretReaderRoleArn !== undefined) {
    if (!Token.isUnresolved(props.secretReaderRoleArn) && !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(props.secretReaderRoleArn)) {
      throw new Error(`secretReaderRoleArn must be an IAM role ARN, got "${props.secretReaderRoleArn}"`);
    }
    readers.push(props.secretReaderRoleArn);
  }
  const tags = props.tags ?? {};
  for (const [key, value] of Object.entries(tags)) {
    if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(key) || key.toLowerCase().startsWith('aws:') || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u.test(value)) {
      throw new Error(
        `tags: "${key}" is not a tag AWS takes (a key of 1 to 128 and a value of up to 256 letters, digits, spaces and _.:/=+-@, no aws: prefix)`,
      );
    }
    Tags.of(scope).add(key, value);
  }
  // The two Lambdas that create secrets.
  for (const writer of [functions.credentials, functions['legacy-keys']]) {
    writer.addSettings({ SECRET_READER_ARNS: readers, ...(Object.keys(tags).length > 0 ? { SECRET_TAGS: JSON.stringify(tags) } : {}) });
  }
};

/** The parts of the admin API a role can be given alone. */
export type AdminApiPart = 'all' | 'entries' | 'mint' | 'credentials' | 'legacyKeys';

/** The narrower managed policies, each one part of the admin API (README, Admin API: policies). */
const NARROW = {
  entries: {
    id: 'EntriesApiPolicy',
    fns: ['entries'],
    description: 'Call the session-recovery entries routes (save, read, delete, revoke links, complete), nothing else',
  },
  mint: { id: 'MintApiPolicy', fns: ['mint'], description: 'Call the session-recovery mint routes (POST /v1/tokens and /v1/tokens/batch), nothing else' },
  credentials: {
    id: 'CredentialsApiPolicy',
    fns: ['credentials'],
    description: "Call the session-recovery routes of projects' credentials, allowed origins and browser saves, nothing else",
  },
  legacyKeys: { id: 'LegacyKeysApiPolicy', fns: ['legacy-keys'], description: 'Call the session-recovery legacy key routes (import, retire), nothing else' },
} as const satisfies Record<Exclude<AdminApiPart, 'all'>, { id: string; fns: readonly FunctionName[]; description: string }>;

/**
 * The narrower managed policies, each one part of the admin API (what `SessionRecovery.apiPolicies` holds).
 * A named interface rather than a record keyed by part, so jsii can give it to Python too.
 */
export interface ApiPolicies {
  /** The entries routes (save, read, delete, revoke links, complete). */
  readonly entries: iam.ManagedPolicy;
  /** The mint routes (`POST /v1/tokens`, `/v1/tokens/batch`). */
  readonly mint: iam.ManagedPolicy;
  /** The routes of projects' credentials, allowed origins and browser saves. */
  readonly credentials: iam.ManagedPolicy;
  /** The legacy key routes (import, retire). */
  readonly legacyKeys: iam.ManagedPolicy;
}

/** The managed policies a team attaches to its roles, and the route ARNs the construct's grant methods give. */
export interface AdminAccess {
  readonly mintInvokePolicy: iam.ManagedPolicy;
  readonly adminApiPolicy: iam.ManagedPolicy;
  readonly apiPolicies: ApiPolicies;
  /** The execute-api ARNs of each part's IAM-authorized routes. */
  readonly routeArns: Readonly<Record<AdminApiPart, string[]>>;
}

export const adminAccess = (scope: Construct, api: apigw.HttpApi, mint: ApiFunction): AdminAccess => {
  const mintInvokePolicy = new iam.ManagedPolicy(scope, 'MintInvokePolicy', {
    description: 'Invoke the session-recovery mint Lambda, nothing else',
    statements: [new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [mint.functionArn] })],
  });
  const routeArnsOf = (fns?: readonly FunctionName[]) =>
    ROUTE_LIST.filter((r) => r.access === 'iam' && (fns === undefined || fns.includes(r.fn))).map((r) =>
      api.arnForExecuteApi(r.method, r.path.replace(/\{[^}]+\}/g, '*'), '$default'),
    );
  const policyOf = (id: string, description: string, resources: string[]) => {
    const policy = new iam.ManagedPolicy(scope, id, {
      description,
      statements: [new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources })],
    });
    // Only the routes with path parameters have a wildcard to acknowledge.
    for (const resource of resources.filter((arn) => arn.includes('*'))) {
      acknowledgeWildcardResource(policy, resource, 'The wildcards stand for the path parameters of one admin route ({project_id}, {entry_id}, ...).');
    }
    return policy;
  };
  const all = routeArnsOf();
  const adminApiPolicy = policyOf('AdminApiPolicy', 'Call the IAM-authorized session-recovery admin and mint routes', all);
  const parts = Object.keys(NARROW) as Array<keyof typeof NARROW>;
  const arns = Object.fromEntries(parts.map((k) => [k, routeArnsOf(NARROW[k].fns)])) as Record<keyof typeof NARROW, string[]>;
  const apiPolicies = Object.fromEntries(parts.map((k) => [k, policyOf(NARROW[k].id, NARROW[k].description, arns[k])])) as Record<
    keyof typeof NARROW,
    iam.ManagedPolicy
  >;
  return { mintInvokePolicy, adminApiPolicy, apiPolicies, routeArns: { all, ...arns } };
};

/** Lets `grantee` call the IAM-authorized routes of one part of the admin API. */
export const grantRoutes = (access: AdminAccess, grantee: iam.IGrantable, part: AdminApiPart): iam.Grant =>
  iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns: access.routeArns[part] });
