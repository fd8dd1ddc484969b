import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { SessionRecoveryStack, type SessionRecoveryStackProps } from '../../lib/session-recovery-stack';
import { sharedAssembly, SYNTH_CONTEXT } from '../support/assembly';
import { templateApp } from '../support/template-app';

const cfnLint = path.join(import.meta.dirname, '..', '..', '.venv', 'bin', 'cfn-lint');

/**
 * The stacks linted: the default one, and the options that add or change resources. Expired-link events, the short-link
 * domain, reserved and provisioned concurrency and a retained table are in the run's cdk synth (test/support/assembly.ts,
 * SYNTH_CONTEXT), whose template is linted as it came out; the stacks synthesized here are the others.
 */
const STACKS: Array<[string, SessionRecoveryStackProps['sessionRecovery']]> = [
  ['the default stack', {}],
  [
    'the stack with the legacy route switched off, reserved and provisioned concurrency, a Function URL for the current contract and a destroyable table',
    {
      legacyEnabled: false,
      loadEntryDataReservedConcurrency: 100,
      legacyReservedConcurrency: 20,
      provisionedConcurrency: 2,
      currentContractFunctionUrl: true,
      tableRemovalPolicy: RemovalPolicy.DESTROY,
    },
  ],
];
/** Linted with them: the template of the run's one bundled cdk synth. */
const SYNTHESIZED = `the template of npm run synth with ${Object.keys(SYNTH_CONTEXT).join(', ')}`;

/*
 * One cfn-lint process for every template (a Python start costs seconds): each
 * finding line (`--format parseable`) names the file it is in.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'sr-cfn-lint-'));
const files = STACKS.map((_stack, i) => path.join(dir, `template-${i}.json`));
let result: SpawnSyncReturns<string>;
beforeAll(async () => {
  STACKS.forEach(([, sessionRecovery], i) => {
    const template = Template.fromStack(new SessionRecoveryStack(templateApp(), 'Lint', { sessionRecovery })).toJSON();
    writeFileSync(files[i], JSON.stringify(template));
  });
  files.push(path.join((await sharedAssembly()).outdir, 'SessionRecovery.template.json'));
  result = spawnSync(cfnLint, ['--format', 'parseable', '--regions', 'us-east-1', 'eu-west-1', '--', ...files], { encoding: 'utf8' });
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it.each([...STACKS.map(([name]) => name), SYNTHESIZED].map((name, i) => [name, i] as const))(
  'cfn-lint (pinned in requirements-dev.txt) finds no error and no warning in %s',
  (_name, i) => {
    expect(result.error).toBeUndefined();
    const findings = `${result.stdout}${result.stderr}`.split('\n').filter((line) => line.startsWith(`${files[i]}:`));
    expect(findings).toEqual([]);
  },
);

it('cfn-lint read every template and said nothing else', () => {
  expect(`${result.stdout}${result.stderr}`).toBe('');
  expect(result.status).toBe(0);
});
