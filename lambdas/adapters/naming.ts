/**
 * Names shared by the infrastructure (lib/), the Lambdas and the local runtime,
 * so IAM scopes, table definitions and lookups cannot drift apart.
 */

/** Sub-prefix under which project Token Signing Secrets live. */
export const PROJECT_SECRETS_PATH = 'projects/';

/**
 * The secret holding a project's Token Signing Secrets. The fixed `/signing-keys`
 * tail keeps names from ending in `-` plus six characters, which Secrets Manager
 * can mistake for the random suffix of an ARN.
 */
export const projectSecretName = (prefix: string, projectId: string): string => `${prefix}${PROJECT_SECRETS_PATH}${projectId}/signing-keys`;

/** Sub-prefix under which imported legacy per-flow keys live. */
export const LEGACY_SECRETS_PATH = 'legacy-flows/';

/** The secret holding one flow's legacy key (legacy contract only). */
export const legacyKeySecretName = (prefix: string, flowId: string): string => `${prefix}${LEGACY_SECRETS_PATH}${flowId}/key`;

/** The entries table: one item per entry, keyed by entry id (the legacy contract has no project id). */
export const ENTRY_TABLE = {
  partitionKey: 'entry_id',
  /** Epoch seconds after which DynamoDB deletes the entry (retention). */
  ttlAttribute: 'retain_until',
} as const;

/**
 * Short links live in the entries table under `link#<code>`: no entry id can
 * start so (the id grammar has no `#`), so the two never meet, and IAM can hold
 * the redirect to exactly these keys (`dynamodb:LeadingKeys`). Their TTL
 * attribute is the table's, set to the link's expiry.
 */
export const SHORT_LINK_KEY_PREFIX = 'link#';

export const shortLinkKey = (code: string): string => `${SHORT_LINK_KEY_PREFIX}${code}`;

/**
 * A campaign's recovery counters (domain/recovery.ts) live in the entries
 * table under `campaign#<project_id>#<campaign>#<shard>`: no entry id can start
 * so (the id grammar has no `#`), and IAM holds each counter's writers to this
 * prefix. A campaign's writes are spread over CAMPAIGN_SHARDS items, so none is
 * hot (README, Measuring recovery).
 */
export const CAMPAIGN_KEY_PREFIX = 'campaign#';

/** Items a campaign's counters are spread over: each takes at most 1,000 write units a second. */
export const CAMPAIGN_SHARDS = 10;

export const campaignKey = (projectId: string, campaign: string, shard: number): string => `${CAMPAIGN_KEY_PREFIX}${projectId}#${campaign}#${shard}`;

/**
 * The sparse index that lists a project's campaigns: only counter items carry
 * its key attributes, so it holds nothing else. Its sort key, `<campaign>#<shard>`,
 * keeps a campaign's shards together and campaigns in name order (`#` sorts
 * before every character of the id grammar).
 */
export const CAMPAIGN_INDEX = { name: 'campaigns', partitionKey: 'campaign_project', sortKey: 'campaign_sort' } as const;

/**
 * The campaign of an entry's last human resume lives under `resumed#<entry id>`,
 * apart from the entry, so the resume never writes the entry (whose write cost
 * grows with its size) and IAM can hold load-entry-data's one write to these keys.
 */
export const RESUMED_KEY_PREFIX = 'resumed#';

export const resumedKey = (entryId: string): string => `${RESUMED_KEY_PREFIX}${entryId}`;

/**
 * The version stage every reader asks for explicitly. AWS serves AWSCURRENT by
 * default; moto instead serves the last version it wrote, even after
 * UpdateSecretVersionStage moved AWSCURRENT away, so naming the stage keeps the
 * emulator and AWS on the same behaviour.
 */
export const CURRENT = 'AWSCURRENT';

/**
 * Link requests' rolling count, one tiny item per entry under
 * `link-requests#<entry_id>`, and the once-an-hour mark of an entry's expired
 * link events under `expired#<entry_id>`: like short links, no entry id can
 * start so, and IAM holds each writer to its own prefix. Their TTL attribute
 * is the table's, set an hour ahead, so DynamoDB removes them.
 */
export const LINK_REQUESTS_KEY_PREFIX = 'link-requests#';
/** An entry's recent hand-offs (domain/handoff.ts), as its link requests: `handoffs#<entry_id>`. */
export const HANDOFFS_KEY_PREFIX = 'handoffs#';
export const EXPIRED_LINK_KEY_PREFIX = 'expired#';
/** An entry's recent verification attempts (a flow's verify_field), under `verify#<entry_id>`, held and removed as above. */
export const VERIFY_ATTEMPTS_KEY_PREFIX = 'verify#';

/**
 * The bounds on what pages can make the service do (domain/request-limits.ts),
 * each a small item with the table's TTL attribute, under prefixes no entry id
 * can take, so IAM holds each writer to its own:
 * - `source-entries#<hash>` and `source-links#<hash>`: a source address's entry
 *   creations and link requests in the rolling hour;
 * - `recipient#<hash>`: an address's or number's link requests in the rolling day;
 * - `project-entries#<project_id>#<YYYY-MM-DD>` and `project-links#…`: a
 *   project's creations and link requests on one UTC day.
 * A hash is a keyed hash (HMAC-SHA256) of the address: none is ever stored.
 */
export const LIMIT_KEY_PREFIXES = {
  sourceEntries: 'source-entries#',
  sourceLinks: 'source-links#',
  recipient: 'recipient#',
  projectEntries: 'project-entries#',
  projectLinks: 'project-links#',
} as const;

/**
 * The deployment's project index: one item under this key holding, as a string
 * set, the id of every project whose secret the credentials Lambda has written.
 * No entry id can take it (the id grammar has no `#`), and IAM holds the
 * credentials Lambda's one DynamoDB write to exactly this key.
 */
export const PROJECT_INDEX_KEY = 'projects#index';
/** The index item's string set of project ids. */
export const PROJECT_INDEX_ATTRIBUTE = 'project_ids';

/** The environment whose names are the ones every deployment had before environments got names of their own. */
export const DEFAULT_ENVIRONMENT = 'production';

/** What an environment name may be: it goes into secret names, a metric namespace and resource names. */
export const ENVIRONMENT_NAME_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?$/;

/**
 * The environment a stack serves when none is named: its name without a
 * leading `SessionRecovery`, in kebab case (`SessionRecoveryStaging` gives
 * `staging`, `Checkout-Eu` gives `checkout-eu`); the app's default stack,
 * `SessionRecovery`, serves `production`.
 */
export const environmentOfStack = (stackName: string): string => {
  const rest = stackName.replace(/^SessionRecovery(?=[^a-z]|$)/, '');
  const kebab = rest
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .toLowerCase()
    .slice(0, 32)
    .replace(/-+$/, '');
  return kebab === '' ? DEFAULT_ENVIRONMENT : kebab;
};

/**
 * Everything an environment names at run time, so two deployments of
 * different environments in one account and region share nothing: the prefix
 * of their secrets (`session-recovery/` for production, as it always was;
 * `session-recovery-<environment>/` otherwise, which no other environment's
 * prefix starts with) and their metric namespace. Their table, save key and
 * bus are CloudFormation resources of their own stack.
 */
export const environmentNames = (environment: string): { readonly secretPrefix: string; readonly metricsNamespace: string } =>
  environment === DEFAULT_ENVIRONMENT
    ? { secretPrefix: 'session-recovery/', metricsNamespace: 'SessionRecovery' }
    : { secretPrefix: `session-recovery-${environment}/`, metricsNamespace: `SessionRecovery/${environment}` };
