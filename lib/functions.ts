import * as lambda from 'aws-cdk-lib/aws-lambda';
import type { Construct } from 'constructs';
import {
  CAMPAIGN_KEY_PREFIX,
  LEGACY_SECRETS_PATH,
  LIMIT_KEY_PREFIXES,
  HANDOFFS_KEY_PREFIX,
  LINK_REQUESTS_KEY_PREFIX,
  PROJECT_INDEX_KEY,
  PROJECT_SECRETS_PATH,
  RESUMED_KEY_PREFIX,
  SHORT_LINK_KEY_PREFIX,
  VERIFY_ATTEMPTS_KEY_PREFIX,
} from '../lambdas/adapters/naming';
import { DEFAULT_ROUTE, type FunctionName } from '../lambdas/http/routes';
import { ApiFunction } from './constructs/api-function';
import { DEFAULTS } from './defaults';
import type { SessionRecoveryProps } from './props';
import { type FunctionSettings, wholeNumber } from './settings';
import type { Stores } from './table';

/** What the public and admin routes invoke, and the Function URLs some of them are also served on. */
export interface ServiceFunctions {
  readonly functions: Readonly<Record<FunctionName, ApiFunction>>;
  /** The alias `live` of load-entry-data: with provisioned instances, or with its Function URL. */
  readonly loadEntryDataAlias?: lambda.Alias;
  /** What invokes load-entry-data: its alias when it has one, so requests reach its provisioned instances. */
  readonly loadEntryDataTarget: lambda.IFunction;
  readonly loadEntryDataFunctionUrl?: lambda.FunctionUrl;
  /** The legacy contract's URL, unless `legacyFunctionUrl: false`. */
  readonly legacyUrl?: lambda.FunctionUrl;
}

/** The ten Lambdas, each with its settings and exactly the data access it needs (in `scope`, so their logical ids are the construct's). */
export const serviceFunctions = (
  scope: Construct,
  props: SessionRecoveryProps,
  { table, saveKey, eventBus }: Stores,
  settings: FunctionSettings,
  secretPrefix: string,
): ServiceFunctions => {
  const common = { memorySize: props.memorySize, logRetention: props.logRetention, activeTracing: props.activeTracing };
  const { environment, lifetimes } = settings;
  const expiredLinkEvents = props.expiredLinkEvents ?? DEFAULTS.expiredLinkEvents;

  const loadEntryDataReserved = wholeNumber('loadEntryDataReservedConcurrency', props.loadEntryDataReservedConcurrency);
  const provisioned = wholeNumber('provisionedConcurrency', props.provisionedConcurrency, 0) ?? DEFAULTS.provisionedConcurrency;
  if (loadEntryDataReserved !== undefined && provisioned > loadEntryDataReserved) {
    throw new Error(`provisionedConcurrency (${provisioned}) cannot exceed loadEntryDataReservedConcurrency (${loadEntryDataReserved})`);
  }
  const loadEntryData = new ApiFunction(scope, 'LoadEntryData', {
    ...common,
    functionName: 'load-entry-data',
    reservedConcurrentExecutions: loadEntryDataReserved,
    settings: { ...environment, ...settings.public, ...settings.projectIndex },
  });
  // Provisioned concurrency belongs to a version: the alias points at the one this deploy publishes.
  // With the Function URL, the alias is there whatever provisionedConcurrency says: the URL is on it, so turning
  // provisioned instances on or off never moves the URL to another qualifier (CloudFormation would replace it,
  // and pages would keep posting to a host that no longer exists).
  const loadEntryDataAlias =
    provisioned > 0 || props.currentContractFunctionUrl
      ? loadEntryData.addAlias('live', provisioned > 0 ? { provisionedConcurrentExecutions: provisioned } : {})
      : undefined;
  const loadEntryDataTarget: lambda.IFunction = loadEntryDataAlias ?? loadEntryData;
  // A resume of a browser-saves project answers a save token too.
  loadEntryData.bindSaveKey(saveKey);
  // GetItem reads the entry; UpdateItem is a person's resume of a browser-saves project's entry, which gives it a new save generation.
  loadEntryData.bindEntriesTable(table, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
  // A person's resume through a campaign link is noted under resumed#<entry> for completions and, the first time
  // for its campaign, counted on one of the campaign's campaign#<project>#<campaign>#<shard> items, in one transaction.
  loadEntryData.bindEntriesTable(table, ['dynamodb:UpdateItem'], { keyPrefix: [RESUMED_KEY_PREFIX, CAMPAIGN_KEY_PREFIX] });
  // A flow's verify_field: each entry's attempts in the rolling hour, a compare-and-swap (GetItem is granted above).
  loadEntryData.bindEntriesTable(table, ['dynamodb:PutItem'], { keyPrefix: VERIFY_ATTEMPTS_KEY_PREFIX });
  loadEntryData.bindSecretsUnder(secretPrefix, PROJECT_SECRETS_PATH);
  if (expiredLinkEvents) loadEntryData.bindExpiredLinkEvents(table, eventBus);
  // No Function URL CORS: the Lambda (middy) answers preflights, as behind API Gateway.
  // A construct id of its own, outside the alias's and the function's, so its logical id never depends on them.
  const loadEntryDataFunctionUrl = props.currentContractFunctionUrl
    ? new lambda.FunctionUrl(scope, 'LoadEntryDataFunctionUrl', { function: loadEntryDataTarget, authType: lambda.FunctionUrlAuthType.NONE })
    : undefined;

  const credentials = new ApiFunction(scope, 'Credentials', { ...common, functionName: 'credentials', settings: environment });
  credentials.bindSecretsUnder(secretPrefix, PROJECT_SECRETS_PATH, [
    'secretsmanager:GetSecretValue',
    'secretsmanager:DescribeSecret',
    'secretsmanager:CreateSecret',
    'secretsmanager:PutSecretValue',
    'secretsmanager:UpdateSecretVersionStage',
    // The read policy and the tags of a secret it creates (secret-read-policy.ts).
    'secretsmanager:PutResourcePolicy',
    'secretsmanager:TagResource',
  ]);
  // Its one DynamoDB write: the project's id added to the project index, before each write to the project's secret.
  credentials.bindEntriesTable(table, ['dynamodb:UpdateItem'], { key: PROJECT_INDEX_KEY });

  const entries = new ApiFunction(scope, 'EntriesFunction', {
    ...common,
    functionName: 'entries',
    // An erased entry's tombstone is kept as long as a link minted before the erasure can live.
    settings: { ENTRY_RETENTION_DAYS: lifetimes.ENTRY_RETENTION_DAYS, MINT_MAX_LIFETIME_SECONDS: lifetimes.MINT_MAX_LIFETIME_SECONDS },
  });
  // An erasure is an UpdateItem (the entry becomes a tombstone): no entry item is ever deleted outright.
  entries.bindEntriesTable(table, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
  // What it deletes: the note of the entry's last resume (erasure), and its count of wrong verification values (revoke-links).
  entries.bindEntriesTable(table, ['dynamodb:DeleteItem'], { keyPrefix: [RESUMED_KEY_PREFIX, VERIFY_ATTEMPTS_KEY_PREFIX] });
  // An attributed completion counts on a campaign# item (in the UpdateItem above, in one transaction); the campaign
  // routes read a campaign's items and list a project's through the campaigns index.
  entries.bindEntriesTable(table, ['dynamodb:BatchGetItem'], { keyPrefix: CAMPAIGN_KEY_PREFIX });
  entries.bindCampaignIndex(table);

  const browserSaves = new ApiFunction(scope, 'BrowserSaves', {
    ...common,
    functionName: 'browser-saves',
    settings: {
      ...environment,
      ...settings.public,
      ...settings.projectIndex,
      ENTRY_RETENTION_DAYS: lifetimes.ENTRY_RETENTION_DAYS,
      SAVE_MAX_BODY_BYTES: props.browserSaveMaxBytes ?? DEFAULTS.browserSaveMaxBytes,
      ...settings.entryCreation,
    },
  });
  // One conditional write per request: PutItem creates, UpdateItem saves progress. A create also takes its
  // source's slot (a compare-and-swap PutItem) and its project's (an UpdateItem), which these cover.
  browserSaves.bindEntriesTable(table, ['dynamodb:PutItem', 'dynamodb:UpdateItem']);
  // Its one read: the source's creations in the hour, on source-entries# items only.
  browserSaves.bindEntriesTable(table, ['dynamodb:GetItem'], { keyPrefix: LIMIT_KEY_PREFIXES.sourceEntries });
  // And the project index, exactly that item: a project it lists is admitted however many unknown ids arrive.
  browserSaves.bindEntriesTable(table, ['dynamodb:GetItem'], { key: PROJECT_INDEX_KEY });
  // The project's settings (browser saves on, its origins) come with its keys, in one read.
  browserSaves.bindSecretsUnder(secretPrefix, PROJECT_SECRETS_PATH);
  browserSaves.bindSaveKey(saveKey);

  // Link requests from pages: admitted like a save, then mint's writes and a PutEvents, in a role of their own.
  const linkRequests = new ApiFunction(scope, 'LinkRequests', {
    ...common,
    functionName: 'link-requests',
    settings: {
      ...environment,
      ALLOWED_ORIGINS: settings.allowedOrigins,
      ...settings.keyCache,
      ...settings.projectIndex,
      MINT_DEFAULT_TTL_SECONDS: lifetimes.MINT_DEFAULT_TTL_SECONDS,
      MINT_MAX_LIFETIME_SECONDS: lifetimes.MINT_MAX_LIFETIME_SECONDS,
      ...settings.linkRequests,
    },
  });
  linkRequests.bindSecretsUnder(secretPrefix, PROJECT_SECRETS_PATH);
  linkRequests.bindSaveKey(saveKey);
  // Mint's reads and records on the entry (after a revoke-links), as the mint Lambda's; the GetItem covers the project index too.
  linkRequests.bindEntriesTable(table, ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
  linkRequests.bindEntriesTable(table, ['dynamodb:BatchWriteItem'], { keyPrefix: SHORT_LINK_KEY_PREFIX });
  // Its rolling counts per entry, per source and per recipient: a compare-and-swap PutItem on their items only.
  // (The project's day is an UpdateItem, which mint's grant covers; every read a GetItem.)
  linkRequests.bindEntriesTable(table, ['dynamodb:PutItem'], {
    keyPrefix: [LINK_REQUESTS_KEY_PREFIX, LIMIT_KEY_PREFIXES.sourceLinks, LIMIT_KEY_PREFIXES.recipient, HANDOFFS_KEY_PREFIX],
  });
  linkRequests.bindEventBus(eventBus);

  const mint = new ApiFunction(scope, 'Mint', {
    ...common,
    functionName: 'mint',
    settings: { ...environment, MINT_DEFAULT_TTL_SECONDS: lifetimes.MINT_DEFAULT_TTL_SECONDS, MINT_MAX_LIFETIME_SECONDS: lifetimes.MINT_MAX_LIFETIME_SECONDS },
  });
  mint.bindSecretsUnder(secretPrefix, PROJECT_SECRETS_PATH);
  // Reads whether an entry's links were revoked (one entry, or a batch's), and records links minted since then.
  mint.bindEntriesTable(table, ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:UpdateItem']);
  // (That UpdateItem also adds a request's links to its campaign's counter, on a campaign# item: one write a request.)
  // Writes short links, and nothing else, with BatchWriteItem: their keys start with link#, which no entry id can.
  mint.bindEntriesTable(table, ['dynamodb:BatchWriteItem'], { keyPrefix: SHORT_LINK_KEY_PREFIX });

  // The short-link redirect: one GetItem of a link# item, and nothing else at all (it never writes).
  const shortLinks = new ApiFunction(scope, 'ShortLinks', { ...common, functionName: 'short-links' });
  shortLinks.bindEntriesTable(table, ['dynamodb:GetItem'], { keyPrefix: SHORT_LINK_KEY_PREFIX });

  const legacyKeys = new ApiFunction(scope, 'LegacyKeys', { ...common, functionName: 'legacy-keys' });
  legacyKeys.bindSecretsUnder(secretPrefix, LEGACY_SECRETS_PATH, [
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
  const legacyFunctionUrl = props.legacyFunctionUrl ?? DEFAULTS.legacyFunctionUrl;
  if (!legacyFunctionUrl && props.legacyEnabled === true)
    throw new Error('legacyEnabled: true needs the legacy Function URL (legacyFunctionUrl: false omits it)');
  // Without its URL nothing can call it: it keeps no data access, as when switched off.
  const legacyEnabled = legacyFunctionUrl && (props.legacyEnabled ?? DEFAULTS.legacyEnabled);
  const legacy = new ApiFunction(scope, 'LegacyLoadEntryData', {
    ...common,
    functionName: 'legacy-load-entry-data',
    reservedConcurrentExecutions: wholeNumber('legacyReservedConcurrency', props.legacyReservedConcurrency),
    settings: {
      ...settings.public,
      LEGACY_ENABLED: legacyEnabled,
      LEGACY_SUNSET: props.legacySunset,
      LEGACY_MIGRATION_GUIDE_URL: props.legacyMigrationGuideUrl,
    },
  });
  if (legacyEnabled) {
    legacy.bindEntriesTable(table, ['dynamodb:GetItem']);
    if (expiredLinkEvents) legacy.bindExpiredLinkEvents(table, eventBus);
    // Verifies with legacy keys only. It also reads the secret of the project a flow's key was imported for,
    // for that project's allowed origins alone (LegacyKeySource): the project's keys never verify there.
    legacy.bindSecretsUnder(secretPrefix, LEGACY_SECRETS_PATH);
    legacy.bindSecretsUnder(secretPrefix, PROJECT_SECRETS_PATH);
  } else {
    // Switched off: it answers 410 before reading anything, so it gets no data access at all.
    legacy.addSettings({ TABLE_NAME: 'disabled', SECRET_PREFIX: secretPrefix });
  }
  // No Function URL CORS: the Lambda (middy) answers preflights, so one mechanism owns CORS.
  const legacyUrl = legacyFunctionUrl ? legacy.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE }) : undefined;

  // Answers the requests no route matches with the documented 404. It reads nothing, so its role can only write its logs.
  const notFound = new ApiFunction(scope, 'NotFound', { ...common, functionName: DEFAULT_ROUTE.fn });

  return {
    functions: {
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
    },
    loadEntryDataAlias,
    loadEntryDataTarget,
    loadEntryDataFunctionUrl,
    legacyUrl,
  };
};
