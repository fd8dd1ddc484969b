import { GetSecretValueCommand, InternalServiceError, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import { FailureMetrics } from '../../lib/constructs/failure-metrics';
import { handler as mint } from '../../lambdas/mint/index';
import { lambdaContext } from '../../local/http-api-event';
import { type MetricFilterSpec, publishedMetrics } from '../support/cloudwatch-filter';
import { captureLines } from '../support/capture-lines';
import { credential, deleteEntry, deleteProject, seedEntry, seedProject, uid } from '../support/seed';

/*
 * Mint, invoked directly, answers its errors as values: Lambda's Errors metric
 * stays 0 and nothing else counts them. The failure metrics (failure-metrics.ts)
 * are counted from its request lines, as they are written.
 */

const stack = new Stack(new App(), 'Failures');
new FailureMetrics(stack, 'Mint', { logGroup: new logs.LogGroup(stack, 'MintLogs'), namespace: 'SessionRecovery', name: 'Mint', refusals: true });
const filters = Object.values(Template.fromStack(stack).findResources('AWS::Logs::MetricFilter')).map((r) => r.Properties as MetricFilterSpec);
const invokeMint = async (payload: unknown) =>
  (mint as unknown as (e: unknown, c: unknown) => Promise<Record<string, unknown>>)(payload, lambdaContext('mint'));

it("counts a directly invoked mint's refusals and failures (answered as values), and nothing for one that succeeds", async () => {
  const projectId = uid('proj');
  const entryId = uid('entry');
  await seedProject(projectId, [credential()]);
  await seedEntry({ projectId, entryId, flowId: 'flow_1', currentPageKey: 'page_1', userData: { plan: 'team' } });
  try {
    const lines = await captureLines(async () => {
      expect(await invokeMint({ project_id: projectId, entry_id: entryId })).toEqual(expect.objectContaining({ token: expect.any(String) }));
      // A project with no credential: a refusal, as a value.
      expect(await invokeMint({ project_id: uid('proj'), entry_id: entryId })).toEqual(
        expect.objectContaining({ error: expect.objectContaining({ code: expect.any(String) }) }),
      );
    });
    // Secrets Manager failing: a failure, as a value, with Lambda's Errors still 0.
    const failing = mockClient(SecretsManagerClient);
    failing.on(GetSecretValueCommand).rejects(new InternalServiceError({ message: 'down', $metadata: {} }));
    const failed = await captureLines(async () => {
      expect(await invokeMint({ project_id: uid('proj'), entry_id: entryId })).toEqual(
        expect.objectContaining({ error: expect.objectContaining({ code: expect.stringMatching(/^(service_unavailable|internal_error)$/) }) }),
      );
    });
    failing.restore();
    expect(publishedMetrics(filters, lines)).toEqual({ 'SessionRecovery/MintRefusals{}': 1 });
    expect(publishedMetrics(filters, failed)).toEqual({ 'SessionRecovery/MintRefusals{}': 1, 'SessionRecovery/MintFailures{}': 1 });
  } finally {
    await deleteEntry(entryId);
    await deleteProject(projectId);
  }
});
