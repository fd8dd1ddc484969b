import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { HOUR_MS } from '../domain/link-events';
import type { OncePerWindow } from '../domain/expired-links';
import type { SaveGenerations, Versioned, VersionedStore } from '../domain/ports';
import type { CappedCounter } from '../domain/request-limits';
import { awsCall } from './errors';
import { ENTRY_TABLE } from './naming';

const PK = ENTRY_TABLE.partitionKey;
const TTL = ENTRY_TABLE.ttlAttribute;

/** DynamoDB removes the item some time after this: a window after its newest instant, when it no longer counts. */
const expiresAfter = (instantsMs: readonly number[], windowMs = HOUR_MS): string => String(Math.ceil((Math.max(0, ...instantsMs) + windowMs) / 1000));

const conditionalFailed = async (write: Promise<unknown>): Promise<boolean> => {
  try {
    await awsCall(write);
    return false;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return true;
    throw error;
  }
};

/** The entry's save generation alone: one strongly consistent GetItem of one attribute. */
export const dynamoDbSaveGenerations = (client: DynamoDBClient, tableName: string): SaveGenerations => ({
  current: async (entryId) =>
    (
      await awsCall(
        client.send(new GetItemCommand({ TableName: tableName, Key: { [PK]: { S: entryId } }, ProjectionExpression: 'save_gen', ConsistentRead: true })),
      )
    ).Item?.save_gen?.S,
});

/**
 * The instants (epoch ms) of recent requests of one key (an entry's link
 * requests, a source's creations…), one small item per key under
 * `prefix + key`, with a version each write increments: the compare-and-swap
 * that lets two concurrent requests never both take the last slot. A strongly
 * consistent read, then one conditional PutItem. The item expires `windowMs`
 * after its newest instant.
 */
export class DynamoDbRequestLog implements VersionedStore<readonly number[]> {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly prefix: string,
    private readonly windowMs: number = HOUR_MS,
  ) {}

  async read(entryId: string): Promise<Versioned<readonly number[]> | undefined> {
    const out = await awsCall(
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { [PK]: { S: this.prefix + entryId } }, ConsistentRead: true })),
    );
    if (!out.Item) return undefined;
    return { value: (out.Item.sent?.L ?? []).map((v) => Number(v.N)), version: out.Item.version?.N ?? '0' };
  }

  async compareAndSwap(entryId: string, value: readonly number[], expected: string | undefined): Promise<boolean> {
    const failed = await conditionalFailed(
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            [PK]: { S: this.prefix + entryId },
            sent: { L: value.map((v) => ({ N: String(v) })) },
            version: { N: String(Number(expected ?? '0') + 1) },
            [TTL]: { N: expiresAfter(value, this.windowMs) },
          },
          ConditionExpression: expected === undefined ? `attribute_not_exists(${PK})` : 'version = :v',
          ...(expected === undefined ? {} : { ExpressionAttributeValues: { ':v': { N: expected } } }),
        }),
      ),
    );
    return !failed;
  }
}

/**
 * At most one mark per entry per window, under `prefix + entry_id`: one
 * conditional PutItem and no read. The mark holds its instant, so only the
 * request that took it can give it back.
 */
export class DynamoDbOncePerWindow implements OncePerWindow {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly prefix: string,
    private readonly windowMs: number,
  ) {}

  async take(entryId: string, now: number): Promise<boolean> {
    const failed = await conditionalFailed(
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { [PK]: { S: this.prefix + entryId }, at: { N: String(now) }, [TTL]: { N: expiresAfter([now]) } },
          ConditionExpression: `attribute_not_exists(${PK}) OR #at <= :ago`,
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':ago': { N: String(now - this.windowMs) } },
        }),
      ),
    );
    return !failed;
  }

  async giveBack(entryId: string, now: number): Promise<void> {
    await conditionalFailed(
      this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: { [PK]: { S: this.prefix + entryId } },
          ConditionExpression: '#at = :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': { N: String(now) } },
        }),
      ),
    );
  }
}

/**
 * Counters under `prefix + key` that stop at a bound: one UpdateItem whose
 * condition refuses the increment at `max`, with no read, so concurrent
 * requests never pass the bound together and a hot counter costs one write.
 */
export class DynamoDbCappedCounter implements CappedCounter {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly prefix: string,
  ) {}

  async increment(key: string, max: number, expiresAt: number): Promise<boolean> {
    const failed = await conditionalFailed(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [PK]: { S: this.prefix + key } },
          UpdateExpression: 'SET #n = if_not_exists(#n, :zero) + :one, #ttl = :ttl',
          ConditionExpression: 'attribute_not_exists(#n) OR #n < :max',
          ExpressionAttributeNames: { '#n': 'n', '#ttl': TTL },
          ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' }, ':max': { N: String(max) }, ':ttl': { N: String(expiresAt) } },
        }),
      ),
    );
    return !failed;
  }

  async decrement(key: string): Promise<void> {
    await conditionalFailed(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [PK]: { S: this.prefix + key } },
          UpdateExpression: 'SET #n = #n - :one',
          ConditionExpression: '#n > :zero',
          ExpressionAttributeNames: { '#n': 'n' },
          ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' } },
        }),
      ),
    );
  }
}
