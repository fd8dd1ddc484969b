import { ApiError } from './errors';
import { PAGE_LINK_MARKER } from './link-requests';
import { checkResumeUrlOrigin, type MintPolicy } from './mint';
import { type MintDependencies, mintOne } from './minting';
import type { OptimisticUpdateOptions } from './optimistic-update';
import type { SaveGenerations, VersionedStore } from './ports';
import { type CampaignCounters, HANDOFF_CAMPAIGN } from './recovery';
import { HOUR_MS, takeRolling } from './request-limits';
import { admit, checkCurrentGeneration, checkSaveToken, type SaveContext, type SaveDeps, saveKeyAhead } from './saves';

/** Hand-offs a page may ask for, per entry, in any rolling hour. */
export const MAX_HANDOFFS_PER_HOUR = 10;

/**
 * Hand-off links are minted in campaign HANDOFF_CAMPAIGN, so a team's campaign
 * figures show how many were shown, resumed and completed (`campaigns report`).
 */
export { HANDOFF_CAMPAIGN };

/** A hand-off link's lifetime unless the deployment sets another (`handoffLifetime`). */
export const DEFAULT_HANDOFF_SECONDS = 600;
/** The longest a deployment may make a hand-off link last: a code on a screen is for the next few minutes. */
export const MAX_HANDOFF_SECONDS = 3600;

/** The body of `POST /v1/entries/{entry_id}/handoff`, after schema validation. */
export interface HandoffBody {
  readonly project_id: string;
  readonly flow_id: string;
  readonly save_token: string;
  /** The page the link opens; on one of the project's own origins. Default: the request's Origin. */
  readonly resume_url?: string;
}

export interface HandoffResult {
  readonly url: string;
  readonly short_url: string;
  readonly expires_at: string;
}

export interface HandoffDeps extends Pick<SaveDeps, 'projects' | 'saveKeys'> {
  /** The instants of each entry's recent hand-offs, with a compare-and-swap. */
  readonly handoffLog: VersionedStore<readonly number[]>;
  /** The entry's save generation, checked against the token's before a slot is taken. */
  readonly saveGens: SaveGenerations;
  readonly mint: MintDependencies;
  /** The hand-off link's lifetime (seconds), at most MAX_HANDOFF_SECONDS. */
  readonly lifetimeSeconds: number;
  readonly counters: Pick<CampaignCounters, 'addLinksMinted'>;
  readonly now: () => number;
  readonly retries?: OptimisticUpdateOptions;
}

const tooMany = (retryAfterSeconds: number): ApiError =>
  new ApiError('too_many_handoffs', `At most ${MAX_HANDOFFS_PER_HOUR} hand-off codes can be made for an entry in an hour. Try again later.`, {
    retryAfterSeconds,
  });

/**
 * A page asks for a link to its own entry, to show as a QR code for another
 * device: admitted as a link request (browser saves on, one of the project's
 * origins, `resume_url` on them, the entry's save token checked with no read),
 * then a slot of the entry's 10 in the rolling hour, then a single-use page
 * link (`sr_confirm=1`) with a short link, minted in campaign `handoff` only
 * while the token's save generation is the entry's, and counted in the
 * campaign's figures. Unlike a link request, the link comes back to the page:
 * its holder already holds the entry (docs/security.md, Hand-off). A request
 * that fails after it took its slot gives it back.
 */
export const handOff = async (entryId: string, req: HandoffBody, deps: HandoffDeps, context: SaveContext): Promise<HandoffResult> => {
  const saveKey = saveKeyAhead(deps);
  const keySet = await admit(req.project_id, context, deps);
  // admit refused a request without an Origin.
  const page = req.resume_url ?? context.origin!;
  // Refuses what is not an https URL (http on localhost) on one of the project's origins, before it is parsed here.
  checkResumeUrlOrigin(page, keySet.allowedOrigins ?? []);
  const resumeUrl = new URL(page);
  resumeUrl.searchParams.set(PAGE_LINK_MARKER, '1');
  const saveGen = await checkSaveToken(req.save_token, { projectId: req.project_id, flowId: req.flow_id, entryId }, deps, saveKey);
  // An ended token gets 401 whatever the count, and never takes the current holder's slots.
  await checkCurrentGeneration(entryId, saveGen, deps.saveGens);

  const now = deps.now();
  // Two hand-offs in one millisecond get instants of their own, and so links of their own.
  const slot = await takeRolling(deps.handoffLog, entryId, [{ max: MAX_HANDOFFS_PER_HOUR, ms: HOUR_MS }], now, tooMany, deps.retries, true);
  try {
    // From the slot's instant, the entry's own for the hour: every hand-off's link has an expiry, and so a token, of its own.
    const policy: MintPolicy = { now: slot.at, defaultTtlSeconds: deps.lifetimeSeconds, maxLifetimeSeconds: deps.lifetimeSeconds };
    const link = await mintOne(
      {
        project_id: req.project_id,
        flow_id: req.flow_id,
        entry_id: entryId,
        resume_url: resumeUrl.href,
        short: true,
        campaign: HANDOFF_CAMPAIGN,
        page: { saveGen, handoff: true },
      },
      deps.mint,
      policy,
      { campaign: HANDOFF_CAMPAIGN },
    );
    // Counted before the link is answered, as mint counts: a link handed out is always counted.
    await deps.counters.addLinksMinted(req.project_id, HANDOFF_CAMPAIGN, 1);
    return { url: link.url!, short_url: link.short_url!, expires_at: link.expires_at };
  } catch (error) {
    await slot.giveBack();
    throw error;
  }
};
