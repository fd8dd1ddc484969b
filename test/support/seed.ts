import { randomBytes } from 'node:crypto';
import { DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { putEntry, putProjectSecret } from '../../local/bootstrap';
import { ENTRY_TABLE, projectSecretName } from '../../lambdas/adapters/naming';
import type { StoredEntry } from '../../lambdas/domain/ports';
import type { ActiveCredential, CredentialRecord, ProjectSecretDocument } from '../../lambdas/domain/project-keys';
import { generateCredentialId, generateSecretValue } from '../../lambdas/domain/project-keys';
import { registerSensitive, registerSensitiveBody } from './sensitive';

export const dynamodb = new DynamoDBClient({});
export const secrets = new SecretsManagerClient({});

/** A unique id with a readable prefix, valid under the id grammar. */
export const uid = (prefix: string): string => `${prefix}_${randomBytes(6).toString('hex')}`;

export const credential = (overrides: Partial<Omit<ActiveCredential, 'status'>> = {}): ActiveCredential => {
  const c: ActiveCredential = {
    credential_id: generateCredentialId(),
    label: 'test',
    environment: 'production',
    created_at: new Date().toISOString(),
    status: 'active',
    secret: generateSecretValue(),
    ...overrides,
  };
  registerSensitive(c.secret);
  return c;
};

/** Writes a project's secret: its credentials, and any settings (allowed origins, browser saves). */
export const seedProject = async (
  projectId: string,
  credentials: CredentialRecord[],
  settings: Pick<ProjectSecretDocument, 'allowed_origins' | 'browser_saves'> = {},
): Promise<void> =>
  putProjectSecret(secrets, process.env.SECRET_PREFIX as string, { schema_version: 1, project_id: projectId, credentials, ...settings });

export const deleteProject = async (projectId: string): Promise<void> => {
  await secrets.send(
    new DeleteSecretCommand({
      SecretId: projectSecretName(process.env.SECRET_PREFIX as string, projectId),
      ForceDeleteWithoutRecovery: true,
    }),
  );
};

export const seedEntry = async (entry: StoredEntry): Promise<void> => {
  registerSensitiveBody({ user_data: entry.userData });
  await putEntry(dynamodb, process.env.TABLE_NAME as string, entry);
};

export const deleteEntry = async (entryId: string): Promise<void> => {
  await dynamodb.send(
    new DeleteItemCommand({ TableName: process.env.TABLE_NAME as string, Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } } }),
  );
};

/** A project with one active credential and one entry in one flow, removed by `cleanup`. */
export const seedScenario = async (userData: Record<string, unknown> = { name: 'Grace', step_count: 4 }) => {
  const projectId = uid('proj');
  const flowId = uid('flow');
  const entryId = uid('entry');
  const cred = credential();
  await seedProject(projectId, [cred]);
  await seedEntry({ entryId, projectId, flowId, currentPageKey: 'page_2', userData });
  return {
    projectId,
    flowId,
    entryId,
    credential: cred,
    userData,
    cleanup: async () => {
      await deleteEntry(entryId);
      await deleteProject(projectId);
    },
  };
};
