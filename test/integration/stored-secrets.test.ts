import { DeleteSecretCommand, GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { handler as credentials } from '../../lambdas/credentials/index';
import { handler as legacyKeys } from '../../lambdas/legacy-keys/index';
import { routeEvent } from '../fixtures/admin-events';
import { invoke } from '../support/http';
import { deleteProject, secrets, uid } from '../support/seed';
import { registerSensitive } from '../support/sensitive';
import { docSection } from '../support/docs';

/*
 * The README's "Token Signing Secrets, as stored": the secrets' names, spelled
 * out here rather than taken from lambdas/adapters/naming.ts (operators list and
 * delete them by these names), and the project document's fields, as its example shows them.
 */

const PREFIX = process.env.SECRET_PREFIX as string;
const section = docSection('docs/operations.md', 'Token Signing Secrets, as stored').split('### Caching, and how long a revocation takes')[0];
const example = JSON.parse(/```json\n([\s\S]*?)```/.exec(section)![1]) as Record<string, unknown> & { credentials: Array<Record<string, unknown>> };

// AWSCURRENT named: the compare-and-swap moves it between versions, and moto's default read does not follow it.
const storedDocument = async (name: string) =>
  JSON.parse((await secrets.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSCURRENT' }))).SecretString!) as Record<string, unknown>;

/** A document's shape: its fields and, in each credential, the fields and the status and algorithm. */
const shape = (doc: Record<string, unknown>) => ({
  fields: Object.keys(doc).sort(),
  credentials: (doc.credentials as Array<Record<string, unknown>>).map((c) => ({ fields: Object.keys(c).sort(), status: c.status, algorithm: c.algorithm })),
});

it("a project's credentials and settings are one secret, <prefix>projects/<project_id>/signing-keys, holding the README's document", async () => {
  const projectId = uid('proj');
  try {
    const old = await invoke(credentials, routeEvent('createCredential', { project_id: projectId }, { label: 'old' }));
    registerSensitive((old.json as { secret: string }).secret);
    const origins = await invoke(credentials, routeEvent('setAllowedOrigins', { project_id: projectId }, { origins: ['https://www.example.com'] }));
    const saves = await invoke(credentials, routeEvent('setBrowserSaves', { project_id: projectId }, { enabled: true }));
    // The default replace revokes the old one: the example's pair.
    const current = await invoke(credentials, routeEvent('createCredential', { project_id: projectId }, { label: 'Token Signing Secret' }));
    expect([old.status, origins.status, saves.status, current.status]).toEqual([201, 200, 200, 201]);
    const secret = (current.json as { secret: string }).secret;
    registerSensitive(secret);

    const stored = await storedDocument(`${PREFIX}projects/${projectId}/signing-keys`);
    expect(shape(stored)).toEqual(shape(example));
    expect(stored).toMatchObject({
      schema_version: 1,
      project_id: projectId,
      credentials: [
        { label: 'old', status: 'revoked' },
        { label: 'Token Signing Secret', status: 'active', secret },
      ],
      allowed_origins: ['https://www.example.com'],
      browser_saves: true,
    });
  } finally {
    await deleteProject(projectId);
  }
});

it("a flow's legacy key is a secret of its own, <prefix>legacy-flows/<flow_id>/key, holding {schema_version, flow_id, project_id, secret, imported_at}", async () => {
  const flowId = uid('flow');
  const projectId = uid('proj');
  const name = `${PREFIX}legacy-flows/${flowId}/key`;
  try {
    const imported = await invoke(legacyKeys, routeEvent('importLegacyKey', { flow_id: flowId }, { secret: 'stored-legacy-key', project_id: projectId }));
    expect(imported.status).toBe(204);
    const stored = await storedDocument(name);
    expect(section).toContain(`\`{${Object.keys(stored).join(', ')}}\``);
    expect(stored).toEqual({
      schema_version: 1,
      flow_id: flowId,
      project_id: projectId,
      secret: 'stored-legacy-key',
      imported_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
  } finally {
    await secrets.send(new DeleteSecretCommand({ SecretId: name, ForceDeleteWithoutRecovery: true }));
  }
});
