/**
 * The events the product puts on the deployment's EventBridge bus, for the
 * team's own rules to deliver (SES, SNS, an API destination). Their `source`
 * and detail types are part of the public contract: rules match on them.
 */
export const EVENT_SOURCE = 'session-recovery';

export const DETAIL_TYPES = {
  linkRequested: 'Resume Link Requested',
  linkExpired: 'Resume Link Expired',
} as const;

export type DetailType = (typeof DETAIL_TYPES)[keyof typeof DETAIL_TYPES];

/** A page asked for a link to be sent to its user (`POST /v1/entries/{entry_id}/link-requests`). */
export interface LinkRequestedDetail {
  readonly project_id: string;
  readonly flow_id: string;
  readonly entry_id: string;
  readonly channel: 'email' | 'sms';
  /** The address the user typed, if any: the team's rule may send there, or to the address it holds for the entry. */
  readonly to?: string;
  readonly url: string;
  /** For `sms`: the link's short form, which fits a message. */
  readonly short_url?: string;
  readonly expires_at: string;
}

/** Someone opened a valid link too late (`expiredLinkEvents`): ids only, so the team's backend sends a fresh link itself. */
export interface LinkExpiredDetail {
  readonly project_id: string;
  readonly flow_id: string;
  readonly entry_id: string;
  /** When the link expired (ISO 8601). */
  readonly expired_at: string;
}

/** Puts one event on the bus; throws (UnavailableError) when it was not accepted. */
export interface EventPublisher {
  publish(detailType: typeof DETAIL_TYPES.linkRequested, detail: LinkRequestedDetail): Promise<void>;
  publish(detailType: typeof DETAIL_TYPES.linkExpired, detail: LinkExpiredDetail): Promise<void>;
}

/** One hour: the window of both limits (link requests per entry, expired events per entry). */
export const HOUR_MS = 3_600_000;
