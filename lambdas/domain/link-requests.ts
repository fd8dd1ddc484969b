import { ApiError, invalidRequest } from './errors';
import { DETAIL_TYPES, type EventPublisher, HOUR_MS } from './link-events';
import { checkResumeUrlOrigin, type MintPolicy } from './mint';
import { type MintDependencies, mintOne } from './minting';
import { type OptimisticUpdateOptions, updateOptimistically } from './optimistic-update';
import type { VersionedStore } from './ports';
import { admit, checkSaveToken, type SaveContext, type SaveDeps, saveKeyAhead } from './saves';

/** Links a page may ask for, per entry, in any rolling hour. */
export const MAX_LINK_REQUESTS_PER_HOUR = 3;

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
  if (channel === 'sms' && !E164.test(to)) throw invalidRequest('to must be a phone number in E.164 form, e.g. +447700900123, for channel sms');
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
  return resumeUrl;
};

const tooMany = (oldest: number, now: number): ApiError =>
  new ApiError('too_many_link_requests', `At most ${MAX_LINK_REQUESTS_PER_HOUR} links can be requested for an entry in an hour. Try again later.`, {
    retryAfterSeconds: Math.max(1, Math.ceil((oldest + HOUR_MS - now) / 1000)),
  });

/**
 * A page asks for a resume link to be sent to its user: same admission as a
 * save (browser saves on, one of the project's origins), the entry's save
 * token checked with no read, then one of the entry's hourly slots taken, a
 * link minted (short for SMS), and a `Resume Link Requested` event put on the
 * bus for the team's rule to deliver. A request that fails after it took a
 * slot gives the slot back, so a user can retry what was never sent.
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
  // admit refused a request without an Origin.
  const resumeUrl = resumeUrlOf(req, context.origin!, keySet.allowedOrigins ?? []);
  await checkSaveToken(req.save_token, { projectId: req.project_id, flowId: req.flow_id, entryId }, deps, saveKey);

  const now = deps.now();
  await updateOptimistically(
    deps.requestLog,
    entryId,
    (sent) => {
      const recent = (sent ?? []).filter((at) => at > now - HOUR_MS);
      if (recent.length >= MAX_LINK_REQUESTS_PER_HOUR) throw tooMany(Math.min(...recent), now);
      return { value: [...recent, now], result: undefined };
    },
    deps.retries,
  );
  try {
    const link = await mintOne(
      { project_id: req.project_id, flow_id: req.flow_id, entry_id: entryId, resume_url: resumeUrl, short: req.channel === 'sms' },
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
    await giveBackSlot(deps, entryId, now);
    throw error;
  }
};

/** Removes this request's instant from the log. If that fails too, the slot stays taken for the hour: the safe side. */
const giveBackSlot = async (deps: LinkRequestDeps, entryId: string, at: number): Promise<void> => {
  try {
    await updateOptimistically(
      deps.requestLog,
      entryId,
      (sent) => {
        const value = [...(sent ?? [])];
        const index = value.indexOf(at);
        if (index >= 0) value.splice(index, 1);
        return { value, result: undefined };
      },
      deps.retries,
    );
  } catch {
    // The request's own failure is what the page is told.
  }
};
