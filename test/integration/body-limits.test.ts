import { handler as browserSaves } from '../../lambdas/browser-saves/index';
import { handler as credentials } from '../../lambdas/credentials/index';
import { handler as entries } from '../../lambdas/entries/index';
import { handler as legacyKeys } from '../../lambdas/legacy-keys/index';
import { handler as legacyLoad } from '../../lambdas/legacy-load-entry-data/index';
import { handler as linkRequests } from '../../lambdas/link-requests/index';
import { handler as loadEntryData } from '../../lambdas/load-entry-data/index';
import { handler as mint } from '../../lambdas/mint/index';
import { ROUTE_LIST, type RouteSpec } from '../../lambdas/http/routes';
import { toHttpApiEvent } from '../../local/http-api-event';
import { errorOf, type Handler, invoke } from '../support/http';
import { routeEvent } from '../fixtures/admin-events';
import { FUNCTION_URL_HOST } from '../fixtures/legacy-events';

/** The body limit of each Lambda that takes a body, as the README's 413 row states it. */
const KiB = 1024;
const LIMITS = {
  'load-entry-data': [loadEntryData, 4 * KiB],
  'link-requests': [linkRequests, 4 * KiB],
  credentials: [credentials, 4 * KiB],
  'legacy-keys': [legacyKeys, 8 * KiB],
  'browser-saves': [browserSaves, 64 * KiB],
  mint: [mint, 256 * KiB],
  entries: [entries, 400 * KiB],
} as const satisfies Record<string, readonly [Handler, number]>;

/** A JSON body of exactly `bytes` bytes, which no route's schema takes: refused with a 4xx of its own, unless it is too large. */
const bodyOf = (bytes: number): string => {
  const frame = '{"pad":""}';
  return `${frame.slice(0, -2)}${'x'.repeat(bytes - frame.length)}"}`;
};

const routesWithBodies = ROUTE_LIST.filter((r): r is RouteSpec & { fn: keyof typeof LIMITS } => r.method === 'POST' || r.method === 'PUT');
const params = (route: RouteSpec) => Object.fromEntries([...route.path.matchAll(/\{([^}]+)\}/g)].map(([, name]) => [name, `${name.replace(/_id$/, '')}_1`]));

it('every route that takes a body has a limit listed here', () => {
  expect(routesWithBodies.map((r) => r.fn).filter((fn) => !(fn in LIMITS))).toEqual([]);
});

it.each(routesWithBodies.map((r) => [r.key, r] as const))(
  '%s takes a body of its limit and refuses one byte more with 413 payload_too_large',
  async (_key, route) => {
    const [handler, limit] = LIMITS[route.fn];
    const send = (bytes: number) => invoke(handler, routeEvent(route.name, params(route), bodyOf(bytes), {}, { origin: 'https://quiz.example' }));
    const atLimit = await send(limit);
    expect(atLimit.status).not.toBe(413);
    expect(atLimit.status).toBeLessThan(500);
    const over = await send(limit + 1);
    expect([over.status, errorOf(over).code]).toEqual([413, 'payload_too_large']);
  },
);

it('the legacy contract takes a body of 4 KiB and refuses one byte more with 413 payload_too_large', async () => {
  const send = (bytes: number) =>
    invoke(
      legacyLoad,
      toHttpApiEvent({
        method: 'POST',
        path: '/',
        routeKey: '$default',
        domainName: FUNCTION_URL_HOST,
        headers: { host: FUNCTION_URL_HOST, 'content-type': 'application/json' },
        body: bodyOf(bytes),
      }),
    );
  expect((await send(4 * KiB)).status).toBe(400);
  const over = await send(4 * KiB + 1);
  expect([over.status, errorOf(over).code]).toEqual([413, 'payload_too_large']);
});
