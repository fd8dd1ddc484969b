import { randomBytes } from 'node:crypto';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  PutItemCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { CreateSecretCommand, PutSecretValueCommand, ResourceExistsException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { entryToItem } from '../lambdas/adapters/dynamodb-entry-reader';
import { DynamoDbProjectIndex } from '../lambdas/adapters/dynamodb-project-index';
import { CAMPAIGN_INDEX, ENTRY_TABLE, projectSecretName } from '../lambdas/adapters/naming';
import type { StoredEntry } from '../lambdas/domain/ports';
import type { ProjectSecretDocument } from '../lambdas/domain/project-keys';

/** The campaigns index as the CDK construct defines it (lib/table.ts). */
const CAMPAIGN_INDEX_DEFINITION = {
  IndexName: CAMPAIGN_INDEX.name,
  KeySchema: [
    { AttributeName: CAMPAIGN_INDEX.partitionKey, KeyType: 'HASH' as const },
    { AttributeName: CAMPAIGN_INDEX.sortKey, KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: ['campaign', 'links_minted', 'entries_resumed', 'completions'] },
};
const CAMPAIGN_INDEX_ATTRIBUTES = [
  { AttributeName: CAMPAIGN_INDEX.partitionKey, AttributeType: 'S' as const },
  { AttributeName: CAMPAIGN_INDEX.sortKey, AttributeType: 'S' as const },
];

const untilActive = async (client: DynamoDBClient, tableName: string) => {
  for (let i = 0; i < 50; i++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (Table?.TableStatus === 'ACTIVE' && (Table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === undefined || g.IndexStatus === 'ACTIVE'))
      return Table;
    await new Promise((r) => setTimeout(r, 100));
  }
  return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
};

/**
 * Creates the entries table as the CDK construct defines it (key, campaigns index and TTL), if it does not exist;
 * one kept from a run before the campaigns index (npm start's .local-data/) gets the index, as a deploy adds it.
 */
export const createEntriesTable = async (client: DynamoDBClient, tableName: string): Promise<void> => {
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: ENTRY_TABLE.partitionKey, AttributeType: 'S' }, ...CAMPAIGN_INDEX_ATTRIBUTES],
        KeySchema: [{ AttributeName: ENTRY_TABLE.partitionKey, KeyType: 'HASH' }],
        GlobalSecondaryIndexes: [CAMPAIGN_INDEX_DEFINITION],
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const table = await untilActive(client, tableName);
  if (!(table?.GlobalSecondaryIndexes ?? []).some((g) => g.IndexName === CAMPAIGN_INDEX.name)) {
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: CAMPAIGN_INDEX_ATTRIBUTES,
        GlobalSecondaryIndexUpdates: [{ Create: CAMPAIGN_INDEX_DEFINITION }],
      }),
    );
    await untilActive(client, tableName);
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: ENTRY_TABLE.ttlAttribute, Enabled: true },
    }),
  );
};

/**
 * Writes a project's secret document, creating the secret on first use. With
 * `index`, first adds the project to the project index, as the credentials
 * Lambda does before each write.
 */
export const putProjectSecret = async (
  client: SecretsManagerClient,
  prefix: string,
  doc: ProjectSecretDocument,
  index?: { readonly dynamodb: DynamoDBClient; readonly tableName: string },
): Promise<void> => {
  if (index) await new DynamoDbProjectIndex(index.dynamodb, index.tableName).add(doc.project_id);
  const name = projectSecretName(prefix, doc.project_id);
  const text = JSON.stringify(doc);
  try {
    await client.send(new CreateSecretCommand({ Name: name, SecretString: text }));
  } catch (error) {
    if (!(error instanceof ResourceExistsException)) throw error;
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: text }));
  }
};

export const putEntry = async (client: DynamoDBClient, tableName: string, entry: StoredEntry): Promise<void> => {
  const now = new Date().toISOString();
  await client.send(new PutItemCommand({ TableName: tableName, Item: entryToItem(entry, { createdAt: now, updatedAt: now }) }));
};

/**
 * Creates the deployment's save key as CloudFormation does (`{"current": <64
 * random characters>}`), unless it exists: a long-running emulator keeps it, so
 * save tokens in a browser survive a restart.
 */
export const ensureSaveKey = async (client: SecretsManagerClient, name: string): Promise<void> => {
  try {
    await client.send(new CreateSecretCommand({ Name: name, SecretString: JSON.stringify({ current: randomBytes(48).toString('base64url') }) }));
  } catch (error) {
    if (!(error instanceof ResourceExistsException)) throw error;
  }
};
