import { computeToken } from '../../lambdas/shared/token';
import { type Handler, invoke } from '../support/http';
import { seedScenario } from '../support/seed';
import { loadEntryEvent } from '../fixtures/events';

process.env.POWERTOOLS_METRICS_DISABLED = 'false';
const handler = ((await import('../../lambdas/load-entry-data/index')) as { handler: Handler }).handler;

it('records every verification as one EMF line: outcome, and the matching credential by id', async () => {
  const s = await seedScenario();
  const future = '2099-09-01T00:00:00Z';
  const body = { flow_id: s.flowId, project_id: s.projectId, entry_id: s.entryId, token: computeToken(s.credential.secret, s.entryId, future), expires_at: future };
  const past = '2020-09-01T00:00:00Z';
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    await invoke(handler, loadEntryEvent(body));
    await invoke(handler, loadEntryEvent({ ...body, token: computeToken('x', s.entryId, future) }));
    await invoke(handler, loadEntryEvent({ ...body, expires_at: past, token: computeToken(s.credential.secret, s.entryId, past) }));
    await invoke(handler, loadEntryEvent({ ...body, flow_id: 'other_flow' }));
    await invoke(handler, loadEntryEvent({ ...body, token: 'bad' }));
  } finally {
    process.stdout.write = write;
    await s.cleanup();
  }
  const emf = lines
    .join('')
    .split('\n')
    .filter((l) => l.includes('"_aws"'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(emf.map((e) => [e.outcome, e.credential_id, e.Verifications])).toEqual([
    ['ok', s.credential.credential_id, 1],
    ['invalid_token', undefined, 1],
    ['expired', undefined, 1],
    ['not_found', undefined, 1],
  ]);
  expect(lines.join('')).not.toContain(s.credential.secret);
});
