import { Duration, Names, RemovalPolicy, Stack, Tags, Token, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import {
  CAMPAIGN_INDEX,
  CAMPAIGN_KEY_PREFIX,
  ENTRY_TABLE,
  ENVIRONMENT_NAME_PATTERN,
  environmentNames,
  environmentOfStack,
  LEGACY_SECRETS_PATH,
  LIMIT_KEY_PREFIXES,
  LINK_REQUESTS_KEY_PREFIX,
  HANDOFFS_KEY_PREFIX,
  PROJECT_SECRETS_PATH,
  PROJECT_INDEX_KEY,
  RESUMED_KEY_PREFIX,
  VERIFY_ATTEMPTS_KEY_PREFIX,
  SHORT_LINK_KEY_PREFIX,
} from '../lambdas/adapters/naming';
import { acknowledgeWildcardResource } from './constructs/acknowledge';
import { API_ACCESS_LOG_FORMAT } from './access-log-format';
import { ApiFunction } from './constructs/api-function';
import { RequestLogMetrics } from './constructs/log-metrics';
import { FailureMetrics } from './constructs/failure-metrics';
import { Monitoring } from './constructs/monitoring';
import { DEFAULT_ROUTE, type FunctionName, ROUTE_LIST, type RouteName, routePath } from '../lambdas/http/routes';
import { defaultOf, type Settings } from '../lambdas/runtime/environment';
import { publicSuffixWildcardProblem, publicSuffixWildcards } from '../lambdas/domain/origin-wildcards';

export interface SessionRecoveryProps {
  /**
   * Web origins allowed to call the public endpoint from a browser. `*` allows
   * any origin, which is safe here: the endpoint reads no cookies and a request
   * needs a valid signed token. List your sites' origins to narrow it.
   * @default ['*']
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * The name of this deployment's environment (lower-case letters, digits and
   * `-`, at most 32). Only Token Signing Secrets created for this environment
   * verify here, and it names what the deployment names at run time: its
   * secret prefix and its metric namespace (README, Staging and production in
   * one account), so two stacks of different environments in one account
   * share nothing.
   * @default - from the stack's name: `SessionRecovery` serves `production`;
   * `SessionRecoveryStaging` serves `staging`, `MyStack` serves `my-stack`
   */
  readonly environmentName?: string;
  /**
   * Prefix of every Secrets Manager secret the product reads or writes. IAM
   * grants are scoped to it. Must end with `/`. Two environments given the
   * same prefix share their projects' secrets, in which each keeps its own
   * credentials and only the environment that created a project's secret
   * changes its origins and browser saves.
   * @default 'session-recovery/' for `production`, `session-recovery-<environmentName>/` for any other
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
   * did not verify. A credential created since an instance last read the
   * project's keys verifies there on the next request, or, when a failed token
   * caused a refetch within this interval, once it has passed; bad tokens cannot
   * hammer Secrets Manager.
   * @default Duration.seconds(5)
   */
  readonly keyMissRefreshInterval?: Duration;
  /**
   * While Secrets Manager fails, keys up to this old are still used.
   * @default Duration.minutes(15)
   */
  readonly keyMaxStaleness?: Duration;
  /**
   * Per Lambda instance, the most key reads for project (or legacy flow) ids the
   * instance holds nothing for and the project index does not list: `burst` at
   * once, then `ratePerSecond`. Anyone can name any id, so this bounds what
   * random ids cost in Secrets Manager reads. Past it, a request is answered 503
   * `service_unavailable` with Retry-After and no read (its log line says
   * `lookup_limited`); projects in the index are never held to it.
   * @default { ratePerSecond: 10, burst: 20 }
   */
  readonly keyLookupLimit?: { readonly ratePerSecond: number; readonly burst: number };
  /**
   * Every project of this deployment is in the project index (the credentials
   * Lambda adds a project on every write to its secret). load-entry-data then
   * answers an id the index does not list as a wrong token with no Secrets
   * Manager read at all. Leave it off until each project that existed before the
   * index has been written once since (README, Upgrading: the project index):
   * an unlisted project's links would be refused.
   * @default false
   */
  readonly projectIndexComplete?: boolean;
  /**
   * Stage-wide request rate limit (requests per second, steady state) and burst.
   * Requests past it get 429 from API Gateway.
   * @default { rateLimit: 500, burstLimit: 1000 }
   */
  readonly throttle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Per-route limits on the IAM-authorized admin routes (credentials, entries,
   * legacy keys), inside the stage-wide limit.
   * @default { rateLimit: 25, burstLimit: 50 }
   */
  readonly adminThrottle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Per-route limit on the mint route.
   * @default { rateLimit: 200, burstLimit: 400 }
   */
  readonly mintThrottle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Per-route limit on the batch mint route (`POST /v1/tokens/batch`, up to 500
   * links a request): the default lets through 2,500 links a second, each a
   * strongly consistent read of its entry.
   * @default { rateLimit: 5, burstLimit: 10 }
   */
  readonly mintBatchThrottle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Per-route limit on the short-link redirect (`GET` and `HEAD /r/{code}`, each),
   * which anyone may call: it bounds what guessing codes can cost (one read each).
   * @default { rateLimit: 200, burstLimit: 400 }
   */
  readonly shortLinkThrottle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Serve short links on your own domain (e.g. `go.example.com`, for SMS):
   * a custom domain on the HTTP API with your ACM certificate for it (in the
   * stack's region), and `short_url`s start with `https://<domainName>`. Point
   * the name at the `ShortLinkDomainTarget` output (a CNAME, or an alias record).
   * The whole API answers on it; the admin routes still need IAM.
   * @default - short links use the API's own URL (`ApiUrl`)
   */
  readonly shortLinkDomain?: { readonly domainName: string; readonly certificateArn: string };
  /**
   * Per-route limits on the browser-saves routes, which pages call with no
   * credentials: creating an entry, and saving progress to one.
   * @default { create: { rateLimit: 50, burstLimit: 100 }, progress: { rateLimit: 200, burstLimit: 400 } }
   */
  readonly browserSavesThrottle?: {
    readonly create: { readonly rateLimit: number; readonly burstLimit: number };
    readonly progress: { readonly rateLimit: number; readonly burstLimit: number };
  };
  /**
   * Limit on `POST /v1/entries/{entry_id}/link-requests`, which pages call with
   * no credentials (each entry also takes at most 3 requests an hour, and
   * `linkRequestLimits` bound the rest).
   * @default { rateLimit: 10, burstLimit: 20 }
   */
  readonly linkRequestThrottle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Limit on `POST /v1/entries/{entry_id}/handoff`, which pages call with no
   * credentials to show their entry's link as a QR code (each entry also takes
   * at most 10 an hour).
   * @default { rateLimit: 10, burstLimit: 20 }
   */
  readonly handoffThrottle?: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * Lifetime of a hand-off link (`POST /v1/entries/{entry_id}/handoff`), the
   * link a page shows as a QR code. At most 1 hour: synth refuses more.
   * @default Duration.minutes(10)
   */
  readonly handoffLifetime?: Duration;
  /**
   * Bounds on the links pages ask for (`POST /v1/entries/{entry_id}/link-requests`),
   * beyond each entry's 3 an hour: per recipient (an email address or phone
   * number, across every entry and project of the deployment) in any rolling
   * hour and day; per source address (an IPv6 address by its /64) in any
   * rolling hour; per project on each UTC day. Past one, 429
   * `too_many_link_requests` with `Retry-After`. Each a whole number of at least 1.
   * @default { perRecipientPerHour: 3, perRecipientPerDay: 10, perSourcePerHour: 20, perProjectPerDay: 1000 }
   */
  readonly linkRequestLimits?: {
    readonly perRecipientPerHour?: number;
    readonly perRecipientPerDay?: number;
    readonly perSourcePerHour?: number;
    readonly perProjectPerDay?: number;
  };
  /**
   * Bounds on the entries pages create (`POST /v1/entries`): per source address
   * (an IPv6 address by its /64) in any rolling hour; per project on each UTC
   * day. Past one, 429 `too_many_entries` with `Retry-After`. Saves to an
   * existing entry are not counted. Each a whole number of at least 1.
   * @default { perSourcePerHour: 100, perProjectPerDay: 10000 }
   */
  readonly entryCreationLimits?: { readonly perSourcePerHour?: number; readonly perProjectPerDay?: number };
  /**
   * Links requested by pages (accepted), all projects together, in 5 minutes,
   * above which the `LinkRequestSpike` alarm fires.
   * @default 200
   */
  readonly linkRequestAlarmThreshold?: number;
  /**
   * A valid resume link opened after its expiry puts a `Resume Link Expired`
   * event (ids only) on the deployment's bus, at most once per entry per hour,
   * so your backend can send a fresh link. The browser's answer stays 401
   * `token_expired`. Each such request then costs one entry read, one
   * conditional write and, once an hour, an event.
   * @default false
   */
  readonly expiredLinkEvents?: boolean;
  /**
   * Largest body the browser-saves routes accept, in bytes; larger gets 413.
   * @default 65536
   */
  readonly browserSaveMaxBytes?: number;
  /**
   * Entries created from browsers, all projects together, in 5 minutes, above
   * which the `EntryCreationSpike` alarm fires.
   * @default 1000
   */
  readonly entryCreationAlarmThreshold?: number;
  /**
   * Reserved concurrency of the load-entry-data Lambda, so that a flood on the
   * public endpoint cannot use up the account's concurrency and starve its other
   * functions (its Function URL, with `currentContractFunctionUrl`, has no
   * throttling of its own). Lambda keeps 100 executions of the account's quota
   * unreserved, so reserving needs a quota of at least 100 plus everything
   * reserved in the account; new accounts often have 10, and the deploy then
   * fails and rolls back.
   * @default - nothing reserved
   */
  readonly loadEntryDataReservedConcurrency?: number;
  /**
   * Reserved concurrency of the legacy Lambda, whose Function URL has no
   * throttling of its own; see `loadEntryDataReservedConcurrency` for the quota
   * it needs.
   * @default - nothing reserved
   */
  readonly legacyReservedConcurrency?: number;
  /**
   * Instances of the load-entry-data Lambda that Lambda keeps initialised, so a
   * resume that would land on a new instance finds one ready (what a user waits
   * for on a new instance is `bench/results.md`'s cold resume). They are served
   * through the alias `live`, which the API Gateway routes and the Function URL
   * invoke; each deploy publishes a version and provisions it before the alias
   * moves to it. Billed for every second they are configured, used or not: about
   * $2.19 a month per instance at 256 MB on arm64 in us-east-1 (README, Cost and
   * performance), and come out of the account's concurrency quota like a
   * reservation. Resumes beyond them start new instances as usual.
   * Like a reservation, it needs the account's quota to leave 100 executions
   * unreserved: new accounts often have 10, and the deploy then fails and rolls back.
   * @default 0 - none: the integration invokes the function itself
   */
  readonly provisionedConcurrency?: number;
  /**
   * An operator role (ARN) that may read the values of the secrets the service
   * creates at run time (project secrets, legacy keys), besides the service's
   * own Lambdas: each is created with a resource policy that denies
   * `secretsmanager:GetSecretValue` to every other principal (docs/security.md).
   * @default - only the service's own roles
   */
  readonly secretReaderRoleArn?: string;
  /**
   * Tags for every resource the construct creates, and for every secret the
   * service creates at run time (project secrets, legacy keys), for cost
   * allocation and access policies that go by tag.
   * @default - none
   */
  readonly tags?: Readonly<Record<string, string>>;
  /** SNS topic the alarms notify. @default - alarms without actions */

  readonly alarmTopic?: sns.ITopic;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * How long an entry is kept after its last save; DynamoDB TTL deletes it then.
   * @default Duration.days(90)
   */
  readonly entryRetention?: Duration;
  /**
   * Lifetime of a minted link when the caller gives no expiry.
   * @default Duration.days(7)
   */
  readonly linkDefaultLifetime?: Duration;
  /**
   * Longest lifetime mint accepts for a link.
   * @default Duration.days(30)
   */
  readonly linkMaxLifetime?: Duration;
  /**
   * Also serve the current load-entry-data contract from a Lambda Function URL
   * (auth NONE; the Lambda answers CORS itself). It costs no API Gateway fee:
   * about $0.35 instead of $1.39 per million resumes on the benchmark's model
   * (bench/HISTORY.md). It has no stage throttling of its own; only
   * `loadEntryDataReservedConcurrency`, when set, bounds it.
   * @default false
   */
  readonly currentContractFunctionUrl?: boolean;
  /**
   * Read entries on the public endpoints with strongly consistent reads. By
   * default they read eventually consistently, at half the DynamoDB price: a
   * read then reflects every write acknowledged more than about a second
   * earlier. A refusal (no such entry, link revoked) is always confirmed by a
   * strongly consistent read before it is answered, so a link minted or an
   * entry saved a moment ago is never refused; what the default allows is that
   * an entry saved, deleted or revoked within about the last second may be
   * answered as it was just before. The admin API always reads strongly.
   * @default false
   */
  readonly consistentReads?: boolean;
  /**
   * Lambda active tracing (X-Ray) on every Lambda. Lambda samples the first
   * request each second and 5 % of the rest, and X-Ray bills $5 per million
   * traces recorded (beyond its free tier): at least $0.25 per million resumes
   * on top of the benchmark's model, more at low traffic. Turn it off where the
   * request log line and the metrics are enough.
   * @default true
   */
  readonly activeTracing?: boolean;
  /**
   * Serve the deprecated legacy `load_entry_data` contract on its Function URL.
   * When false, the URL stays but answers every request with 410 Gone and a
   * pointer to the migration guide, and the Lambda loses all data access.
   * @default true
   */
  readonly legacyEnabled?: boolean;
  /**
   * Serve the legacy contract on a Function URL at all. A new deployment,
   * whose pages never used the legacy `load_entry_data`, sets it to `false`:
   * no URL, so nothing public and unthrottled to flood (README, The legacy
   * contract). Its Lambda stays, with no data access and nothing that invokes it.
   * @default true
   */
  readonly legacyFunctionUrl?: boolean;
  /**
   * The date the operator will switch the legacy route off, announced in a
   * `Sunset` header on every legacy response (ISO 8601, e.g. `2027-01-31`).
   * @default - no Sunset header
   */
  readonly legacySunset?: string;
  /**
   * Where the legacy responses' `Link` header points for the migration guide.
   * @default - the Function URL's own `/migration-guide`
   */
  readonly legacyMigrationGuideUrl?: string;
  /**
   * What happens to the entries table when the stack is deleted or the table
   * replaced. Deletion protection follows it: on with `RETAIN`, which
   * CloudFormation never deletes; off otherwise, because it would stop
   * CloudFormation from deleting the table on `DESTROY`, and on the rollback of
   * a failed first deploy under the default.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE (CloudFormation
   * `RetainExceptOnCreate`: kept, except when the deploy that created it fails)
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * Reads and writes per second the on-demand table can take at once from its
   * first moment (DynamoDB's warm throughput, billed once when raised). A new
   * on-demand table starts at 4,000 writes and 12,000 reads a second and grows
   * with the traffic it has seen; a first large campaign (a 10,000-link batch
   * mint, then its resumes) against a new table can be throttled until it has.
   * @default - the table's own (DynamoDB's starting values)
   */
  readonly tableWarmThroughput?: dynamodb.WarmThroughput;
}

/**
 * session-recovery: the public `load-entry-data` endpoint on an HTTP API, the
 * entries table and the per-project Token Signing Secrets it verifies against.
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
  readonly apiPolicies: Readonly<Record<'entries' | 'mint' | 'credentials' | 'legacyKeys', iam.ManagedPolicy>>;
  readonly monitoring: Monitoring;
  readonly table: dynamodb.TableV2;
  readonly functions: Readonly<Record<FunctionName, ApiFunction>>;
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

  constructor(scope: Construct, id: string, props: SessionRecoveryProps = {}) {
    super(scope, id);
    this.environmentName = props.environmentName ?? environmentOfStack(Stack.of(this).stackName);
    if (!ENVIRONMENT_NAME_PATTERN.test(this.environmentName)) {
      throw new Error(`environmentName must be 1 to 32 lower-case letters, digits and "-" (not first or last), got "${this.environmentName}"`);
    }
    const names = environmentNames(this.environmentName);
    this.metricsNamespace = names.metricsNamespace;
    this.secretPrefix = props.secretPrefix ?? names.secretPrefix;
    if (!/^[A-Za-z0-9/_+=.@-]+\/$/.test(this.secretPrefix)) {
      throw new Error(`secretPrefix must be a Secrets Manager name prefix ending in "/", got "${this.secretPrefix}"`);
    }
    const allowedOrigins = props.allowedOrigins ?? defaultOf('ALLOWED_ORIGINS');
    if (allowedOrigins.length === 0) throw new Error('allowedOrigins must list at least one origin (or "*")');
    const covering = publicSuffixWildcards(allowedOrigins);
    if (covering.length > 0) throw new Error(`allowedOrigins: ${publicSuffixWildcardProblem(covering)}`);

    const tableRemovalPolicy = props.tableRemovalPolicy ?? RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE;
    if (tableRemovalPolicy === RemovalPolicy.SNAPSHOT) throw new Error('tableRemovalPolicy: DynamoDB tables have no SNAPSHOT deletion policy');
    this.table = new dynamodb.TableV2(this, 'Entries', {
      partitionKey: { name: ENTRY_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: ENTRY_TABLE.ttlAttribute,
      // Lists a project's campaigns' counters, and nothing else: only those items carry its keys (README, Measuring recovery).
      globalSecondaryIndexes: [
        {
          indexName: CAMPAIGN_INDEX.name,
          partitionKey: { name: CAMPAIGN_INDEX.partitionKey, type: dynamodb.AttributeType.STRING },
          sortKey: { name: CAMPAIGN_INDEX.sortKey, type: dynamodb.AttributeType.STRING },
          projectionType: dynamodb.ProjectionType.INCLUDE,
          nonKeyAttributes: ['campaign', 'links_minted', 'entries_resumed', 'completions'],
        },
      ],
      deletionProtection: tableRemovalPolicy === RemovalPolicy.RETAIN,
      removalPolicy: tableRemovalPolicy,
      warmThroughput: props.tableWarmThroughput,
    });

    const common = { memorySize: props.memorySize, logRetention: props.logRetention, activeTracing: props.activeTracing };
    const environment = { DEPLOYMENT_ENVIRONMENT: this.environmentName };
    const projectSecretAdmin = [
      'secretsmanager:GetSecretValue',
      'secretsmanager:DescribeSecret',
      'secretsmanager:CreateSecret',
      'secretsmanager:PutSecretValue',
      'secretsmanager:UpdateSecretVersionStage',
      // The read policy and the tags of a secret it creates (secret-read-policy.ts).
      'secretsmanager:PutResourcePolicy',
      'secretsmanager:TagResource',
    ];

    // Both public Lambdas cache keys alike (lambdas/runtime/public-key-cache.ts).
    const keyCacheSettings: Settings = {
      KEY_CACHE_TTL_SECONDS: props.keyCacheTtl?.toSeconds() ?? defaultOf('KEY_CACHE_TTL_SECONDS'),
      KEY_MISS_REFRESH_SECONDS: props.keyMissRefreshInterval?.toSeconds() ?? defaultOf('KEY_MISS_REFRESH_SECONDS'),
      KEY_MAX_STALENESS_SECONDS: props.keyMaxStaleness?.toSeconds() ?? defaultOf('KEY_MAX_STALENESS_SECONDS'),
      KEY_LOOKUP_RATE: props.keyLookupLimit?.ratePerSecond ?? defaultOf('KEY_LOOKUP_RATE'),
      KEY_LOOKUP_BURST: props.keyLookupLimit?.burst ?? defaultOf('KEY_LOOKUP_BURST'),
    };
    // The Lambdas that admit requests by a page's project id read the project index, so unknown ids cannot starve real projects.
    const projectIndexSettings: Settings = { PROJECT_INDEX_COMPLETE: props.projectIndexComplete ?? defaultOf('PROJECT_INDEX_COMPLETE') };
    const publicSettings: Settings = {
      ...keyCacheSettings,
      ALLOWED_ORIGINS: allowedOrigins,
      CONSISTENT_READS: props.consistentReads ?? defaultOf('CONSISTENT_READS'),
    };

    const reserved = (name: string, value: number | undefined): number | undefined => {
      if (value !== undefined && !(Number.isInteger(value) && value >= 1)) throw new Error(`${name} must be a whole number of at least 1, got ${value}`);
      return value;
    };
    // The deployment's save key for browser saves: made by CloudFormation, read by the Lambdas that sign or check save tokens.
    this.saveKey = new secretsmanager.Secret(this, 'SaveKey', {
      description: 'session-recovery save key: signs the save tokens pages save entries with (browser saves)',
      generateSecretString: { secretStringTemplate: '{}', generateStringKey: 'current', passwordLength: 64, excludePunctuation: true },
      removalPolicy: tableRemovalPolicy,
    });
    Validations.of(this.saveKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The save key is rotated by hand with an overlap (current and previous both verify, docs/security.md): an automatic single-value rotation would break every save token in browsers at once.',
    });

    this.eventBus = new events.EventBus(this, 'EventBus', { description: 'session-recovery: link requests and expired links, for your own delivery rules' });
    const expiredLinkEvents = props.expiredLinkEvents ?? defaultOf('EXPIRED_LINK_EVENTS');

    const loadEntryDataReserved = reserved('loadEntryDataReservedConcurrency', props.loadEntryDataReservedConcurrency);
    const provisioned = props.provisionedConcurrency ?? 0;
    if (!(Number.isInteger(provisioned) && provisioned >= 0)) throw new Error(`provisionedConcurrency must be a whole number of at least 0, got ${provisioned}`);
    if (loadEntryDataReserved !== undefined && provisioned > loadEntryDataReserved) {
      throw new Error(`provisionedConcurrency (${provisioned}) cannot exceed loadEntryDataReservedConcurrency (${loadEntryDataReserved})`);
    }
    const loadEntryData = new ApiFunction(this, 'LoadEntryData', {
      ...common,
      functionName: 'load-entry-data',
      reservedConcurrentExecutions: loadEntryDataReserved,
      settings: { ...environment, ...publicSettings, ...projectIndexSettings },
    });
    // Provisioned concurrency belongs to a version: the alias points at the one this deploy publishes.
    // With the Function URL, the alias is there whatever provisionedConcurrency says: the URL is on it, so turning
    // provisioned instances on or off never moves the URL to another qualifier (CloudFormation would replace it,
    // and pages would keep posting to a host that no longer exists).
    this.loadEntryDataAlias =
      provisioned > 0 || props.currentContractFunctionUrl
        ? loadEntryData.addAlias('live', provisioned > 0 ? { provisionedConcurrentExecutions: provisioned } : {})
        : undefined;
    /** What invokes load-entry-data: its alias when it has provisioned instances, so requests reach them. */
    const loadEntryDataTarget: lambda.IFunction = this.loadEntryDataAlias ?? loadEntryData;
    // A resume of a browser-saves project answers a save token too.
    loadEntryData.bindSaveKey(this.saveKey);
    new RequestLogMetrics(this, 'LoadEntryDataLogMetrics', { namespace: this.metricsNamespace, logGroup: loadEntryData.logGroup });
    // GetItem reads the entry; UpdateItem is a person's resume of a browser-saves project's entry, which gives it a new save generation.
    loadEntryData.bindEntriesTable(this.table, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    // A person's resume through a campaign link is noted under resumed#<entry> for completions and, the first time
    // for its campaign, counted on one of the campaign's campaign#<project>#<campaign>#<shard> items, in one transaction.
    loadEntryData.bindEntriesTable(this.table, ['dynamodb:UpdateItem'], { keyPrefix: [RESUMED_KEY_PREFIX, CAMPAIGN_KEY_PREFIX] });
    // A flow's verify_field: each entry's attempts in the rolling hour, a compare-and-swap (GetItem is granted above).
    loadEntryData.bindEntriesTable(this.table, ['dynamodb:PutItem'], { keyPrefix: VERIFY_ATTEMPTS_KEY_PREFIX });
    loadEntryData.bindSecretsUnder(this.secretPrefix, PROJECT_SECRETS_PATH);
    if (expiredLinkEvents) loadEntryData.bindExpiredLinkEvents(this.table, this.eventBus);
    if (props.currentContractFunctionUrl) {
      // No Function URL CORS: the Lambda (middy) answers preflights, as behind API Gateway.
      // A construct id of its own, outside the alias's and the function's, so its logical id never depends on them.
      this.loadEntryDataFunctionUrl = new lambda.FunctionUrl(this, 'LoadEntryDataFunctionUrl', {
        function: loadEntryDataTarget,
        authType: lambda.FunctionUrlAuthType.NONE,
      });
    }

    const credentials = new ApiFunction(this, 'Credentials', { ...common, functionName: 'credentials', settings: environment });
    credentials.bindSecretsUnder(this.secretPrefix, PROJECT_SECRETS_PATH, projectSecretAdmin);
    // Its one DynamoDB write: the project's id added to the project index, before each write to the project's secret.
    credentials.bindEntriesTable(this.table, ['dynamodb:UpdateItem'], { key: PROJECT_INDEX_KEY });

    const entries = new ApiFunction(this, 'EntriesFunction', {
      ...common,
      functionName: 'entries',
      settings: {
        ENTRY_RETENTION_DAYS: props.entryRetention?.toDays() ?? defaultOf('ENTRY_RETENTION_DAYS'),
        // An erased entry's tombstone is kept as long as a link minted before the erasure can live.
        MINT_MAX_LIFETIME_SECONDS: props.linkMaxLifetime?.toSeconds() ?? defaultOf('MINT_MAX_LIFETIME_SECONDS'),
      },
    });
    // An erasure is an UpdateItem (the entry becomes a tombstone): no entry item is ever deleted outright.
    entries.bindEntriesTable(this.table, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    // What it deletes: the note of the entry's last resume, on resumed# items only.
    entries.bindEntriesTable(this.table, ['dynamodb:DeleteItem'], { keyPrefix: RESUMED_KEY_PREFIX });
    // An attributed completion counts on a campaign# item (in the UpdateItem above, in one transaction); the campaign
    // routes read a campaign's items and list a project's through the campaigns index.
    entries.bindEntriesTable(this.table, ['dynamodb:BatchGetItem'], { keyPrefix: CAMPAIGN_KEY_PREFIX });
    entries.bindCampaignIndex(this.table);
    new RequestLogMetrics(this, 'EntriesLogMetrics', { namespace: this.metricsNamespace, logGroup: entries.logGroup, kind: 'entries' });

    const bound = (name: string, value: number | undefined, fallback: number): number => {
      if (value !== undefined && !(Number.isInteger(value) && value >= 1)) throw new Error(`${name} must be a whole number of at least 1, got ${value}`);
      return value ?? fallback;
    };
    const browserSaves = new ApiFunction(this, 'BrowserSaves', {
      ...common,
      functionName: 'browser-saves',
      settings: {
        ...environment,
        ...publicSettings,
        ...projectIndexSettings,
        ENTRY_RETENTION_DAYS: props.entryRetention?.toDays() ?? defaultOf('ENTRY_RETENTION_DAYS'),
        SAVE_MAX_BODY_BYTES: props.browserSaveMaxBytes ?? defaultOf('SAVE_MAX_BODY_BYTES'),
        ENTRIES_PER_SOURCE_HOUR: bound('entryCreationLimits.perSourcePerHour', props.entryCreationLimits?.perSourcePerHour, defaultOf('ENTRIES_PER_SOURCE_HOUR')),
        ENTRIES_PER_PROJECT_DAY: bound('entryCreationLimits.perProjectPerDay', props.entryCreationLimits?.perProjectPerDay, defaultOf('ENTRIES_PER_PROJECT_DAY')),
      },
    });
    new RequestLogMetrics(this, 'BrowserSavesLogMetrics', { namespace: this.metricsNamespace, logGroup: browserSaves.logGroup, kind: 'saves' });
    // One conditional write per request: PutItem creates, UpdateItem saves progress. A create also takes its
    // source's slot (a compare-and-swap PutItem) and its project's (an UpdateItem), which these cover.
    browserSaves.bindEntriesTable(this.table, ['dynamodb:PutItem', 'dynamodb:UpdateItem']);
    // Its one read: the source's creations in the hour, on source-entries# items only.
    browserSaves.bindEntriesTable(this.table, ['dynamodb:GetItem'], { keyPrefix: LIMIT_KEY_PREFIXES.sourceEntries });
    // And the project index, exactly that item: a project it lists is admitted however many unknown ids arrive.
    browserSaves.bindEntriesTable(this.table, ['dynamodb:GetItem'], { key: PROJECT_INDEX_KEY });
    // The project's settings (browser saves on, its origins) come with its keys, in one read.
    browserSaves.bindSecretsUnder(this.secretPrefix, PROJECT_SECRETS_PATH);
    browserSaves.bindSaveKey(this.saveKey);

    const maxLifetimeSeconds = props.linkMaxLifetime?.toSeconds() ?? defaultOf('MINT_MAX_LIFETIME_SECONDS');

    const handoffSeconds = props.handoffLifetime?.toSeconds() ?? defaultOf('HANDOFF_TTL_SECONDS');
    // A code on a screen is for the next few minutes; a longer one is a bearer link left lying about (MAX_HANDOFF_SECONDS).
    if (!Number.isInteger(handoffSeconds) || handoffSeconds < 60 || handoffSeconds > 3600) {
      throw new Error(`handoffLifetime must be between 1 minute and 1 hour, got ${handoffSeconds} seconds`);
    }
    // Link requests from pages: admitted like a save, then mint's writes and a PutEvents, in a role of their own.
    const linkLimits = props.linkRequestLimits ?? {};
    const linkRequests = new ApiFunction(this, 'LinkRequests', {
      ...common,
      functionName: 'link-requests',
      settings: {
        ...environment,
        ALLOWED_ORIGINS: allowedOrigins,
        ...keyCacheSettings,
        ...projectIndexSettings,
        MINT_DEFAULT_TTL_SECONDS: props.linkDefaultLifetime?.toSeconds() ?? defaultOf('MINT_DEFAULT_TTL_SECONDS'),
        MINT_MAX_LIFETIME_SECONDS: props.linkMaxLifetime?.toSeconds() ?? defaultOf('MINT_MAX_LIFETIME_SECONDS'),
        LINK_REQUESTS_PER_RECIPIENT_HOUR: bound('linkRequestLimits.perRecipientPerHour', linkLimits.perRecipientPerHour, defaultOf('LINK_REQUESTS_PER_RECIPIENT_HOUR')),
        LINK_REQUESTS_PER_RECIPIENT_DAY: bound('linkRequestLimits.perRecipientPerDay', linkLimits.perRecipientPerDay, defaultOf('LINK_REQUESTS_PER_RECIPIENT_DAY')),
        LINK_REQUESTS_PER_SOURCE_HOUR: bound('linkRequestLimits.perSourcePerHour', linkLimits.perSourcePerHour, defaultOf('LINK_REQUESTS_PER_SOURCE_HOUR')),
        LINK_REQUESTS_PER_PROJECT_DAY: bound('linkRequestLimits.perProjectPerDay', linkLimits.perProjectPerDay, defaultOf('LINK_REQUESTS_PER_PROJECT_DAY')),
        HANDOFF_TTL_SECONDS: handoffSeconds,
      },
    });
    new RequestLogMetrics(this, 'LinkRequestsLogMetrics', { namespace: this.metricsNamespace, logGroup: linkRequests.logGroup, kind: 'links' });
    linkRequests.bindSecretsUnder(this.secretPrefix, PROJECT_SECRETS_PATH);
    linkRequests.bindSaveKey(this.saveKey);
    // Mint's reads and records on the entry (after a revoke-links), as the mint Lambda's; the GetItem covers the project index too.
    linkRequests.bindEntriesTable(this.table, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    linkRequests.bindEntriesTable(this.table, ['dynamodb:BatchWriteItem'], { keyPrefix: SHORT_LINK_KEY_PREFIX });
    // Its rolling counts per entry, per source and per recipient: a compare-and-swap PutItem on their items only.
    // (The project's day is an UpdateItem, which mint's grant covers; every read a GetItem.)
    linkRequests.bindEntriesTable(this.table, ['dynamodb:PutItem'], {
      keyPrefix: [LINK_REQUESTS_KEY_PREFIX, LIMIT_KEY_PREFIXES.sourceLinks, LIMIT_KEY_PREFIXES.recipient, HANDOFFS_KEY_PREFIX],
    });
    linkRequests.bindEventBus(this.eventBus);

    const mint = new ApiFunction(this, 'Mint', {
      ...common,
      functionName: 'mint',
      settings: {
        ...environment,
        MINT_DEFAULT_TTL_SECONDS: props.linkDefaultLifetime?.toSeconds() ?? defaultOf('MINT_DEFAULT_TTL_SECONDS'),
        MINT_MAX_LIFETIME_SECONDS: maxLifetimeSeconds,
      },
    });
    new RequestLogMetrics(this, 'MintLogMetrics', { namespace: this.metricsNamespace, logGroup: mint.logGroup, kind: 'mint' });
    mint.bindSecretsUnder(this.secretPrefix, PROJECT_SECRETS_PATH);
    // Reads whether an entry's links were revoked (one entry, or a batch's), and records links minted since then.
    mint.bindEntriesTable(this.table, ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem']);
    // (That UpdateItem also adds a request's links to its campaign's counter, on a campaign# item: one write a request.)
    // Writes short links, and nothing else, with BatchWriteItem: their keys start with link#, which no entry id can.
    mint.bindEntriesTable(this.table, ['dynamodb:BatchWriteItem'], { keyPrefix: SHORT_LINK_KEY_PREFIX });

    // The short-link redirect: one GetItem of a link# item, and nothing else at all (it never writes).
    const shortLinks = new ApiFunction(this, 'ShortLinks', { ...common, functionName: 'short-links' });
    shortLinks.bindEntriesTable(this.table, ['dynamodb:GetItem'], { keyPrefix: SHORT_LINK_KEY_PREFIX });

    const legacyKeys = new ApiFunction(this, 'LegacyKeys', { ...common, functionName: 'legacy-keys' });
    legacyKeys.bindSecretsUnder(this.secretPrefix, LEGACY_SECRETS_PATH, [
      'secretsmanager:DescribeSecret',
      'secretsmanager:CreateSecret',
      'secretsmanager:PutSecretValue',
      'secretsmanager:DeleteSecret',
      'secretsmanager:RestoreSecret',
      'secretsmanager:PutResourcePolicy',
      'secretsmanager:TagResource',
    ]);

    if (props.legacySunset !== undefined && Number.isNaN(Date.parse(props.legacySunset))) {
      throw new Error(`legacySunset must be an ISO 8601 date, got "${props.legacySunset}"`);
    }
    const legacyFunctionUrl = props.legacyFunctionUrl ?? true;
    if (!legacyFunctionUrl && props.legacyEnabled === true) throw new Error('legacyEnabled: true needs the legacy Function URL (legacyFunctionUrl: false omits it)');
    // Without its URL nothing can call it: it keeps no data access, as when switched off.
    const legacyEnabled = legacyFunctionUrl && (props.legacyEnabled ?? defaultOf('LEGACY_ENABLED'));
    const legacy = new ApiFunction(this, 'LegacyLoadEntryData', {
      ...common,
      functionName: 'legacy-load-entry-data',
      reservedConcurrentExecutions: reserved('legacyReservedConcurrency', props.legacyReservedConcurrency),
      settings: {
        ...publicSettings,
        LEGACY_ENABLED: legacyEnabled,
        LEGACY_SUNSET: props.legacySunset,
        LEGACY_MIGRATION_GUIDE_URL: props.legacyMigrationGuideUrl,
      },
    });
    if (legacyFunctionUrl) new RequestLogMetrics(this, 'LegacyLogMetrics', { namespace: this.metricsNamespace, logGroup: legacy.logGroup, kind: 'legacy' });
    if (legacyEnabled) {
      legacy.bindEntriesTable(this.table, ['dynamodb:GetItem']);
      if (expiredLinkEvents) legacy.bindExpiredLinkEvents(this.table, this.eventBus);
      // Verifies with legacy keys only. It also reads the secret of the project a flow's key was imported for,
      // for that project's allowed origins alone (LegacyKeySource): the project's keys never verify there.
      legacy.bindSecretsUnder(this.secretPrefix, LEGACY_SECRETS_PATH);
      legacy.bindSecretsUnder(this.secretPrefix, PROJECT_SECRETS_PATH);
    } else {
      // Switched off: it answers 410 before reading anything, so it gets no data access at all.
      legacy.addSettings({ TABLE_NAME: 'disabled', SECRET_PREFIX: this.secretPrefix });
    }
    // No Function URL CORS: the Lambda (middy) answers preflights, so one mechanism owns CORS.
    this.legacyUrl = legacyFunctionUrl ? legacy.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE }) : undefined;

    // Every secret the service creates at run time denies reading its value to all but these roles (secret-read-policy.ts):
    // each role that reads project secrets or legacy keys, whether or not its reads are on today (the legacy
    // Lambda's, for a later legacyEnabled), and the operator's.
    const secretReaders = [loadEntryData, credentials, browserSaves, linkRequests, mint, legacy].map((f) => f.role!.roleArn);
    if (props.secretReaderRoleArn !== undefined) {
      if (!Token.isUnresolved(props.secretReaderRoleArn) && !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(props.secretReaderRoleArn)) {
        throw new Error(`secretReaderRoleArn must be an IAM role ARN, got "${props.secretReaderRoleArn}"`);
      }
      secretReaders.push(props.secretReaderRoleArn);
    }
    const tags = props.tags ?? {};
    for (const [key, value] of Object.entries(tags)) {
      if (!/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u.test(key) || key.toLowerCase().startsWith('aws:') || !/^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u.test(value)) {
        throw new Error(`tags: "${key}" is not a tag AWS takes (a key of 1 to 128 and a value of up to 256 letters, digits, spaces and _.:/=+-@, no aws: prefix)`);
      }
      Tags.of(this).add(key, value);
    }
    for (const writer of [credentials, legacyKeys]) {
      writer.addSettings({ SECRET_READER_ARNS: secretReaders, ...(Object.keys(tags).length > 0 ? { SECRET_TAGS: JSON.stringify(tags) } : {}) });
    }

    // Answers the requests no route matches with the documented 404. It reads nothing, so its role can only write its logs.
    const notFound = new ApiFunction(this, 'NotFound', { ...common, functionName: DEFAULT_ROUTE.fn });

    this.functions = {
      'load-entry-data': loadEntryData,
      credentials,
      entries,
      mint,
      'legacy-keys': legacyKeys,
      'legacy-load-entry-data': legacy,
      'browser-saves': browserSaves,
      'link-requests': linkRequests,
      'short-links': shortLinks,
      'not-found': notFound,
    };

    // No corsPreflight here: the Lambdas answer OPTIONS themselves (middy), so one mechanism owns CORS.
    this.api = new apigw.HttpApi(this, 'Api', { createDefaultStage: false });
    // The legacy endpoint's migration notice names the current endpoint.
    legacy.addSettings({ CURRENT_ENDPOINT_URL: `${this.api.apiEndpoint}${routePath('loadEntryData')}` });
    const accessLogs = new logs.LogGroup(this, 'ApiAccessLogs', {
      // Under /aws/vendedlogs/, API Gateway needs no entry in the account's one CloudWatch Logs resource
      // policy, whose 5,120 characters other services' log deliveries may already have used up.
      logGroupName: `/aws/vendedlogs/apigateway/${Names.uniqueResourceName(this, { maxLength: 200, separator: '-' })}/access`,
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      // The record of who called what: kept when the stack is deleted (README, Removing it), until its retention ends it.
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const stage = new apigw.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle ?? { rateLimit: 500, burstLimit: 1000 },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(API_ACCESS_LOG_FORMAT),
      },
    });

    const integrations = new Map<FunctionName, HttpLambdaIntegration>();
    const integrationFor = (fn: FunctionName): HttpLambdaIntegration => {
      let integration = integrations.get(fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${fn}-integration`, fn === 'load-entry-data' ? loadEntryDataTarget : this.functions[fn]);
        integrations.set(fn, integration);
      }
      return integration;
    };
    for (const route of ROUTE_LIST) {
      const methods = [apigw.HttpMethod[route.method]];
      if (route.access === 'public') methods.push(apigw.HttpMethod.OPTIONS);
      const added = this.api.addRoutes({
        path: route.path,
        methods,
        integration: integrationFor(route.fn),
        authorizer: route.access === 'iam' ? new HttpIamAuthorizer() : undefined,
      });
      if (route.access !== 'iam') {
        for (const r of added) {
          Validations.of(r).acknowledge({
            id: 'AwsSolutions-APIG4',
            reason:
              route.access === 'open'
                ? 'Public by design: people open short links from SMS; the 95-bit code is the credential, a GetItem of it is all the route can do, and it is throttled.'
                : 'Public by design: browsers on customer sites call it with a signed link; each request carries a token verified in constant time before any data is read.',
          });
        }
      }
    }

    const defaultRoute = new apigw.HttpRoute(this.api, 'DefaultRoute', {
      httpApi: this.api,
      routeKey: apigw.HttpRouteKey.DEFAULT,
      integration: integrationFor(DEFAULT_ROUTE.fn),
    });
    Validations.of(defaultRoute).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason: 'The catch-all route answers 404 not_found to any request no other route serves; its Lambda reads no data and has no permission but its own logs.',
    });

    const admin = props.adminThrottle ?? { rateLimit: 25, burstLimit: 50 };
    const saves = props.browserSavesThrottle ?? { create: { rateLimit: 50, burstLimit: 100 }, progress: { rateLimit: 200, burstLimit: 400 } };
    const shortLinkLimit = props.shortLinkThrottle ?? { rateLimit: 200, burstLimit: 400 };
    const ownLimits: Partial<Record<RouteName, { readonly rateLimit: number; readonly burstLimit: number }>> = {
      createEntry: saves.create,
      saveProgress: saves.progress,
      linkRequests: props.linkRequestThrottle ?? { rateLimit: 10, burstLimit: 20 },
      handoff: props.handoffThrottle ?? { rateLimit: 10, burstLimit: 20 },
      mint: props.mintThrottle ?? { rateLimit: 200, burstLimit: 400 },
      mintBatch: props.mintBatchThrottle ?? { rateLimit: 5, burstLimit: 10 },
      followShortLink: shortLinkLimit,
      checkShortLink: shortLinkLimit,
    };
    // Every route but the resume route has its own limit, inside the stage-wide one.
    const limitOf = (r: (typeof ROUTE_LIST)[number]) => ownLimits[r.name] ?? (r.access === 'iam' ? admin : undefined);
    const routeSettings = Object.fromEntries(
      ROUTE_LIST.flatMap((r) => {
        const limit = limitOf(r);
        return limit ? [[r.key, { ThrottlingRateLimit: limit.rateLimit, ThrottlingBurstLimit: limit.burstLimit }]] : [];
      }),
    );
    if (props.shortLinkDomain) {
      const { domainName, certificateArn } = props.shortLinkDomain;
      if (!Token.isUnresolved(domainName) && !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domainName)) {
        throw new Error(`shortLinkDomain.domainName must be a lower-case host name such as go.example.com, got "${domainName}"`);
      }
      if (!Token.isUnresolved(certificateArn) && !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/.test(certificateArn)) {
        throw new Error(`shortLinkDomain.certificateArn must be an ACM certificate ARN, got "${certificateArn}"`);
      }
      // An HTTP API's custom domain takes a certificate of its own region only; the deploy would fail after minutes.
      const certificateRegion = Token.isUnresolved(certificateArn) ? undefined : certificateArn.split(':')[3];
      const stackRegion = Stack.of(this).region;
      if (certificateRegion !== undefined && !Token.isUnresolved(stackRegion) && certificateRegion !== stackRegion) {
        throw new Error(`shortLinkDomain.certificateArn must be a certificate in the stack's region (${stackRegion}), got one in ${certificateRegion}`);
      }
      this.shortLinkDomain = new apigw.DomainName(this, 'ShortLinkDomain', {
        domainName,
        certificate: acm.Certificate.fromCertificateArn(this, 'ShortLinkCertificate', certificateArn),
      });
      new apigw.ApiMapping(this, 'ShortLinkMapping', { api: this.api, domainName: this.shortLinkDomain, stage });
    }
    this.shortLinkBaseUrl = props.shortLinkDomain ? `https://${props.shortLinkDomain.domainName}` : this.api.apiEndpoint;
    mint.addSettings({ SHORT_LINK_BASE_URL: this.shortLinkBaseUrl });
    linkRequests.addSettings({ SHORT_LINK_BASE_URL: this.shortLinkBaseUrl });

    const cfnStage = stage.node.defaultChild as apigw.CfnStage;
    cfnStage.addPropertyOverride('RouteSettings', routeSettings);
    // Route settings name routes, so the stage must come after them.
    for (const child of this.api.node.children) {
      if (child instanceof apigw.HttpRoute) cfnStage.node.addDependency(child);
    }

    this.monitoring = new Monitoring(this, 'Monitoring', {
      api: this.api,
      namespace: this.metricsNamespace,
      publicFunctions: [loadEntryData, ...(legacyFunctionUrl ? [legacy] : []), browserSaves, linkRequests, shortLinks],
      entryCreationSpike: props.entryCreationAlarmThreshold,
      linkRequestSpike: props.linkRequestAlarmThreshold,
      functionUrls: [
        ...(legacyFunctionUrl ? [{ name: 'Legacy', fn: legacy }] : []),
        ...(this.loadEntryDataFunctionUrl ? [{ name: 'LoadEntryData', fn: loadEntryData }] : []),
      ],
      alarmTopic: props.alarmTopic,
      latencyFunctions: [loadEntryData, browserSaves, linkRequests, shortLinks],
      failures: [
        { name: 'Mint', fn: mint, refusals: true },
        { name: 'Entries', fn: entries, refusals: true },
        { name: 'Credentials', fn: credentials, refusals: true },
        { name: 'LinkRequests', fn: linkRequests, refusals: false },
      ].map(({ name, fn, refusals }) => {
        const counted = new FailureMetrics(this, `${name}FailureMetrics`, { logGroup: fn.logGroup, namespace: this.metricsNamespace, name, refusals });
        return { name, failures: counted.failures, refusals: counted.refusals };
      }),
    });

    this.mintInvokePolicy = new iam.ManagedPolicy(this, 'MintInvokePolicy', {
      description: 'Invoke the session-recovery mint Lambda, nothing else',
      statements: [
        new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [mint.functionArn] }),
      ],
    });
    const routeArnsOf = (fns?: readonly FunctionName[]) =>
      ROUTE_LIST.filter((r) => r.access === 'iam' && (fns === undefined || fns.includes(r.fn))).map((r) =>
        this.api.arnForExecuteApi(r.method, r.path.replace(/\{[^}]+\}/g, '*'), '$default'),
      );
    const allRouteArns = routeArnsOf();
    const policyOf = (id: string, description: string, resources: string[]) => {
      const policy = new iam.ManagedPolicy(this, id, {
        description,
        statements: [new iam.PolicyStatement({ actions: ['execute-api:Invoke'], resources })],
      });
      // Only the routes with path parameters have a wildcard to acknowledge.
      for (const resource of resources.filter((arn) => arn.includes('*'))) {
        acknowledgeWildcardResource(policy, resource, 'The wildcards stand for the path parameters of one admin route ({project_id}, {entry_id}, ...).');
      }
      return policy;
    };
    this.adminApiPolicy = policyOf('AdminApiPolicy', 'Call the IAM-authorized session-recovery admin and mint routes', allRouteArns);
    // Narrower, for roles that need one part of the admin API only (README, Admin API: policies).
    const narrow = {
      entries: { id: 'EntriesApiPolicy', fns: ['entries'], description: 'Call the session-recovery entries routes (save, read, delete, revoke links, complete), nothing else' },
      mint: { id: 'MintApiPolicy', fns: ['mint'], description: 'Call the session-recovery mint routes (POST /v1/tokens and /v1/tokens/batch), nothing else' },
      credentials: { id: 'CredentialsApiPolicy', fns: ['credentials'], description: "Call the session-recovery routes of projects' credentials, allowed origins and browser saves, nothing else" },
      legacyKeys: { id: 'LegacyKeysApiPolicy', fns: ['legacy-keys'], description: 'Call the session-recovery legacy key routes (import, retire), nothing else' },
    } as const satisfies Record<string, { id: string; fns: readonly FunctionName[]; description: string }>;
    const arns = Object.fromEntries(Object.entries(narrow).map(([k, v]) => [k, routeArnsOf(v.fns)])) as Record<keyof typeof narrow, string[]>;
    this.adminRouteArns = { all: allRouteArns, ...arns };
    this.apiPolicies = Object.fromEntries(Object.entries(narrow).map(([k, v]) => [k, policyOf(v.id, v.description, arns[k as keyof typeof narrow])])) as Record<
      keyof typeof narrow,
      iam.ManagedPolicy
    >;
  }

  private readonly adminRouteArns: Readonly<Record<'all' | 'entries' | 'mint' | 'credentials' | 'legacyKeys', string[]>>;

  private grantRoutes(grantee: iam.IGrantable, part: 'all' | 'entries' | 'mint' | 'credentials' | 'legacyKeys'): iam.Grant {
    return iam.Grant.addToPrincipal({ grantee, actions: ['execute-api:Invoke'], resourceArns: this.adminRouteArns[part] });
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
    return this.functions.mint.grantInvoke(grantee);
  }

  /** The API's base URL, e.g. `https://abc123.execute-api.eu-west-1.amazonaws.com`. */
  get apiUrl(): string {
    return this.api.apiEndpoint;
  }
}
