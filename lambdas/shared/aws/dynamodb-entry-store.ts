import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ENTRY_TABLE } from '../naming';
import type { EntryReader, StoredEntry } from '../ports';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Entries are items keyed by entry id. `user_data` is stored as a JSON string so
 * it round-trips exactly (number precision, empty strings, key order).
 */
export const entryFromItem = (item: Record<string, AttributeValue>): StoredEntry | undefined => {
  const entryId = item[ENTRY_TABLE.partitionKey]?.S;
  const projectId = item.project_id?.S;
  const flowId = item.flow_id?.S;
  const currentPageKey = item.current_page_key?.S;
  const userDataText = item.user_data?.S;
  if (!entryId || !projectId || !flowId || currentPageKey === undefined || userDataText === undefined) return undefined;
  const userData: unknown = JSON.parse(userDataText);
  if (!isRecord(userData)) return undefined;
  const ttl = item[ENTRY_TABLE.ttlAttribute]?.N;
  return { entryId, projectId, flowId, currentPageKey, userData, retainUntil: ttl === undefined ? undefined : Number(ttl) };
};

export class DynamoDbEntryStore implements EntryReader {
  private static readonly PROJECTION = [
    ENTRY_TABLE.partitionKey,
    'project_id',
    'flow_id',
    'current_page_key',
    'user_data',
    ENTRY_TABLE.ttlAttribute,
  ].join(', ');

  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async getEntry(entryId: string): Promise<StoredEntry | undefined> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
        // A user who saved a second ago on one device must resume that save on the next.
        ConsistentRead: true,
        ProjectionExpression: DynamoDbEntryStore.PROJECTION,
      }),
    );
    return out.Item ? entryFromItem(out.Item) : undefined;
  }
}

/** The item an entry is stored as (the inverse of {@link entryFromItem}). */
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
