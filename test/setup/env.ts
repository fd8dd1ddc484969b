import { TEST_ENV } from './test-env';

// Workers inherit AWS_ENDPOINT_URL from the global setup; the rest is set here so
// a single test file also runs on its own.
for (const [key, value] of Object.entries(TEST_ENV)) process.env[key] ??= value;
if (!process.env.AWS_ENDPOINT_URL) throw new Error('AWS_ENDPOINT_URL is not set: the moto global setup did not run');
/*
 * No CDK built-in CloudFormation validation in the tests' synths: it starts a WebAssembly rule engine in each test
 * file's fresh module registry (3 s of CPU, most of a template test's time) and only reports, as warnings. The run's
 * one real synth (test/support/assembly.ts: `npm run synth`, in an environment without CDK_ variables) still runs it,
 * as every `cdk synth` and deploy does; cfn-lint (test/infra/cfn-lint.test.ts) checks the templates of each variant.
 */
process.env.CDK_VALIDATION ??= 'false';
