import { type AttributeValue, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { COMPLETION_WINDOW_SECONDS, type LastResume, type ResumeNotes } from '../domain/recovery';
import { awsCall } from './errors';
import { ENTRY_TABLE, resumedKey } from './naming';

/**
 * Longest a resume waits for its note to be written: DynamoDB answers a PutItem
 * in a few milliseconds, and a note that cannot be written costs only the
 * attribution of a completion, never the resume.
 */
export const RESUME_NOTE_TIMEOUT_MS = 200;

/** The note as stored under `resumed#<entry id>`, expiring with the completion window. */
export const lastResumeItem = (entryId: string, r: LastResume): Record<string, AttributeValue> => ({
  [ENTRY_TABLE.partitionKey]: { S: resumedKey(entryId) },
  project_id: { S: r.projectId },
  campaign: { S: r.campaign },
  counted: { BOOL: r.counted },
  resumed_at: { N: String(r.resumedAt) },
  [ENTRY_TABLE.ttlAttribute]: { N: String(r.resumedAt + COMPLETION_WINDOW_SECONDS) },
});

export const lastResumeOf = (item: Record<string, AttributeValue> | undefined): LastResume | undefined => {
  const [projectId, campaign, resumedAt] = [item?.project_id?.S, item?.campaign?.S, Number(item?.resumed_at?.N)];
  if (projectId === undefined || campaign === undefined || !Number.isFinite(resumedAt)) return undefined;
  return { projectId, campaign, counted: item?.counted?.BOOL !== false, resumedAt };
};

/** One PutItem of 1 write unit whatever the entry's size, bounded in time. */
export class DynamoDbResumeNotes implements ResumeNotes {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async noteResume(entryId: string, resume: LastResume): Promise<void> {
    await awsCall(
      this.client.send(new PutItemCommand({ TableName: this.tableName, Item: lastResumeItem(entryId, resume) }), {
        abortSignal: AbortSignal.timeout(RESUME_NOTE_TIMEOUT_MS),
      }),
    );
  }
}
