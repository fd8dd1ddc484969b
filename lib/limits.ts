/** The limits a deployment sets: API Gateway's throttles, and the bounds the Lambdas keep. Defaults: lib/defaults.ts. */

/**
 * A request rate limit as API Gateway applies it: requests a second in the
 * steady state, and how many may come at once. Requests past it get 429.
 */
export interface ThrottleSettings {
  /** Requests per second, steady state. */
  readonly rateLimit: number;
  /** Requests at once (the token bucket's size). */
  readonly burstLimit: number;
}

/** The browser-saves routes' own limits. */
export interface BrowserSavesThrottle {
  /** `POST /v1/entries`: creating an entry. */
  readonly create: ThrottleSettings;
  /** `PUT /v1/entries/{entry_id}/progress`: saving progress to one. */
  readonly progress: ThrottleSettings;
}

/** Key reads for ids an instance holds nothing for: `burst` at once, then `ratePerSecond`. */
export interface KeyLookupLimit {
  readonly ratePerSecond: number;
  readonly burst: number;
}

/** Bounds on the links pages ask for; each a whole number of at least 1, each optional (defaults: DEFAULTS.linkRequestLimits). */
export interface LinkRequestLimits {
  /**
   * Link requests to one email address or phone number, every entry and project
   * of the deployment together, in any rolling hour. Past it, 429 `too_many_link_requests`
   * (see [Bounds](browser-saves.md#bounds-on-what-a-page-can-make-the-service-do)).
   */
  readonly perRecipientPerHour?: number;
  /** Link requests to one email address or phone number, every entry and project of the deployment together, in any rolling day. */
  readonly perRecipientPerDay?: number;
  /** Link requests from one source address (an IPv6 address by its /64) in any rolling hour. */
  readonly perSourcePerHour?: number;
  /** Link requests for one project on one UTC day. */
  readonly perProjectPerDay?: number;
}

/** Bounds on the entries pages create; each a whole number of at least 1, each optional (defaults: DEFAULTS.entryCreationLimits). */
export interface EntryCreationLimits {
  /** Entries pages create from one source address (an IPv6 address by its /64) in any rolling hour (429 `too_many_entries` past it). */
  readonly perSourcePerHour?: number;
  /** Entries pages create for one project on one UTC day. */
  readonly perProjectPerDay?: number;
}

/**
 * The API's throttles: stage-wide, and each route's own inside it (defaults:
 * THROTTLES, lib/defaults.ts). The resume route has none of its own.
 */
export interface ThrottleProps {
  /**
   * Stage-wide request rate limit (requests per second, steady state) and burst.
   * Requests past it get 429 from API Gateway.
   * @default { rateLimit: 500, burstLimit: 1000 }
   */
  readonly throttle?: ThrottleSettings;
  /**
   * Per-route limits on the IAM-authorized admin routes (credentials, entries,
   * legacy keys), inside the stage-wide limit.
   * @default { rateLimit: 25, burstLimit: 50 }
   */
  readonly adminThrottle?: ThrottleSettings;
  /**
   * Per-route limit on the mint route.
   * @default { rateLimit: 200, burstLimit: 400 }
   */
  readonly mintThrottle?: ThrottleSettings;
  /**
   * Per-route limit on the batch mint route (`POST /v1/tokens/batch`, up to 500
   * links a request): the default lets through 2,500 links a second, each a
   * strongly consistent read of its entry.
   * @default { rateLimit: 5, burstLimit: 10 }
   */
  readonly mintBatchThrottle?: ThrottleSettings;
  /**
   * Per-route limit on the short-link redirect (`GET` and `HEAD /r/{code}`, each),
   * which anyone may call: it bounds what guessing codes can cost (one read each).
   * @default { rateLimit: 200, burstLimit: 400 }
   */
  readonly shortLinkThrottle?: ThrottleSettings;
  /**
   * Per-route limits on the browser-saves routes, which pages call with no
   * credentials: creating an entry, and saving progress to one.
   * @default { create: { rateLimit: 50, burstLimit: 100 }, progress: { rateLimit: 200, burstLimit: 400 } }
   */
  readonly browserSavesThrottle?: BrowserSavesThrottle;
  /**
   * Limit on `POST /v1/entries/{entry_id}/link-requests`, which pages call with
   * no credentials (each entry also takes at most 3 requests an hour, and
   * `linkRequestLimits` bound the rest).
   * @default { rateLimit: 10, burstLimit: 20 }
   */
  readonly linkRequestThrottle?: ThrottleSettings;
  /**
   * Limit on `POST /v1/entries/{entry_id}/handoff`, which pages call with no
   * credentials to show their entry's link as a QR code (each entry also takes
   * at most 10 an hour).
   * @default { rateLimit: 10, burstLimit: 20 }
   */
  readonly handoffThrottle?: ThrottleSettings;
}
