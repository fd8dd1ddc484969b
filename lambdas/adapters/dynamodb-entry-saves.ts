import { type AttributeValue, ConditionalCheckFailedException, type DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { EntrySaves, RotationRefused, SaveRotation, StoredEntry } from '../domain/ports';
import { entryFromItem, entryToItem, verifyDigestItem } from './dynamodb-entry-reader';
import { awsCall } from './errors';
import { ENTRY_TABLE } from './naming';

/**
 * Browser saves' writes: each is one conditional write and nothing else (no
 * read first). The entry's `seq` orders the page's saves.
 */
export class DynamoDbEntrySaves implements EntrySaves, SaveRotation {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async createEntry(entry: StoredEntry & { readonly retainUntil: number; readonly saveGen: string }, now: Date): Promise<boolean> {
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
  ): Promise<'saved' | 'stale' | 'missing' | 'ended'> {
    try {
      await awsCall(
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
            // The verify field's digest is written with the value it is of, or goes with it.
            UpdateExpression: `SET current_page_key = :k, user_data = :d, seq = :seq, updated_at = :now, ${ENTRY_TABLE.ttlAttribute} = :r${
              progress.verifyDigest === undefined ? ' REMOVE verify_digest' : ', verify_digest = :v'
            }`,
            // The token's generation must still be the entry's: checked in the write itself, with no read.
            ConditionExpression: 'project_id = :p AND flow_id = :f AND save_gen = :g AND (attribute_not_exists(seq) OR seq < :seq)',
            ExpressionAttributeValues: {
              ':p': { S: progress.projectId },
              ':f': { S: progress.flowId },
              ':g': { S: progress.saveGen },
              ':k': { S: progress.currentPageKey },
              ':d': { S: JSON.stringify(progress.userData) },
              ':seq': { N: String(progress.seq) },
              ':now': { S: now.toISOString() },
              ':r': { N: String(progress.retainUntil) },
              ...(progress.verifyDigest === undefined ? {} : { ':v': verifyDigestItem(progress.verifyDigest) }),
            },
            // On a failed condition, the item as it was tells a missing entry from an ended token and a stale save, at no extra read.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return 'saved';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const old = error.Item;
      if (old?.project_id?.S !== progress.projectId || old.flow_id?.S !== progress.flowId) return 'missing';
      return old.save_gen?.S === progress.saveGen ? 'stale' : 'ended';
    }
  }

  async rotateSaveGen(
    entryId: string,
    rotation: Parameters<SaveRotation['rotateSaveGen']>[1],
  ): Promise<'rotated' | RotationRefused> {
    const values: Record<string, AttributeValue> = {
      ':p': { S: rotation.projectId },
      ':f': { S: rotation.flowId },
      ':next': { S: rotation.nextGen },
      ':zero': { N: '0' },
    };
    let seen = 'attribute_not_exists(save_gen)';
    if (rotation.seenGen !== undefined) {
      values[':seen'] = { S: rotation.seenGen };
      seen = 'save_gen = :seen';
    }
    try {
      await awsCall(
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
            // seq starts afresh: no earlier holder can have pinned it out of the new holder's reach.
            UpdateExpression: 'SET save_gen = :next, seq = :zero',
            // Only over the generation the resume judged: of two resumes at once, one writes, and the other sees the entry anew.
            ConditionExpression: `project_id = :p AND flow_id = :f AND ${seen}`,
            ExpressionAttributeValues: values,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return 'rotated';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { current: error.Item === undefined ? undefined : entryFromItem(error.Item) };
    }
  }
}
