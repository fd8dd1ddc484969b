import { type AttributeValue, ConditionalCheckFailedException, type DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import type { EntrySaves, RotationRefused, SaveRotation, StoredEntry, WithheldStorage } from '../domain/ports';
import { splitWithheld } from '../domain/resume-policy';
import {
  entryFromItem,
  entryToItem,
  verifyDigestItem,
  WITHHELD_ATTRIBUTE,
  WITHHELD_FIELDS_ATTRIBUTE,
  withheldItem,
  withheldValues,
} from './dynamodb-entry-reader';
import { awsCall } from './errors';
import { ENTRY_TABLE } from './naming';
import { carriesWrite, newWriteId, WRITE_ID_ATTRIBUTE } from './write-id';

/**
 * Browser saves' writes: each is one conditional write and nothing else (no
 * read first). The entry's `seq` orders the page's saves.
 */
export class DynamoDbEntrySaves implements EntrySaves {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async createEntry(entry: StoredEntry & WithheldStorage & { readonly retainUntil: number; readonly saveGen: string }, now: Date): Promise<boolean> {
    const at = now.toISOString();
    // The SDK's retry of a creation that landed finds the entry there: its write id tells it is this one, not a collision
    // (which would make the caller try another id and leave this entry behind, held by no page).
    const writeId = newWriteId();
    try {
      await awsCall(
        this.client.send(
          new PutItemCommand({
            TableName: this.tableName,
            Item: { ...entryToItem(entry, { createdAt: at, updatedAt: at }), seq: { N: '0' }, [WRITE_ID_ATTRIBUTE]: { S: writeId } },
            ConditionExpression: `attribute_not_exists(${ENTRY_TABLE.partitionKey})`,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return carriesWrite(error.Item, writeId);
      throw error;
    }
  }

  async saveProgress(
    entryId: string,
    progress: Parameters<EntrySaves['saveProgress']>[1],
    now: Date,
  ): Promise<'saved' | 'stale' | 'missing' | 'ended' | 'too_large'> {
    const split = splitWithheld(progress.userData, progress.withheldFields);
    // This save's own: the SDK's retry of a save that landed fails `seq < :seq` on its own seq, and this id tells it apart.
    const writeId = newWriteId();
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = {
      ':p': { S: progress.projectId },
      ':f': { S: progress.flowId },
      ':g': { S: progress.saveGen },
      ':k': { S: progress.currentPageKey },
      ':seq': { N: String(progress.seq) },
      ':now': { S: now.toISOString() },
      ':r': { N: String(progress.retainUntil) },
      ':wid': { S: writeId },
    };
    const stored = withheldItem(split);
    values[':d'] = stored.user_data;
    // user_data first: DynamoDB writes all or nothing; moto applies actions in order and stops at the first over 400 KB.
    const set = [
      'user_data = :d',
      'current_page_key = :k',
      'seq = :seq',
      'updated_at = :now',
      `${ENTRY_TABLE.ttlAttribute} = :r`,
      `${WRITE_ID_ATTRIBUTE} = :wid`,
    ];
    const remove: string[] = [];
    values[':wf'] = stored[WITHHELD_FIELDS_ATTRIBUTE];
    set.push(`${WITHHELD_FIELDS_ATTRIBUTE} = :wf`);
    // The verify field's digest is written with the value it is of, or goes with it; a withheld value this save does not hold keeps its digest.
    if (progress.verifyDigest === undefined) remove.push('verify_digest');
    else if (progress.verifyDigest !== 'keep') {
      values[':v'] = verifyDigestItem(progress.verifyDigest);
      set.push('verify_digest = :v');
    }
    if (split.fields.length === 0) {
      // Nothing withheld now: user_data holds every field, so no value kept apart is read again; they go.
      remove.push(WITHHELD_ATTRIBUTE);
    }
    const fieldValues: Record<string, AttributeValue> = {};
    const perField = Object.entries(withheldValues(split)).map(([field, value], i) => {
      names[`#w${i}`] = field;
      fieldValues[`:w${i}`] = value;
      return `${WITHHELD_ATTRIBUTE}.#w${i} = :w${i}`;
    });
    const write = (withheld: 'per-field' | 'whole') =>
      awsCall(
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
            UpdateExpression: `SET ${[...set, ...(withheld === 'whole' ? [`${WITHHELD_ATTRIBUTE} = :wm`] : perField)].join(', ')}${remove.length ? ` REMOVE ${remove.join(', ')}` : ''}`,
            // The token's generation must still be the entry's: checked in the write itself, with no read.
            ConditionExpression: `project_id = :p AND flow_id = :f AND save_gen = :g AND (attribute_not_exists(seq) OR seq < :seq)${
              withheld === 'whole' ? ` AND attribute_not_exists(${WITHHELD_ATTRIBUTE})` : ''
            }`,
            ...(withheld === 'per-field' && perField.length ? { ExpressionAttributeNames: names } : {}),
            ExpressionAttributeValues: { ...values, ...(withheld === 'whole' ? { ':wm': stored[WITHHELD_ATTRIBUTE] } : fieldValues) },
            // On a failed condition, the item as it was tells a missing entry from an ended token and a stale save, at no extra read.
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
    let mode: 'per-field' | 'whole' = 'per-field';
    for (let attempt = 0; ; attempt++) {
      try {
        await write(mode);
        return 'saved';
      } catch (error) {
        // An item written before withheld fields were stored apart has no map to set a member of: the whole map then,
        // only while there still is none. A concurrent save that made one meanwhile sends this one back to setting members.
        if (mode === 'per-field' && perField.length > 0 && isMissingMap(error) && attempt < 2) {
          mode = 'whole';
          continue;
        }
        if (isItemTooLarge(error)) return 'too_large';
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const old = error.Item;
        // The entry as it is carries this save: an earlier attempt of this very write landed and its answer was lost.
        if (carriesWrite(old, writeId)) return 'saved';
        if (old?.project_id?.S !== progress.projectId || old.flow_id?.S !== progress.flowId) return 'missing';
        if (old.save_gen?.S !== progress.saveGen) return 'ended';
        if (mode === 'whole' && old[WITHHELD_ATTRIBUTE] !== undefined && Number(old.seq?.N ?? -1) < progress.seq && attempt < 2) {
          mode = 'per-field';
          continue;
        }
        return 'stale';
      }
    }
  }
}

/**
 * A person's resume of a browser-saves project's entry: the save capability
 * handed over in one conditional write. A class of its own, apart from the
 * saves', so the resume Lambda bundles this write alone (class methods cannot
 * be tree-shaken).
 */
export class DynamoDbSaveRotation implements SaveRotation {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
  ) {}

  async rotateSaveGen(entryId: string, rotation: Parameters<SaveRotation['rotateSaveGen']>[1]): Promise<'rotated' | RotationRefused> {
    const values: Record<string, AttributeValue> = {
      ':p': { S: rotation.projectId },
      ':f': { S: rotation.flowId },
      ':next': { S: rotation.nextGen },
      ':zero': { N: '0' },
    };
    let seen = 'attribute_not_exists(save_gen)';
    if (rotation.seenGen !== undefined) {
      values[':seen'] = { S: rotation.seenGen };
      seen = 'save_gen = :seen';
    }
    // Only over the save as read: a save that landed since (after an eventually consistent read, or between the read
    // and this write) fails the condition, and the resume answers the entry with it instead of handing over without it.
    const { seenSave } = rotation;
    if (seenSave.updatedAt === undefined) seen += ' AND attribute_not_exists(updated_at)';
    else {
      values[':u'] = { S: seenSave.updatedAt };
      seen += ' AND updated_at = :u';
    }
    if (seenSave.seq === undefined) seen += ' AND attribute_not_exists(seq)';
    else {
      values[':sq'] = { N: String(seenSave.seq) };
      seen += ' AND seq = :sq';
    }
    let resplit = '';
    const { resplit: data } = rotation;
    if (data !== undefined && (data.withheldFields ?? []).length > 0) {
      // The whole user data as read, split anew: written only over the item as read, so no save made since is undone.
      const stored = withheldItem(splitWithheld(data.userData, data.withheldFields ?? []));
      values[':d'] = stored.user_data;
      values[':wf'] = stored[WITHHELD_FIELDS_ATTRIBUTE];
      values[':wm'] = stored[WITHHELD_ATTRIBUTE];
      resplit = `, user_data = :d, ${WITHHELD_FIELDS_ATTRIBUTE} = :wf, ${WITHHELD_ATTRIBUTE} = :wm`;
    }
    // No write id: the SDK's retry of a rotation that landed fails `save_gen = :seen` and answers the entry as it is, with
    // this rotation's generation; the resume then rotates once more from it (rotateSaveCapability) and hands over that one.
    // The answer is right, at one more write on that rare path, and the resume path's bundle carries nothing more.
    try {
      await awsCall(
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
            // seq starts afresh: no earlier holder can have pinned it out of the new holder's reach.
            UpdateExpression: `SET save_gen = :next, seq = :zero${resplit}`,
            // Only over the generation and the save the resume judged: of two resumes at once, one writes, and the other sees the entry anew.
            ConditionExpression: `project_id = :p AND flow_id = :f AND ${seen}`,
            ExpressionAttributeValues: values,
            ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
          }),
        ),
      );
      return 'rotated';
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      return { current: error.Item === undefined ? undefined : entryFromItem(error.Item) };
    }
  }
}

const isValidation = (error: unknown, pattern: RegExp): boolean =>
  error instanceof Error && error.name === 'ValidationException' && pattern.test(error.message);

/** DynamoDB's refusal to set a member of a map the item does not have. */
const isMissingMap = (error: unknown): boolean => isValidation(error, /document path provided in the update expression is invalid/i);

/** DynamoDB's refusal of an item over 400 KB. */
const isItemTooLarge = (error: unknown): boolean => isValidation(error, /item size .*exceeded the maximum allowed size/i);
