import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SigningKey } from './token';

/**
 * A flow's resume policy (docs/withheld-fields.md, docs/second-factor.md): user_data fields that are
 * stored but never answered to a resume (`withheld_fields`), and a field the
 * person must confirm before a resume answers anything (`verify_field`). Kept
 * in the project's secret beside its keys, per flow, so the resume path reads
 * it with the keys it already reads (no extra call) and a change takes effect
 * within the key cache's TTL.
 */
export interface ResumePolicy {
  readonly withheld_fields: readonly string[];
  readonly verify_field?: string;
}

/** Most fields one flow may withhold. */
export const MAX_WITHHELD_FIELDS = 20;
/** Longest field name or JSON Pointer, in characters. */
export const MAX_FIELD_LENGTH = 128;
/** Most flows of one project with a policy: with the limits above, at most ~26 KB of the secret's 64 KB. */
export const MAX_POLICY_FLOWS = 10;

/**
 * A field: a top-level name (anything not starting with `/`), or an RFC 6901
 * JSON Pointer (`/a/b`, with `~1` for `/` and `~0` for `~` inside a name). No
 * control characters, and no `~` other than those two escapes in a pointer.
 */
export const FIELD_PATTERN = '^(?:[^/\\u0000-\\u001f\\u007f][^\\u0000-\\u001f\\u007f]*|(?:/(?:[^~/\\u0000-\\u001f\\u007f]|~[01])*)+)$';
const fieldRegExp = new RegExp(FIELD_PATTERN);

export const FIELD_RULE = `must be a top-level field name, or a JSON Pointer such as /address/postcode (RFC 6901: ~1 for "/", ~0 for "~"), of at most ${MAX_FIELD_LENGTH} characters`;

export const isValidField = (field: string): boolean => field.length > 0 && field.length <= MAX_FIELD_LENGTH && fieldRegExp.test(field);

/**
 * The path a field names. Hand-written rather than a dependency: RFC 6901's
 * whole grammar is the two escapes below, and the resume bundle stays small.
 */
export const fieldPath = (field: string): string[] =>
  field.startsWith('/')
    ? field
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    : [field];

const isContainer = (value: unknown): value is Record<string, unknown> | unknown[] => typeof value === 'object' && value !== null;

/** An own member of a container (never one of Object.prototype's). */
const member = (container: Record<string, unknown> | unknown[], key: string): unknown =>
  Object.prototype.hasOwnProperty.call(container, key) ? (container as Record<string, unknown>)[key] : undefined;

/** The value a field names in `data`, or undefined. */
export const valueAt = (data: unknown, field: string): unknown => {
  let at: unknown = data;
  for (const key of fieldPath(field)) {
    if (!isContainer(at)) return undefined;
    at = member(at, key);
  }
  return at;
};

/** Where a field's value sits in `data`: its container and its key there, or undefined when nothing is there. */
const targetOf = (data: Record<string, unknown>, field: string): { readonly parent: Record<string, unknown> | unknown[]; readonly key: string } | undefined => {
  const path = fieldPath(field);
  const key = path.pop()!;
  const parent = path.reduce<unknown>((at, k) => (isContainer(at) ? member(at, k) : undefined), data);
  return isContainer(parent) && Object.prototype.hasOwnProperty.call(parent, key) && (!Array.isArray(parent) || isIndex(key)) ? { parent, key } : undefined;
};

/** What an array element to remove is replaced with until every place is resolved. */
const HOLE = Symbol('withheld');

/**
 * Removes the values `fields` name from `data` in place, every pointer
 * resolved against `data` as it is before any removal: object members are
 * deleted, and array elements marked, then taken out together, so no removal
 * shifts the element another field names.
 */
const removeAll = (data: Record<string, unknown>, fields: readonly string[]): void => {
  const holed = new Set<unknown[]>();
  for (const t of fields.map((field) => targetOf(data, field))) {
    if (Array.isArray(t?.parent)) {
      holed.add(t.parent);
      t.parent[+t.key] = HOLE;
    } else if (t) delete (t.parent as Record<string, unknown>)[t.key];
  }
  for (const array of holed) array.splice(0, array.length, ...array.filter((v) => v !== HOLE));
};

/**
 * Document order of two fields' paths: segment by segment, array indexes by
 * number, a path before the paths inside it. Putting values back in this order
 * makes each index name, when it is used, the place it named in the original.
 */
const documentOrder = (a: string, b: string): number => {
  const pa = fieldPath(a);
  const pb = fieldPath(b);
  const i = pa.findIndex((k, j) => k !== pb[j]);
  return i < 0 || i >= pb.length ? pa.length - pb.length : isIndex(pa[i]) && isIndex(pb[i]) ? +pa[i] - +pb[i] : pa[i] < pb[i] ? -1 : 1;
};

const isIndex = (key: string): boolean => /^(?:0|[1-9]\d*)$/.test(key);

/** Sets an own member (never the prototype, whatever the key: `__proto__` is a name like any other). */
const setMember = (container: Record<string, unknown>, key: string, value: unknown): void => {
  Object.defineProperty(container, key, { value, writable: true, enumerable: true, configurable: true });
};

/**
 * Puts `value` back where a split took it from: an array element is spliced
 * in at its index, an object member set, and missing objects on the way are
 * made. A path through a value that is neither (a string, say) puts nothing.
 */
const insertAt = (data: Record<string, unknown>, field: string, value: unknown): void => {
  const path = fieldPath(field);
  const last = path.pop()!;
  let at: unknown = data;
  for (const key of path) {
    if (isContainer(at) && !Array.isArray(at) && member(at, key) === undefined) setMember(at as Record<string, unknown>, key, {});
    at = isContainer(at) ? member(at, key) : undefined;
  }
  if (!Array.isArray(at)) {
    if (isContainer(at)) setMember(at as Record<string, unknown>, last, value);
  } else if (isIndex(last) && +last <= at.length) at.splice(+last, 0, value);
};

/**
 * `userData` without the withheld fields: a copy, the stored entry untouched.
 * Every field names a place in `userData` as it is: an object member is
 * deleted, and of an array's withheld elements none comes back whatever their
 * order in the policy (the others move up).
 */
export const withhold = (userData: Record<string, unknown>, fields: readonly string[]): Record<string, unknown> =>
  fields.length === 0 ? userData : splitWithheld(userData, fields).visible;

/**
 * A save's user data split by its flow's withheld fields, so that a page that
 * resumed without them cannot erase them by saving (docs/withheld-fields.md,
 * "Saving after a resume"): `visible` is stored as `user_data`, each withheld
 * field the save holds a value for is stored apart, and a withheld field the
 * save does not hold keeps the value stored before.
 */
export interface SplitUserData {
  readonly visible: Record<string, unknown>;
  /** The policy's withheld fields, in its order. */
  readonly fields: readonly string[];
  /** The withheld fields this save holds, with their values. */
  readonly values: ReadonlyArray<readonly [field: string, value: unknown]>;
}

export const splitWithheld = (userData: Record<string, unknown>, fields: readonly string[]): SplitUserData => {
  if (fields.length === 0) return { visible: userData, fields, values: [] };
  const visible = structuredClone(userData);
  // Every value is read, and every place removed, as the save holds it: an index names the element it names there.
  const values = fields.flatMap((field) => {
    const value = valueAt(userData, field);
    return value === undefined ? [] : [[field, structuredClone(value)] as const];
  });
  removeAll(visible, fields);
  return { visible, fields, values };
};

/**
 * The whole user data from what a split stored: `visible`, with each of
 * `fields` that has a stored value put back at its place, in document order
 * (documentOrder), each place once and none inside one put back. `visible` is changed in place (callers pass a fresh
 * parse). A stored value of a field that is not in `fields` (the policy
 * stopped withholding it, so the last save's `user_data` holds the field's
 * current value, or its absence) is ignored.
 */
export const restoreWithheld = (
  visible: Record<string, unknown>,
  fields: readonly string[],
  stored: Readonly<Record<string, unknown>>,
): Record<string, unknown> => {
  const restored: string[][] = [];
  for (const field of [...fields].sort(documentOrder)) {
    const path = fieldPath(field);
    // A place inside one already put back (or the same place named twice) came back with it.
    if (!Object.prototype.hasOwnProperty.call(stored, field) || restored.some((r) => r.every((k, i) => k === path[i]))) continue;
    restored.push(path);
    insertAt(visible, field, stored[field]);
  }
  return visible;
};

/** Whether two fields name the same place (`email` and `/email` do). */
export const sameField = (a: string, b: string): boolean => {
  const pa = fieldPath(a);
  const pb = fieldPath(b);
  return pa.length === pb.length && pa.every((k, i) => k === pb[i]);
};

/**
 * What is compared: the value trimmed (and NFC-normalised); a value with an
 * `@` in it is an email address, decided by its format rather than the
 * field's name, and is compared case-folded. A number is its decimal text.
 * Anything else (absent, an object, an empty string) cannot be verified.
 */
export const normaliseVerification = (value: unknown): string | undefined => {
  const text = typeof value === 'string' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined;
  if (text === undefined) return undefined;
  const trimmed = text.normalize('NFC').trim();
  if (trimmed === '') return undefined;
  return trimmed.includes('@') ? trimmed.toLowerCase() : trimmed;
};

/** The keyed digest stored beside an entry (never the value): its field, which save key made it, and the digest. */
export interface VerifyDigest {
  readonly field: string;
  /** Tells which save key (current, or previous during a rotation) the digest was made with; not secret. */
  readonly keyCheck: string;
  /** base64url HMAC-SHA256, 43 characters. */
  readonly digest: string;
}

/** Whose value a digest is: the digest of one value differs from entry to entry. */
export interface VerifyScope {
  readonly projectId: string;
  readonly flowId: string;
  readonly entryId: string;
}

/** A key of its own for verification digests, derived from the deployment's save key. */
const verifyKey = (saveKey: SigningKey): Buffer => createHmac('sha256', saveKey.secret).update('session-recovery/verify/v1', 'utf8').digest();

const keyCheckOf = (key: Buffer): string => createHmac('sha256', key).update('key-check', 'utf8').digest('base64url').slice(0, 11);

// Ids hold no newline; the field and the value come last, so the string parses one way only.
const digestOf = (key: Buffer, scope: VerifyScope, field: string, normalised: string): Buffer =>
  createHmac('sha256', key).update([scope.projectId, scope.flowId, scope.entryId, field, normalised].join('\n'), 'utf8').digest();

/** The digest to store beside an entry written under `policy`; undefined when it has no verify field or no value for it yet. */
export const verifyDigestFor = (
  scope: VerifyScope,
  userData: Record<string, unknown>,
  policy: ResumePolicy | undefined,
  saveKey: SigningKey,
): VerifyDigest | undefined => {
  const field = policy?.verify_field;
  if (field === undefined) return undefined;
  const normalised = normaliseVerification(valueAt(userData, field));
  if (normalised === undefined) return undefined;
  const key = verifyKey(saveKey);
  return { field, keyCheck: keyCheckOf(key), digest: digestOf(key, scope, field, normalised).toString('base64url') };
};

/**
 * Whether `presented` is the entry's value of `field`. The expected digest is
 * the one stored beside the entry when it is of this field and made with one of
 * `saveKeys`; otherwise (an entry written before the policy named the field, by
 * the admin API, or before a save-key rotation ended) it is computed from the
 * stored value under the current key. The two digests, 32 bytes each, are
 * compared with `timingSafeEqual`. False when the entry has no value to verify.
 */
export const verificationMatches = (
  scope: VerifyScope,
  entry: { readonly userData: Record<string, unknown>; readonly verifyDigest?: VerifyDigest },
  field: string,
  presented: string,
  saveKeys: readonly SigningKey[],
): boolean => {
  const keys = saveKeys.map(verifyKey);
  const stored = entry.verifyDigest;
  const storedKey = stored?.field === field ? keys.find((k) => keyCheckOf(k) === stored.keyCheck) : undefined;
  const key = storedKey ?? keys[0];
  let expected: Buffer | undefined;
  if (storedKey && stored) {
    expected = Buffer.from(stored.digest, 'base64url');
  } else {
    const value = normaliseVerification(valueAt(entry.userData, field));
    expected = key && value !== undefined ? digestOf(key, scope, field, value) : undefined;
  }
  const normalised = normaliseVerification(presented);
  if (!key || !expected || expected.length !== 32 || normalised === undefined) return false;
  return timingSafeEqual(digestOf(key, scope, field, normalised), expected);
};
