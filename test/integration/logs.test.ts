import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { computeToken } from '../../lambdas/domain/token';
import { type Handler, invoke } from '../support/http';
import { seedScenario } from '../support/seed';
import { loadEntryEvent, preflightEvent } from '../fixtures/events';

// Log at the most verbose level, as set at module load in Lambda, so anything that could leak is written.
process.env.AWS_LAMBDA_LOG_LEVEL = 'DEBUG';
const { handler } = (await import('../../lambdas/load-entry-data/index')) as { handler: Handler };

const FUTURE = '2099-04-01T00:00:00Z';

it('logs one line per request with an outcome, and never a token, secret or user-data value', async () => {
  const userData = { email: 'ada.lovelace@example.com', answer: 'sensitive-answer-7731' };
  const s = await seedScenario(userData);
  const token = computeToken(s.credential.secret, s.entryId, FUTURE);
  const body = { flow_id: s.flowId, project_id: s.projectId, entry_id: s.entryId, token, expires_at: FUTURE };
  const badToken = computeToken('nope', s.entryId, FUTURE);

  const lines: string[] = [];
  const onStderr: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  const errWrite = process.stderr.write.bind(process.stderr);
  process.stdout.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), onStderr.push(String(chunk)), true)) as typeof process.stderr.write;
  const ddb = { mock: undefined as ReturnType<typeof mockClient> | undefined };
  try {
    await invoke(handler, loadEntryEvent(body));
    await invoke(handler, loadEntryEvent({ ...body, token: badToken }));
    await invoke(handler, loadEntryEvent({ ...body, expires_at: 'x' }));
    await invoke(handler, preflightEvent('https://a.example'));
    ddb.mock = mockClient(DynamoDBClient);
    ddb.mock.on(GetItemCommand).rejects(new Error(`failure mentioning ${token}`));
    await invoke(handler, loadEntryEvent(body));
  } finally {
    ddb.mock?.restore();
    process.stdout.write = write;
    process.stderr.write = errWrite;
    await s.cleanup();
  }

  const text = lines.join('');
  for (const forbidden of [token, badToken, s.credential.secret, userData.email, userData.answer]) {
    expect(text).not.toContain(forbidden);
  }
  const records = text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  // The request lines are the ones with an outcome: one per request (the preflight is answered by CORS alone).
  const requests = records.filter((r) => 'outcome' in r);
  expect(requests.map((r) => r.outcome)).toEqual(['ok', 'invalid_token', 'invalid_request', 'error']);
  // Why the token failed (ApiError.detail) is for the local runtime's console only: not a byte of it here, even at DEBUG.
  expect(Object.keys(requests[1]).sort()).toEqual(['flow_id', 'level', 'outcome', 'project_id', 'request_id']);
  expect(text).not.toContain('matched');
  const ids = requests.map((r) => r.request_id);
  expect(new Set(ids).size).toBe(4);
  for (const id of ids) expect(id).toEqual(expect.stringMatching(/^[A-Za-z0-9+/=-]{16,36}$/));
  // The failure is also logged at ERROR, by error name only, for the same request, and on stderr; request lines on stdout.
  const failure = records.find((r) => r.level === 'ERROR');
  expect(failure).toMatchObject({ message: 'request failed', error_name: 'Error', request_id: ids[3] });
  expect(failure).not.toHaveProperty('outcome');
  expect(onStderr.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([failure]);
});

it('writes a request line of what it costs: level, request id, ids and outcome, no Lambda context', async () => {
  const s = await seedScenario({ colour: 'green' });
  const body = {
    flow_id: s.flowId,
    project_id: s.projectId,
    entry_id: s.entryId,
    token: computeToken(s.credential.secret, s.entryId, FUTURE),
    expires_at: FUTURE,
  };
  const lines: string[] = [];
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = ((chunk: string | Uint8Array) => (lines.push(String(chunk)), true)) as typeof process.stdout.write;
  try {
    await invoke(handler, loadEntryEvent(body));
  } finally {
    process.stdout.write = write;
    await s.cleanup();
  }
  const record = JSON.parse(lines.join('')) as Record<string, unknown>;
  expect(Object.keys(record)).toEqual(['level', 'request_id', 'project_id', 'flow_id', 'credential_id', 'outcome']);
  expect(record).toMatchObject({ level: 'INFO', project_id: s.projectId, flow_id: s.flowId, credential_id: s.credential.credential_id, outcome: 'ok' });
});
