#!/usr/bin/env node
/**
 * The CDK app. Settings come from CDK context (cdk.json, or `-c key=value`):
 *   stackName            default "SessionRecovery"
 *   environmentName      default from stackName: "production" for SessionRecovery, "staging" for SessionRecoveryStaging
 *   allowedOrigins       comma-separated, default "*"
 *   secretPrefix         default "session-recovery/" for production, "session-recovery-<environmentName>/" otherwise
 *   keyCacheTtlSeconds   default 60
 *   keyLookupRate / keyLookupBurst   default 10 / 20: key reads per second (and at once) for ids an instance holds nothing for
 *   throttleRateLimit / throttleBurstLimit   default 500 / 1000
 *   currentContractFunctionUrl   "true" also serves load-entry-data on a Function URL (no API Gateway fee)
 *   consistentReads      "true" reads entries strongly consistently on the public endpoints (twice the DynamoDB price)
 *   expiredLinkEvents    "true": a valid link opened too late puts a Resume Link Expired event on the bus (once per entry per hour)
 *   activeTracing        default true; "false" turns Lambda active tracing (X-Ray) off
 *   legacyEnabled        default true; "false" makes the legacy Function URL answer 410
 *   legacyFunctionUrl    default true; "false" omits the legacy Function URL (new deployments: no legacy pages)
 *   legacySunset         ISO date announced in the legacy responses' Sunset header
 *   legacyMigrationGuideUrl   where the legacy responses' Link header points
 *   loadEntryDataReservedConcurrency / legacyReservedConcurrency   default none; see the README before setting them
 *   provisionedConcurrency   default 0; instances of load-entry-data kept initialised (billed while configured)
 *   tableRemovalPolicy   retain-on-update-or-delete (default), retain (adds deletion protection) or destroy
 *   shortLinkDomain / shortLinkCertificateArn   serve short links on your own domain, with its ACM certificate (both or neither)
 *   linkRequestsPerRecipientHour / linkRequestsPerRecipientDay   default 3 / 10: link requests to one address or number, deployment-wide
 *   linkRequestsPerSourceHour / linkRequestsPerProjectDay   default 20 / 1000: link requests per source address (hour), per project (UTC day)
 *   entriesPerSourceHour / entriesPerProjectDay   default 100 / 10000: entries pages create per source address (hour), per project (UTC day)
 *   alarmEmail           every alarm notifies this address (through an SNS topic the stack creates), on alarm and back to OK
 *   alarmTopicArn        ... or this existing SNS topic (one of the two)
 */
import { App, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { SessionRecoveryStack } from '../lib/session-recovery-stack';

const app = new App();
// Every synth and deploy runs the AWS Solutions checks; an unacknowledged finding fails it.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
const ctx = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return value === undefined || value === null || value === '' ? undefined : String(value);
};
const num = (key: string): number | undefined => {
  const raw = ctx(key);
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) throw new Error(`context ${key} must be a non-negative number, got "${raw}"`);
  return value;
};

const removalPolicy = (key: string): RemovalPolicy | undefined => {
  const raw = ctx(key);
  const allowed = [RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE, RemovalPolicy.RETAIN, RemovalPolicy.DESTROY];
  if (raw === undefined) return undefined;
  const policy = allowed.find((p) => p === raw);
  if (!policy) throw new Error(`context ${key} must be one of ${allowed.join(', ')}, got "${raw}"`);
  return policy;
};

const shortLinkDomain = ctx('shortLinkDomain');
const shortLinkCertificateArn = ctx('shortLinkCertificateArn');
if ((shortLinkDomain === undefined) !== (shortLinkCertificateArn === undefined)) {
  throw new Error('context shortLinkDomain and shortLinkCertificateArn go together: give both, or neither');
}

const rate = num('throttleRateLimit');
const burst = num('throttleBurstLimit');
const ttl = num('keyCacheTtlSeconds');
const lookupRate = num('keyLookupRate');
const lookupBurst = num('keyLookupBurst');

new SessionRecoveryStack(app, ctx('stackName') ?? 'SessionRecovery', {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  alarms: { email: ctx('alarmEmail'), topicArn: ctx('alarmTopicArn') },
  sessionRecovery: {
    environmentName: ctx('environmentName'),
    allowedOrigins: ctx('allowedOrigins')?.split(',').map((o) => o.trim()),
    secretPrefix: ctx('secretPrefix'),
    keyCacheTtl: ttl === undefined ? undefined : Duration.seconds(ttl),
    keyLookupLimit:
      lookupRate !== undefined || lookupBurst !== undefined ? { ratePerSecond: lookupRate ?? 10, burst: lookupBurst ?? 20 } : undefined,
    throttle: rate !== undefined || burst !== undefined ? { rateLimit: rate ?? 500, burstLimit: burst ?? 1000 } : undefined,
    currentContractFunctionUrl: ctx('currentContractFunctionUrl') === 'true',
    consistentReads: ctx('consistentReads') === 'true',
    expiredLinkEvents: ctx('expiredLinkEvents') === 'true',
    projectIndexComplete: ctx('projectIndexComplete') === 'true',
    activeTracing: ctx('activeTracing') === undefined ? undefined : ctx('activeTracing') !== 'false',
    legacyEnabled: ctx('legacyEnabled') === undefined ? undefined : ctx('legacyEnabled') !== 'false',
    legacyFunctionUrl: ctx('legacyFunctionUrl') === undefined ? undefined : ctx('legacyFunctionUrl') !== 'false',
    legacySunset: ctx('legacySunset'),
    legacyMigrationGuideUrl: ctx('legacyMigrationGuideUrl'),
    loadEntryDataReservedConcurrency: num('loadEntryDataReservedConcurrency'),
    legacyReservedConcurrency: num('legacyReservedConcurrency'),
    provisionedConcurrency: num('provisionedConcurrency'),
    linkRequestLimits: {
      perRecipientPerHour: num('linkRequestsPerRecipientHour'),
      perRecipientPerDay: num('linkRequestsPerRecipientDay'),
      perSourcePerHour: num('linkRequestsPerSourceHour'),
      perProjectPerDay: num('linkRequestsPerProjectDay'),
    },
    entryCreationLimits: { perSourcePerHour: num('entriesPerSourceHour'), perProjectPerDay: num('entriesPerProjectDay') },
    tableRemovalPolicy: removalPolicy('tableRemovalPolicy'),
    shortLinkDomain: shortLinkDomain && shortLinkCertificateArn ? { domainName: shortLinkDomain, certificateArn: shortLinkCertificateArn } : undefined,
  },
});
