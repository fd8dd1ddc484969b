import { randomBytes } from 'node:crypto';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

/**
 * The attribute a conditional write stores its own write id in. The SDK sends a
 * write again when its answer is late or lost (clients.ts: 3 attempts, 2 s
 * each), and a write that had landed then fails its own condition: the item as
 * it is (`ReturnValuesOnConditionCheckFailure: 'ALL_OLD'`, no extra read)
 * still carrying this write's id tells that the write landed, so it is
 * answered as done and not as someone else's write.
 */
export const WRITE_ID_ATTRIBUTE = 'write_id';

/** A write's own id: 96 random bits, so no other write carries it. Made once per write, before the SDK's attempts. */
export const newWriteId = (): string => randomBytes(12).toString('base64url');

/** Whether `item` (a failed condition's item as it is) carries the write id `writeId`: the write had landed. */
export const carriesWrite = (item: Record<string, AttributeValue> | undefined, writeId: string): boolean => item?.[WRITE_ID_ATTRIBUTE]?.S === writeId;

/**
 * How many of a counter's last writes it keeps the ids of (`write_id0` the
 * newest): a counter's writes need no read, so the SDK's retry of an increment
 * that landed can find other requests' increments on top of it. Its id is
 * still among the last RECENT_WRITES unless more than RECENT_WRITES - 1 writes
 * of the same counter landed between it and its retry (about 2 s, clients.ts);
 * past that, the retry counts once more (a later request of the key then meets
 * its bound one early: never one late).
 */
export const RECENT_WRITES = 8;

const recentSlot = (i: number): string => `${WRITE_ID_ATTRIBUTE}${i}`;

/**
 * The parts of an UpdateItem that make it happen once under the SDK's retry:
 * `set` shifts the counter's last write ids and puts this one first (written
 * from the oldest slot down, so it reads the same whether the actions see the
 * item as it was, as DynamoDB does, or one after another, as moto does);
 * `condition` refuses a write whose id is among them; `landed` tells, from the
 * item of a failed condition, that this write is.
 */
export const onceOnRetry = (writeId: string) => ({
  set: [
    ...Array.from({ length: RECENT_WRITES - 1 }, (_, j) => RECENT_WRITES - 1 - j).map((i) => `${recentSlot(i)} = if_not_exists(${recentSlot(i - 1)}, :wnone)`),
    `${recentSlot(0)} = :wid`,
  ].join(', '),
  condition: `NOT (${Array.from({ length: RECENT_WRITES }, (_, i) => `${recentSlot(i)} = :wid`).join(' OR ')})`,
  values: { ':wid': { S: writeId }, ':wnone': { S: '' } } satisfies Record<string, AttributeValue>,
  landed: (item: Record<string, AttributeValue> | undefined): boolean =>
    Array.from({ length: RECENT_WRITES }, (_, i) => item?.[recentSlot(i)]?.S).includes(writeId),
});
