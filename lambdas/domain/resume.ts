import { ApiError, invalidRequest, LookupLimitedError } from './errors';
import { announceExpiredLink, type ExpiredLinkEvents } from './expired-links';
import { hasUnencodedPlus, isValidId, isValidToken, parseExpiresAt } from './grammar';
import { linkDigest } from './link-digest';
import { originAllowed } from './origin-policy';
import { attributeResume, isAutomatedAgent, type ResumeAttribution } from './recovery';
import type { EntryReader, KeyProvider, KeySet, SaveRotation, StoredEntry, VersionedStore } from './ports';
import { HOUR_MS, takeRolling } from './request-limits';
import { type ResumePolicy, verificationMatches, withhold } from './resume-policy';
import { generateSaveGen, mintSaveToken } from './save-token';
import { startedAhead } from './started';
import { findSigningKey, type SigningKey } from './token';
import { isV2Token, verifyV2Token } from './token-v2';

/** The body of `POST /v1/load-entry-data`, after schema validation. */
export interface LoadEntryRequest {
  readonly flow_id: string;
  readonly project_id: string;
  readonly entry_id: string;
  readonly token: string;
  readonly expires_at: string;
  /** The person's value of the flow's verify field, when its resume policy names one (docs/second-factor.md). */
  readonly verification?: string;
}

/** What the browser receives as `data.entry`: the user data plus the two fields the seed's client reads. */
export type ResumeEntry = Record<string, unknown> & { entry_id: string; current_page_key: string };

export interface ResumeResult {
  readonly entry: ResumeEntry;
  /** Id of the credential that signed the link (for logs and metrics; never its value). */
  readonly credentialId: string;
  /** For a project that takes saves from the browser, the save token the device that resumed carries on with (current contract only). */
  readonly saveToken?: string;
  /** The link's campaign and age, from the entry read, and how the resume is counted. */
  readonly attribution: ResumeAttribution;
  /** The entry's retention (epoch seconds), which its resume note is kept for. */
  readonly retainUntil?: number;
}

export interface ResumeDeps {
  readonly keys: KeyProvider;
  readonly entries: EntryReader;
  readonly now: () => number;
  /** Set with `expiredLinkEvents`: a valid link opened too late puts a `Resume Link Expired` event. */
  readonly expiredLinks?: ExpiredLinkEvents;
  /**
   * For a project that takes saves from the browser (current contract only; the
   * legacy one has none): what a person's resume hands the device over with.
   */
  readonly saves?: ResumeSaves;
  /** A resume less than this many seconds after its link's mint is counted early (default EARLY_RESUME_SECONDS). */
  readonly earlyResumeSeconds?: number;
  /** What a flow with a verify field needs (current contract only: the legacy one never verifies). */
  readonly verification?: VerificationDeps;
}

export interface VerificationDeps {
  /** The save keys (current first) that verification digests are made with. */
  readonly keys: () => Promise<readonly SigningKey[]>;
  /** Each entry's recent verification attempts (epoch ms), for the bound of VERIFY_ATTEMPTS per hour. */
  readonly attempts: VersionedStore<readonly number[]>;
}

/** Wrong values an entry's verification takes in any rolling hour; past them, 429 for every value, the right one too. */
export const VERIFY_ATTEMPTS = 5;

export interface ResumeSaves {
  /**
   * The current save key. Called once the link has verified and not expired, and
   * run beside the entry read: on a new instance the save key's read then adds
   * no round trip of its own.
   */
  readonly key: () => Promise<SigningKey>;
  /** Where the entry's next save generation is written. */
  readonly rotation: SaveRotation;
}

/** Rotations tried before a resume gives up on an entry other resumes keep rotating. */
const ROTATION_ATTEMPTS = 3;

/**
 * Builds the response entry, without the flow's withheld fields. The contract's
 * own fields win over user data of the same name.
 */
export const toResumeEntry = (entry: StoredEntry, policy?: ResumePolicy): ResumeEntry => ({
  ...withhold(entry.userData, policy?.withheld_fields ?? []),
  entry_id: entry.entryId,
  current_page_key: entry.currentPageKey,
});

const invalidField = (field: string, rule: string) => invalidRequest(`${field} ${rule}`);

export const ID_RULE = 'must be 1 to 128 ASCII letters, digits, "_" or single "-" between them';
/** The seed's token, the only kind the legacy contract takes. */
export const TOKEN_RULE = 'must be 64 hexadecimal characters';
/** The current contract also takes v2 tokens. */
export const CURRENT_TOKEN_RULE = `${TOKEN_RULE} (or a v2 token)`;
export const EXPIRES_AT_RULE = 'must be an RFC 3339 date-time on a real calendar date, e.g. 2025-01-01T00:00:00.000Z or 2025-01-01T01:00:00+01:00';

/** The rule an expiry broke, with the likely cause when its offset's `+` became a space on the way. */
export const expiresAtRule = (value: unknown): string =>
  typeof value === 'string' && hasUnencodedPlus(value)
    ? 'has a space where its UTC offset\'s "+" belongs: the "+" was probably turned into a space by missing URL encoding ' + '(the link must carry it as %2B)'
    : EXPIRES_AT_RULE;

/** The parts of a resume request every contract has, under their own field names for error messages. */
interface ResumeFields {
  readonly ids: Readonly<Record<string, string>>;
  readonly token: string;
  /** Whether v2 tokens are part of this contract. */
  readonly v2: boolean;
  readonly expiresField: string;
  readonly expires: string;
}

/**
 * Re-checks the grammar the JSON Schema already applied, plus what a schema cannot
 * express (a real calendar date). The domain never trusts its caller for this.
 * Returns the expiry instant.
 */
const checkGrammar = (fields: ResumeFields): number => {
  for (const [field, value] of Object.entries(fields.ids)) {
    if (!isValidId(value)) throw invalidField(field, ID_RULE);
  }
  if (!isValidToken(fields.token) && !(fields.v2 && isV2Token(fields.token))) {
    throw invalidField('token', fields.v2 ? CURRENT_TOKEN_RULE : TOKEN_RULE);
  }
  const expiresAt = parseExpiresAt(fields.expires);
  if (expiresAt === undefined) throw invalidField(fields.expiresField, expiresAtRule(fields.expires));
  return expiresAt;
};

/** What one contract verifies a resume link against. */
interface ResumeTarget {
  /** Whose keys sign this link: a project id (current contract) or a flow id (legacy). */
  readonly keyScope: string;
  readonly entryId: string;
  readonly expiresAtMs: number;
  /** The token exactly as sent. */
  readonly token: string;
  /** The flow whose resume policy applies. */
  readonly flowId: string;
  /** The person's value of the flow's verify field, if sent (never on the legacy contract). */
  readonly verification?: string;
  /** The id of the key that signed the link, or undefined. */
  readonly verify: (keys: readonly SigningKey[]) => string | undefined;
  /** Whether an entry may be returned for this link, given the key set that verified it. */
  readonly owns: (entry: StoredEntry, keySet: KeySet) => boolean;
  /** For ApiError details: whose keys these are, e.g. `project proj_x`, and what they are called. */
  readonly scope: { readonly name: string; readonly keys: string };
  /** For ApiError details: where an entry must be, e.g. `project proj_x's flow flow_z`. */
  readonly owner: (keySet: KeySet) => string;
}

/** Keys of one algorithm: seed tokens never verify under v2 keys, nor v2 tokens under seed keys. */
const ofAlgorithm = (keys: readonly SigningKey[], algorithm: 'sha256' | 'hmac-sha256') => keys.filter((k) => (k.algorithm ?? 'sha256') === algorithm);

/**
 * The resume path, in the order that keeps it safe: token against every key of
 * the scope → expiry → entry read → ownership. A token that does not verify never
 * causes an entry read. Wrong owner, missing and retention-expired entries all
 * answer the same `entry_not_found`, so a link for one project or flow reveals
 * nothing about another's entries.
 */
const resumeVerified = async (target: ResumeTarget, deps: ResumeDeps, context: RequestContext): Promise<ResumeResult> => {
  const { keyScope, entryId } = target;
  let lookup: Awaited<ReturnType<KeyProvider['lookup']>>;
  try {
    lookup = await deps.keys.lookup(keyScope);
  } catch (error) {
    // The id may be a real project's (not yet in the project index): never a wrong token, a retry shortly.
    if (error instanceof LookupLimitedError) {
      throw new ApiError('service_unavailable', 'The service is busy. Retry shortly.', {
        retryAfterSeconds: 1,
        cause: error,
        detail: `this instance's bound on key lookups for ids it holds nothing for was reached (keyLookupLimit); ${target.scope.name} was not read`,
      });
    }
    throw error;
  }
  let { keySet } = lookup;
  context.onKeys?.(keySet);
  admitOrigin(context.origin, keySet);
  let credentialId = target.verify(keySet.keys);
  if (credentialId === undefined && !lookup.fetched) {
    const refreshed = await deps.keys.refreshAfterMiss(keyScope);
    if (refreshed) {
      keySet = refreshed;
      credentialId = target.verify(refreshed.keys);
    }
  }
  if (credentialId === undefined) {
    const { name, keys } = target.scope;
    throw invalidToken(keySet.keys.length === 0 ? `${name} has no ${keys}` : `no key of ${name} matched (${keySet.keys.length} tried)`);
  }

  const now = deps.now();
  if (target.expiresAtMs <= now) {
    if (deps.expiredLinks) await announceExpired(target, keySet, deps, deps.expiredLinks, now);
    throw new ApiError('token_expired', 'The link has expired. Ask for a new link.', {
      detail: `the link expired at ${new Date(target.expiresAtMs).toISOString()}`,
    });
  }

  const verifiedKeys = keySet;
  const policies = verifiedKeys.resumePolicies;
  const policy = policies && Object.prototype.hasOwnProperty.call(policies, target.flowId) ? policies[target.flowId] : undefined;
  const verifyField = policy?.verify_field;
  // Asked for before the entry is read: a link alone costs one answer and no read.
  if (verifyField !== undefined && (target.verification === undefined || deps.verification === undefined)) {
    throw new ApiError('verification_required', `Confirm your ${verifyField} to continue.`, {
      field: verifyField,
      detail: deps.verification === undefined ? `flow ${target.flowId} has a verify_field, which this contract cannot send` : undefined,
    });
  }
  // A person's resume of a browser-saves project's entry hands the save capability over: an automated client's does not.
  const automated = isAutomatedAgent(context.userAgent);
  const handOver = verifiedKeys.browserSaves === true && deps.saves !== undefined && !automated ? deps.saves : undefined;
  const saveKey = handOver && startedAhead(handOver.key());
  const refusal = (e: StoredEntry | undefined) => refusalOf(e, target, verifiedKeys, now);
  let entry = await deps.entries.getEntry(entryId);
  let refused = refusal(entry);
  if (refused && deps.entries.mayReadStale) {
    // An eventually consistent read can miss a save, or a link minted after revoke-links, made within
    // about the last second. A refusal is confirmed by a strongly consistent read before it is answered.
    entry = await deps.entries.getEntry(entryId, { consistent: true });
    refused = refusal(entry);
  }
  if (refused) throw refused;
  // refusalOf answers entry_not_found when there is no entry.
  const found = entry as StoredEntry;
  const handoff = found.pageLinks?.[linkDigest(target.token)]?.handoff === true;
  // A hand-off code is scanned by a person, never opened by a mail scanner: no data for an automated client, and
  // every answer with data uses the link up (even with browser saves turned off since: no save token then).
  if (handoff && automated) throw personRequired(entryId);
  const rotation = handOver?.rotation ?? (handoff ? deps.saves?.rotation : undefined);
  if (handoff && rotation === undefined) throw personRequired(entryId);
  if (verifyField !== undefined) await verify(found, verifyField, target.verification!, deps.verification!, now);
  // The entry as handed over: a save that landed since the read is in it.
  const { saveGen: rotated, entry: answered } = rotation
    ? await rotateSaveCapability(found, rotation, refusal, policy?.withheld_fields ?? [])
    : { saveGen: undefined, entry: found };
  // Other writes kept changing the entry on every attempt: a hand-off link answers only the resume that used it up.
  if (handoff && rotated === undefined) {
    throw new ApiError('service_unavailable', 'The service is busy. Retry shortly.', {
      retryAfterSeconds: 1,
      detail: `entry ${entryId} changed on every attempt to use its hand-off link up`,
    });
  }
  const saveGen = handOver ? rotated : undefined;
  return {
    entry: toResumeEntry(answered, policy),
    credentialId,
    saveToken: saveGen === undefined ? undefined : mintSaveToken(await saveKey!, { projectId: found.projectId, flowId: found.flowId, entryId, gen: saveGen }),
    attribution: attributeResume(answered, target.token, now, context.userAgent, deps.earlyResumeSeconds),
    retainUntil: answered.retainUntil,
  };
};

/**
 * Checks the person's value of the verify field. Each attempt first takes one
 * of the entry's VERIFY_ATTEMPTS slots of the rolling hour (one compare-and-
 * swap), so concurrent guesses never pass the bound; a right value gives its
 * slot back, a wrong one keeps it. Once the slots are spent every value is
 * refused with 429 until the oldest wrong one is an hour old, the right value
 * included: the answer then says nothing about the value.
 */
const verify = async (entry: StoredEntry, field: string, presented: string, deps: VerificationDeps, now: number): Promise<void> => {
  const keys = await deps.keys();
  const slot = await takeRolling(
    deps.attempts,
    entry.entryId,
    [{ max: VERIFY_ATTEMPTS, ms: HOUR_MS }],
    now,
    (retryAfterSeconds) =>
      new ApiError('too_many_verification_attempts', `Too many wrong answers for this entry. Try again in ${Math.ceil(retryAfterSeconds / 60)} minutes.`, {
        retryAfterSeconds,
      }),
  );
  const scope = { projectId: entry.projectId, flowId: entry.flowId, entryId: entry.entryId };
  if (verificationMatches(scope, entry, field, presented, keys)) {
    await slot.giveBack();
    return;
  }
  throw new ApiError('verification_failed', `That ${field} does not match. Check it and try again.`, { field });
};

/**
 * Gives the entry a new save generation, in one conditional write over the
 * generation and the save `entry` showed: every save token issued before ends, the stored
 * `seq` starts afresh, and every page link minted under the old generation,
 * this one included, ends. If the entry changed meanwhile (another resume
 * rotated it, a revoke-links, a save the read missed or that landed since), it is judged again as it is now: a page link
 * another resume used a moment ago is refused (`link_revoked`), so of two
 * resumes of one page link at once exactly one succeeds; a save acknowledged before the rotation is in the entry
 * returned, so the device that resumes carries on from it (the one that saved it gets `invalid_save_token` next).
 * Returns the new generation with the entry it was written over, or no generation when other
 * resumes rotated it (or saves changed it) on every attempt (the link may still open the entry; the save capability is theirs).
 * Under a flow with withheld fields, the same write stores the entry split
 * anew by them, over the data as read: a field the flow started withholding
 * after it was saved leaves `user_data` before the page that resumed without
 * it can save over it.
 */
const rotateSaveCapability = async (
  entry: StoredEntry,
  rotation: SaveRotation,
  refusal: (e: StoredEntry | undefined) => ApiError | undefined,
  withheldFields: readonly string[],
): Promise<{ saveGen: string | undefined; entry: StoredEntry }> => {
  let seen = entry;
  for (let attempt = 0; attempt < ROTATION_ATTEMPTS; attempt++) {
    const nextGen = generateSaveGen();
    // The page that gets the token gets no withheld field: each moves out of user_data now, so its saves cannot erase it.
    const resplit = withheldFields.length === 0 ? undefined : { withheldFields, userData: seen.userData };
    const seenSave = { updatedAt: seen.updatedAt, seq: seen.seq };
    const out = await rotation.rotateSaveGen(seen.entryId, {
      projectId: seen.projectId,
      flowId: seen.flowId,
      seenGen: seen.saveGen,
      nextGen,
      seenSave,
      resplit,
    });
    if (out === 'rotated') return { saveGen: nextGen, entry: seen };
    const refused = refusal(out.current);
    if (refused) throw refused;
    seen = out.current!;
  }
  // Other resumes of this entry keep taking the capability at this very moment (several tabs, or a scanner posing as
  // a browser, opening one link the team minted): this one still answers the entry, which its link may open, but hands
  // over no save token; one of the others holds it.
  return { saveGen: undefined, entry: seen };
};

/**
 * The rare path of a verified but expired link: only then is the entry read
 * (strongly, so a revoke-links a moment ago is seen), and an event is put only
 * for an entry the link may still open but for its age: in its project and
 * flow, within retention, not revoked. Never throws: the browser's answer is
 * the same token_expired whatever happens here.
 */
const announceExpired = async (target: ResumeTarget, keySet: KeySet, deps: ResumeDeps, events: ExpiredLinkEvents, now: number): Promise<void> => {
  let entry: StoredEntry | undefined;
  try {
    entry = await deps.entries.getEntry(target.entryId, { consistent: true });
  } catch (error) {
    events.onFailure(error);
    return;
  }
  if (!entry || refusalOf(entry, target, keySet, now)) return;
  const detail = { project_id: entry.projectId, flow_id: entry.flowId, entry_id: entry.entryId, expired_at: new Date(target.expiresAtMs).toISOString() };
  await announceExpiredLink(detail, now, events);
};

/** What an automated client gets for a hand-off link (PageLinkRecord.handoff): no data, and the link is not used up. */
const personRequired = (entryId: string) =>
  new ApiError('person_required', 'This code is for a person: open it with the camera or browser of the device you continue on.', {
    detail: `the link is a hand-off link of entry ${entryId}, opened by an automated client (by its User-Agent) or by a contract that cannot use it up`,
  });

/** One answer for every wrong link (wrong key, unknown project, bound reached); only `detail` tells them apart. */
const invalidToken = (detail: string, cause?: unknown) =>
  new ApiError('invalid_token', 'The link is not valid: its token does not match. Ask for a new link.', { cause, detail });

/**
 * A project that lists its own allowed origins refuses browser calls from any
 * other origin with 403, before any token check. On the legacy contract the
 * list is that of the project the flow's key belongs to.
 */
const admitOrigin = (origin: string | undefined, { allowedOrigins }: KeySet): void => {
  if (origin !== undefined && allowedOrigins !== undefined && !originAllowed(origin, allowedOrigins)) {
    throw new ApiError('forbidden', `This project does not accept requests from the origin ${origin}.`);
  }
};

/** Why `entry` may not be returned for this link, or undefined when it may. */
const refusalOf = (entry: StoredEntry | undefined, target: ResumeTarget, keySet: KeySet, now: number): ApiError | undefined => {
  const notFound = (detail: string) => new ApiError('entry_not_found', 'No saved entry matches this link.', { detail });
  if (!entry) return notFound(`entry ${target.entryId} does not exist`);
  if (!target.owns(entry, keySet)) return notFound(`entry ${target.entryId} is not in ${target.owner(keySet)}`);
  if (entry.retainUntil !== undefined && entry.retainUntil * 1000 <= now) {
    return notFound(`entry ${target.entryId} is past its retention (${new Date(entry.retainUntil * 1000).toISOString()})`);
  }
  const digest = linkDigest(target.token);
  // A link a page asked for works once: only while the entry's save generation is the one it was minted under.
  const page = entry.pageLinks?.[digest];
  if (page !== undefined && page.gen !== entry.saveGen) {
    return new ApiError('link_revoked', 'This link was already used. Ask for a new one.', {
      detail: `entry ${target.entryId} was resumed (or its links revoked) after this page link was minted`,
    });
  }
  // After revoke-links, only the exact links minted through the product since then work.
  if (entry.linksValidAfter !== undefined && !entry.allowedLinks?.includes(digest)) {
    return new ApiError('link_revoked', 'This link has been revoked. Ask for a new link.', {
      detail: `the links of entry ${target.entryId} were revoked at ${entry.linksValidAfter}, and this one was not minted since`,
    });
  }
  return undefined;
};

/** Where the request came from, as far as the caller knows. */
export interface RequestContext {
  /** The browser's Origin header, if any. */
  readonly origin?: string;
  /** The User-Agent header, if any: only classified (recovery.ts), never logged. */
  readonly userAgent?: string;
  /** Told the key set the request is checked against, before any token check (for the request's log line). */
  readonly onKeys?: (keySet: KeySet) => void;
}

/**
 * The current contract: verified with the project's Token Signing Secrets (seed
 * tokens, or v2 tokens under v2 credentials); the entry must be that project's
 * and flow's. A project that lists its own allowed origins refuses browser calls
 * from any other origin with 403, before any token check.
 */
export const resumeEntry = async (req: LoadEntryRequest, deps: ResumeDeps, context: RequestContext = {}): Promise<ResumeResult> => {
  const expiresAtMs = checkGrammar({
    ids: { flow_id: req.flow_id, project_id: req.project_id, entry_id: req.entry_id },
    token: req.token,
    v2: true,
    expiresField: 'expires_at',
    expires: req.expires_at,
  });
  const v2 = isV2Token(req.token);
  return resumeVerified(
    {
      keyScope: req.project_id,
      entryId: req.entry_id,
      token: req.token,
      flowId: req.flow_id,
      verification: req.verification,
      expiresAtMs,
      verify: (keys) =>
        v2
          ? verifyV2Token(ofAlgorithm(keys, 'hmac-sha256'), req.token, {
              projectId: req.project_id,
              flowId: req.flow_id,
              entryId: req.entry_id,
              expiresAt: req.expires_at,
            })
          : findSigningKey(ofAlgorithm(keys, 'sha256'), req.token, req.entry_id, req.expires_at),
      owns: (e) => e.projectId === req.project_id && e.flowId === req.flow_id,
      scope: { name: `project ${req.project_id}`, keys: 'active Token Signing Secret in this environment' },
      owner: () => `project ${req.project_id}'s flow ${req.flow_id}`,
    },
    deps,
    context,
  );
};

/** The body of the legacy `load_entry_data` contract: `expires`, and no project id. */
export interface LegacyLoadEntryRequest {
  readonly flow_id: string;
  readonly entry_id: string;
  readonly token: string;
  readonly expires: string;
}

/**
 * The legacy contract: verified with the flow's legacy key. That key was imported
 * for exactly one project: the entry must be that project's and that flow's, and
 * that project's allowed origins apply as on the current contract.
 */
export const resumeLegacyEntry = async (req: LegacyLoadEntryRequest, deps: ResumeDeps, context: RequestContext = {}): Promise<ResumeResult> => {
  const expiresAtMs = checkGrammar({
    ids: { flow_id: req.flow_id, entry_id: req.entry_id },
    token: req.token,
    v2: false,
    expiresField: 'expires',
    expires: req.expires,
  });
  return resumeVerified(
    {
      keyScope: req.flow_id,
      entryId: req.entry_id,
      token: req.token,
      flowId: req.flow_id,
      expiresAtMs,
      verify: (keys) => findSigningKey(keys, req.token, req.entry_id, req.expires),
      owns: (e, keySet) => keySet.projectId !== undefined && e.projectId === keySet.projectId && e.flowId === req.flow_id,
      scope: { name: `flow ${req.flow_id}`, keys: 'legacy key' },
      owner: (keySet) =>
        keySet.projectId === undefined
          ? `any project: flow ${req.flow_id}'s legacy key is bound to none (import it again with --project)`
          : `project ${keySet.projectId}'s flow ${req.flow_id}`,
    },
    deps,
    context,
  );
};
