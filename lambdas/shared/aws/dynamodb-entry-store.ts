import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ENTRY_TABLE } from '../naming';
import type { EntryStore, LinkRegistry, StoredEntry } from '../ports';
import { DynamoDbEntryReader } from './dynamodb-entry-reader';

/** The item an entry is stored as (the inverse of `entryFromItem` in dynamodb-entry-reader.ts). */
export const entryToItem = (entry: StoredEntry, timestamps: { createdAt: string; updatedAt: string }) => {
  const item: Record<string, AttributeValue> = {
    [ENTRY_TABLE.partitionKey]: { S: entry.entryId },
    project_id: { S: entry.projectId },
    flow_id: { S: entry.flowId },
    current_page_key: { S: entry.currentPageKey },
    user_data: { S: JSON.stringify(entry.userData) },
    created_at: { S: timestamps.createdAt },
    updated_at: { S: timestamps.updatedAt },
  };
  if (entry.retainUntil !== undefined) item[ENTRY_TABLE.ttlAttribute] = { N: String(entry.retainUntil) };
  return item;
};

/** Reads and writes entries (the admin Lambdas and mint). */
export class DynamoDbEntryStore extends DynamoDbEntryReader implements EntryStore, LinkRegistry {
  async saveEntry(entry: StoredEntry, now: Date): Promise<{ created: boolean; entry: StoredEntry } | 'conflict'> {
    const at = now.toISOString();
    const values: Record<string, AttributeValue> = {
      ':p': { S: entry.projectId },
      ':f': { S: entry.flowId },
      ':k': { S: entry.currentPageKey },
      ':d': { S: JSON.stringify(entry.userData) },
      ':now': { S: at },
    };
    let set = 'project_id = :p, flow_id = :f, current_page_key = :k, user_data = :d, updated_at = :now, created_at = if_not_exists(created_at, :now)';
    if (entry.retainUntil !== undefined) {
      values[':r'] = { N: String(entry.retainUntil) };
      set += `, ${ENTRY_TABLE.ttlAttribute} = :r`;
    }
    try {
      const out = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [ENTRY_TABLE.partitionKey]: { S: entry.entryId } },
          UpdateExpression: `SET ${set}`,
          // One atomic step: create, or update only an entry of the same project and flow.
          ConditionExpression: `attribute_not_exists(${ENTRY_TABLE.partitionKey}) OR (project_id = :p AND flow_id = :f)`,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
        }),
      );
      const createdAt = out.Attributes?.created_at?.S ?? at;
      return { created: out.Attributes === undefined, entry: { ...entry, createdAt, updatedAt: at } };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'conflict';
      throw error;
    }
  }

  async revokeLinks(entryId: string, projectId: string, now: Date): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
          UpdateExpression: 'SET links_valid_after = :now REMOVE link_allowlist',
          ConditionExpression: 'project_id = :p',
          ExpressionAttributeValues: { ':now': { S: now.toISOString() }, ':p': { S: projectId } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async allowLink(entryId: string, projectId: string, expiresAt: string): Promise<void> {
    // Most entries were never revoked: a cheap eventually consistent read spares them the write.
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
        ProjectionExpression: 'project_id, links_valid_after',
      }),
    );
    if (out.Item?.links_valid_after === undefined || out.Item.project_id?.S !== projectId) return;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
          UpdateExpression: 'ADD link_allowlist :e',
          ConditionExpression: 'attribute_exists(links_valid_after) AND project_id = :p',
          ExpressionAttributeValues: { ':e': { SS: [expiresAt] }, ':p': { S: projectId } },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async deleteEntry(entryId: string, projectId: string): Promise<boolean> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
          ConditionExpression: 'project_id = :p',
          ExpressionAttributeValues: { ':p': { S: projectId } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
