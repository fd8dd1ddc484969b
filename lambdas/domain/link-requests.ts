import { invalidRequest } from './errors';
import { DETAIL_TYPES, type EventPublisher } from './link-events';
import { type LinkRequestLimits, takeLinkRequestSlot } from './link-request-limits';
import { checkResumeUrlOrigin, type MintPolicy } from './mint';
import { type MintDependencies, mintOne } from './minting';
import type { OptimisticUpdateOptions } from './optimistic-update';
import type { SaveGenerations, VersionedStore } from './ports';
import { checkSmsAllowed } from './recipients';
import { limitKeyHasher } from './request-limits';
import { admit, checkCurrentGeneration, checkSaveToken, currentSaveKey, type SaveContext, type SaveDeps, saveKeyAhead } from './saves';

export { MAX_LINK_REQUESTS_PER_HOUR } from './link-request-limits';

/**
 * The query parameter that marks a link a page asked for (`sr_confirm=1`): the
 * shipped clients resume such a link only after the person clicks "Continue",
 * so a mail scanner that runs the page does not use it up (docs/security.md).
 * It is part of the full link, so a short link's redirect carries it too.
 */
export const PAGE_LINK_MARKER = 'sr_confirm';

/** The body of `POST /v1/entries/{entry_id}/link-requests`, after schema validation. */
export interface LinkRequestBody {
  readonly project_id: string;
  readonly flow_id: string;
  readonly save_token: string;
  readonly channel: 'email' | 'sms';
  /** Where the user wants the link; the team's rule decides whether to use it. */
  readonly to?: string;
  /** The page the link opens; on one of the project's own origins. Default: the request's Origin. */
  readonly resume_url?: string;
}

export interface LinkRequestDeps extends Pick<SaveDeps, 'projects' | 'saveKeys'> {
  /** The instants of each entry's recent link requests, with a compare-and-swap. */
  readonly requestLog: VersionedStore<readonly number[]>;
  /** The entry's save generation, checked against the token's before any slot is taken. */
  readonly saveGens: SaveGenerations;
  /** The bounds per source address, per recipient and per project. */
  readonly limits: LinkRequestLimits;
  readonly mint: MintDependencies;
  /** Mint's limits (lifetime), at the request's instant. */
  readonly policy: (now: number) => MintPolicy;
  readonly events: EventPublisher;
  readonly now: () => number;
  /** How the request log's races are retried (tests pass a sleep that does not wait). */
  readonly retries?: OptimisticUpdateOptions;
}

/** Deliberately loose: one @, no spaces, a dot in the domain. The team's provider is the real judge. */
const EMAIL = /^[^\s@<>()[\]\\,;:"]{1,64}@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$/;
/** ITU-T E.164: +, then up to 15 digits, the first not 0. */
const E164 = /^\+[1-9][0-9]{6,14}$/;

const checkTo = (channel: LinkRequestBody['channel'], to: string | undefined): void => {
  if (to === undefined) return;
  if (channel === 'email' && (to.length > 254 || !EMAIL.test(to))) throw invalidRequest('to must be an email address for channel email');
  if (channel === 'sms' && !E164.test(to)) throw invalidRequest('to must be a phone number in E.164 form, e.g. +447400123456, for channel sms');
};

/**
 * The page the link opens: on one of the project's own listed origins (never
 * `*`), so no one can have the product send a link to another site; and one
 * mint takes (https, http on localhost only), checked here so that it is
 * refused before the save token is.
 */
const resumeUrlOf = (req: LinkRequestBody, origin: string, allowedOrigins: readonly string[]): string => {
  const resumeUrl = req.resume_url ?? origin;
  checkResumeUrlOrigin(resumeUrl, allowedOrigins);
  const marked = new URL(resumeUrl);
  marked.searchParams.set(PAGE_LINK_MARKER, '1');
  return marked.href;
};

/**
 * A page asks for a resume link to be sent to its user: same admission as a
 * save (browser saves on, one of the project's origins), SMS only to the
 * project's countries, the entry's save token checked with no read, then a
 * slot taken in each bound (link-request-limits.ts), a single-use page link
 * minted (short for SMS) only if the token's save generation is still the
 * entry's, and a `Resume Link Requested` event put on the bus for the team's
 * rule to deliver. A request that fails after it took its slots gives them
 * back, so a user can retry what was never sent.
 */
export const requestLink = async (
  entryId: string,
  req: LinkRequestBody,
  deps: LinkRequestDeps,
  context: SaveContext,
): Promise<{ channel: LinkRequestBody['channel']; expires_at: string }> => {
  const saveKey = saveKeyAhead(deps);
  const keySet = await admit(req.project_id, context, deps);
  checkTo(req.channel, req.to);
  if (req.channel === 'sms') await checkSmsAllowed(req.to, keySet.smsCountries);
  // admit refused a request without an Origin.
  const resumeUrl = resumeUrlOf(req, context.origin!, keySet.allowedOrigins ?? []);
  const saveGen = await checkSaveToken(req.save_token, { projectId: req.project_id, flowId: req.flow_id, entryId }, deps, saveKey);
  // An ended token gets 401 whatever the counts, and never takes a slot of the entry's, the source's or the recipient's.
  await checkCurrentGeneration(entryId, saveGen, deps.saveGens);

  const now = deps.now();
  const slot = await takeLinkRequestSlot(
    { entryId, projectId: req.project_id, channel: req.channel, to: req.to, sourceIp: context.sourceIp },
    { entryLog: deps.requestLog, limits: deps.limits, hash: limitKeyHasher(await currentSaveKey(deps, saveKey)), retries: deps.retries },
    now,
  );
  try {
    const link = await mintOne(
      // A single-use page link, minted only while the token's generation is the entry's (in the write that records it).
      { project_id: req.project_id, flow_id: req.flow_id, entry_id: entryId, resume_url: resumeUrl, short: req.channel === 'sms', page: { saveGen } },
      deps.mint,
      deps.policy(now),
    );
    await deps.events.publish(DETAIL_TYPES.linkRequested, {
      project_id: req.project_id,
      flow_id: link.flow_id,
      entry_id: entryId,
      channel: req.channel,
      ...(req.to === undefined ? {} : { to: req.to }),
      url: link.url!,
      ...(link.short_url === undefined ? {} : { short_url: link.short_url }),
      expires_at: link.expires_at,
    });
    return { channel: req.channel, expires_at: link.expires_at };
  } catch (error) {
    await slot.giveBack();
    throw error;
  }
};
