import { type AttributeValue, BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { UnavailableError } from '../domain/errors';
import type { ShortLink, ShortLinkStore } from '../domain/short-links';
import { type BatchRetryOptions, chunks, sendWithRetries } from './batch-retry';
import { awsCall } from './errors';
import { ENTRY_TABLE, shortLinkKey } from './naming';

/** BatchWriteItem's limit on items per call. */
const BATCH_WRITE_ITEMS = 25;

const itemOf = (link: ShortLink, createdAt: string): Record<string, AttributeValue> => ({
  [ENTRY_TABLE.partitionKey]: { S: shortLinkKey(link.code) },
  url: { S: link.url },
  // The table's TTL attribute: DynamoDB deletes the record some time after the link expires.
  [ENTRY_TABLE.ttlAttribute]: { N: String(link.expiresAt) },
  project_id: { S: link.projectId },
  link_entry_id: { S: link.entryId },
  created_at: { S: createdAt },
  ...(link.campaign === undefined ? {} : { campaign: { S: link.campaign } }),
});

/**
 * Writes short links 25 to a call (BatchWriteItem), the calls in parallel.
 * BatchWriteItem takes no condition, so a new code could in principle replace
 * an existing one: with 95 bits per code, that takes about 10¹⁴ codes for even
 * odds of one collision (domain/short-links.ts).
 */
export class DynamoDbShortLinkStore implements ShortLinkStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly batchRetry: BatchRetryOptions = {},
  ) {}

  async saveShortLinks(links: readonly ShortLink[]): Promise<boolean[]> {
    const createdAt = new Date().toISOString();
    const failed = new Set<string>();
    await Promise.all(
      chunks(links, BATCH_WRITE_ITEMS).map(async (batch) => {
        const requests: WriteRequest[] = batch.map((link) => ({ PutRequest: { Item: itemOf(link, createdAt) } }));
        try {
          const left = await sendWithRetries(
            requests,
            async (pending) => {
              const out = await awsCall(this.client.send(new BatchWriteItemCommand({ RequestItems: { [this.tableName]: [...pending] } })));
              return out.UnprocessedItems?.[this.tableName] ?? [];
            },
            this.batchRetry,
          );
          for (const request of left) failed.add(request.PutRequest!.Item![ENTRY_TABLE.partitionKey].S!);
        } catch (error) {
          if (!(error instanceof UnavailableError)) throw error;
          for (const link of batch) failed.add(shortLinkKey(link.code));
        }
      }),
    );
    return links.map((link) => !failed.has(shortLinkKey(link.code)));
  }
}
