#!/usr/bin/env node
/**
 * The CDK app. Settings come from CDK context (cdk.json, or `-c key=value`);
 * docs/configuration.md's table, generated from this file (scripts/configuration.ts),
 * names each key, the prop it sets and its default.
 * No default is written here: a key that is not given leaves its prop unset, and
 * the construct takes the prop's default from lib/defaults.ts (DEFAULTS, THROTTLES),
 * which the page's figures are written from.
 *   stackName            the stack's name (SessionRecoveryStaging serves staging)
 *   environmentName, allowedOrigins (comma-separated), secretPrefix
 *   keyCacheTtlSeconds, keyLookupRate / keyLookupBurst, projectIndexComplete
 *   throttleRateLimit / throttleBurstLimit   the stage-wide throttle (either alone keeps the other's default)
 *   currentContractFunctionUrl, consistentReads, expiredLinkEvents   "true" turns each on
 *   activeTracing, legacyEnabled, legacyFunctionUrl   "false" turns each off
 *   legacySunset, legacyMigrationGuideUrl
 *   loadEntryDataReservedConcurrency / legacyReservedConcurrency, provisionedConcurrency   see the README before setting them
 *   tableRemovalPolicy   retain-on-update-or-delete, retain (adds deletion protection) or destroy
 *   shortLinkDomain / shortLinkCertificateArn   serve short links on your own domain, with its ACM certificate (both or neither)
 *   linkRequestsPerRecipientHour / linkRequestsPerRecipientDay / linkRequestsPerSourceHour / linkRequestsPerProjectDay
 *   entriesPerSourceHour / entriesPerProjectDay
 *   alarmEmail           every alarm notifies this address (through an SNS topic the stack creates), on alarm and back to OK
 *   alarmTopicArn        ... or this existing SNS topic (one of the two)
 */
import { App, Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DEFAULT_STACK_NAME, DEFAULTS } from '../lib/defaults';
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

new SessionRecoveryStack(app, ctx('stackName') ?? DEFAULT_STACK_NAME, {
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  alarms: { email: ctx('alarmEmail'), topicArn: ctx('alarmTopicArn') },
  sessionRecovery: {
    environmentName: ctx('environmentName'),
    allowedOrigins: ctx('allowedOrigins')
      ?.split(',')
      .map((o) => o.trim()),
    secretPrefix: ctx('secretPrefix'),
    keyCacheTtl: ttl === undefined ? undefined : Duration.seconds(ttl),
    keyLookupLimit:
      lookupRate !== undefined || lookupBurst !== undefined
        ? { ratePerSecond: lookupRate ?? DEFAULTS.keyLookupLimit.ratePerSecond, burst: lookupBurst ?? DEFAULTS.keyLookupLimit.burst }
        : undefined,
    throttle:
      rate !== undefined || burst !== undefined
        ? { rateLimit: rate ?? DEFAULTS.throttle.rateLimit, burstLimit: burst ?? DEFAULTS.throttle.burstLimit }
        : undefined,
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
