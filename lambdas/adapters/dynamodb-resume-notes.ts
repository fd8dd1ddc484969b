import { type AttributeValue, type DynamoDBClient, TransactionCanceledException, TransactWriteItemsCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { COMPLETION_WINDOW_SECONDS, type LastResume, type ResumeNotes } from '../domain/recovery';
import { counterUpdate } from './dynamodb-campaign-counters';
import { awsCall } from './errors';
import { ENTRY_TABLE, resumedKey } from './naming';

/**
 * The note under `resumed#<entry id>`: the entry's last human resume through a
 * campaign link (`campaign`, `resumed_at`), and `campaigns`, every campaign
 * that counted the entry in its `entries_resumed`. It is kept as long as the
 * entry (`keepUntil`), at least through the completion window, so the entry is
 * counted once per campaign for as long as it is kept.
 */
const noteUpdate = (tableName: string, entryId: string, r: LastResume, keepUntil: number | undefined, counted: boolean) => {
  const until = keepUntil === undefined ? undefined : Math.max(keepUntil, r.resumedAt + COMPLETION_WINDOW_SECONDS);
  const values: Record<string, AttributeValue> = {
    ':p': { S: r.projectId },
    ':c': { S: r.campaign },
    ':at': { N: String(r.resumedAt) },
    ':cs': { SS: [r.campaign] },
    ...(until === undefined ? {} : { ':ttl': { N: String(until) } }),
  };
  return {
    TableName: tableName,
    Key: { [ENTRY_TABLE.partitionKey]: { S: resumedKey(entryId) } },
    UpdateExpression:
      `SET project_id = :p, campaign = :c, resumed_at = :at${until === undefined ? '' : `, ${ENTRY_TABLE.ttlAttribute} = :ttl`}` +
      `${until === undefined ? ` REMOVE ${ENTRY_TABLE.ttlAttribute}` : ''} ADD campaigns :cs`,
    // The first resume of the campaign counts it (with the counter, in one transaction); a later one only moves the note.
    ConditionExpression: counted
      ? '(attribute_not_exists(project_id) OR project_id = :p) AND contains(campaigns, :c)'
      : '(attribute_not_exists(project_id) OR project_id = :p) AND NOT contains(campaigns, :c)',
    ExpressionAttributeValues: values,
  };
};

/**
 * The note's last resume, when its campaign counted the entry: a note written before the campaign counters (with no
 * `campaigns`) attributes nothing, so no completion is counted for a campaign that did not count its entry.
 */
export const lastResumeOf = (item: Record<string, AttributeValue> | undefined): LastResume | undefined => {
  const [projectId, campaign, resumedAt] = [item?.project_id?.S, item?.campaign?.S, Number(item?.resumed_at?.N)];
  if (projectId === undefined || campaign === undefined || !Number.isFinite(resumedAt)) return undefined;
  if (!(item?.campaigns?.SS ?? []).includes(campaign)) return undefined;
  return { projectId, campaign, resumedAt };
};

const isConditionFailure = (error: unknown): boolean =>
  (error instanceof TransactionCanceledException && (error.CancellationReasons ?? []).some((r) => r.Code === 'ConditionalCheckFailed')) ||
  (error instanceof Error && error.name === 'ConditionalCheckFailedException');

/**
 * A person's resume through a campaign link. The first one of the entry for
 * that campaign is one TransactWriteItems (the note, and the campaign's
 * `entries_resumed`); a later one finds the campaign in the note, and moves the
 * note with one conditional UpdateItem. Both calls together take at most
 * `timeoutMs` (the handler's, lambdas/runtime/deadline.ts's resumeNoteTimeoutMs).
 */
export class DynamoDbResumeNotes implements ResumeNotes {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly timeoutMs: number,
  ) {}

  async noteResume(entryId: string, resume: LastResume, keepUntil: number | undefined): Promise<void> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    const first = new TransactWriteItemsCommand({
      TransactItems: [
        { Update: noteUpdate(this.tableName, entryId, resume, keepUntil, false) },
        { Update: counterUpdate(this.tableName, resume.projectId, resume.campaign, 'entriesResumed', 1) },
      ],
    });
    try {
      await awsCall(this.client.send(first, { abortSignal: signal }));
      return;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
    // Counted before: the campaign is in the note.
    await awsCall(this.client.send(new UpdateItemCommand(noteUpdate(this.tableName, entryId, resume, keepUntil, true)), { abortSignal: signal }));
  }
}
