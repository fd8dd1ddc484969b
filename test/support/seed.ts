import { randomBytes } from 'node:crypto';
import { BatchWriteItemCommand, DeleteItemCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { entryToItem } from '../../lambdas/adapters/dynamodb-entry-reader';
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

/** Writes a project's secret (its credentials, and any settings: allowed origins, browser saves), and lists it in the project index. */
export const seedProject = async (
  projectId: string,
  credentials: CredentialRecord[],
  settings: Pick<ProjectSecretDocument, 'allowed_origins' | 'browser_saves' | 'sms_countries' | 'resume_policies'> = {},
): Promise<void> =>
  putProjectSecret(
    secrets,
    process.env.SECRET_PREFIX as string,
    { schema_version: 1, project_id: projectId, credentials, ...settings },
    { dynamodb, tableName: process.env.TABLE_NAME as string },
  );

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

/**
 * Saves `n` entries of one project and flow, 25 to a BatchWriteItem call, as a
 * campaign's backend would have saved them; returns their ids.
 */
export const seedEntries = async (n: number, projectId: string, flowId: string): Promise<string[]> => {
  const ids = Array.from({ length: n }, () => uid('entry'));
  const now = new Date().toISOString();
  for (let i = 0; i < ids.length; i += 25) {
    const items = ids.slice(i, i + 25).map((entryId) => ({
      PutRequest: { Item: entryToItem({ entryId, projectId, flowId, currentPageKey: 'page_1', userData: {} }, { createdAt: now, updatedAt: now }) },
    }));
    await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [process.env.TABLE_NAME as string]: items } }));
  }
  return ids;
};

/** Deletes entries (or short links, by key), 25 to a call; a key given twice is deleted once. */
export const deleteEntries = async (given: readonly string[]): Promise<void> => {
  const keys = [...new Set(given)];
  for (let i = 0; i < keys.length; i += 25) {
    const requests = keys.slice(i, i + 25).map((key) => ({ DeleteRequest: { Key: { [ENTRY_TABLE.partitionKey]: { S: key } } } }));
    await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [process.env.TABLE_NAME as string]: requests } }));
  }
};

export const deleteEntry = async (entryId: string): Promise<void> => {
  await dynamodb.send(new DeleteItemCommand({ TableName: process.env.TABLE_NAME as string, Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } } }));
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
