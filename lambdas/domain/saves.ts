import { randomBytes } from 'node:crypto';
import { validateUserData } from './entries';
import { ApiError, LookupLimitedError } from './errors';
import { originAllowed } from './origin-policy';
import type { EntrySaves, KeyProvider, KeySet, SaveGenerations } from './ports';
import { generateSaveGen, invalidSaveToken, mintSaveToken, type SaveClaims, type SaveGrant, verifySaveToken } from './save-token';
import type { SigningKey } from './token';
import { startedAhead } from './started';
import { type CreationLimits, limitKeyHasher, takeCreationSlot } from './request-limits';
import { type ResumePolicy, sameField, valueAt, type VerifyDigest, verifyDigestFor } from './resume-policy';

/** The key scope under which the deployment's save key is cached (one KeyCache slot). */
export const SAVE_KEY_SCOPE = 'save-key';

export interface SaveDeps {
  /** Projects' settings: whether they take browser saves, and their allowed origins (the resume path's key cache). */
  readonly projects: KeyProvider;
  /** The deployment's save key, under SAVE_KEY_SCOPE: `current` first, `previous` during a rotation. */
  readonly saveKeys: KeyProvider;
  readonly entries: EntrySaves;
  readonly now: () => number;
  /** How long an entry is kept after its last save. */
  readonly retentionSeconds: number;
  /** The bounds on creations from pages: per source address, per project. */
  readonly creationLimits: CreationLimits;
}

/** Where the request came from, as far as the caller knows. */
export interface SaveContext {
  /** The browser's Origin header, if any. */
  readonly origin?: string;
  /** The address the request came from (API Gateway's `requestContext.http.sourceIp`), for the per-source bounds. */
  readonly sourceIp?: string;
}

/** A new entry id the server makes: 128 bits from the CSPRNG, within the id grammar. */
export const generateEntryId = (): string => `entry_${randomBytes(16).toString('hex')}`;

/**
 * A page may save only for a project that turned browser saves on, and only
 * from one of that project's own origins; a request without an Origin (not a
 * browser's, or one that hides it) is refused too.
 */
export const admit = async (projectId: string, context: SaveContext, deps: Pick<SaveDeps, 'projects'>): Promise<KeySet> => {
  let keySet: KeySet;
  try {
    ({ keySet } = await deps.projects.lookup(projectId));
  } catch (error) {
    // Too many unknown projects on this instance: the project may be real, so the page is told to retry.
    if (error instanceof LookupLimitedError) {
      throw new ApiError('service_unavailable', 'The service is busy. Retry shortly.', { retryAfterSeconds: 1, cause: error });
    }
    throw error;
  }
  if (!keySet.browserSaves) {
    throw new ApiError('browser_saves_disabled', `Project ${projectId} does not take saves from the browser; turn browser saves on for it first.`);
  }
  if (context.origin === undefined) throw new ApiError('forbidden', 'Saves from the browser must come from a page: the request has no Origin.');
  if (!keySet.allowedOrigins || !originAllowed(context.origin, keySet.allowedOrigins)) {
    throw new ApiError('forbidden', `This project does not accept saves from the origin ${context.origin}.`);
  }
  return keySet;
};

export type SaveKeyLookup = ReturnType<KeyProvider['lookup']>;

/**
 * The save key's lookup, started before the project is admitted: it is the
 * deployment's one key, read once per instance whatever the project, so a new
 * instance's first save (or link request) waits for one Secrets Manager round
 * trip instead of two.
 */
export const saveKeyAhead = (deps: Pick<SaveDeps, 'saveKeys'>): SaveKeyLookup => startedAhead(deps.saveKeys.lookup(SAVE_KEY_SCOPE));

/** The key new save tokens are signed with: the current one. */
export const currentSaveKey = async (deps: Pick<SaveDeps, 'saveKeys'>, lookup: SaveKeyLookup = deps.saveKeys.lookup(SAVE_KEY_SCOPE)) => {
  const [current] = (await lookup).keySet.keys;
  // The key is created with the deployment: its absence is a broken deployment, not a caller's mistake.
  if (!current) throw new Error('the deployment has no save key');
  return current;
};

/** A save token for the entry's generation: what a page sends with each save. */
export const issueSaveToken = async (grant: SaveGrant, deps: Pick<SaveDeps, 'saveKeys'>): Promise<string> => mintSaveToken(await currentSaveKey(deps), grant);

/**
 * Checks a save token with no read of the entry: the save key alone (refreshed
 * once, after a rotation). Returns the save generation it names, which the
 * write that follows requires of the entry.
 */
export const checkSaveToken = async (
  token: string,
  claims: SaveClaims,
  deps: Pick<SaveDeps, 'saveKeys'>,
  lookup: SaveKeyLookup = deps.saveKeys.lookup(SAVE_KEY_SCOPE),
): Promise<string> => {
  const { keySet, fetched } = await lookup;
  const gen = verifySaveToken(keySet.keys, token, claims);
  if (gen !== undefined) return gen;
  // The key may have been rotated since this instance read it.
  const refreshed = fetched ? undefined : await deps.saveKeys.refreshAfterMiss(SAVE_KEY_SCOPE);
  const again = refreshed && verifySaveToken(refreshed.keys, token, claims);
  if (again) return again;
  throw invalidSaveToken();
};

/**
 * Refuses a save token whose generation is no longer the entry's, by reading
 * it: the link-request and hand-off routes call it before they take a slot of
 * any count, so an ended token (a device that was continued elsewhere, a
 * revoke-links) uses up nothing of the current holder's. A missing entry is
 * left to mint, which answers it.
 */
export const checkCurrentGeneration = async (entryId: string, saveGen: string, saveGens: SaveGenerations): Promise<void> => {
  const current = await saveGens.current(entryId);
  if (current !== undefined && current !== saveGen) throw invalidSaveToken();
};

const retainUntil = (deps: SaveDeps, now: number): number => Math.floor(now / 1000) + deps.retentionSeconds;

export interface CreateEntryRequest {
  readonly project_id: string;
  readonly flow_id: string;
  readonly current_page_key: string;
  readonly user_data: Record<string, unknown>;
}

/** `POST` a new entry from the page: the server makes its id and a save token for it. */
export const createEntryFromBrowser = async (
  req: CreateEntryRequest,
  deps: SaveDeps,
  context: SaveContext,
): Promise<{ entry_id: string; save_token: string }> => {
  const saveKey = saveKeyAhead(deps);
  const keySet = await admit(req.project_id, context, deps);
  validateUserData(req.user_data);
  // Before any write, so a key that cannot be read leaves nothing half-made.
  const key = await currentSaveKey(deps, saveKey);
  const now = deps.now();
  const slot = await takeCreationSlot(deps.creationLimits, { projectId: req.project_id, sourceIp: context.sourceIp }, limitKeyHasher(key), now);
  try {
    return await writeNewEntry(req, deps, key, now, policyOf(keySet, req.flow_id));
  } catch (error) {
    await slot.giveBack();
    throw error;
  }
};

/** The flow's resume policy, from the project's settings the save already read. */
const policyOf = (keySet: KeySet, flowId: string): ResumePolicy | undefined =>
  keySet.resumePolicies && Object.prototype.hasOwnProperty.call(keySet.resumePolicies, flowId) ? keySet.resumePolicies[flowId] : undefined;

const writeNewEntry = async (
  req: CreateEntryRequest,
  deps: SaveDeps,
  key: SigningKey,
  now: number,
  policy: ResumePolicy | undefined,
): Promise<{ entry_id: string; save_token: string }> => {
  // A collision of 128 random bits does not happen; the conditional write makes sure of it anyway.
  for (let attempt = 0; attempt < 2; attempt++) {
    const entryId = generateEntryId();
    const saveGen = generateSaveGen();
    const entry = {
      entryId,
      projectId: req.project_id,
      flowId: req.flow_id,
      currentPageKey: req.current_page_key,
      userData: req.user_data,
      retainUntil: retainUntil(deps, now),
      saveGen,
      verifyDigest: verifyDigestFor({ projectId: req.project_id, flowId: req.flow_id, entryId }, req.user_data, policy, key),
      withheldFields: policy?.withheld_fields ?? [],
    };
    if (await deps.entries.createEntry(entry, new Date(now))) {
      return { entry_id: entryId, save_token: mintSaveToken(key, { projectId: req.project_id, flowId: req.flow_id, entryId, gen: saveGen }) };
    }
  }
  throw new ApiError('conflict', 'Could not find a free entry id. Retry.');
};

export interface SaveProgressRequest extends CreateEntryRequest {
  readonly save_token: string;
  /** Numbers the page's saves: each must be higher than the last one stored. */
  readonly seq: number;
}

/** Saves the page's progress on an entry it holds a save token for. */
export const saveProgressFromBrowser = async (entryId: string, req: SaveProgressRequest, deps: SaveDeps, context: SaveContext): Promise<{ seq: number }> => {
  const saveKey = saveKeyAhead(deps);
  const keySet = await admit(req.project_id, context, deps);
  const saveGen = await checkSaveToken(req.save_token, { projectId: req.project_id, flowId: req.flow_id, entryId }, deps, saveKey);
  validateUserData(req.user_data);
  const now = deps.now();
  const policy = policyOf(keySet, req.flow_id);
  // The key the token was just checked with is in memory: a digest costs no call.
  const withheldFields = policy?.withheld_fields ?? [];
  const verifyField = policy?.verify_field;
  let verifyDigest: VerifyDigest | 'keep' | undefined =
    verifyField === undefined
      ? undefined
      : verifyDigestFor({ projectId: req.project_id, flowId: req.flow_id, entryId }, req.user_data, policy, await currentSaveKey(deps, saveKey));
  // A withheld verify field a page that resumed does not hold keeps its stored value, and so its digest.
  if (verifyField !== undefined && valueAt(req.user_data, verifyField) === undefined && withheldFields.some((f) => sameField(f, verifyField)))
    verifyDigest = 'keep';
  const result = await deps.entries.saveProgress(
    entryId,
    {
      projectId: req.project_id,
      flowId: req.flow_id,
      seq: req.seq,
      saveGen,
      currentPageKey: req.current_page_key,
      userData: req.user_data,
      withheldFields,
      retainUntil: retainUntil(deps, now),
      verifyDigest,
    },
    new Date(now),
  );
  if (result === 'stale') {
    throw new ApiError('stale_save', `A save numbered ${req.seq} or later is already stored for this entry; nothing was written.`);
  }
  if (result === 'missing') throw new ApiError('entry_not_found', 'No saved entry matches this save.');
  if (result === 'ended') throw invalidSaveToken();
  if (result === 'too_large') {
    // The withheld fields kept from earlier saves are stored with this one: together they pass DynamoDB's item limit.
    throw new ApiError(
      'payload_too_large',
      'This entry with the fields it keeps from earlier saves would pass the 400 KB an entry may hold; nothing was written.',
    );
  }
  return { seq: req.seq };
};
