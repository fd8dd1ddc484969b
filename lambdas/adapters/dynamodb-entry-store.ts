import {
  type AttributeValue,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ENTRY_TABLE } from './naming';
import { type EntryStore, type LinkOwner, type LinkRegistry, type LinkTarget, MAX_ALLOWED_LINKS, type StoredEntry } from '../domain/ports';
import { DynamoDbEntryReader } from './dynamodb-entry-reader';
import { awsCall } from './errors';

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
      const out = await awsCall(this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [ENTRY_TABLE.partitionKey]: { S: entry.entryId } },
          UpdateExpression: `SET ${set}`,
          // One atomic step: create, or update only an entry of the same project and flow.
          ConditionExpression: `attribute_not_exists(${ENTRY_TABLE.partitionKey}) OR (project_id = :p AND flow_id = :f)`,
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_OLD',
        }),
      ));
      const createdAt = out.Attributes?.created_at?.S ?? at;
      return { created: out.Attributes === undefined, entry: { ...entry, createdAt, updatedAt: at } };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'conflict';
      throw error;
    }
  }

  async revokeLinks(entryId: string, projectId: string, now: Date): Promise<boolean> {
    try {
      await awsCall(this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
          UpdateExpression: 'SET links_valid_after = :now REMOVE allowed_links',
          ConditionExpression: 'project_id = :p',
          ExpressionAttributeValues: { ':now': { S: now.toISOString() }, ':p': { S: projectId } },
        }),
      ));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async allowLink(entryId: string, owner: LinkOwner, digest: string, now: Date): Promise<LinkTarget | undefined> {
    const { projectId } = owner;
    let flowId = '';
    // A failed condition means the entry changed between the read and the write: look again.
    for (let attempt = 0; attempt < 3; attempt++) {
      // Most entries were never revoked: a read spares them the write. It is strongly consistent, so an entry
      // saved a moment ago is found, and a revoke-links a moment ago is seen and the link recorded (else the
      // link would be refused later).
      const out = await awsCall(this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
          ProjectionExpression: `project_id, flow_id, ${ENTRY_TABLE.ttlAttribute}, links_valid_after, allowed_links`,
          ConsistentRead: true,
        }),
      ));
      const item = out.Item;
      const retainUntil = item?.[ENTRY_TABLE.ttlAttribute]?.N;
      if (
        item?.flow_id?.S === undefined ||
        item?.project_id?.S !== projectId ||
        (owner.flowId !== undefined && item.flow_id.S !== owner.flowId) ||
        // Expired but not yet deleted by DynamoDB's TTL, which can lag: gone, as load-entry-data sees it.
        (retainUntil !== undefined && Number(retainUntil) * 1000 <= now.getTime())
      ) {
        return undefined;
      }
      flowId = item.flow_id.S;
      if (item.links_valid_after === undefined) return { flowId, allowed: true };
      const allowed = item.allowed_links?.SS ?? [];
      if (allowed.includes(digest)) return { flowId, allowed: true };
      if (allowed.length >= MAX_ALLOWED_LINKS) return { flowId, allowed: false };
      try {
        await awsCall(this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
            UpdateExpression: 'ADD allowed_links :d',
            ConditionExpression: 'project_id = :p AND (attribute_not_exists(allowed_links) OR size(allowed_links) < :max)',
            ExpressionAttributeValues: { ':d': { SS: [digest] }, ':p': { S: projectId }, ':max': { N: String(MAX_ALLOWED_LINKS) } },
          }),
        ));
        return { flowId, allowed: true };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    // Three lost races at the limit: concurrent mints filled the list. The entry was there at each read.
    return { flowId, allowed: false };
  }

  async deleteEntry(entryId: string, projectId: string): Promise<boolean> {
    try {
      await awsCall(this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
          ConditionExpression: 'project_id = :p',
          ExpressionAttributeValues: { ':p': { S: projectId } },
        }),
      ));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
