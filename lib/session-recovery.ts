import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { DEFAULT_SECRET_PREFIX, ENTRY_TABLE, PROJECT_SECRETS_PATH } from '../lambdas/shared/naming';
import { ApiFunction } from './constructs/api-function';
import { type FunctionName, ROUTES } from './routes';

export interface SessionRecoveryProps {
  /**
   * Web origins allowed to call the public endpoint from a browser. `*` allows
   * any origin, which is safe here: the endpoint reads no cookies and a request
   * needs a valid signed token. List your sites' origins to narrow it.
   * @default ['*']
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * The name of this deployment's environment. Only Token Signing Secrets
   * created for this environment verify here.
   * @default 'production'
   */
  readonly environmentName?: string;
  /**
   * Prefix of every Secrets Manager secret the product reads or writes. IAM
   * grants are scoped to it. Must end with `/`.
   * @default 'session-recovery/'
   */
  readonly secretPrefix?: string;
  /**
   * How long a Lambda instance serves a project's keys from memory. A revoked
   * key stops verifying at most this long after revocation.
   * @default Duration.seconds(60)
   */
  readonly keyCacheTtl?: Duration;
  /**
   * Least time between two key refetches for one project caused by tokens that
   * did not verify, so a new key works at once without letting bad tokens hammer
   * Secrets Manager.
   * @default Duration.seconds(5)
   */
  readonly keyMissRefreshInterval?: Duration;
  /**
   * While Secrets Manager fails, keys up to this old are still used.
   * @default Duration.minutes(15)
   */
  readonly keyMaxStaleness?: Duration;
  /**
   * Stage-wide request rate limit (requests per second, steady state) and burst.
   * Requests past it get 429 from API Gateway.
   * @default { rateLimit: 500, burstLimit: 1000 }
   */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /** @default 256 */
  readonly memorySize?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * What happens to the entries table when the stack is deleted.
   * @default RemovalPolicy.RETAIN
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
}

/**
 * session-recovery: the public `load-entry-data` endpoint on an HTTP API, the
 * entries table and the per-project Token Signing Secrets it verifies against.
 */
export class SessionRecovery extends Construct {
  readonly api: apigw.HttpApi;
  readonly table: dynamodb.TableV2;
  readonly functions: Readonly<Record<FunctionName, ApiFunction>>;
  readonly secretPrefix: string;
  readonly environmentName: string;

  constructor(scope: Construct, id: string, props: SessionRecoveryProps = {}) {
    super(scope, id);
    this.secretPrefix = props.secretPrefix ?? DEFAULT_SECRET_PREFIX;
    if (!/^[A-Za-z0-9/_+=.@-]+\/$/.test(this.secretPrefix)) {
      throw new Error(`secretPrefix must be a Secrets Manager name prefix ending in "/", got "${this.secretPrefix}"`);
    }
    this.environmentName = props.environmentName ?? 'production';
    const allowedOrigins = props.allowedOrigins ?? ['*'];
    if (allowedOrigins.length === 0) throw new Error('allowedOrigins must list at least one origin (or "*")');

    this.table = new dynamodb.TableV2(this, 'Entries', {
      partitionKey: { name: ENTRY_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: ENTRY_TABLE.ttlAttribute,
      deletionProtection: true,
      removalPolicy: props.tableRemovalPolicy ?? RemovalPolicy.RETAIN,
    });

    const loadEntryData = new ApiFunction(this, 'LoadEntryData', {
      functionName: 'load-entry-data',
      memorySize: props.memorySize,
      logRetention: props.logRetention,
      environment: {
        DEPLOYMENT_ENVIRONMENT: this.environmentName,
        ALLOWED_ORIGINS: allowedOrigins.join(','),
        KEY_CACHE_TTL_SECONDS: String((props.keyCacheTtl ?? Duration.seconds(60)).toSeconds()),
        KEY_MISS_REFRESH_SECONDS: String((props.keyMissRefreshInterval ?? Duration.seconds(5)).toSeconds()),
        KEY_MAX_STALENESS_SECONDS: String((props.keyMaxStaleness ?? Duration.minutes(15)).toSeconds()),
      },
    });
    loadEntryData.bindEntriesTable(this.table, 'read');
    loadEntryData.bindSecretsUnder(this.secretPrefix, PROJECT_SECRETS_PATH);
    this.functions = { 'load-entry-data': loadEntryData };

    // No corsPreflight here: the Lambdas answer OPTIONS themselves (middy), so one mechanism owns CORS.
    this.api = new apigw.HttpApi(this, 'Api', { createDefaultStage: false });
    new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 500, burstLimit: 1000 },
    });

    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationFor = (fn: FunctionName): HttpLambdaIntegration => {
      let integration = integrations.get(fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${fn}-integration`, this.functions[fn]);
        integrations.set(fn, integration);
      }
      return integration;
    };
    for (const route of ROUTES) {
      const methods = [apigw.HttpMethod[route.method]];
      if (route.access === 'public') methods.push(apigw.HttpMethod.OPTIONS);
      this.api.addRoutes({
        path: route.path,
        methods,
        integration: integrationFor(route.fn),
        authorizer: route.access === 'iam' ? new HttpIamAuthorizer() : undefined,
      });
    }
  }

  /** The API's base URL, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com`. */
  get apiUrl(): string {
    return this.api.apiEndpoint;
  }
}
