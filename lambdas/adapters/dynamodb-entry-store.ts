import {
  type AttributeValue,
  BatchGetItemCommand,
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ENTRY_TABLE } from './naming';
import {
  type EntryStore,
  LINK_UNAVAILABLE,
  type LinkRecord,
  type LinkRegistry,
  type LinkRequest,
  type LinkTarget,
  MAX_ALLOWED_LINKS,
  MAX_LINK_RECORDS,
  MAX_PAGE_LINKS,
  type StoredEntry,
} from '../domain/ports';
import { generateSaveGen } from '../domain/save-token';
import { UnavailableError } from '../domain/errors';
import { DynamoDbEntryReader, ERASED_ATTRIBUTE, isTombstone, pageLinkItem, WITHHELD_ATTRIBUTE, WITHHELD_FIELDS_ATTRIBUTE } from './dynamodb-entry-reader';
import { type BatchRetryOptions, chunks, sendWithRetries } from './batch-retry';
import { awsCall } from './errors';
import { lastResumeOf } from './dynamodb-resume-notes';
import { counterUpdate } from './dynamodb-campaign-counters';
import { resumedKey, VERIFY_ATTEMPTS_KEY_PREFIX } from './naming';
import { WRITE_ID_ATTRIBUTE } from './write-id';
import { attributableResume, type Completion, type CompletionStore } from '../domain/recovery';

/** What minting reads of an entry: who owns it, its retention, its revocation state and its link records. */
const LINK_PROJECTION = `${ENTRY_TABLE.partitionKey}, project_id, flow_id, ${ENTRY_TABLE.ttlAttribute}, links_valid_after, allowed_links, links, save_gen, page_links, ${ERASED_ATTRIBUTE}`;

/**
 * What an erasure removes from the entry's item: everything the product writes
 * to an entry but its key, project id, TTL, revocation state and page-link
 * records (the tombstone; test/integration/erasure.test.ts checks the item after
 * every writer has written to it).
 */
const ERASED_ATTRIBUTES = [
  'flow_id',
  'current_page_key',
  'user_data',
  'created_at',
  'updated_at',
  'save_gen',
  'seq',
  'links',
  'allowed_links',
  'completed_at',
  'completed_campaign',
  'completed_counted',
  'verify_digest',
  WITHHELD_ATTRIBUTE,
  WITHHELD_FIELDS_ATTRIBUTE,
  WRITE_ID_ATTRIBUTE,
] as const;

/** BatchGetItem's limit on keys per call. */
const BATCH_GET_KEYS = 100;

/** Entries a batch writes its links to at once (an entry's own links are written one after another). */
const RECORD_CONCURRENCY = 16;

/**
 * Reads and writes of one link before mint gives up on an entry other mints
 * keep changing. A write fails only when another link's record was written
 * since its read, so a writer that fails n times saw n other links recorded.
 * Pages make at most 10 hand-offs and 3 link requests per entry an hour: 16
 * attempts outlast every page link that can race one, so a page's request is
 * never refused for contention (503); only the team's own mints could, at once
 * by the dozen.
 */
export const RECORD_ATTEMPTS = 16;

type Item = Record<string, AttributeValue>;

/**
 * What an entry's item says of a new link to it: no such entry for this owner
 * (undefined), or its flow and whether the link may be recorded (not when the
 * entry's links were revoked and its allow-list is full).
 */
const checkLink = (item: Item | undefined, { owner, digest, page }: LinkRequest, now: Date): LinkTarget | undefined => {
  const retainUntil = item?.[ENTRY_TABLE.ttlAttribute]?.N;
  if (
    item === undefined ||
    // An erased entry's tombstone: no entry.
    isTombstone(item) ||
    item.flow_id?.S === undefined ||
    item.project_id?.S !== owner.projectId ||
    (owner.flowId !== undefined && item.flow_id.S !== owner.flowId) ||
    // Expired but not yet deleted by DynamoDB's TTL, which can lag: gone, as load-entry-data sees it.
    (retainUntil !== undefined && Number(retainUntil) * 1000 <= now.getTime())
  ) {
    return undefined;
  }
  const flowId = item.flow_id.S;
  if (page !== undefined) {
    // A rotated (or revoked) save token mints nothing: the write is conditioned on the same generation.
    if (item.save_gen?.S !== page.gen) return { flowId, allowed: false, pageRefusal: { reason: 'ended' } };
    const live = livePageLinks(item, now);
    if (!Object.hasOwn(live, digest) && Object.keys(live).length >= MAX_PAGE_LINKS) {
      const freeAt = Math.min(...Object.values(live).map((v) => Number(v.M?.x?.N)));
      return { flowId, allowed: false, pageRefusal: { reason: 'full', freeAt } };
    }
  }
  if (item.links_valid_after === undefined) return { flowId, allowed: true };
  const allowed = item.allowed_links?.SS ?? [];
  return { flowId, allowed: allowed.includes(digest) || allowed.length < MAX_ALLOWED_LINKS };
};

/** The entry's page links that have not expired at `now`: an expired one resumes nothing, so it may be forgotten. */
const livePageLinks = (item: Item, now: Date): Record<string, AttributeValue> =>
  Object.fromEntries(Object.entries(item.page_links?.M ?? {}).filter(([, v]) => Number(v.M?.x?.N) * 1000 > now.getTime()));

/** A link record as stored: `t` minted at (epoch seconds), `c` its campaign. (Records written before may carry `u`, which nothing reads now.) */
const linkRecordItem = (record: LinkRecord): AttributeValue => ({
  M: {
    t: { N: String(record.mintedAt) },
    ...(record.campaign === undefined ? {} : { c: { S: record.campaign } }),
  },
});

/** The record to drop so a new one fits: the oldest, once the entry holds MAX_LINK_RECORDS. */
const recordToDrop = (links: Record<string, AttributeValue>, digest: string): string | undefined => {
  const digests = Object.keys(links);
  if (digests.includes(digest) || digests.length < MAX_LINK_RECORDS) return undefined;
  return digests.reduce((oldest, d) => (Number(links[d].M?.t?.N) < Number(links[oldest].M?.t?.N) ? d : oldest));
};

/**
 * Whether minting this link writes the entry: to record its campaign, or to let
 * it through a revoke-links. A link with neither is only read for, so a batch
 * without a campaign costs its reads alone (its resumes are counted by
 * `Verifications`, which needs no record).
 */
const mustRecord = (item: Item, { record, page }: LinkRequest): boolean =>
  page !== undefined || record.campaign !== undefined || item.links_valid_after?.S !== undefined;

/** The item as `recordLink` leaves it, so a batch's next link to the same entry needs no second read. */
const withLink = (item: Item, digest: string, record: LinkRecord): Item => {
  const links = { ...(item.links?.M ?? {}) };
  const drop = recordToDrop(links, digest);
  if (drop !== undefined) delete links[drop];
  links[digest] = linkRecordItem(record);
  const next: Item = { ...item, links: { M: links } };
  if (item.links_valid_after !== undefined) next.allowed_links = { SS: [...new Set([...(item.allowed_links?.SS ?? []), digest])] };
  return next;
};

/** Runs `work` on every item, at most `limit` at once. */
const eachLimited = async <T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> => {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
};

/** Reads and writes entries (the admin Lambdas and mint). */
export class DynamoDbEntryStore extends DynamoDbEntryReader implements EntryStore, LinkRegistry, CompletionStore {
  /** @param batchRetry how BatchGetItem retries unprocessed keys (tests inject the clock) */
  constructor(
    client: DynamoDBClient,
    tableName: string,
    private readonly batchRetry: BatchRetryOptions = {},
  ) {
    super(client, tableName);
  }

  async saveEntry(entry: StoredEntry, now: Date): Promise<{ created: boolean; entry: StoredEntry } | 'conflict'> {
    const at = now.toISOString();
    const values: Record<string, AttributeValue> = {
      ':p': { S: entry.projectId },
      ':f': { S: entry.flowId },
      ':k': { S: entry.currentPageKey },
      ':d': { S: JSON.stringify(entry.userData) },
      ':now': { S: at },
      // A new entry's own generation; an update keeps the entry's, so a page saving it goes on.
      ':g': { S: generateSaveGen() },
    };
    let set =
      'project_id = :p, flow_id = :f, current_page_key = :k, user_data = :d, updated_at = :now, created_at = if_not_exists(created_at, :now), save_gen = if_not_exists(save_gen, :g)';
    if (entry.retainUntil !== undefined) {
      values[':r'] = { N: String(entry.retainUntil) };
      set += `, ${ENTRY_TABLE.ttlAttribute} = :r`;
    }
    try {
      const out = await awsCall(
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { [ENTRY_TABLE.partitionKey]: { S: entry.entryId } },
            // Over the project's tombstone, a new entry (a fresh generation, since the tombstone has none) that keeps
            // the tombstone's revocation state and page-link records: no link issued before the erasure opens it.
            // A digest browser saves wrote is of the user data this write replaces: it goes (the resume computes one). So do
            // the withheld fields browser saves stored apart: user_data is the whole entry now (the resume still withholds them).
            UpdateExpression: `SET ${set} REMOVE ${ERASED_ATTRIBUTE}, verify_digest, ${WITHHELD_ATTRIBUTE}, ${WITHHELD_FIELDS_ATTRIBUTE}`,
            // One atomic step: create, re-create over the project's tombstone, or update only an entry of the same
            // project and flow. Another project's tombstone is a conflict, as its live entry would be.
            ConditionExpression: `attribute_not_exists(${ENTRY_TABLE.partitionKey}) OR (project_id = :p AND (flow_id = :f OR attribute_exists(${ERASED_ATTRIBUTE})))`,
            ExpressionAttributeValues: values,
            ReturnValues: 'ALL_OLD',
          }),
        ),
      );
      const old = isTombstone(out.Attributes) ? undefined : out.Attributes;
      const createdAt = old?.created_at?.S ?? at;
      return { created: old === undefined, entry: { ...entry, createdAt, updatedAt: at } };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return 'conflict';
      throw error;
    }
  }

  async revokeLinks(entryId: string, projectId: string, now: Date): Promise<boolean> {
    try {
      await awsCall(
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
            // A new save generation too: every save token of the entry ends (saves and link requests answer 401).
            UpdateExpression: 'SET links_valid_after = :now, save_gen = :g REMOVE allowed_links',
            ConditionExpression: `project_id = :p AND attribute_not_exists(${ERASED_ATTRIBUTE})`,
            ExpressionAttributeValues: { ':now': { S: now.toISOString() }, ':p': { S: projectId }, ':g': { S: generateSaveGen() } },
          }),
        ),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    // Every link that could guess the second factor has ended: the wrong values counted for the entry go with them, so the
    // person can verify through the link the team sends next (docs/second-factor.md, "Who can lock the owner out").
    await awsCall(
      this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: { [ENTRY_TABLE.partitionKey]: { S: VERIFY_ATTEMPTS_KEY_PREFIX + entryId } } })),
    );
    return true;
  }

  async allowLink(request: LinkRequest, now: Date): Promise<LinkTarget | undefined> {
    // A failed condition means the entry changed between the read and the write: look again.
    for (let attempt = 0; attempt < RECORD_ATTEMPTS; attempt++) {
      // Strongly consistent, so an entry saved a moment ago is found, and a revoke-links a moment ago is seen
      // and the link added to the allow-list (else the link would be refused later).
      const out = await awsCall(
        this.client.send(
          new GetItemCommand({
            TableName: this.tableName,
            Key: { [ENTRY_TABLE.partitionKey]: { S: request.entryId } },
            ProjectionExpression: LINK_PROJECTION,
            ConsistentRead: true,
          }),
        ),
      );
      const target = checkLink(out.Item, request, now);
      if (!target?.allowed || !mustRecord(out.Item!, request)) return target;
      if (await this.recordLink(out.Item!, request, now)) return target;
    }
    throw new UnavailableError('LinkNotRecorded');
  }

  async allowLinks(requests: readonly LinkRequest[], now: Date): Promise<Array<LinkTarget | undefined | typeof LINK_UNAVAILABLE>> {
    const items = await this.readForLinks([...new Set(requests.map((r) => r.entryId))]);
    const results: Array<LinkTarget | undefined | typeof LINK_UNAVAILABLE> = requests.map((r) => {
      const item = items.get(r.entryId);
      return item === LINK_UNAVAILABLE ? item : checkLink(item, r, now);
    });
    // An entry's links are written one after another from the item read once; entries in parallel.
    const byEntry = new Map<string, number[]>();
    results.forEach((target, i) => {
      if (target !== LINK_UNAVAILABLE && target?.allowed && mustRecord(items.get(requests[i].entryId) as Item, requests[i]))
        byEntry.set(requests[i].entryId, [...(byEntry.get(requests[i].entryId) ?? []), i]);
    });
    await eachLimited([...byEntry.values()], RECORD_CONCURRENCY, async (indexes) => {
      let item: Item | undefined = items.get(requests[indexes[0]].entryId) as Item;
      for (const i of indexes) {
        const request = requests[i];
        try {
          const target = item && checkLink(item, request, now);
          if (item && target?.allowed && (await this.recordLink(item, request, now))) {
            item = withLink(item, request.digest, request.record);
            results[i] = target;
          } else {
            // The entry changed since the read (or this link is refused): the single way, with fresh reads, for the rest.
            item = undefined;
            results[i] = await this.allowLink(request, now);
          }
        } catch (error) {
          if (!(error instanceof UnavailableError)) throw error;
          results[i] = LINK_UNAVAILABLE;
        }
      }
    });
    return results;
  }

  /**
   * Each entry's item (undefined: there is none), strongly consistent, read
   * 100 at a time with the chunks in parallel. Keys DynamoDB leaves
   * unprocessed are asked again with backoff; one still unread after that, or
   * in a call that failed, is LINK_UNAVAILABLE.
   */
  private async readForLinks(entryIds: readonly string[]): Promise<Map<string, Record<string, AttributeValue> | undefined | typeof LINK_UNAVAILABLE>> {
    const items = new Map<string, Record<string, AttributeValue> | undefined | typeof LINK_UNAVAILABLE>(entryIds.map((id) => [id, undefined]));
    const key = ENTRY_TABLE.partitionKey;
    await Promise.all(
      chunks(entryIds, BATCH_GET_KEYS).map(async (ids) => {
        try {
          const unread = await sendWithRetries(
            ids,
            async (batch) => {
              const out = await awsCall(
                this.client.send(
                  new BatchGetItemCommand({
                    RequestItems: {
                      [this.tableName]: { Keys: batch.map((id) => ({ [key]: { S: id } })), ProjectionExpression: LINK_PROJECTION, ConsistentRead: true },
                    },
                  }),
                ),
              );
              for (const item of out.Responses?.[this.tableName] ?? []) items.set(item[key].S!, item);
              return (out.UnprocessedKeys?.[this.tableName]?.Keys ?? []).map((k) => k[key].S!);
            },
            this.batchRetry,
          );
          for (const id of unread) items.set(id, LINK_UNAVAILABLE);
        } catch (error) {
          if (!(error instanceof UnavailableError)) throw error;
          for (const id of ids) items.set(id, LINK_UNAVAILABLE);
        }
      }),
    );
    return items;
  }

  /**
   * Records a link on the entry as `item` showed it, in one conditional write:
   * its record (dropping the oldest beyond MAX_LINK_RECORDS) and, if the
   * entry's links were revoked, its digest in the allow-list; for a page link,
   * its page record (dropping expired ones), only under the save generation it
   * names. False, and nothing written, when the entry changed since it was read.
   */
  private async recordLink(item: Item, { entryId, owner, digest, record, page }: LinkRequest, now: Date): Promise<boolean> {
    const names: Record<string, string> = {};
    const values: Record<string, AttributeValue> = { ':p': { S: owner.projectId } };
    const conditions = ['project_id = :p'];
    const set: string[] = [];
    const remove: string[] = [];
    const add: string[] = [];
    const links = item.links?.M;
    if (links === undefined) {
      set.push('links = :links');
      values[':links'] = { M: { [digest]: linkRecordItem(record) } };
      conditions.push('attribute_not_exists(links)');
    } else {
      names['#d'] = digest;
      set.push('links.#d = :rec');
      values[':rec'] = linkRecordItem(record);
      // Written only over the map as read: a concurrent mint makes this one read again, so the map stays bounded.
      values[':n'] = { N: String(Object.keys(links).length) };
      conditions.push('size(links) = :n');
      const drop = recordToDrop(links, digest);
      if (drop !== undefined) {
        names['#o'] = drop;
        remove.push('links.#o');
        conditions.push('attribute_exists(links.#o)');
      }
    }
    if (page !== undefined) {
      values[':gen'] = { S: page.gen };
      conditions.push('save_gen = :gen');
      const pageLinks = item.page_links?.M;
      if (pageLinks === undefined) {
        set.push('page_links = :pages');
        values[':pages'] = { M: { [digest]: pageLinkItem(page) } };
        conditions.push('attribute_not_exists(page_links)');
      } else {
        names['#pd'] = digest;
        set.push('page_links.#pd = :page');
        values[':page'] = pageLinkItem(page);
        // Over the map as read, like links: a concurrent request makes this one read again, so the bound holds.
        values[':pn'] = { N: String(Object.keys(pageLinks).length) };
        conditions.push('size(page_links) = :pn');
        const live = livePageLinks(item, now);
        Object.keys(pageLinks)
          .filter((d) => !Object.hasOwn(live, d) && d !== digest)
          .forEach((d, i) => {
            names[`#px${i}`] = d;
            remove.push(`page_links.#px${i}`);
          });
      }
    }
    // No write id: the SDK's retry of a record that landed fails `size(links) = :n` and allowLink reads the entry again and
    // writes the same record under the same digest (a map key, and a set member): the link is recorded once, and allowed.
    const revokedAt = item.links_valid_after?.S;
    if (revokedAt === undefined) {
      conditions.push('attribute_not_exists(links_valid_after)');
    } else {
      values[':revoked'] = { S: revokedAt };
      conditions.push('links_valid_after = :revoked');
      if (!(item.allowed_links?.SS ?? []).includes(digest)) {
        add.push('allowed_links :d');
        values[':d'] = { SS: [digest] };
        values[':max'] = { N: String(MAX_ALLOWED_LINKS) };
        conditions.push('(attribute_not_exists(allowed_links) OR size(allowed_links) < :max)');
      }
    }
    try {
      await awsCall(
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
            UpdateExpression: [`SET ${set.join(', ')}`, remove.length ? `REMOVE ${remove.join(', ')}` : '', add.length ? `ADD ${add.join(', ')}` : '']
              .filter(Boolean)
              .join(' '),
            ConditionExpression: conditions.join(' AND '),
            ...(Object.keys(names).length ? { ExpressionAttributeNames: names } : {}),
            ExpressionAttributeValues: values,
          }),
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async completeEntry(entryId: string, projectId: string, now: Date): Promise<Completion | undefined> {
    const key = (id: string) => ({ [ENTRY_TABLE.partitionKey]: { S: id } });
    const noted = await awsCall(this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key(resumedKey(entryId)), ConsistentRead: true })));
    const resume = attributableResume(lastResumeOf(noted.Item), projectId, now.getTime());
    const completedAt = now.toISOString();
    const values: Record<string, AttributeValue> = { ':p': { S: projectId }, ':at': { S: completedAt } };
    let set = 'completed_at = :at';
    if (resume) {
      set += ', completed_campaign = :c';
      values[':c'] = { S: resume.campaign };
    }
    const complete = {
      TableName: this.tableName,
      Key: key(entryId),
      UpdateExpression: `SET ${set}`,
      // The first completion is the one recorded: a repeat changes nothing and is not counted again.
      ConditionExpression: `project_id = :p AND attribute_not_exists(completed_at) AND attribute_not_exists(${ERASED_ATTRIBUTE})`,
      ExpressionAttributeValues: values,
    };
    try {
      // An attributed first completion and its campaign's counter, in one atomic write: neither without the other.
      if (resume) {
        await awsCall(
          this.client.send(
            new TransactWriteItemsCommand({
              TransactItems: [{ Update: complete }, { Update: counterUpdate(this.tableName, projectId, resume.campaign, 'completions', 1) }],
            }),
          ),
        );
      } else {
        await awsCall(this.client.send(new UpdateItemCommand(complete)));
      }
      return { completedAt, ...(resume ? { campaign: resume.campaign } : {}), first: true };
    } catch (error) {
      const refused =
        error instanceof ConditionalCheckFailedException ||
        (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed');
      if (!refused) throw error;
    }
    // No such entry for this project, or completed before: one read tells which.
    const out = await awsCall(this.client.send(new GetItemCommand({ TableName: this.tableName, Key: key(entryId), ConsistentRead: true })));
    const item = out.Item;
    if (item?.project_id?.S !== projectId || isTombstone(item) || item.completed_at?.S === undefined) return undefined;
    const campaign = item.completed_campaign?.S;
    return { completedAt: item.completed_at.S, ...(campaign === undefined ? {} : { campaign }), first: false };
  }

  /**
   * Erases the entry, if it is the project's and not erased already, in one
   * conditional write that leaves a tombstone: no user data, only the key, the
   * project id, the erasure's time, the revocation state of a revoke-links with
   * an empty allow-list (every link issued so far ends) and the page links'
   * records, until `keepUntil` (epoch seconds, DynamoDB's TTL): the latest a link
   * issued so far can expire. An entry later re-created under the id keeps
   * that state (saveEntry). Then erases its last resume's note (resumed#).
   */
  async deleteEntry(entryId: string, projectId: string, now: Date, keepUntil: number): Promise<boolean> {
    try {
      await awsCall(
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
            UpdateExpression: `SET ${ERASED_ATTRIBUTE} = :now, links_valid_after = :now, ${ENTRY_TABLE.ttlAttribute} = :until REMOVE ${ERASED_ATTRIBUTES.join(', ')}`,
            ConditionExpression: `project_id = :p AND attribute_not_exists(${ERASED_ATTRIBUTE})`,
            ExpressionAttributeValues: { ':p': { S: projectId }, ':now': { S: now.toISOString() }, ':until': { N: String(keepUntil) } },
          }),
        ),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
    try {
      // Most entries have no note: the refused condition is the cheap answer. A note left by a failure here expires within the completion window.
      await awsCall(
        this.client.send(
          new DeleteItemCommand({
            TableName: this.tableName,
            Key: { [ENTRY_TABLE.partitionKey]: { S: resumedKey(entryId) } },
            ConditionExpression: 'project_id = :p',
            ExpressionAttributeValues: { ':p': { S: projectId } },
          }),
        ),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    return true;
  }
}
