import { ApiError } from './errors';
import type { OptimisticUpdateOptions } from './optimistic-update';
import type { VersionedStore } from './ports';
import { recipientOf } from './recipients';
import {
  DAY_MS,
  HOUR_MS,
  type PerProjectBound,
  type PerSourceBound,
  type Refusal,
  type Slot,
  sourceOf,
  takeAll,
  takeDaily,
  takeRolling,
} from './request-limits';

/** Links a page may ask for, per entry, in any rolling hour. */
export const MAX_LINK_REQUESTS_PER_HOUR = 3;

/** What bounds the links pages ask for, beyond each entry's 3 an hour. */
export interface LinkRequestLimits {
  readonly perSource: PerSourceBound;
  /** Requests to one address or number, across every entry and project: in the rolling hour and day. */
  readonly perRecipient: { readonly log: VersionedStore<readonly number[]>; readonly perHour: number; readonly perDay: number };
  readonly perProject: PerProjectBound;
}

const tooMany =
  (message: string): Refusal =>
  (retryAfterSeconds) =>
    new ApiError('too_many_link_requests', message, { retryAfterSeconds });

export interface LinkRequestCount {
  readonly entryId: string;
  readonly projectId: string;
  readonly channel: 'email' | 'sms';
  readonly to?: string;
  readonly sourceIp?: string;
}

/**
 * One link request's slots, in this order: the entry's (3 in the rolling
 * hour), the source address's, the recipient's (only when the page names
 * one: otherwise the team's rule sends to the address it holds for the
 * entry, which the entry's bound covers), and the project's day. A bound that
 * refuses gives back what the ones before it took, so a request refused by one
 * bound uses up no other's quota.
 */
export const takeLinkRequestSlot = (
  request: LinkRequestCount,
  deps: {
    readonly entryLog: VersionedStore<readonly number[]>;
    readonly limits: LinkRequestLimits;
    readonly hash: (kind: string, value: string) => string;
    readonly retries?: OptimisticUpdateOptions;
  },
  now: number,
): Promise<Slot> => {
  const { limits, hash, retries } = deps;
  const { to } = request;
  return takeAll([
    () =>
      takeRolling(
        deps.entryLog,
        request.entryId,
        [{ max: MAX_LINK_REQUESTS_PER_HOUR, ms: HOUR_MS }],
        now,
        tooMany(`At most ${MAX_LINK_REQUESTS_PER_HOUR} links can be requested for an entry in an hour. Try again later.`),
        retries,
      ),
    () =>
      takeRolling(
        limits.perSource.log,
        hash('source', sourceOf(request.sourceIp)),
        [{ max: limits.perSource.perHour, ms: HOUR_MS }],
        now,
        tooMany(`At most ${limits.perSource.perHour} links can be requested from one network in an hour. Try again later.`),
        retries,
      ),
    ...(to === undefined
      ? []
      : [
          async () =>
            takeRolling(
              limits.perRecipient.log,
              hash(request.channel, await recipientOf(request.channel, to)),
              [
                { max: limits.perRecipient.perHour, ms: HOUR_MS },
                { max: limits.perRecipient.perDay, ms: DAY_MS },
              ],
              now,
              tooMany('Too many links were requested for this address recently. Try again later.'),
              retries,
            ),
        ]),
    () =>
      takeDaily(
        limits.perProject.counter,
        request.projectId,
        limits.perProject.perDay,
        now,
        tooMany(`This project has sent the ${limits.perProject.perDay} links it may send today (UTC). Try again tomorrow.`),
      ),
  ]);
};
