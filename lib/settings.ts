import { Stack } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ENVIRONMENT_NAME_PATTERN, environmentNames, environmentOfStack } from '../lambdas/adapters/naming';
import { publicSuffixWildcardProblem, publicSuffixWildcards } from '../lambdas/domain/origin-wildcards';
import type { Settings } from '../lambdas/runtime/environment';
import { DEFAULTS } from './defaults';
import type { SessionRecoveryProps } from './props';

/** What names the deployment: its environment, and from it its secret prefix and metric namespace. */
export interface DeploymentNames {
  readonly environmentName: string;
  readonly secretPrefix: string;
  readonly metricsNamespace: string;
}

export const deploymentNames = (scope: Construct, props: SessionRecoveryProps): DeploymentNames => {
  const environmentName = props.environmentName ?? environmentOfStack(Stack.of(scope).stackName);
  if (!ENVIRONMENT_NAME_PATTERN.test(environmentName)) {
    throw new Error(`environmentName must be 1 to 32 lower-case letters, digits and "-" (not first or last), got "${environmentName}"`);
  }
  const names = environmentNames(environmentName);
  const secretPrefix = props.secretPrefix ?? names.secretPrefix;
  if (!/^[A-Za-z0-9/_+=.@-]+\/$/.test(secretPrefix)) {
    throw new Error(`secretPrefix must be a Secrets Manager name prefix ending in "/", got "${secretPrefix}"`);
  }
  return { environmentName, secretPrefix, metricsNamespace: names.metricsNamespace };
};

/** `value` when it is a whole number of at least `least` (or not given); else synth fails naming the prop. */
export const wholeNumber = (name: string, value: number | undefined, least = 1): number | undefined => {
  if (value !== undefined && !(Number.isInteger(value) && value >= least)) throw new Error(`${name} must be a whole number of at least ${least}, got ${value}`);
  return value;
};

/** The Lambdas' settings (lambdas/runtime/environment.ts) the props set, in the groups the functions share. */
export interface FunctionSettings {
  /** Every Lambda that checks a credential's environment. */
  readonly environment: Settings;
  /** The Lambdas that cache project keys (lambdas/runtime/public-key-cache.ts), alike. */
  readonly keyCache: Settings;
  /** The Lambdas that admit requests by a page's project id read the project index, so unknown ids cannot starve real projects. */
  readonly projectIndex: Settings;
  /** The Lambdas browsers call with a signed link. */
  readonly public: Settings;
  readonly allowedOrigins: readonly string[];
  /** Entry retention, a minted link's default lifetime and its longest: each Lambda takes the ones it needs. */
  readonly lifetimes: Required<Pick<Settings, 'ENTRY_RETENTION_DAYS' | 'MINT_DEFAULT_TTL_SECONDS' | 'MINT_MAX_LIFETIME_SECONDS'>>;
  /** Browser saves' bounds on the entries pages create. */
  readonly entryCreation: Settings;
  /** Link requests' bounds. */
  readonly linkRequests: Settings;
}

export const functionSettings = (props: SessionRecoveryProps, environmentName: string): FunctionSettings => {
  const allowedOrigins = props.allowedOrigins ?? DEFAULTS.allowedOrigins;
  if (allowedOrigins.length === 0) throw new Error('allowedOrigins must list at least one origin (or "*")');
  const covering = publicSuffixWildcards(allowedOrigins);
  if (covering.length > 0) throw new Error(`allowedOrigins: ${publicSuffixWildcardProblem(covering)}`);
  const keyCache: Settings = {
    KEY_CACHE_TTL_SECONDS: (props.keyCacheTtl ?? DEFAULTS.keyCacheTtl).toSeconds(),
    KEY_MISS_REFRESH_SECONDS: (props.keyMissRefreshInterval ?? DEFAULTS.keyMissRefreshInterval).toSeconds(),
    KEY_MAX_STALENESS_SECONDS: (props.keyMaxStaleness ?? DEFAULTS.keyMaxStaleness).toSeconds(),
    KEY_LOOKUP_RATE: props.keyLookupLimit?.ratePerSecond ?? DEFAULTS.keyLookupLimit.ratePerSecond,
    KEY_LOOKUP_BURST: props.keyLookupLimit?.burst ?? DEFAULTS.keyLookupLimit.burst,
  };
  const bound = (name: string, value: number | undefined, fallback: number): number => wholeNumber(name, value) ?? fallback;
  const [entries, links] = [DEFAULTS.entryCreationLimits, DEFAULTS.linkRequestLimits];
  const handoffSeconds = (props.handoffLifetime ?? DEFAULTS.handoffLifetime).toSeconds();
  // A code on a screen is for the next few minutes; a longer one is a bearer link left lying about (MAX_HANDOFF_SECONDS).
  if (!Number.isInteger(handoffSeconds) || handoffSeconds < 60 || handoffSeconds > 3600) {
    throw new Error(`handoffLifetime must be between 1 minute and 1 hour, got ${handoffSeconds} seconds`);
  }
  const given = { entries: props.entryCreationLimits ?? {}, links: props.linkRequestLimits ?? {} };
  return {
    environment: { DEPLOYMENT_ENVIRONMENT: environmentName },
    keyCache,
    projectIndex: { PROJECT_INDEX_COMPLETE: props.projectIndexComplete ?? DEFAULTS.projectIndexComplete },
    public: { ...keyCache, ALLOWED_ORIGINS: allowedOrigins, CONSISTENT_READS: props.consistentReads ?? DEFAULTS.consistentReads },
    allowedOrigins,
    lifetimes: {
      ENTRY_RETENTION_DAYS: (props.entryRetention ?? DEFAULTS.entryRetention).toDays(),
      MINT_DEFAULT_TTL_SECONDS: (props.linkDefaultLifetime ?? DEFAULTS.linkDefaultLifetime).toSeconds(),
      MINT_MAX_LIFETIME_SECONDS: (props.linkMaxLifetime ?? DEFAULTS.linkMaxLifetime).toSeconds(),
    },
    entryCreation: {
      ENTRIES_PER_SOURCE_HOUR: bound('entryCreationLimits.perSourcePerHour', given.entries.perSourcePerHour, entries.perSourcePerHour),
      ENTRIES_PER_PROJECT_DAY: bound('entryCreationLimits.perProjectPerDay', given.entries.perProjectPerDay, entries.perProjectPerDay),
    },
    linkRequests: {
      LINK_REQUESTS_PER_RECIPIENT_HOUR: bound('linkRequestLimits.perRecipientPerHour', given.links.perRecipientPerHour, links.perRecipientPerHour),
      LINK_REQUESTS_PER_RECIPIENT_DAY: bound('linkRequestLimits.perRecipientPerDay', given.links.perRecipientPerDay, links.perRecipientPerDay),
      LINK_REQUESTS_PER_SOURCE_HOUR: bound('linkRequestLimits.perSourcePerHour', given.links.perSourcePerHour, links.perSourcePerHour),
      LINK_REQUESTS_PER_PROJECT_DAY: bound('linkRequestLimits.perProjectPerDay', given.links.perProjectPerDay, links.perProjectPerDay),
      HANDOFF_TTL_SECONDS: handoffSeconds,
    },
  };
};
