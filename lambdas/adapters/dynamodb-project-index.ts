import { type DynamoDBClient, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { ProjectIndex, ProjectIndexWriter } from '../domain/ports';
import { awsCall } from './errors';
import { ENTRY_TABLE, PROJECT_INDEX_ATTRIBUTE, PROJECT_INDEX_KEY } from './naming';

const KEY = { [ENTRY_TABLE.partitionKey]: { S: PROJECT_INDEX_KEY } };

/**
 * The project index as one item of the entries table (PROJECT_INDEX_KEY): read
 * with one eventually consistent GetItem, added to with one UpdateItem `ADD`
 * (idempotent, and safe under concurrent writers: DynamoDB merges the sets).
 */
export class DynamoDbProjectIndex implements ProjectIndex, ProjectIndexWriter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async read(): Promise<ReadonlySet<string>> {
    const out = await awsCall(this.client.send(new GetItemCommand({ TableName: this.tableName, Key: KEY, ProjectionExpression: PROJECT_INDEX_ATTRIBUTE })));
    return new Set(out.Item?.[PROJECT_INDEX_ATTRIBUTE]?.SS ?? []);
  }

  async add(projectId: string): Promise<void> {
    await awsCall(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: KEY,
          UpdateExpression: 'ADD #ids :id',
          ExpressionAttributeNames: { '#ids': PROJECT_INDEX_ATTRIBUTE },
          ExpressionAttributeValues: { ':id': { SS: [projectId] } },
        }),
      ),
    );
  }
}
