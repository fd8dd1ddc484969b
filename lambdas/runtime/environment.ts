/**
 * Every environment variable the Lambdas read, written once: its name, its
 * kind and its default (and, apart, the log level Lambda sets). The construct
 * (lib/defaults.ts, lib/settings.ts) takes its props' defaults from here and sets the variables through
 * `environmentOf`; the Lambdas read them through `setting`, once, at module
 * load; the local runtime, the bench and the tests build a Lambda's
 * environment with `lambdaEnvironment`. No imports, so the CDK app reads it too.
 */

type Kind = 'string' | 'number' | 'boolean' | 'list';

interface Definition {
  readonly kind: Kind;
  /** Used when the variable is unset or empty. A setting with no default and not `optional` is required. */
  readonly default?: string | number | boolean | readonly string[];
  /** Unset means "none" (the Lambda has a behaviour for its absence). */
  readonly optional?: true;
}

export const SETTINGS = {
  /** The entries table (set by ApiFunction.bindEntriesTable). */
  TABLE_NAME: { kind: 'string' },
  /** Prefix of every Secrets Manager secret the product reads or writes (ApiFunction.bindSecretsUnder). */
  SECRET_PREFIX: { kind: 'string', default: 'session-recovery/' },
  /** Only credentials of this environment verify and mint here. */
  DEPLOYMENT_ENVIRONMENT: { kind: 'string', default: 'production' },
  /** Origins a browser may call the public routes from; `*` for any. */
  ALLOWED_ORIGINS: { kind: 'list', default: ['*'] },
  /** Strongly consistent entry reads on the public routes. */
  CONSISTENT_READS: { kind: 'boolean', default: false },
  KEY_CACHE_TTL_SECONDS: { kind: 'number', default: 60 },
  KEY_MISS_REFRESH_SECONDS: { kind: 'number', default: 5 },
  KEY_MAX_STALENESS_SECONDS: { kind: 'number', default: 900 },
  /** Key reads per second, per instance, for ids the instance holds nothing for. */
  KEY_LOOKUP_RATE: { kind: 'number', default: 10 },
  /** ... and how many of those may come at once. */
  KEY_LOOKUP_BURST: { kind: 'number', default: 20 },
  /**
   * Every project of the deployment is in the project index (prop `projectIndexComplete`): an id the
   * index does not list is then answered as unknown with no key read. Off: such ids are read within the
   * key lookup bound, as before the index existed.
   */
  PROJECT_INDEX_COMPLETE: { kind: 'boolean', default: false },
  /**
   * The roles (ARNs) that may read the value of a secret the service creates at run time: the service's own
   * Lambdas' and the operator role (prop `secretReaderRoleArn`). Every project secret and legacy key is created
   * with a resource policy denying GetSecretValue to any other principal. Unset: no policy (the local runtime).
   */
  SECRET_READER_ARNS: { kind: 'list', optional: true },
  /** Tags (a JSON object of strings, prop `tags`) every secret the service creates at run time is created with. Unset: none. */
  SECRET_TAGS: { kind: 'string', optional: true },
  /** The deployment's save key for browser saves: a Secrets Manager secret name or ARN. */
  SAVE_KEY_SECRET: { kind: 'string', optional: true },
  /** Largest body the browser-saves routes accept (bytes); larger gets 413. */
  SAVE_MAX_BODY_BYTES: { kind: 'number', default: 64 * 1024 },
  /** Entries one source address (an IPv6 address by its /64) may create from pages in any rolling hour. */
  ENTRIES_PER_SOURCE_HOUR: { kind: 'number', default: 100 },
  /** Entries pages may create for one project on one UTC day. */
  ENTRIES_PER_PROJECT_DAY: { kind: 'number', default: 10_000 },
  /** Link requests one source address (an IPv6 address by its /64) may make in any rolling hour. */
  LINK_REQUESTS_PER_SOURCE_HOUR: { kind: 'number', default: 20 },
  /** Link requests to one email address or phone number, all entries and projects together, in any rolling hour... */
  LINK_REQUESTS_PER_RECIPIENT_HOUR: { kind: 'number', default: 3 },
  /** ... and in any rolling day. */
  LINK_REQUESTS_PER_RECIPIENT_DAY: { kind: 'number', default: 10 },
  /** Link requests for one project on one UTC day. */
  LINK_REQUESTS_PER_PROJECT_DAY: { kind: 'number', default: 1000 },
  /** Days an entry is kept after its last save. */
  ENTRY_RETENTION_DAYS: { kind: 'number', default: 90 },
  MINT_DEFAULT_TTL_SECONDS: { kind: 'number', default: 7 * 86_400 },
  /** A hand-off link's lifetime (prop `handoffLifetime`): 10 minutes, at most an hour (domain/handoff.ts). */
  HANDOFF_TTL_SECONDS: { kind: 'number', default: 600 },
  MINT_MAX_LIFETIME_SECONDS: { kind: 'number', default: 30 * 86_400 },
  /** A resume less than this many seconds after its link's mint is counted `early`, a scanner's (README, Scanners); `npm start` sets 0. */
  EARLY_RESUME_SECONDS: { kind: 'number', default: 30 },
  /**
   * Where short links are served, with no trailing slash: the API's URL, or the
   * `shortLinkDomain` (`https://go.example.com`). Mint builds `short_url` from it.
   */
  SHORT_LINK_BASE_URL: { kind: 'string' },
  /** The deployment's EventBridge bus, where link requests and expired-link events go (ApiFunction.bindEventBus). */
  EVENT_BUS_NAME: { kind: 'string', optional: true },
  /** A valid link opened after its expiry puts a `Resume Link Expired` event on the bus (prop `expiredLinkEvents`). */
  EXPIRED_LINK_EVENTS: { kind: 'boolean', default: false },
  /** false: the legacy Function URL answers 410 to every request. */
  LEGACY_ENABLED: { kind: 'boolean', default: true },
  /** The date announced in the legacy responses' Sunset header (ISO 8601). */
  LEGACY_SUNSET: { kind: 'string', optional: true },
  /** Where the legacy responses' Link header points; unset: the URL's own /migration-guide. */
  LEGACY_MIGRATION_GUIDE_URL: { kind: 'string', optional: true },
  /** The current contract's URL, named in the legacy migration notice. */
  CURRENT_ENDPOINT_URL: { kind: 'string', optional: true },
} as const satisfies Record<string, Definition>;

export type SettingName = keyof typeof SETTINGS;

/** Environment variables as a Lambda reads them: process.env in AWS, a record of their own in tests and the local runtime. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** The process's own environment: what a Lambda's `fromEnvironment` reads in AWS, at init (this file is the only one to touch process.env). */
export const processEnvironment = (): Environment => process.env;

type KindValue<K extends Kind> = K extends 'number' ? number : K extends 'boolean' ? boolean : K extends 'list' ? readonly string[] : string;
type Def<N extends SettingName> = (typeof SETTINGS)[N];
/** What a setting reads as: its kind's type, or undefined when it is optional and unset. */
export type SettingValue<N extends SettingName> = KindValue<Def<N>['kind']> | (Def<N> extends { optional: true } ? undefined : never);

const parse = (name: string, kind: Kind, raw: string): string | number | boolean | readonly string[] => {
  switch (kind) {
    case 'number': {
      const value = Number(raw);
      if (!Number.isFinite(value) || value < 0) throw new Error(`Environment variable ${name} must be a non-negative number, got "${raw}"`);
      return value;
    }
    case 'boolean':
      if (raw !== 'true' && raw !== 'false') throw new Error(`Environment variable ${name} must be true or false, got "${raw}"`);
      return raw === 'true';
    case 'list':
      return raw
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0);
    case 'string':
      return raw;
  }
};

/**
 * A setting's value from the environment, or its default. A required one that
 * is missing, or a value of the wrong kind, fails the cold start with a message
 * naming the variable, rather than a confusing error on the first request.
 */
export const setting = <N extends SettingName>(name: N, env: Readonly<Record<string, string | undefined>> = process.env): SettingValue<N> => {
  const definition: Definition = SETTINGS[name];
  const raw = env[name];
  if (raw !== undefined && raw !== '') return parse(name, definition.kind, raw) as SettingValue<N>;
  if (definition.default !== undefined || definition.optional) return definition.default as SettingValue<N>;
  throw new Error(`Missing required environment variable ${name}`);
};

/** A setting's default, for the construct's props. */
export const defaultOf = <N extends SettingName>(name: N): Exclude<SettingValue<N>, undefined> =>
  (SETTINGS[name] as Definition).default as Exclude<SettingValue<N>, undefined>;

/** Values for some settings. */
export type Settings = { readonly [N in SettingName]?: SettingValue<N> };

/** Settings as the environment variables that carry them (undefined values are left out). */
export const environmentOf = (values: Settings): Record<string, string> =>
  Object.fromEntries(
    Object.entries(values)
      .filter(([, value]) => value !== undefined)
      .map(([name, value]) => [name, Array.isArray(value) ? value.join(',') : String(value)]),
  );

/**
 * A Lambda's whole environment as the construct would set it: every default,
 * then `values`. For the local runtime, the bench and the tests.
 */
export const lambdaEnvironment = (values: Settings): Record<string, string> => {
  const defaults = Object.fromEntries(
    (Object.keys(SETTINGS) as SettingName[]).filter((n) => defaultOf(n) !== undefined).map((n) => [n, defaultOf(n)]),
  ) as Settings;
  return environmentOf({ ...defaults, ...values });
};

/**
 * The function's application log level, which Lambda sets as AWS_LAMBDA_LOG_LEVEL
 * from the function's logging configuration (advanced logging controls): not a
 * setting of ours, and unset when the configuration names none.
 */
export const applicationLogLevel = (env: Readonly<Record<string, string | undefined>> = process.env): string | undefined => env.AWS_LAMBDA_LOG_LEVEL;

/**
 * The deployment's bus, as the Lambdas that put events call it. The construct
 * sets EVENT_BUS_NAME with EXPIRED_LINK_EVENTS and on link-requests: a Lambda
 * that needs it without it is a broken deployment, failed at cold start.
 */
export const eventBusSettings = (env: Environment = process.env): { busName: string } => {
  const busName = setting('EVENT_BUS_NAME', env);
  if (busName === undefined) throw new Error('Missing required environment variable EVENT_BUS_NAME');
  return { busName };
};
