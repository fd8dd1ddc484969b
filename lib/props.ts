import type { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type { EntryCreationLimits, KeyLookupLimit, LinkRequestLimits, ThrottleProps } from './limits';

export type { BrowserSavesThrottle, EntryCreationLimits, KeyLookupLimit, LinkRequestLimits, ThrottleProps, ThrottleSettings } from './limits';

/** A custom domain for short links: its host name and an ACM certificate for it in the stack's region. */
export interface ShortLinkDomain {
  /** e.g. `go.example.com` (lower case). */
  readonly domainName: string;
  /** The ACM certificate's ARN, in the stack's region. */
  readonly certificateArn: string;
}

/** The SessionRecovery construct's props; every default is in lib/defaults.ts (DEFAULTS, THROTTLES). */
export interface SessionRecoveryProps extends ThrottleProps {
  /**
   * Web origins allowed to call the public endpoint from a browser. `*` allows
   * any origin, which is safe here: the endpoint reads no cookies and a request
   * needs a valid signed token. List your sites' origins to narrow it.
   * `https://*.example.com` matches every subdomain of `example.com`; a wildcard
   * over a public suffix (such as `https://*.vercel.app`) fails synth.
   * @default ['*']
   */
  readonly allowedOrigins?: string[];
  /**
   * The name of this deployment's environment (lower-case letters, digits and
   * `-`, at most 32). Only Token Signing Secrets created for this environment
   * verify here, and it names what the deployment names at run time: its
   * secret prefix and its metric namespace, so two stacks of different
   * environments in one account share nothing (see
   * [Staging and production in one account](operations.md#staging-and-production-in-one-account)).
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
   * @default - `session-recovery/` for `production`, `session-recovery-<environmentName>/` for any other
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
   * `lookup_limited`); projects in the index are never held to it (see
   * [Caching](operations.md#caching-and-how-long-a-revocation-takes)).
   * @default { ratePerSecond: 10, burst: 20 }
   */
  readonly keyLookupLimit?: KeyLookupLimit;
  /**
   * Every project of this deployment is in the project index (the credentials
   * Lambda adds a project on every write to its secret). load-entry-data then
   * answers an id the index does not list as a wrong token with no Secrets
   * Manager read at all. Leave it off until each project that existed before the
   * index has been written once since (see
   * [Upgrading: the project index](operations.md#upgrading-the-project-index)):
   * an unlisted project's links would be refused.
   * @default false
   */
  readonly projectIndexComplete?: boolean;
  /**
   * Serve short links on your own domain (e.g. `go.example.com`, for SMS):
   * a custom domain on the HTTP API with your ACM certificate for it (in the
   * stack's region), and `short_url`s start with `https://<domainName>`. Point
   * the name at the `ShortLinkDomainTarget` output (a CNAME, or an alias record).
   * The whole API answers on it; the admin routes still need IAM. See
   * [Short links for SMS](links.md#short-links-for-sms).
   * @default - short links use the API's own URL (`ApiUrl`)
   */
  readonly shortLinkDomain?: ShortLinkDomain;
  /**
   * Bounds on the links pages ask for (`POST /v1/entries/{entry_id}/link-requests`),
   * beyond each entry's 3 an hour: per recipient (an email address or phone
   * number, across every entry and project of the deployment) in any rolling
   * hour and day; per source address (an IPv6 address by its /64) in any
   * rolling hour; per project on each UTC day. Past one, 429
   * `too_many_link_requests` with `Retry-After`. Each a whole number of at least 1
   * (see [Bounds](browser-saves.md#bounds-on-what-a-page-can-make-the-service-do)).
   * @default { perRecipientPerHour: 3, perRecipientPerDay: 10, perSourcePerHour: 20, perProjectPerDay: 1000 }
   */
  readonly linkRequestLimits?: LinkRequestLimits;
  /**
   * Bounds on the entries pages create (`POST /v1/entries`): per source address
   * (an IPv6 address by its /64) in any rolling hour; per project on each UTC
   * day. Past one, 429 `too_many_entries` with `Retry-After`. Saves to an
   * existing entry are not counted. Each a whole number of at least 1.
   * @default { perSourcePerHour: 100, perProjectPerDay: 10000 }
   */
  readonly entryCreationLimits?: EntryCreationLimits;
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
   * conditional write and, once an hour, an event (see
   * [Fresh links for expired ones](browser-saves.md#fresh-links-for-expired-ones)).
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
   * Reserved concurrency of the load-entry-data Lambda, so that a flood on the public endpoint cannot use up the
   * account's concurrency and starve its other functions (its Function URL, with `currentContractFunctionUrl`, has no
   * throttling of its own). Lambda keeps 100 executions of the account's quota unreserved, so reserving needs a quota of
   * at least 100 plus everything reserved in the account; new accounts often have 10, and the deploy then fails and
   * rolls back. Set it (e.g. 100) once the quota allows, and always with `currentContractFunctionUrl`.
   * @default - nothing reserved
   */
  readonly loadEntryDataReservedConcurrency?: number;
  /**
   * Reserved concurrency of the legacy Lambda, whose Function URL has no
   * throttling of its own (e.g. 20); see `loadEntryDataReservedConcurrency`
   * for the quota it needs.
   * @default - nothing reserved
   */
  readonly legacyReservedConcurrency?: number;
  /**
   * Instances of the load-entry-data Lambda that Lambda keeps initialised, so a resume that would land on a new instance
   * finds one ready (what a user waits for on a new instance is `bench/results.md`'s cold resume). They are served
   * through the alias `live`, which the API Gateway routes and the Function URL invoke; each deploy publishes a version
   * and provisions it before the alias moves to it. Billed for every second they are configured, used or not: about
   * $2.19 a month per instance at 256 MB on arm64 in us-east-1 (see [Cost and performance](performance.md)), and come
   * out of the account's concurrency quota like a reservation. Resumes beyond them start new instances as usual. At most
   * `loadEntryDataReservedConcurrency` when that is set. Like a reservation, it needs the account's quota to leave 100
   * executions unreserved: new accounts often have 10, and the deploy then fails and rolls back.
   * @default 0 - none: the integration invokes the function itself
   */
  readonly provisionedConcurrency?: number;
  /**
   * An operator role (ARN) that may read the values of the secrets the service
   * creates at run time (project secrets, legacy keys), besides the service's
   * own Lambdas: each is created with a resource policy that denies
   * `secretsmanager:GetSecretValue` to every other principal
   * ([docs/security.md](security.md)).
   * @default - only the service's own roles
   */
  readonly secretReaderRoleArn?: string;
  /**
   * Tags for every resource the construct creates, and for every secret the
   * service creates at run time (project secrets, legacy keys), for cost
   * allocation and access policies that go by tag, e.g.
   * `{ team: 'growth', 'cost-center': 'cc-42' }`.
   * @default - none
   */
  readonly tags?: Readonly<Record<string, string>>;
  /** SNS topic every alarm notifies (the stack's `alarms` sets it from an email address or a topic's ARN). @default - alarms without actions */
  readonly alarmTopic?: sns.ITopic;
  /** Memory of every Lambda, in MB. @default 256 */
  readonly memorySize?: number;
  /** How long the Lambdas' logs and the API's access log are kept. @default logs.RetentionDays.ONE_MONTH */
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
   * Lifetime of a hand-off link (`POST /v1/entries/{entry_id}/handoff`), the
   * link a page shows as a QR code. Between 1 minute and 1 hour: synth refuses
   * anything else.
   * @default Duration.minutes(10)
   */
  readonly handoffLifetime?: Duration;
  /**
   * Also serve the current load-entry-data contract from a Lambda Function URL (auth NONE; the Lambda answers CORS
   * itself). It costs no API Gateway fee: about $0.35 instead of $1.39 per million resumes on the benchmark's model
   * (bench/HISTORY.md). It has no stage throttling of its own; only `loadEntryDataReservedConcurrency`, when set, bounds
   * it. The URL is on the alias `live` whether or not `provisionedConcurrency` is set, so turning provisioned instances
   * on or off keeps its host; a deployment that had the URL before moves it to the alias once, on its next deploy, and
   * gets a new host then.
   * @default false
   */
  readonly currentContractFunctionUrl?: boolean;
  /**
   * Read entries on the public endpoints with strongly consistent reads. By default they read eventually consistently,
   * at half the DynamoDB price: a read then reflects every write acknowledged more than about a second earlier. A
   * refusal (no such entry, link revoked) is always confirmed by a strongly consistent read before it is answered, so a
   * link minted or an entry saved a moment ago is never refused; what the default allows is that an entry saved, deleted
   * or revoked within about the last second may be answered as it was just before. The admin API always reads strongly.
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
   * no URL, so nothing public and unthrottled to flood (see
   * [The legacy contract](routes.md#the-legacy-contract)). Its Lambda stays, with no data access and nothing that invokes it.
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
   * a failed first deploy under the default. Switch to `RETAIN` once the first
   * deploy has succeeded.
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE (CloudFormation
   * `RetainExceptOnCreate`: kept, except when the deploy that created it fails)
   */
  readonly tableRemovalPolicy?: RemovalPolicy;
  /**
   * Reads and writes per second the on-demand table can take at once from its
   * first moment (DynamoDB's warm throughput, billed once when raised). A new
   * on-demand table starts at 4,000 writes and 12,000 reads a second and grows
   * with the traffic it has seen; a first large campaign (a 10,000-link batch
   * mint, then its resumes) against a new table can be throttled until it has:
   * raise it before one. DynamoDB, not this construct, provides it.
   * @default - the table's own (DynamoDB's starting values)
   */
  readonly tableWarmThroughput?: dynamodb.WarmThroughput;
}
