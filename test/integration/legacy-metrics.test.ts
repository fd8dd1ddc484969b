import { createHash } from 'node:crypto';
import { secretsManager } from '../../lambdas/shared/aws/clients';
import { SecretsManagerLegacyKeyStore } from '../../lambdas/shared/aws/secrets-manager-legacy-key-store';
import { type Handler, invoke } from '../support/http';
import { seedScenario, uid } from '../support/seed';
import { functionUrlEvent } from '../fixtures/legacy-events';

process.env.POWERTOOLS_METRICS_DISABLED = 'false';
const legacy = ((await import('../../lambdas/legacy-load-entry-data/index')) as { handler: Handler }).handler;
const store = new SecretsManagerLegacyKeyStore(secretsManager, process.env.SECRET_PREFIX as string);

it('counts legacy calls per flow in CloudWatch EMF, unknown flows under one value', async () => {
  const s = await seedScenario();
  await store.put(s.flowId, 'legacy-metric-key', new Date());
  const expires = '2099-01-01T00:00:00Z';
  const token = createHash('sha256').update(`legacy-metric-key---${s.entryId}---${expires}`).digest('hex');
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    await invoke(legacy, functionUrlEvent('POST', '/', { flow_id: s.flowId, entry_id: s.entryId, token, expires }));
    await invoke(legacy, functionUrlEvent('POST', '/', { flow_id: uid('flow'), entry_id: s.entryId, token, expires }));
  } finally {
    process.stdout.write = write;
    await store.retire(s.flowId);
    await s.cleanup();
  }
  const emf = lines
    .join('')
    .split('\n')
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Record<string, unknown> & { _aws: { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: Array<{ Name: string }> }> } })
    .filter((e) => 'LegacyCalls' in e);
  expect(emf.map((e) => [e.flow_id, e.LegacyCalls])).toEqual([
    [s.flowId, 1],
    ['unknown', 1],
  ]);
  const directive = emf[0]._aws.CloudWatchMetrics[0];
  expect(directive.Namespace).toBe('SessionRecovery');
  expect(directive.Metrics).toEqual([{ Name: 'LegacyCalls', Unit: 'Count' }]);
  expect(directive.Dimensions[0]).toContain('flow_id');
});
