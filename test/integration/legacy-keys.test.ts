import { handler as legacyKeys } from '../../lambdas/legacy-keys/index';
import { secretsManager } from '../../lambdas/shared/aws/clients';
import { SecretsManagerLegacyKeyStore } from '../../lambdas/shared/aws/secrets-manager-legacy-key-store';
import { errorOf, invoke } from '../support/http';
import { uid } from '../support/seed';
import { routeEvent } from '../fixtures/admin-events';

const PUT = 'PUT /v1/legacy/flows/{flow_id}/key';
const DELETE = 'DELETE /v1/legacy/flows/{flow_id}/key';
const store = new SecretsManagerLegacyKeyStore(secretsManager, process.env.SECRET_PREFIX as string);

it('imports, replaces, retires and re-imports a flow\'s legacy key', async () => {
  const flowId = uid('flow');
  expect((await invoke(legacyKeys, routeEvent(PUT, { flow_id: flowId }, { secret: 'legacy-key-one' }))).status).toBe(204);
  expect((await store.read(flowId))?.secret).toBe('legacy-key-one');

  expect((await invoke(legacyKeys, routeEvent(PUT, { flow_id: flowId }, { secret: 'legacy-key-two' }))).status).toBe(204);
  expect((await store.read(flowId))?.secret).toBe('legacy-key-two');

  expect((await invoke(legacyKeys, routeEvent(DELETE, { flow_id: flowId }))).status).toBe(204);
  expect(await store.read(flowId)).toBeUndefined();
  const again = await invoke(legacyKeys, routeEvent(DELETE, { flow_id: flowId }));
  expect(again.status).toBe(404);
  expect(errorOf(again).code).toBe('not_found');

  expect((await invoke(legacyKeys, routeEvent(PUT, { flow_id: flowId }, { secret: 'legacy-key-three' }))).status).toBe(204);
  expect((await store.read(flowId))?.secret).toBe('legacy-key-three');
});

it.each([
  [{}, 'secret is required'],
  [{ secret: 'short' }, 'secret must be 8 to 4096'],
  [{ secret: 'has a space in it' }, 'secret must be 8 to 4096'],
  [{ secret: 'valid-secret', generate: true }, 'unknown field "generate"'],
])('refuses %j with 400', async (body, message) => {
  const reply = await invoke(legacyKeys, routeEvent(PUT, { flow_id: uid('flow') }, body));
  expect(reply.status).toBe(400);
  expect(errorOf(reply).message).toContain(message);
});

it('has no route that generates a legacy key', async () => {
  const reply = await invoke(legacyKeys, routeEvent('POST /v1/legacy/flows/{flow_id}/key', { flow_id: uid('flow') }, {}));
  expect(reply.status).toBe(400);
});
