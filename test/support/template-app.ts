import { App } from 'aws-cdk-lib';

/**
 * A CDK app that skips bundling the Lambdas, for tests that read templates only:
 * the code does not change a template beyond its asset hashes. What bundling
 * produces is tested where it matters, by running it (test/infra/artifact.test.ts)
 * and by a real `cdk synth` (test/infra/synth.test.ts).
 */
export const templateApp = (): App => new App({ context: { 'aws:cdk:bundling-stacks': [] } });
