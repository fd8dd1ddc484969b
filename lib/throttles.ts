import { type RouteName, ROUTE_LIST } from '../lambdas/http/routes';
import { THROTTLES } from './defaults';
import type { ThrottleProps, ThrottleSettings } from './limits';

/**
 * The stage's `RouteSettings`: every route but the resume route has a limit of
 * its own, inside the stage-wide one (`throttle`), each from its prop or THROTTLES.
 */
export const routeThrottles = (props: ThrottleProps): Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> => {
  const admin = props.adminThrottle ?? THROTTLES.adminThrottle;
  const saves = props.browserSavesThrottle ?? THROTTLES.browserSavesThrottle;
  const shortLink = props.shortLinkThrottle ?? THROTTLES.shortLinkThrottle;
  const ownLimits: Partial<Record<RouteName, ThrottleSettings>> = {
    createEntry: saves.create,
    saveProgress: saves.progress,
    linkRequests: props.linkRequestThrottle ?? THROTTLES.linkRequestThrottle,
    handoff: props.handoffThrottle ?? THROTTLES.handoffThrottle,
    mint: props.mintThrottle ?? THROTTLES.mintThrottle,
    mintBatch: props.mintBatchThrottle ?? THROTTLES.mintBatchThrottle,
    followShortLink: shortLink,
    checkShortLink: shortLink,
  };
  const limitOf = (r: (typeof ROUTE_LIST)[number]) => ownLimits[r.name] ?? (r.access === 'iam' ? admin : undefined);
  return Object.fromEntries(
    ROUTE_LIST.flatMap((r) => {
      const limit = limitOf(r);
      return limit ? [[r.key, { ThrottlingRateLimit: limit.rateLimit, ThrottlingBurstLimit: limit.burstLimit }]] : [];
    }),
  );
};
