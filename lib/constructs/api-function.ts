import { existsSync } from 'node:fs';
import path from 'node:path';
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { acknowledgeWildcardResource } from './acknowledge';
import { assetDir } from './package-root';
import { DEFAULTS } from '../defaults';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { CAMPAIGN_INDEX, EXPIRED_LINK_KEY_PREFIX } from '../../lambdas/adapters/naming';
import type { FunctionName } from '../../lambdas/http/routes';
import { FUNCTION_TIMEOUT_MS } from '../../lambdas/runtime/deadline';
import { environmentOf, type Settings } from '../../lambdas/runtime/environment';

export interface ApiFunctionProps {
  /** The folder under `lambdas/` whose `index.ts` exports `handler`. */
  readonly functionName: FunctionName;
  /** @default DEFAULTS.memorySize (lib/defaults.ts) */
  readonly memorySize?: number;
  /** @default DEFAULTS.logRetention (lib/defaults.ts) */
  readonly logRetention?: logs.RetentionDays;
  /** @default - no reserved concurrency */
  readonly reservedConcurrentExecutions?: number;
  /** What the function reads from its environment (lambdas/runtime/environment.ts). */
  readonly settings?: Settings;
  /** Lambda active tracing (X-Ray). @default true */
  readonly activeTracing?: boolean;
}

/**
 * The prebuilt bundle of `fn` (assets/<fn>/index.mjs, built by `npm run build:assets` with the options of
 * bundling.ts, and packed into the npm package): a synth needs neither esbuild nor Docker, and deploys the
 * same bytes the repository's tests run.
 */
const prebuiltCode = (fn: FunctionName): lambda.Code => {
  const dir = assetDir(fn);
  if (!existsSync(path.join(dir, 'index.mjs'))) {
    throw new Error(
      `session-recovery: the ${fn} Lambda's bundle ${path.join(dir, 'index.mjs')} is missing; in a clone of the repository, run npm run build:assets`,
    );
  }
  return lambda.Code.fromAsset(dir);
};

/**
 * A product Lambda with the house defaults set once: Node.js 24 on arm64, its
 * prebuilt ESM bundle (minified, no source maps, see bundling.ts), active tracing unless
 * turned off, JSON logs in its own log group with a retention.
 */
export class ApiFunction extends lambda.Function {
  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    const logGroup = new logs.LogGroup(scope, `${id}Logs`, {
      retention: props.logRetention ?? DEFAULTS.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Its own role, instead of the AWS-managed AWSLambdaBasicExecutionRole (which may write to any log group).
    const role = new iam.Role(scope, `${id}Role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `session-recovery ${props.functionName} Lambda`,
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
    super(scope, id, {
      role,
      code: prebuiltCode(props.functionName),
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? DEFAULTS.memorySize,
      // The handlers answer by a deadline derived from the same figure (lambdas/runtime/deadline.ts).
      timeout: Duration.millis(FUNCTION_TIMEOUT_MS),
      tracing: (props.activeTracing ?? DEFAULTS.activeTracing) ? lambda.Tracing.ACTIVE : lambda.Tracing.DISABLED,
      loggingFormat: lambda.LoggingFormat.JSON,
      // Lambda reads a JSON line without a timestamp (ours, lambdas/runtime/logger.ts) as INFO: above INFO it would drop every line.
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      // Lambda's own START/END/REPORT lines (INFO) cost a few hundred log bytes per request; keep only its warnings.
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      logGroup,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      environment: environmentOf(props.settings ?? {}),
    });
    if (props.activeTracing ?? DEFAULTS.activeTracing) {
      acknowledgeWildcardResource(role, '*', 'X-Ray trace writes (active tracing) have no resource-level permissions.');
    }
    // The function must wait for its role's policy (else its first calls are denied); the role itself is
    // already ordered by the GetAtt on its ARN, so CDK's extra DependsOn on it is redundant (cfn-lint W3005).
    const policy = role.node.tryFindChild('DefaultPolicy')?.node.defaultChild as iam.CfnPolicy;
    (this.node.defaultChild as lambda.CfnFunction).addOverride('DependsOn', [policy.logicalId]);
  }

  /** Sets settings the function reads (lambdas/runtime/environment.ts) after it was created. */
  addSettings(values: Settings): void {
    for (const [name, value] of Object.entries(environmentOf(values))) this.addEnvironment(name, value);
  }

  /**
   * Lets the function run exactly `actions` on the entries table (no Scan, no
   * batch operations unless listed) and tells it the table name. With
   * `keyPrefix`, only on items whose key starts with it, or with one of them;
   * with `key`, only on the item of exactly that key (`dynamodb:LeadingKeys`).
   */
  bindEntriesTable(
    table: ITableV2,
    actions: readonly string[],
    options: { readonly keyPrefix?: string | readonly string[]; readonly key?: string } = {},
  ): void {
    const leadingKeys =
      options.key !== undefined ? [options.key] : options.keyPrefix === undefined ? undefined : [options.keyPrefix].flat().map((p) => `${p}*`);
    this.addToRolePolicy(
      new iam.PolicyStatement({
        actions: [...actions],
        resources: [table.tableArn],
        ...(leadingKeys === undefined ? {} : { conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': leadingKeys } } }),
      }),
    );
    this.addSettings({ TABLE_NAME: table.tableName });
  }

  /** Lets the function query the campaigns index (a project's campaign counters), and no other index. */
  bindCampaignIndex(table: ITableV2): void {
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:Query'], resources: [`${table.tableArn}/index/${CAMPAIGN_INDEX.name}`] }));
  }

  /** Lets the function put events on the deployment's bus, and on no other, and tells it the bus's name. */
  bindEventBus(bus: IEventBus): void {
    bus.grantPutEventsTo(this);
    this.addSettings({ EVENT_BUS_NAME: bus.eventBusName });
  }

  /**
   * Turns `Resume Link Expired` events on: the once-an-hour mark of each entry
   * (PutItem, and DeleteItem to give it back when the event was not put) on
   * `expired#` items only, and the bus.
   */
  bindExpiredLinkEvents(table: ITableV2, bus: IEventBus): void {
    this.bindEntriesTable(table, ['dynamodb:PutItem', 'dynamodb:DeleteItem'], { keyPrefix: EXPIRED_LINK_KEY_PREFIX });
    this.bindEventBus(bus);
    this.addSettings({ EXPIRED_LINK_EVENTS: true });
  }

  /** Lets the function read the deployment's save key (browser saves), and nothing else of it, and tells it where it is. */
  bindSaveKey(secret: ISecret): void {
    this.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [secret.secretArn] }));
    this.addSettings({ SAVE_KEY_SECRET: secret.secretArn });
  }

  /**
   * Lets the function read the secrets under `prefix + path` (e.g. the project
   * Token Signing Secrets) and nothing else in Secrets Manager.
   */
  bindSecretsUnder(prefix: string, subPath: string, actions: readonly string[] = ['secretsmanager:GetSecretValue']): void {
    const resource = secretArnPattern(this, `${prefix}${subPath}`);
    this.addToRolePolicy(new iam.PolicyStatement({ actions: [...actions], resources: [resource] }));
    this.addSettings({ SECRET_PREFIX: prefix });
    acknowledgeWildcardResource(
      this.role!,
      resource,
      `One secret per project (or legacy flow), created at run time under ${prefix}${subPath}; secret ARNs also end in a random suffix, so the prefix is the narrowest scope.`,
    );
  }
}

/** The ARN pattern of every secret whose name starts with `namePrefix` (ARNs end in a random suffix). */
export const secretArnPattern = (scope: Construct, namePrefix: string): string =>
  Stack.of(scope).formatArn({
    service: 'secretsmanager',
    resource: 'secret',
    resourceName: `${namePrefix}*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
