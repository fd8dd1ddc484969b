import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ENTRY_TABLE } from './naming';
import {
  type EntryStore,
  LINK_UNAVAILABLE,
  type LinkOwner,
  type LinkRegistry,
  type LinkRequest,
  type LinkTarget,
  MAX_ALLOWED_LINKS,
  type StoredEntry,
} from '../domain/ports';
import { UnavailableError } from '../domain/errors';
import { DynamoDbEntryReader } from './dynamodb-entry-reader';
import { type BatchRetryOptions, chunks, sendWithRetries } from './batch-retry';
import { awsCall } from './errors';

/** What minting reads of an entry: who owns it, its retention, and its revocation state. */
const LINK_PROJECTION = `${ENTRY_TABLE.partitionKey}, project_id, flow_id, ${ENTRY_TABLE.ttlAttribute}, links_valid_after, allowed_links`;

/** BatchGetItem's limit on keys per call. */
const BATCH_GET_KEYS = 100;

/** Links recorded on revoked entries at once, in a batch. */
const RECORD_CONCURRENCY = 8;

type LinkCheck = LinkTarget | undefined | 'record';

/**
 * What an entry's item says of a new link to it: no such entry for this owner
 * (undefined), allowed as it is, refused (its allow-list is full), or to be
 * recorded first ('record': the entry's links were revoked and this one is new).
 */
const checkLink = (item: Record<string, AttributeValue> | undefined, owner: LinkOwner, digest: string, now: Date): LinkCheck => {
  const retainUntil = item?.[ENTRY_TABLE.ttlAttribute]?.N;
  if (
    item?.flow_id?.S === undefined ||
    item?.project_id?.S !== owner.projectId ||
    (owner.flowId !== undefined && item.flow_id.S !== owner.flowId) ||
    // Expired but not yet deleted by DynamoDB's TTL, which can lag: gone, as load-entry-data sees it.
    (retainUntil !== undefined && Number(retainUntil) * 1000 <= now.getTime())
  ) {
    return undefined;
  }
  const flowId = item.flow_id.S;
  if (item.links_valid_after === undefined) return { flowId, allowed: true };
  const allowed = item.allowed_links?.SS ?? [];
  if (allowed.includes(digest)) return { flowId, allowed: true };
  if (allowed.length >= MAX_ALLOWED_LINKS) return { flowId, allowed: false };
  return 'record';
};

/** Runs `work` on every item, at most `limit` at once. */
const eachLimited = async <T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> => {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};

/** Reads and writes entries (the admin Lambdas and mint). */
export class DynamoDbEntryStore extends DynamoDbEntryReader implements EntryStore, LinkRegistry {
  /** @param batchRetry how BatchGetItem retries unprocessed keys (tests inject the clock) */
  constructor(
    client: DynamoDBClient,
    tableName: string,
    private readonly batchRetry: BatchRetryOptions = {},
  ) {
    super(client, tableName);
  }

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
          ProjectionExpression: LINK_PROJECTION,
          ConsistentRead: true,
        }),
      ));
      const check = checkLink(out.Item, owner, digest, now);
      if (check !== 'record') return check;
      flowId = out.Item!.flow_id!.S!;
      if (await this.recordLink(entryId, owner.projectId, digest)) return { flowId, allowed: true };
    }
    // Three lost races at the limit: concurrent mints filled the list. The entry was there at each read.
    return { flowId, allowed: false };
  }

  async allowLinks(requests: readonly LinkRequest[], now: Date): Promise<Array<LinkTarget | undefined | typeof LINK_UNAVAILABLE>> {
    const items = await this.readForLinks([...new Set(requests.map((r) => r.entryId))]);
    const results = requests.map((r) => {
      const item = items.get(r.entryId);
      return item === LINK_UNAVAILABLE ? item : checkLink(item, r.owner, r.digest, now);
    });
    // Revoked entries only: record each new link, as allowLink does.
    const toRecord = results.flatMap((check, i) => (check === 'record' ? [i] : []));
    await eachLimited(toRecord, RECORD_CONCURRENCY, async (i) => {
      const { entryId, owner, digest } = requests[i];
      try {
        const flowId = (items.get(entryId) as Record<string, AttributeValue>).flow_id!.S!;
        // A lost race (the entry changed since the read) starts over the single way, with fresh reads.
        results[i] = (await this.recordLink(entryId, owner.projectId, digest)) ? { flowId, allowed: true } : await this.allowLink(entryId, owner, digest, now);
      } catch (error) {
        if (!(error instanceof UnavailableError)) throw error;
        results[i] = LINK_UNAVAILABLE;
      }
    });
    return results as Array<LinkTarget | undefined | typeof LINK_UNAVAILABLE>;
  }

  /**
   * Each entry's item (undefined: there is none), strongly consistent, read
   * 100 at a time with the chunks in parallel. Keys DynamoDB leaves
   * unprocessed are asked again with backoff; one still unread after that, or
   * in a call that failed, is LINK_UNAVAILABLE.
   */
  private async readForLinks(entryIds: readonly string[]): Promise<Map<string, Record<string, AttributeValue> | undefined | typeof LINK_UNAVAILABLE>> {
    const items = new Map<string, Record<string, AttributeValue> | undefined | typeof LINK_UNAVAILABLE>(entryIds.map((id) => [id, undefined]));
    const key = ENTRY_TABLE.partitionKey;
    await Promise.all(
      chunks(entryIds, BATCH_GET_KEYS).map(async (ids) => {
        try {
          const unread = await sendWithRetries(
            ids,
            async (batch) => {
              const out = await awsCall(this.client.send(
                new BatchGetItemCommand({
                  RequestItems: { [this.tableName]: { Keys: batch.map((id) => ({ [key]: { S: id } })), ProjectionExpression: LINK_PROJECTION, ConsistentRead: true } },
                }),
              ));
              for (const item of out.Responses?.[this.tableName] ?? []) items.set(item[key].S!, item);
              return (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []).map((k) => k[key].S!);
            },
            this.batchRetry,
          );
          for (const id of unread) items.set(id, LINK_UNAVAILABLE);
        } catch (error) {
          if (!(error instanceof UnavailableError)) throw error;
          for (const id of ids) items.set(id, LINK_UNAVAILABLE);
        }
      }),
    );
    return items;
  }

  /** Adds a link to a revoked entry's allow-list; false when the entry changed (or the list filled) since it was read. */
  private async recordLink(entryId: string, projectId: string, digest: string): Promise<boolean> {
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
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
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
