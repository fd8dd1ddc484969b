import { jest } from '@jest/globals';

/**
 * Takes control of `Date` (and only `Date`: timers, I/O and the SDK's retries run
 * for real), so windows such as the key cache TTL or the lookup bound can be
 * crossed without sleeping. Code under test must read the time through
 * `Date.now()` at call time, which the product's caches do.
 */
export const controlClock = () => {
  jest.useFakeTimers({
    now: Date.now(),
    doNotFake: [
      'hrtime',
      'nextTick',
      'performance',
      'queueMicrotask',
      'requestAnimationFrame',
      'cancelAnimationFrame',
      'requestIdleCallback',
      'cancelIdleCallback',
      'setImmediate',
      'clearImmediate',
      'setInterval',
      'clearInterval',
      'setTimeout',
      'clearTimeout',
    ],
  });
  return {
    /** Moves the clock forward by `ms`. */
    advance: (ms: number) => jest.setSystemTime(Date.now() + ms),
    restore: () => jest.useRealTimers(),
  };
};
