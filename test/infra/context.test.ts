import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { docSection } from '../support/docs';

/*
 * The CDK context keys of the README's Configuration table, read by the CDK app
 * (bin/session-recovery.ts) as `cdk synth -c key=value` passes them (CDK_CONTEXT_JSON),
 * without bundling the Lambdas: the template is what the keys change.
 */

const root = path.join(import.meta.dirname, '..', '..');
const table = docSection('docs/configuration.md', 'Configuration');
/** The context column of each row: backticked names, `—` for a prop with no context key. */
const readmeKeys = [...table.matchAll(/^\| ([^|]+) \| [^|]+ \| [^|]+ \| [^|]+ \|$/gm)]
  .map(([, column]) => column)
  .filter((column) => column.includes('`'))
  .flatMap((column) => [...column.matchAll(/`([A-Za-z]+)`/g)].map(([, key]) => key));

/** What test/infra/synth.test.ts already passes through `npm run synth`. */
const SYNTH_TEST_KEYS = [
  'allowedOrigins',
  'loadEntryDataReservedConcurrency',
  'legacyReservedConcurrency',
  'tableRemovalPolicy',
  'shortLinkDomain',
  'shortLinkCertificateArn',
  'provisionedConcurrency',
  'expiredLinkEvents',
];
/** Keys tested through the CDK app in files of their own. */
const OTHER_TEST_KEYS = [
  // test/infra/alarm-actions.test.ts
  'alarmEmail',
  'alarmTopicArn',
  // test/infra/function-urls.test.ts
  'legacyFunctionUrl',
];

const context = {
  stackName: 'Ctx',
  environmentName: 'staging',
  secretPrefix: 'acme/sr/',
  keyCacheTtlSeconds: '30',
  keyLookupRate: '7',
  keyLookupBurst: '9',
  throttleRateLimit: '50',
  throttleBurstLimit: '60',
  currentContractFunctionUrl: 'true',
  consistentReads: 'true',
  projectIndexComplete: 'true',
  activeTracing: 'false',
  legacyEnabled: 'false',
  legacySunset: '2027-01-31',
  legacyMigrationGuideUrl: 'https://docs.example.com/migrate',
  linkRequestsPerRecipientHour: '2',
  linkRequestsPerRecipientDay: '5',
  linkRequestsPerSourceHour: '11',
  linkRequestsPerProjectDay: '300',
  entriesPerSourceHour: '40',
  entriesPerProjectDay: '5000',
};

interface Resource {
  Type: string;
  Properties: Record<string, unknown> & { Environment?: { Variables: Record<string, unknown> } };
}
let template: { Resources: Record<string, Resource>; Outputs: Record<string, unknown> };
beforeAll(() => {
  const out = mkdtempSync(path.join(tmpdir(), 'sr-context-'));
  try {
    execFileSync(process.execPath, ['--import', 'tsx', path.join(root, 'bin', 'session-recovery.ts')], {
      cwd: root,
      env: { ...process.env, CDK_OUTDIR: out, CDK_CONTEXT_JSON: JSON.stringify({ ...context, 'aws:cdk:bundling-stacks': [] }) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    template = JSON.parse(readFileSync(path.join(out, 'Ctx.template.json'), 'utf8'));
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}, 60_000);

const functionVariables = (prefix: string) =>
  Object.entries(template.Resources).find(([id, r]) => r.Type === 'AWS::Lambda::Function' && id.startsWith(prefix))![1].Properties.Environment!.Variables;

it("every context key of the README's Configuration table is read by the CDK app and tested, here or in synth.test.ts", () => {
  const app = readFileSync(path.join(root, 'bin', 'session-recovery.ts'), 'utf8');
  for (const key of readmeKeys) expect([key, app.includes(`('${key}')`)]).toEqual([key, true]);
  expect([...readmeKeys].sort()).toEqual([...Object.keys(context), ...SYNTH_TEST_KEYS, ...OTHER_TEST_KEYS].sort());
});

it('stackName, environmentName, secretPrefix, the key cache and lookups, the project index, the stage throttle, consistent reads and tracing reach the stack', () => {
  expect(template.Outputs).toMatchObject({ EnvironmentName: { Value: 'staging' }, ProjectSecretName: { Value: 'acme/sr/projects/<project_id>/signing-keys' } });
  expect(functionVariables('SessionRecoveryLoadEntryData')).toMatchObject({
    DEPLOYMENT_ENVIRONMENT: 'staging',
    SECRET_PREFIX: 'acme/sr/',
    KEY_CACHE_TTL_SECONDS: '30',
    KEY_LOOKUP_RATE: '7',
    KEY_LOOKUP_BURST: '9',
    CONSISTENT_READS: 'true',
    PROJECT_INDEX_COMPLETE: 'true',
  });
  for (const id of ['SessionRecoveryBrowserSaves', 'SessionRecoveryLinkRequests'])
    expect(functionVariables(id)).toMatchObject({ PROJECT_INDEX_COMPLETE: 'true' });
  const stage = Object.values(template.Resources).find((r) => r.Type === 'AWS::ApiGatewayV2::Stage')!;
  expect(stage.Properties.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 50, ThrottlingBurstLimit: 60 });
  const functions = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Function');
  expect(functions.filter((f) => f.Properties.TracingConfig !== undefined)).toEqual([]);
});

it("currentContractFunctionUrl adds the current contract's Function URL; legacyEnabled, legacySunset and legacyMigrationGuideUrl reach the legacy Lambda", () => {
  expect(Object.keys(template.Outputs)).toContain('LoadEntryDataFunctionUrl');
  expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::Lambda::Url')).toHaveLength(2);
  expect(functionVariables('SessionRecoveryLegacyLoadEntryData')).toMatchObject({
    LEGACY_ENABLED: 'false',
    LEGACY_SUNSET: '2027-01-31',
    LEGACY_MIGRATION_GUIDE_URL: 'https://docs.example.com/migrate',
  });
});

it('the bounds on link requests and on entries created by pages reach their Lambdas', () => {
  expect(functionVariables('SessionRecoveryLinkRequests')).toMatchObject({
    LINK_REQUESTS_PER_RECIPIENT_HOUR: '2',
    LINK_REQUESTS_PER_RECIPIENT_DAY: '5',
    LINK_REQUESTS_PER_SOURCE_HOUR: '11',
    LINK_REQUESTS_PER_PROJECT_DAY: '300',
  });
  expect(functionVariables('SessionRecoveryBrowserSaves')).toMatchObject({ ENTRIES_PER_SOURCE_HOUR: '40', ENTRIES_PER_PROJECT_DAY: '5000' });
});
