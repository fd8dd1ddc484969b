import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { ShortLinkReader } from '../domain/short-links';
import { awsCall } from './errors';
import { ENTRY_TABLE, shortLinkKey } from './naming';

/**
 * The redirect's one read: a short link by code. Strongly consistent, so a link
 * minted a moment ago (and sent at once) is found by its first click; the item
 * is a few hundred bytes, one read unit. Kept apart from the writer so the
 * redirect's bundle carries nothing that writes.
 */
export class DynamoDbShortLinkReader implements ShortLinkReader {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async findShortLink(code: string) {
    const out = await awsCall(
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { [ENTRY_TABLE.partitionKey]: { S: shortLinkKey(code) } },
          ProjectionExpression: `#u, ${ENTRY_TABLE.ttlAttribute}, project_id`,
          // `url` is a DynamoDB reserved word.
          ExpressionAttributeNames: { '#u': 'url' },
          ConsistentRead: true,
        }),
      ),
    );
    const url = out.Item?.url?.S;
    const expiresAt = out.Item?.[ENTRY_TABLE.ttlAttribute]?.N;
    const projectId = out.Item?.project_id?.S;
    if (url === undefined || expiresAt === undefined || projectId === undefined) return undefined;
    return { url, expiresAt: Number(expiresAt), projectId };
  }
}
