import { type AttributeValue, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { ENTRY_TABLE } from './naming';
import type { EntryReader, LinkRecord, PageLinkRecord, StoredEntry, WithheldStorage } from '../domain/ports';
import { restoreWithheld, splitWithheld, type SplitUserData, type VerifyDigest } from '../domain/resume-policy';
import { awsCall } from './errors';

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The attribute that marks an erased entry's tombstone (its value: when it was
 * erased). An erasure leaves, under the entry's id, only the project id, this
 * marker, revocation state that ends every link issued before it, and the page
 * links' records, until DynamoDB's TTL removes the item once no such link can
 * still be unexpired (DynamoDbEntryStore.deleteEntry).
 */
export const ERASED_ATTRIBUTE = 'erased_at';

/** Whether an item is an erased entry's tombstone, which every reader takes for no entry. */
export const isTombstone = (item: Record<string, AttributeValue> | undefined): boolean => item?.[ERASED_ATTRIBUTE] !== undefined;

/**
 * A flow's withheld fields are stored apart from `user_data`
 * (resume-policy.ts `splitWithheld`): `withheld` is a map from each field, as
 * the policy names it, to its value as a JSON string, and `withheld_fields` the
 * policy's list, in order, as of the last write of `user_data`. One map
 * attribute, so an erasure or the admin PUT removes every value at once, and a
 * save sets `withheld.#f` per field it holds: distinct keys of one map never
 * overlap as document paths in one update expression.
 */
export const WITHHELD_ATTRIBUTE = 'withheld';
export const WITHHELD_FIELDS_ATTRIBUTE = 'withheld_fields';

/** The attributes that store a split: `user_data` (the visible part), the field list, and the map of this write's values. */
export const withheldItem = (split: SplitUserData): Record<string, AttributeValue> => ({
  user_data: { S: JSON.stringify(split.visible) },
  [WITHHELD_FIELDS_ATTRIBUTE]: { L: split.fields.map((f) => ({ S: f })) },
  [WITHHELD_ATTRIBUTE]: { M: withheldValues(split) },
});

export const withheldValues = (split: SplitUserData): Record<string, AttributeValue> =>
  Object.fromEntries(split.values.map(([field, value]) => [field, { S: JSON.stringify(value) }]));

/** The stored withheld values; one that does not parse is skipped (its field then reads as absent). */
const storedWithheld = (map: Record<string, AttributeValue> = {}): Record<string, unknown> =>
  // fromEntries makes own properties, `__proto__` included.
  Object.fromEntries(
    Object.entries(map).flatMap(([field, value]) => {
      try {
        return [[field, JSON.parse(value.S!)]];
      } catch {
        // Not JSON: never written so by this product.
        return [];
      }
    }),
  );

/**
 * Entries are items keyed by entry id. `user_data` is stored as a JSON string so
 * it round-trips exactly (number precision, empty strings, key order). A
 * tombstone is no entry. The entry's user data is whole: the withheld fields
 * stored apart are put back at their places (each reader then applies the
 * current policy, so a field the flow stopped withholding is answered again).
 */
export const entryFromItem = (item: Record<string, AttributeValue>): StoredEntry | undefined => {
  if (isTombstone(item)) return undefined;
  const entryId = item[ENTRY_TABLE.partitionKey]?.S;
  const projectId = item.project_id?.S;
  const flowId = item.flow_id?.S;
  const currentPageKey = item.current_page_key?.S;
  const userDataText = item.user_data?.S;
  if (!entryId || !projectId || !flowId || currentPageKey === undefined || userDataText === undefined) return undefined;
  const visible: unknown = JSON.parse(userDataText);
  if (!isRecord(visible)) return undefined;
  const fields = (item[WITHHELD_FIELDS_ATTRIBUTE]?.L ?? []).flatMap((f) => (f.S === undefined ? [] : [f.S]));
  const userData = fields.length === 0 ? visible : restoreWithheld(visible, fields, storedWithheld(item[WITHHELD_ATTRIBUTE]?.M));
  const ttl = item[ENTRY_TABLE.ttlAttribute]?.N;
  return {
    entryId,
    projectId,
    flowId,
    currentPageKey,
    userData,
    retainUntil: ttl === undefined ? undefined : Number(ttl),
    createdAt: item.created_at?.S,
    updatedAt: item.updated_at?.S,
    linksValidAfter: item.links_valid_after?.S,
    allowedLinks: item.allowed_links?.SS,
    links: item.links?.M === undefined ? undefined : linkRecordsOf(item.links.M),
    saveGen: item.save_gen?.S,
    pageLinks: item.page_links?.M === undefined ? undefined : pageLinksOf(item.page_links.M),
    verifyDigest: verifyDigestOf(item.verify_digest),
    seq: item.seq?.N === undefined ? undefined : Number(item.seq.N),
  };
};

/**
 * The keyed digest of the verify field's value (resume-policy.ts), as stored:
 * `f` the field, `k` the save key's check, `d` the digest. One that does not
 * parse is no digest: the resume then computes one from the stored value.
 */
export const verifyDigestItem = (digest: VerifyDigest): AttributeValue => ({
  M: { f: { S: digest.field }, k: { S: digest.keyCheck }, d: { S: digest.digest } },
});

const verifyDigestOf = (value: AttributeValue | undefined): VerifyDigest | undefined => {
  const field = value?.M?.f?.S;
  const keyCheck = value?.M?.k?.S;
  const digest = value?.M?.d?.S;
  return field === undefined || keyCheck === undefined || digest === undefined ? undefined : { field, keyCheck, digest };
};

/**
 * A page link as stored (link-requests): `g` the save generation it was minted
 * under, `x` its expiry (epoch seconds), `h` true for a hand-off link.
 */
export const pageLinkItem = (record: PageLinkRecord): AttributeValue => ({
  M: { g: { S: record.gen }, x: { N: String(record.expiresAt) }, ...(record.handoff && { h: { BOOL: true } }) },
});

/**
 * The page links link-requests wrote. One that does not parse still counts as a
 * page link of no generation (so it never resumes): a page link must never pass
 * for a backend one.
 */
const pageLinksOf = (map: Record<string, AttributeValue>): Record<string, PageLinkRecord> =>
  Object.fromEntries(
    Object.entries(map).map(([digest, value]) => [digest, { gen: value.M?.g?.S ?? '', expiresAt: Number(value.M?.x?.N ?? 0), handoff: value.M?.h?.BOOL }]),
  );

/** The link records mint wrote (dynamodb-entry-store.ts); one that does not parse is skipped, never fatal to a resume. */
const linkRecordsOf = (map: Record<string, AttributeValue>): Record<string, LinkRecord> => {
  const records: Record<string, LinkRecord> = {};
  for (const [digest, value] of Object.entries(map)) {
    const mintedAt = Number(value.M?.t?.N);
    if (!Number.isFinite(mintedAt)) continue;
    const campaign = value.M?.c?.S;
    records[digest] = { mintedAt, ...(campaign === undefined ? {} : { campaign }) };
  }
  return records;
};

/** The item an entry is stored as (the inverse of `entryFromItem`), its withheld fields apart. */
export const entryToItem = (entry: StoredEntry & WithheldStorage, timestamps: { createdAt: string; updatedAt: string }) => {
  const item: Record<string, AttributeValue> = {
    [ENTRY_TABLE.partitionKey]: { S: entry.entryId },
    project_id: { S: entry.projectId },
    flow_id: { S: entry.flowId },
    current_page_key: { S: entry.currentPageKey },
    ...withheldItem(splitWithheld(entry.userData, entry.withheldFields ?? [])),
    created_at: { S: timestamps.createdAt },
    updated_at: { S: timestamps.updatedAt },
  };
  if (entry.retainUntil !== undefined) item[ENTRY_TABLE.ttlAttribute] = { N: String(entry.retainUntil) };
  if (entry.saveGen !== undefined) item.save_gen = { S: entry.saveGen };
  if (entry.verifyDigest !== undefined) item.verify_digest = verifyDigestItem(entry.verifyDigest);
  return item;
};

/**
 * Reads entries: all the public Lambdas need. Kept apart from the write methods
 * (DynamoDbEntryStore) so their bundles do not carry code they never run.
 */
export class DynamoDbEntryReader implements EntryReader {
  /**
   * @param consistentRead strongly consistent reads (1 read unit per 4 KB) see a
   * write the moment it is acknowledged; eventually consistent ones (half that)
   * usually within a second. The public Lambdas choose with CONSISTENT_READS
   * (the `consistentReads` stack property); the admin API always reads strongly.
   */
  constructor(
    protected readonly client: DynamoDBClient,
    protected readonly tableName: string,
    protected readonly consistentRead = true,
  ) {}

  get mayReadStale(): boolean {
    return !this.consistentRead;
  }

  async getEntry(entryId: string, options?: { readonly consistent?: boolean }): Promise<StoredEntry | undefined> {
    const out = await awsCall(
      this.client.send(
        new GetItemCommand({
          TableName: this.tableName,
          Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } },
          // No projection: read units are billed on the whole item anyway.
          ConsistentRead: options?.consistent ?? this.consistentRead,
        }),
      ),
    );
    return out.Item ? entryFromItem(out.Item) : undefined;
  }
}
