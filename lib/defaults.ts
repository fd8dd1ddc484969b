import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { defaultOf } from '../lambdas/runtime/environment';
import type { ThrottleProps, ThrottleSettings } from './limits';
import type { SessionRecoveryProps } from './props';

/**
 * The API's throttles by default, by prop: stage-wide, and each route's own
 * inside it (lib/public-api.ts applies them). docs/configuration.md's table,
 * generated from them (npm run docs:configuration), and the props' `@default`s
 * state them; test/unit/defaults.test.ts checks the `@default`s.
 */
export const THROTTLES = {
  throttle: { rateLimit: 500, burstLimit: 1000 },
  adminThrottle: { rateLimit: 25, burstLimit: 50 },
  mintThrottle: { rateLimit: 200, burstLimit: 400 },
  mintBatchThrottle: { rateLimit: 5, burstLimit: 10 },
  shortLinkThrottle: { rateLimit: 200, burstLimit: 400 },
  browserSavesThrottle: { create: { rateLimit: 50, burstLimit: 100 }, progress: { rateLimit: 200, burstLimit: 400 } },
  linkRequestThrottle: { rateLimit: 10, burstLimit: 20 },
  handoffThrottle: { rateLimit: 10, burstLimit: 20 },
} as const satisfies Required<ThrottleProps> & Record<string, ThrottleSettings | object>;

/** The CDK app's stack when context `stackName` names none (bin/session-recovery.ts); its environment is `production`. */
export const DEFAULT_STACK_NAME = 'SessionRecovery';

/** A prop's value when it is not given. */
type Defaults = { readonly [K in keyof SessionRecoveryProps]?: NonNullable<SessionRecoveryProps[K]> };

/**
 * Every prop's default that is a value (the others derive from something else,
 * e.g. `environmentName` from the stack's name, or mean "none"). What the
 * Lambdas read is the Lambdas' own default (SETTINGS, lambdas/runtime/environment.ts),
 * so a prop that sets a setting takes its default from there. The construct, the
 * CDK app (bin/) and docs/configuration.md's generated table (scripts/configuration.ts)
 * all read these; test/unit/defaults.test.ts checks the props' `@default`s against them.
 */
export const DEFAULTS = {
  ...THROTTLES,
  allowedOrigins: [...defaultOf('ALLOWED_ORIGINS')],
  keyCacheTtl: Duration.seconds(defaultOf('KEY_CACHE_TTL_SECONDS')),
  keyMissRefreshInterval: Duration.seconds(defaultOf('KEY_MISS_REFRESH_SECONDS')),
  keyMaxStaleness: Duration.seconds(defaultOf('KEY_MAX_STALENESS_SECONDS')),
  keyLookupLimit: { ratePerSecond: defaultOf('KEY_LOOKUP_RATE'), burst: defaultOf('KEY_LOOKUP_BURST') },
  projectIndexComplete: defaultOf('PROJECT_INDEX_COMPLETE'),
  linkRequestLimits: {
    perRecipientPerHour: defaultOf('LINK_REQUESTS_PER_RECIPIENT_HOUR'),
    perRecipientPerDay: defaultOf('LINK_REQUESTS_PER_RECIPIENT_DAY'),
    perSourcePerHour: defaultOf('LINK_REQUESTS_PER_SOURCE_HOUR'),
    perProjectPerDay: defaultOf('LINK_REQUESTS_PER_PROJECT_DAY'),
  },
  entryCreationLimits: { perSourcePerHour: defaultOf('ENTRIES_PER_SOURCE_HOUR'), perProjectPerDay: defaultOf('ENTRIES_PER_PROJECT_DAY') },
  linkRequestAlarmThreshold: 200,
  entryCreationAlarmThreshold: 1000,
  expiredLinkEvents: defaultOf('EXPIRED_LINK_EVENTS'),
  browserSaveMaxBytes: defaultOf('SAVE_MAX_BODY_BYTES'),
  provisionedConcurrency: 0,
  memorySize: 256,
  logRetention: logs.RetentionDays.ONE_MONTH,
  entryRetention: Duration.days(defaultOf('ENTRY_RETENTION_DAYS')),
  linkDefaultLifetime: Duration.seconds(defaultOf('MINT_DEFAULT_TTL_SECONDS')),
  linkMaxLifetime: Duration.seconds(defaultOf('MINT_MAX_LIFETIME_SECONDS')),
  handoffLifetime: Duration.seconds(defaultOf('HANDOFF_TTL_SECONDS')),
  currentContractFunctionUrl: false,
  consistentReads: defaultOf('CONSISTENT_READS'),
  activeTracing: true,
  legacyEnabled: defaultOf('LEGACY_ENABLED'),
  legacyFunctionUrl: true,
  tableRemovalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
} as const satisfies Defaults;
