import { ConditionalCheckFailedException, type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { CampaignRegistry } from '../domain/recovery';
import { awsCall } from './errors';
import { campaignsKey, ENTRY_TABLE } from './naming';

/** Months a month's list is kept: past the longest link lifetime and completion window (README, Measuring recovery). */
const KEEP_MONTHS = 4;

/** The month's counted campaigns: one item holding a string set, in the entries table. */
export class DynamoDbCampaignRegistry implements CampaignRegistry {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async admit(month: string, campaign: string, cap: number): Promise<boolean> {
    const [year, m] = month.split('-').map(Number);
    try {
      await awsCall(this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: { [ENTRY_TABLE.partitionKey]: { S: campaignsKey(month) } },
          UpdateExpression: `ADD campaigns :c SET ${ENTRY_TABLE.ttlAttribute} = if_not_exists(${ENTRY_TABLE.ttlAttribute}, :ttl)`,
          // Already listed, or room for it: one atomic step, so concurrent mints never list more than `cap`.
          ConditionExpression: 'attribute_not_exists(campaigns) OR contains(campaigns, :name) OR size(campaigns) < :cap',
          ExpressionAttributeValues: {
            ':c': { SS: [campaign] },
            ':name': { S: campaign },
            ':cap': { N: String(cap) },
            ':ttl': { N: String(Date.UTC(year, m - 1 + KEEP_MONTHS) / 1000) },
          },
        }),
      ));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }
}
