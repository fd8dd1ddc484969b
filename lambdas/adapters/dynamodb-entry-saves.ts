import { ConditionalCheckFailedException, type DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { EntrySaves, StoredEntry } from '../domain/ports';
import { entryToItem } from './dynamodb-entry-reader';
import { awsCall } from './errors';
import { ENTRY_TABLE } from './naming';

/**
 * Browser saves' writes: each is one conditional write and nothing else (no
 * read first). The entry's `seq` orders the page's saves.
 */
export class DynamoDbEntrySaves implements EntrySaves {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async createEntry(entry: StoredEntry & { readonly retainUntil: number }, now: Date): Promise<boolean> {
    const at = now.toISOString();
    try {
      await awsCall(
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: { ...entryToItem(entry, { createdAt: at, updatedAt: at }), seq: { N: '0' } },
            ConditionExpression: `attribute_not_exists(${ENTRY_TABLE.partitionKey})`,
          }),
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async saveProgress(
    entryId: string,
    progress: Parameters<EntrySaves['saveProgress']>[1],
    now: Date,
  ): Promise<'saved' | 'stale' | 'missing'> {
    try {
      await awsCall(
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
            UpdateExpression: `SET current_page_key = :k, user_data = :d, seq = :seq, updated_at = :now, ${ENTRY_TABLE.ttlAttribute} = :r`,
            ConditionExpression: 'project_id = :p AND flow_id = :f AND (attribute_not_exists(seq) OR seq < :seq)',
            ExpressionAttributeValues: {
              ':p': { S: progress.projectId },
              ':f': { S: progress.flowId },
              ':k': { S: progress.currentPageKey },
              ':d': { S: JSON.stringify(progress.userData) },
              ':seq': { N: String(progress.seq) },
              ':now': { S: now.toISOString() },
              ':r': { N: String(progress.retainUntil) },
            },
            // On a failed condition, the item as it was tells a stale save from a missing entry, at no extra read.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return 'saved';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = error.Item;
      return old?.project_id?.S === progress.projectId && old.flow_id?.S === progress.flowId ? 'stale' : 'missing';
    }
  }
}
