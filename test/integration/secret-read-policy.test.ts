import { DescribeSecretCommand, GetResourcePolicyCommand } from '@aws-sdk/client-secrets-manager';
import { secretsManager } from '../../lambdas/adapters/clients';
import { legacyKeySecretName, projectSecretName } from '../../lambdas/adapters/naming';
import { SecretsManagerLegacyKeyStore } from '../../lambdas/adapters/secrets-manager-legacy-key-store';
import { SecretsManagerProjectStore } from '../../lambdas/adapters/secrets-manager-project-store';
import { addCredential } from '../../lambdas/domain/project-keys';
import { deleteProject, uid } from '../support/seed';
import { registerSensitive } from '../support/sensitive';

/*
 * docs/security.md, "Secrets readable by broad Secrets Manager rights": every
 * secret the service creates at run time carries a resource policy denying
 * GetSecretValue to any principal but the service's roles and the operator's,
 * read back from the emulator as AWS would show it.
 */

const prefix = process.env.SECRET_PREFIX as string;
const READERS = [
  'arn:aws:iam::111122223333:role/Stack-LoadEntryDataRole-A',
  'arn:aws:iam::111122223333:role/Stack-CredentialsRole-B',
  'arn:aws:iam::111122223333:role/operators',
];
const policyOf = async (secretId: string) => {
  const out = await secretsManager.send(new GetResourcePolicyCommand({ SecretId: secretId }));
  return out.ResourcePolicy === undefined ? undefined : (JSON.parse(out.ResourcePolicy) as unknown);
};
const EXPECTED = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'OnlyTheServiceReadsTheValue',
      Effect: 'Deny',
      Principal: '*',
      Action: 'secretsmanager:GetSecretValue',
      Resource: '*',
      Condition: { StringNotEquals: { 'aws:PrincipalArn': READERS } },
    },
  ],
};

it("a project's secret is created with the policy that leaves reading its value to the service's roles and the operator's", async () => {
  const projectId = uid('proj');
  const store = new SecretsManagerProjectStore(secretsManager, prefix, { readers: READERS });
  try {
    const { doc, credential } = addCredential(projectId, undefined, { label: 'main', environment: 'production', replace: true, now: new Date() });
    registerSensitive(credential.secret);
    expect(await store.compareAndSwap(projectId, doc, undefined)).toBe(true);
    expect(await policyOf(projectSecretName(prefix, projectId))).toEqual(EXPECTED);
  } finally {
    await deleteProject(projectId);
  }
});

it('a legacy key is stored with the same policy, and one stored again gets it too', async () => {
  const flowId = uid('flow');
  const secret = `legacy_${uid('k')}`;
  registerSensitive(secret);
  const unprotected = new SecretsManagerLegacyKeyStore(secretsManager, prefix);
  const store = new SecretsManagerLegacyKeyStore(secretsManager, prefix, { readers: READERS });
  const name = legacyKeySecretName(prefix, flowId);
  // Stored before the policy existed (no readers configured): none.
  await unprotected.put(flowId, 'proj_1', secret, new Date());
  expect(await policyOf(name)).toBeUndefined();
  await store.put(flowId, 'proj_1', secret, new Date());
  expect(await policyOf(name)).toEqual(EXPECTED);
  const flow2 = uid('flow');
  await store.put(flow2, 'proj_1', secret, new Date());
  expect(await policyOf(legacyKeySecretName(prefix, flow2))).toEqual(EXPECTED);
  await store.retire(flowId);
  await store.retire(flow2);
});

it("secrets created at run time carry the deployment's tags (prop tags)", async () => {
  const tags = { team: 'growth', 'cost-center': 'cc-42' };
  const projectId = uid('proj');
  const flowId = uid('flow');
  const secret = `legacy_${uid('k')}`;
  registerSensitive(secret);
  const tagsOf = async (name: string) =>
    Object.fromEntries(((await secretsManager.send(new DescribeSecretCommand({ SecretId: name }))).Tags ?? []).map((t) => [t.Key, t.Value]));
  try {
    const { doc, credential } = addCredential(projectId, undefined, { label: 'main', environment: 'production', replace: true, now: new Date() });
    registerSensitive(credential.secret);
    await new SecretsManagerProjectStore(secretsManager, prefix, { readers: READERS, tags }).compareAndSwap(projectId, doc, undefined);
    expect(await tagsOf(projectSecretName(prefix, projectId))).toEqual(tags);
    const legacy = new SecretsManagerLegacyKeyStore(secretsManager, prefix, { tags });
    await legacy.put(flowId, 'proj_1', secret, new Date());
    expect(await tagsOf(legacyKeySecretName(prefix, flowId))).toEqual(tags);
    await legacy.retire(flowId);
  } finally {
    await deleteProject(projectId);
  }
});
