import { randomInt } from 'node:crypto';
import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  QueryCommand,
  type Update,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { UnavailableError } from '../domain/errors';
import type { CampaignCounters, CampaignFigures, CampaignPage } from '../domain/recovery';
import { sendWithRetries } from './batch-retry';
import { awsCall } from './errors';
import { CAMPAIGN_INDEX, CAMPAIGN_SHARDS, campaignKey, ENTRY_TABLE } from './naming';
import { newWriteId, onceOnRetry } from './write-id';

/** The three counters of a campaign's items, by the figure they hold. */
export const COUNTER_ATTRIBUTES = { linksMinted: 'links_minted', entriesResumed: 'entries_resumed', completions: 'completions' } as const;
export type Counter = keyof typeof COUNTER_ATTRIBUTES;

/**
 * The write that adds `count` to one counter of a campaign, on one of its
 * CAMPAIGN_SHARDS items picked at random: for an UpdateItem, or an Update in a
 * TransactWriteItems. It also sets the index keys, so the item is listed.
 */
export const counterUpdate = (tableName: string, projectId: string, campaign: string, counter: Counter, count: number): Update => {
  const shard = randomInt(CAMPAIGN_SHARDS);
  return {
    TableName: tableName,
    Key: { [ENTRY_TABLE.partitionKey]: { S: campaignKey(projectId, campaign, shard) } },
    UpdateExpression: `ADD ${COUNTER_ATTRIBUTES[counter]} :n SET ${CAMPAIGN_INDEX.partitionKey} = :p, ${CAMPAIGN_INDEX.sortKey} = :s, campaign = :c`,
    ExpressionAttributeValues: { ':n': { N: String(count) }, ':p': { S: projectId }, ':s': { S: `${campaign}#${shard}` }, ':c': { S: campaign } },
  };
};

/**
 * Adds `count` links minted, once: a lone UpdateItem's ADD would count again
 * when the SDK sends it anew after its answer was lost, so it carries a write
 * id (write-id.ts) and a retry that finds it among the shard's last writes is
 * refused, the count already made. (Counts in a TransactWriteItems need none:
 * DynamoDB makes a retried transaction idempotent by its ClientRequestToken,
 * which the SDK fills once per call, and each one's other item's condition
 * refuses it again anyway.)
 */
const addLinksMintedOnce = async (client: DynamoDBClient, tableName: string, projectId: string, campaign: string, count: number): Promise<void> => {
  const update = counterUpdate(tableName, projectId, campaign, 'linksMinted', count);
  const once = onceOnRetry(newWriteId());
  try {
    await awsCall(
      client.send(
        new UpdateItemCommand({
          ...update,
          UpdateExpression: `${update.UpdateExpression}, ${once.set}`,
          ConditionExpression: once.condition,
          ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...once.values },
        }),
      ),
    );
  } catch (error) {
    // The one condition: this write is among the shard's last, so it was counted.
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
  }
};

type Item = Record<string, AttributeValue>;
const PROJECTION = `campaign, ${Object.values(COUNTER_ATTRIBUTES).join(', ')}`;

/** Adds up the shards' items into each campaign's figures, in the order met. */
const addUp = (items: readonly Item[]): CampaignFigures[] => {
  const figures = new Map<string, { campaign: string; linksMinted: number; entriesResumed: number; completions: number }>();
  for (const item of items) {
    const campaign = item.campaign?.S;
    if (campaign === undefined) continue;
    const f = figures.get(campaign) ?? { campaign, linksMinted: 0, entriesResumed: 0, completions: 0 };
    for (const [figure, attribute] of Object.entries(COUNTER_ATTRIBUTES) as Array<[Counter, string]>) f[figure] += Number(item[attribute]?.N ?? 0);
    figures.set(campaign, f);
  }
  return [...figures.values()];
};

/** Items Query reads a page of campaigns from: every shard of `limit` campaigns, and one more to know whether more follow. */
const pageItems = (limit: number): number => limit * CAMPAIGN_SHARDS + 1;

/**
 * Only the count of links minted, for a Lambda that mints but never reads the
 * figures (link-requests' hand-offs): without the class, its bundle carries
 * none of the reads' commands.
 */
export const linksMintedCounter = (client: DynamoDBClient, tableName: string): Pick<CampaignCounters, 'addLinksMinted'> => ({
  addLinksMinted: (projectId, campaign, count) => addLinksMintedOnce(client, tableName, projectId, campaign, count),
});

/** The campaigns' counters: CAMPAIGN_SHARDS small items each, listed by the sparse index CAMPAIGN_INDEX. */
export class DynamoDbCampaignCounters implements CampaignCounters {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async addLinksMinted(projectId: string, campaign: string, count: number): Promise<void> {
    await addLinksMintedOnce(this.client, this.tableName, projectId, campaign, count);
  }

  async read(projectId: string, campaign: string): Promise<CampaignFigures | undefined> {
    const items: Item[] = [];
    const keys = Array.from({ length: CAMPAIGN_SHARDS }, (_, shard) => ({ [ENTRY_TABLE.partitionKey]: { S: campaignKey(projectId, campaign, shard) } }));
    const unread = await sendWithRetries(keys, async (batch) => {
      const out = await awsCall(
        this.client.send(
          new BatchGetItemCommand({ RequestItems: { [this.tableName]: { Keys: [...batch], ProjectionExpression: PROJECTION, ConsistentRead: true } } }),
        ),
      );
      items.push(...(out.Responses?.[this.tableName] ?? []));
      return (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []) as typeof keys;
    });
    // A figure missing a shard would be wrong, not late: refuse it.
    if (unread.length > 0) throw new UnavailableError('CampaignNotRead');
    return addUp(items)[0];
  }

  async list(projectId: string, limit: number, after?: string): Promise<CampaignPage> {
    const items: Item[] = [];
    let start: Item | undefined;
    // A page of DynamoDB's may end before `pageItems` items (1 MB): read on until it is reached or the index ends.
    do {
      const out = await awsCall(
        this.client.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: CAMPAIGN_INDEX.name,
            KeyConditionExpression: `${CAMPAIGN_INDEX.partitionKey} = :p${after === undefined ? '' : ` AND ${CAMPAIGN_INDEX.sortKey} > :after`}`,
            // `~` sorts after every shard number: past all of `after`'s items.
            ExpressionAttributeValues: { ':p': { S: projectId }, ...(after === undefined ? {} : { ':after': { S: `${after}#~` } }) },
            ProjectionExpression: PROJECTION,
            Limit: pageItems(limit) - items.length,
            ExclusiveStartKey: start,
          }),
        ),
      );
      items.push(...(out.Items ?? []));
      start = out.LastEvaluatedKey;
    } while (start !== undefined && items.length < pageItems(limit));
    const campaigns = addUp(items);
    // Beyond `limit` campaigns, the last one read may be missing shards: it starts the next page.
    if (campaigns.length > limit) return { campaigns: campaigns.slice(0, limit), next: campaigns[limit - 1].campaign };
    return { campaigns };
  }
}
