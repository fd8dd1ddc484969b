import type * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import type * as events from 'aws-cdk-lib/aws-events';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { type FunctionName, routePath } from '../lambdas/http/routes';
import { type AdminAccess, adminAccess, type AdminApiPart, type ApiPolicies, grantRoutes, secretAccess } from './access';
import type { ApiFunction } from './constructs/api-function';
import { Monitoring } from './constructs/monitoring';
import { serviceFunctions } from './functions';
import { monitoring } from './monitoring';
import type { SessionRecoveryProps } from './props';
import { publicApi } from './public-api';
import { deploymentNames, functionSettings } from './settings';
import { stores } from './table';

export type * from './props';
export type { ApiPolicies } from './access';
export { Monitoring } from './constructs/monitoring';
export type { FailureWatch, FunctionUrlWatch, MonitoringProps } from './constructs/monitoring';
export { DEFAULTS, THROTTLES } from './defaults';

/**
 * session-recovery: the public `load-entry-data` endpoint on an HTTP API, the
 * entries table and the per-project Token Signing Secrets it verifies against.
 * Each part is built in a file of its own, directly in this construct's scope
 * (so the logical ids are the same as when it was one file): table.ts,
 * functions.ts, public-api.ts, access.ts, monitoring.ts.
 */
export class SessionRecovery extends Construct {
  readonly api: apigw.HttpApi;
  /** The legacy contract's endpoint (auth NONE: browsers call it); none with `legacyFunctionUrl: false`. */
  readonly legacyUrl?: lambda.FunctionUrl;
  /** The current contract on a Function URL, when `currentContractFunctionUrl` is set. */
  readonly loadEntryDataFunctionUrl?: lambda.FunctionUrl;
  /**
   * The alias `live` of load-entry-data, which API Gateway and the Function URL invoke: when
   * `provisionedConcurrency` is set (it holds the instances) or `currentContractFunctionUrl` is.
   */
  readonly loadEntryDataAlias?: lambda.Alias;
  /** Lets a backend role invoke the mint Lambda and nothing else. */
  readonly mintInvokePolicy: iam.ManagedPolicy;
  /** Lets an operator or backend role call the IAM-authorized admin routes (credentials, entries, tokens, legacy keys). */
  readonly adminApiPolicy: iam.ManagedPolicy;
  /**
   * Narrower managed policies, each one part of the admin API: `entries` (entries
   * and completions), `mint` (the mint routes), `credentials` (credentials,
   * allowed origins, browser saves) and `legacyKeys`.
   */
  readonly apiPolicies: ApiPolicies;
  readonly monitoring: Monitoring;
  readonly table: dynamodb.TableV2;
  /** The deployment's Lambdas by name (`load-entry-data`, `mint`, … `not-found`: the folders of lambdas/). */
  readonly functions: Record<string, lambda.Function>;
  /** The same, typed by name, for the parts built after the functions. */
  private readonly fns: Readonly<Record<FunctionName, ApiFunction>>;
  readonly secretPrefix: string;
  readonly environmentName: string;
  /** The CloudWatch namespace of this deployment's metrics: `SessionRecovery`, or `SessionRecovery/<environmentName>`. */
  readonly metricsNamespace: string;
  /** The deployment's save key (browser saves). */
  readonly saveKey: secretsmanager.Secret;
  /**
   * The deployment's EventBridge bus: `Resume Link Requested` and `Resume Link
   * Expired` events (source `session-recovery`) for your own rules to deliver.
   */
  readonly eventBus: events.EventBus;
  /** The custom domain short links are served on, when `shortLinkDomain` is set. */
  readonly shortLinkDomain?: apigw.DomainName;
  /** Where short links start: `https://<shortLinkDomain>`, or the API's URL. */
  readonly shortLinkBaseUrl: string;
  private readonly access: AdminAccess;

  constructor(scope: Construct, id: string, props: SessionRecoveryProps = {}) {
    super(scope, id);
    const names = deploymentNames(this, props);
    this.environmentName = names.environmentName;
    this.secretPrefix = names.secretPrefix;
    this.metricsNamespace = names.metricsNamespace;
    const settings = functionSettings(props, this.environmentName);

    const data = stores(this, props);
    this.table = data.table;
    this.saveKey = data.saveKey;
    this.eventBus = data.eventBus;

    const built = serviceFunctions(this, props, data, settings, this.secretPrefix);
    this.fns = built.functions;
    this.functions = { ...built.functions };
    this.loadEntryDataAlias = built.loadEntryDataAlias;
    this.loadEntryDataFunctionUrl = built.loadEntryDataFunctionUrl;
    this.legacyUrl = built.legacyUrl;
    secretAccess(this, props, this.fns);

    const published = publicApi(this, props, { ...this.fns, 'load-entry-data': built.loadEntryDataTarget });
    this.api = published.api;
    this.shortLinkDomain = published.shortLinkDomain;
    this.shortLinkBaseUrl = published.shortLinkBaseUrl;
    // The legacy endpoint's migration notice names the current endpoint; short links start at their base URL.
    this.fns['legacy-load-entry-data'].addSettings({ CURRENT_ENDPOINT_URL: `${this.api.apiEndpoint}${routePath('loadEntryData')}` });
    for (const fn of [this.fns.mint, this.fns['link-requests']]) fn.addSettings({ SHORT_LINK_BASE_URL: this.shortLinkBaseUrl });

    this.monitoring = monitoring(this, props, {
      api: this.api,
      namespace: this.metricsNamespace,
      functions: this.fns,
      functionUrls: { legacy: this.legacyUrl !== undefined, loadEntryData: this.loadEntryDataFunctionUrl !== undefined },
    });

    this.access = adminAccess(this, this.api, this.fns.mint);
    this.mintInvokePolicy = this.access.mintInvokePolicy;
    this.adminApiPolicy = this.access.adminApiPolicy;
    this.apiPolicies = this.access.apiPolicies;
  }

  private grantRoutes(grantee: iam.IGrantable, part: AdminApiPart): iam.Grant {
    return grantRoutes(this.access, grantee, part);
  }

  /** Lets `grantee` call every IAM-authorized admin route (what `AdminApiPolicy` allows). */
  grantAdminApi(grantee: iam.IGrantable): iam.Grant {
    return this.grantRoutes(grantee, 'all');
  }

  /** Lets `grantee` call the entries routes (save, read, delete, revoke links, complete), and no other admin route. */
  grantEntriesApi(grantee: iam.IGrantable): iam.Grant {
    return this.grantRoutes(grantee, 'entries');
  }

  /** Lets `grantee` call the mint routes (`POST /v1/tokens`, `/v1/tokens/batch`), and no other admin route. */
  grantMintApi(grantee: iam.IGrantable): iam.Grant {
    return this.grantRoutes(grantee, 'mint');
  }

  /** Lets `grantee` call the routes of projects' credentials, allowed origins and browser saves, and no other admin route. */
  grantCredentialsApi(grantee: iam.IGrantable): iam.Grant {
    return this.grantRoutes(grantee, 'credentials');
  }

  /** Lets `grantee` call the legacy key routes (import, retire), and no other admin route. */
  grantLegacyKeysApi(grantee: iam.IGrantable): iam.Grant {
    return this.grantRoutes(grantee, 'legacyKeys');
  }

  /** Lets `grantee` (a backend's role) invoke the mint Lambda directly. */
  grantMint(grantee: iam.IGrantable): iam.Grant {
    return this.fns.mint.grantInvoke(grantee);
  }

  /** The API's base URL, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com`. */
  get apiUrl(): string {
    return this.api.apiEndpoint;
  }
}
