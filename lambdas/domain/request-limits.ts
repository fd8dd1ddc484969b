import { createHmac } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import { ApiError } from './errors';
import { HOUR_MS } from './link-events';
import { type OptimisticUpdateOptions, updateOptimistically } from './optimistic-update';
import type { VersionedStore } from './ports';
import type { SigningKey } from './token';

export { HOUR_MS };
export const DAY_MS = 24 * HOUR_MS;

/** At most `max` requests in any rolling `ms`. */
export interface Window {
  readonly max: number;
  readonly ms: number;
}

/** What a request took from a bound, so that a request refused or failed later gives it back. */
export interface Slot {
  /** Never throws: if the give-back fails, the slot stays taken until its window passes (the safe side). */
  giveBack(): Promise<void>;
}

/** The answer to a request over a bound: a 429 with `Retry-After`. */
export type Refusal = (retryAfterSeconds: number) => ApiError;

const NOTHING_TAKEN: Slot = { giveBack: async () => undefined };

/** A slot of a rolling window, with the instant it was recorded at. */
export interface RollingSlot extends Slot {
  readonly at: number;
}

/**
 * Seconds until the instants within `windows` leave room for one more request:
 * for each full window, until its oldest instant that must go has left it.
 * Undefined when every window has room.
 */
export const secondsUntilRoom = (instants: readonly number[], windows: readonly Window[], now: number): number | undefined => {
  let wait: number | undefined;
  for (const w of windows) {
    const inWindow = instants.filter((at) => at > now - w.ms).sort((a, b) => a - b);
    if (inWindow.length < w.max) continue;
    // The window holds one request fewer than its max once this many of its oldest have left.
    const leaving = inWindow[inWindow.length - w.max] ?? now;
    const seconds = Math.max(1, Math.ceil((leaving + w.ms - now) / 1000));
    wait = Math.max(wait ?? 0, seconds);
  }
  return wait;
};

/**
 * Takes one slot under `key` in exact rolling windows: the key's request
 * instants (those within the longest window) are read, checked against every
 * window and written back with `now` added, in one compare-and-swap, so two
 * concurrent requests never both take the last slot. Over a window, throws
 * `refuse(seconds until there is room)` and writes nothing; so does a request
 * that lost its race to others for the same key on every attempt (`refuse(1)`).
 */
export const takeRolling = async (
  log: VersionedStore<readonly number[]>,
  key: string,
  windows: readonly Window[],
  now: number,
  refuse: Refusal,
  retries?: OptimisticUpdateOptions,
  /**
   * The slot's instant is its own within the key: the later of `now` and the key's newest + 1 ms, so that what is made
   * from it (a hand-off's link expiry) is its own. Off, the instant is `now`: a bound whose windows are told apart to
   * the millisecond (a recipient's hour after three requests in one) is not moved by one.
   */
  ownInstant = false,
): Promise<RollingSlot> => {
  const longest = Math.max(...windows.map((w) => w.ms));
  const at = await updateOptimistically(
    log,
    key,
    (sent) => {
      const recent = (sent ?? []).filter((t) => t > now - longest);
      const wait = secondsUntilRoom(recent, windows, now);
      if (wait !== undefined) throw refuse(wait);
      const mine = ownInstant ? Math.max(now, ...recent.map((t) => t + 1)) : now;
      return { value: [...recent, mine], result: mine };
    },
    // Requests racing for one key past a few retries are refused as over the bound, never a 503: a burst from one
    // source is itself too much at once, and a few tries keep the answer far inside the request's deadline (ANSWER_DEADLINE_MS, runtime/deadline.ts).
    { maxAttempts: CONTENDED_ATTEMPTS, ...retries, contended: () => refuse(1) },
  );
  return {
    at,
    giveBack: async () => {
      try {
        await updateOptimistically(
          log,
          key,
          (sent) => {
            const value = [...(sent ?? [])];
            const index = value.indexOf(at);
            if (index >= 0) value.splice(index, 1);
            return { value, result: undefined };
          },
          retries,
        );
      } catch {
        // The request's own failure is what the caller is told.
      }
    },
  };
};

/** Compare-and-swap tries a rolling bound makes before it answers a request that keeps losing the race with 429. */
export const CONTENDED_ATTEMPTS = 4;

/** A counter that only goes up to a bound, with one conditional write and no read. */
export interface CappedCounter {
  /**
   * Adds one to the counter under `key` unless it already holds `max`; false
   * then, and nothing is written. The counter is removed after `expiresAt`
   * (epoch seconds).
   */
  increment(key: string, max: number, expiresAt: number): Promise<boolean>;
  /** Takes one back, never below 0. */
  decrement(key: string): Promise<void>;
}

/** The UTC day of `now`, `YYYY-MM-DD`. */
export const utcDay = (now: number): string => new Date(now).toISOString().slice(0, 10);

/**
 * Takes one of the `max` a key may have on the UTC day of `now`: one
 * conditional increment of the day's counter (`key#YYYY-MM-DD`). Past it,
 * throws `refuse(seconds until the next UTC day)`. Fixed days, not a rolling
 * window: a project's daily cap is a budget, counted with no read.
 */
export const takeDaily = async (counter: CappedCounter, key: string, max: number, now: number, refuse: Refusal): Promise<Slot> => {
  const dayKey = `${key}#${utcDay(now)}`;
  const nextDay = (Math.floor(now / DAY_MS) + 1) * DAY_MS;
  // Kept a day past its own, then DynamoDB's TTL removes it.
  if (!(await counter.increment(dayKey, max, Math.ceil((nextDay + DAY_MS) / 1000)))) throw refuse(Math.max(1, Math.ceil((nextDay - now) / 1000)));
  return {
    giveBack: async () => {
      try {
        await counter.decrement(dayKey);
      } catch {
        // As takeRolling's.
      }
    },
  };
};

/**
 * Takes each bound in turn. When one refuses (or fails), what the bounds
 * before it took is given back, so a request refused by one bound never uses
 * up another's quota. The slot returned gives all of them back.
 */
export const takeAll = async (takes: ReadonlyArray<() => Promise<Slot>>): Promise<Slot> => {
  const taken: Slot[] = [];
  const giveBack = async () => {
    await Promise.all(taken.map((s) => s.giveBack()));
  };
  try {
    for (const take of takes) taken.push(await take());
  } catch (error) {
    await giveBack();
    throw error;
  }
  return taken.length === 0 ? NOTHING_TAKEN : { giveBack };
};

/**
 * The keys of the limit items: a keyed hash of what is counted (an address,
 * a number, a source address), so the table never holds one. HMAC-SHA256
 * under a key derived from the deployment's save key (its `current`): only
 * the deployment can link a key to an address, by trying that address. A
 * rotation of the save key changes every key, so the counts start afresh then.
 */
export const limitKeyHasher = (saveKey: SigningKey): ((kind: string, value: string) => string) => {
  const key = createHmac('sha256', saveKey.secret).update('session-recovery/limits/v1', 'utf8').digest();
  return (kind, value) => createHmac('sha256', key).update(`${kind}\n${value}`, 'utf8').digest('base64url');
};

/** The eight 16-bit groups of a valid IPv6 address (an IPv4 tail included). */
const ipv6Groups = (address: string): number[] => {
  let text = address;
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number);
    text = `${text.slice(0, v4.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::');
  const parts = (s: string | undefined) => (s ? s.split(':') : []);
  const missing = tail === undefined ? 0 : 8 - parts(head).length - parts(tail).length;
  return [...parts(head), ...Array<string>(missing).fill('0'), ...parts(tail)].map((g) => parseInt(g, 16));
};

/**
 * What a source address is counted as: an IPv4 address itself; an IPv6
 * address by its /64, the block one subscriber is usually given (so walking
 * through its 2^64 addresses gains nothing); an IPv4-mapped IPv6 address as
 * its IPv4 address. Anything else (no address at all) is counted in one bucket.
 */
export const sourceOf = (sourceIp: string | undefined): string => {
  const address = (sourceIp ?? '').replace(/%.*$/, '');
  if (isIPv4(address)) return address;
  if (!isIPv6(address)) return 'unknown';
  const groups = ipv6Groups(address);
  const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
  if (mapped) return [groups[6] >> 8, groups[6] & 255, groups[7] >> 8, groups[7] & 255].join('.');
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
};

/** A bound counted per source address in the rolling hour: its request log and its maximum. */
export interface PerSourceBound {
  readonly log: VersionedStore<readonly number[]>;
  readonly perHour: number;
}

/** A bound counted per project on each UTC day: its counter and its maximum. */
export interface PerProjectBound {
  readonly counter: CappedCounter;
  readonly perDay: number;
}

/** What bounds the entries pages create: per source address, per project. */
export interface CreationLimits {
  readonly perSource: PerSourceBound;
  readonly perProject: PerProjectBound;
}

const tooManyEntries =
  (message: string): Refusal =>
  (retryAfterSeconds) =>
    new ApiError('too_many_entries', message, { retryAfterSeconds });

/**
 * One creation's slots: the source address's (in the rolling hour) first, then
 * the project's (on the UTC day), so that a source over its bound never uses
 * up the project's day.
 */
export const takeCreationSlot = (
  limits: CreationLimits,
  request: { readonly projectId: string; readonly sourceIp?: string },
  hash: (kind: string, value: string) => string,
  now: number,
  retries?: OptimisticUpdateOptions,
): Promise<Slot> =>
  takeAll([
    () =>
      takeRolling(
        limits.perSource.log,
        hash('source', sourceOf(request.sourceIp)),
        [{ max: limits.perSource.perHour, ms: HOUR_MS }],
        now,
        tooManyEntries(`At most ${limits.perSource.perHour} entries can be created from one network in an hour. Try again later.`),
        retries,
      ),
    () =>
      takeDaily(
        limits.perProject.counter,
        request.projectId,
        limits.perProject.perDay,
        now,
        tooManyEntries(`This project has taken the ${limits.perProject.perDay} new entries it may take from pages today (UTC). Try again tomorrow.`),
      ),
  ]);
