import { handler as legacyKeys } from '../../lambdas/legacy-keys/index';
import { CreateSecretCommand, DeleteSecretCommand } from '@aws-sdk/client-secrets-manager';
import { secretsManager } from '../../lambdas/adapters/clients';
import { SecretsManagerLegacyKeyStore } from '../../lambdas/adapters/secrets-manager-legacy-key-store';
import { legacyKeySecretName } from '../../lambdas/adapters/naming';
import { errorOf, invoke } from '../support/http';
import { uid } from '../support/seed';
import { routeEvent } from '../fixtures/admin-events';
import { countCalls } from '../../dev-support/call-counter';
import { ROUTES } from '../../lambdas/http/routes';

const PUT = 'importLegacyKey';
const DELETE = 'retireLegacyKey';
const store = new SecretsManagerLegacyKeyStore(secretsManager, process.env.SECRET_PREFIX as string);

it("imports, replaces, retires and re-imports a flow's legacy key, always for one project", async () => {
  const flowId = uid('flow');
  const projectId = uid('proj');
  expect((await invoke(legacyKeys, routeEvent(PUT, { flow_id: flowId }, { secret: 'legacy-key-one', project_id: projectId }))).status).toBe(204);
  expect(await store.read(flowId)).toMatchObject({ flow_id: flowId, project_id: projectId, secret: 'legacy-key-one' });

  const otherProject = uid('proj');
  expect((await invoke(legacyKeys, routeEvent(PUT, { flow_id: flowId }, { secret: 'legacy-key-two', project_id: otherProject }))).status).toBe(204);
  expect(await store.read(flowId)).toMatchObject({ project_id: otherProject, secret: 'legacy-key-two' });

  expect((await invoke(legacyKeys, routeEvent(DELETE, { flow_id: flowId }))).status).toBe(204);
  expect(await store.read(flowId)).toBeUndefined();
  const again = await invoke(legacyKeys, routeEvent(DELETE, { flow_id: flowId }));
  expect(again.status).toBe(404);
  expect(errorOf(again).code).toBe('not_found');

  expect((await invoke(legacyKeys, routeEvent(PUT, { flow_id: flowId }, { secret: 'legacy-key-three', project_id: projectId }))).status).toBe(204);
  expect((await store.read(flowId))?.secret).toBe('legacy-key-three');
});

it.each([
  [{ project_id: 'proj_1' }, 'secret is required'],
  [{ secret: 'valid-secret' }, 'project_id is required'],
  [{ secret: 'valid-secret', project_id: 'proj--1' }, 'project_id must be 1 to 128'],
  [{ secret: 'short', project_id: 'proj_1' }, 'secret must be 8 to 4096'],
  [{ secret: 'has a space in it', project_id: 'proj_1' }, 'secret must be 8 to 4096'],
  [{ secret: 'valid-secret', project_id: 'proj_1', generate: true }, 'unknown field "generate"'],
])('refuses %j with 400', async (body, message) => {
  const reply = await invoke(legacyKeys, routeEvent(PUT, { flow_id: uid('flow') }, body));
  expect(reply.status).toBe(400);
  expect(errorOf(reply).message).toContain(message);
});

it('has no route that generates a legacy key: only import (the key given) and retire', async () => {
  const routes = Object.values(ROUTES)
    .filter((r) => r.fn === 'legacy-keys')
    .map((r) => r.key);
  expect(routes).toEqual(['PUT /v1/legacy/flows/{flow_id}/key', 'DELETE /v1/legacy/flows/{flow_id}/key']);
  const reply = await invoke(legacyKeys, routeEvent({ key: 'POST /v1/legacy/flows/{flow_id}/key' }, { flow_id: uid('flow') }, {}));
  expect(reply.status).toBe(400);
});

it('retires a key into a 7-day recovery window, within which importing it again restores it', async () => {
  const flowId = uid('flow');
  const calls = countCalls(secretsManager);
  try {
    expect((await invoke(legacyKeys, routeEvent(PUT, { flow_id: flowId }, { secret: 'legacy-key-one', project_id: uid('proj') }))).status).toBe(204);
    calls.reset();
    expect((await invoke(legacyKeys, routeEvent(DELETE, { flow_id: flowId }))).status).toBe(204);
    expect([calls.calls, calls.inputs[0]?.RecoveryWindowInDays]).toEqual([['DeleteSecretCommand'], 7]);
    calls.reset();
    expect((await invoke(legacyKeys, routeEvent(PUT, { flow_id: flowId }, { secret: 'legacy-key-two', project_id: uid('proj') }))).status).toBe(204);
    expect(calls.calls).toContain('RestoreSecretCommand');
    expect((await store.read(flowId))?.secret).toBe('legacy-key-two');
  } finally {
    calls.detach();
    await store.retire(flowId);
  }
});

it('a key stored before keys were bound to a project opens nothing: it must be imported again with its project', async () => {
  const flowId = uid('flow');
  const name = legacyKeySecretName(process.env.SECRET_PREFIX as string, flowId);
  await secretsManager.send(
    new CreateSecretCommand({
      Name: name,
      SecretString: JSON.stringify({ schema_version: 1, flow_id: flowId, secret: 'unbound-legacy-key', imported_at: '2026-01-01T00:00:00.000Z' }),
    }),
  );
  try {
    expect(await store.read(flowId)).toBeUndefined();
  } finally {
    await secretsManager.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
  }
});

it("a first key created by two writers at once is the first one's: the other is told, and the stored key stays (local runtimes starting together)", async () => {
  const flowId = uid('flow');
  const projectId = uid('proj');
  const keys = ['legacy-key-racing-one', 'legacy-key-racing-two'];
  try {
    const created = await Promise.all(keys.map((key) => store.create(flowId, projectId, key, new Date())));
    expect(created.filter(Boolean)).toHaveLength(1);
    expect((await store.read(flowId))?.secret).toBe(keys[created.indexOf(true)]);
    expect(await store.create(flowId, projectId, 'legacy-key-three', new Date())).toBe(false);
    expect((await store.read(flowId))?.secret).toBe(keys[created.indexOf(true)]);
  } finally {
    await store.retire(flowId);
  }
});
