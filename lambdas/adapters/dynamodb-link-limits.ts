import {
  type AttributeValue,
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
import { carriesWrite, newWriteId, onceOnRetry, WRITE_ID_ATTRIBUTE } from './write-id';

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

/**
 * Whether a conditional write (sent with `ReturnValuesOnConditionCheckFailure:
 * 'ALL_OLD'`) is stored: it succeeded, or its condition failed on an item
 * `landed` says carries it (the SDK sent it again after its answer was lost).
 */
const stored = async (write: Promise<unknown>, landed: (item: Record<string, AttributeValue> | undefined) => boolean): Promise<boolean> => {
  try {
    await awsCall(write);
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return landed(error.Item);
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

/** A log as read: each instant with the id of the write that added it (`writes`, in the same order; '' for one written before ids were). */
interface LogRead extends Versioned<readonly number[]> {
  readonly writes: readonly string[];
}

/**
 * The write id of each instant of `value`: an instant kept from `read` keeps
 * its own, the one a swap adds gets `writeId`. A swap keeps the read's instants
 * in their order (it drops those out of the window and adds one at the end, or
 * gives one back), so they are matched in order; two requests of one
 * millisecond have the same instant, and a give-back of one of them may keep the
 * other's id in its place (the other's retry, if one is still on its way, then
 * counts it again: two requests in one millisecond, one given back, the other's
 * answer lost, all within its retry).
 */
const writeIdsOf = (value: readonly number[], read: Versioned<readonly number[]> | undefined, writeId: string): string[] => {
  const before = read !== undefined && 'writes' in read ? (read as LogRead) : undefined;
  let next = 0;
  return value.map((at) => {
    if (before === undefined) return writeId;
    let i = next;
    while (i < before.value.length && before.value[i] !== at) i++;
    if (i === before.value.length) return writeId;
    next = i + 1;
    return before.writes[i] || writeId;
  });
};

/**
 * The instants (epoch ms) of recent requests of one key (an entry's link
 * requests, a source's creations…), one small item per key under
 * `prefix + key`, with a version each write increments: the compare-and-swap
 * that lets two concurrent requests never both take the last slot. A strongly
 * consistent read, then one conditional PutItem. The item expires `windowMs`
 * after its newest instant.
 *
 * Each instant keeps the id of the write that added it (`writes`), and the
 * item the id of its last write (`write_id`): the SDK's retry of a swap whose
 * answer was lost fails `version = :v` on its own write, and the item as it is
 * then (no extra read) tells it stored, even when other requests' swaps landed
 * on top of it in between. Without this, `updateOptimistically` would read
 * again and add the request's instant a second time.
 */
export class DynamoDbRequestLog implements VersionedStore<readonly number[]> {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly prefix: string,
    private readonly windowMs: number = HOUR_MS,
  ) {}

  async read(entryId: string): Promise<LogRead | undefined> {
    const out = await awsCall(
      this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { [PK]: { S: this.prefix + entryId } }, ConsistentRead: true })),
    );
    if (!out.Item) return undefined;
    const value = (out.Item.sent?.L ?? []).map((v) => Number(v.N));
    const writes = out.Item.writes?.L ?? [];
    return { value, version: out.Item.version?.N ?? '0', writes: value.map((_, i) => writes[i]?.S ?? '') };
  }

  async compareAndSwap(entryId: string, value: readonly number[], expected: string | undefined, read?: Versioned<readonly number[]>): Promise<boolean> {
    const writeId = newWriteId();
    const writes = writeIdsOf(value, read, writeId);
    return stored(
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            [PK]: { S: this.prefix + entryId },
            sent: { L: value.map((v) => ({ N: String(v) })) },
            writes: { L: writes.map((w) => ({ S: w })) },
            [WRITE_ID_ATTRIBUTE]: { S: writeId },
            version: { N: String(Number(expected ?? '0') + 1) },
            [TTL]: { N: expiresAfter(value, this.windowMs) },
          },
          ConditionExpression: expected === undefined ? `attribute_not_exists(${PK})` : 'version = :v',
          ...(expected === undefined ? {} : { ExpressionAttributeValues: { ':v': { N: expected } } }),
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
      (item) => carriesWrite(item, writeId) || (item?.writes?.L ?? []).some((w) => w.S === writeId),
    );
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
    // The mark carries its write's id: the SDK's retry of a take that landed finds its own mark, not another's.
    const writeId = newWriteId();
    return stored(
      this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: { [PK]: { S: this.prefix + entryId }, at: { N: String(now) }, [TTL]: { N: expiresAfter([now]) }, [WRITE_ID_ATTRIBUTE]: { S: writeId } },
          ConditionExpression: `attribute_not_exists(${PK}) OR #at <= :ago`,
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':ago': { N: String(now - this.windowMs) } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
      (item) => carriesWrite(item, writeId),
    );
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
    // Counted once under the SDK's retry: an increment that landed is among the counter's last write ids (write-id.ts).
    const once = onceOnRetry(newWriteId());
    return stored(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [PK]: { S: this.prefix + key } },
          UpdateExpression: `SET #n = if_not_exists(#n, :zero) + :one, #ttl = :ttl, ${once.set}`,
          ConditionExpression: `(attribute_not_exists(#n) OR #n < :max) AND ${once.condition}`,
          ExpressionAttributeNames: { '#n': 'n', '#ttl': TTL },
          ExpressionAttributeValues: {
            ':zero': { N: '0' },
            ':one': { N: '1' },
            ':max': { N: String(max) },
            ':ttl': { N: String(expiresAt) },
            ...once.values,
          },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
      once.landed,
    );
  }

  async decrement(key: string): Promise<void> {
    // Taken back once, as the increment is counted once.
    const once = onceOnRetry(newWriteId());
    await conditionalFailed(
      this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [PK]: { S: this.prefix + key } },
          UpdateExpression: `SET #n = #n - :one, ${once.set}`,
          ConditionExpression: `#n > :zero AND ${once.condition}`,
          ExpressionAttributeNames: { '#n': 'n' },
          ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' }, ...once.values },
        }),
      ),
    );
  }
}
