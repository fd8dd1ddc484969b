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
  return {
    entryId,
    projectId,
    flowId,
    currentPageKey,
    userData,
    retainUntil: ttl === undefined ? undefined : Number(ttl),
    createdAt: item.created_at?.S,
    updatedAt: item.updated_at?.S,
    linksValidAfter: item.links_valid_after?.S,
    linkAllowlist: item.link_allowlist?.SS,
  };
};


/**
 * Reads entries: all the public Lambdas need. Kept apart from the write methods
 * (DynamoDbEntryStore) so their bundles do not carry code they never run.
 */
export class DynamoDbEntryReader implements EntryReader {
  constructor(
    protected readonly client: DynamoDBClient,
    protected readonly tableName: string,
  ) {}

  async getEntry(entryId: string): Promise<StoredEntry | undefined> {
    const out = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
        // A user who saved a second ago on one device must resume that save on the next. No projection:
        // read units are billed on the whole item anyway, and the item is small.
        ConsistentRead: true,
      }),
    );
    return out.Item ? entryFromItem(out.Item) : undefined;
  }

}
