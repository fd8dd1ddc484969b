import { bodyLimits, bodyLimitText, LEGACY_ROUTE, ROUTE_LIST, type RouteName, type RouteSpec } from '../../lambdas/http/routes';
import { defaultOf } from '../../lambdas/runtime/environment';
import { docSection } from '../support/docs';

const readme = docSection('docs/routes.md', 'Errors');
/** The README's errors table row for 413. */
const row = readme.split('\n').find((line) => line.startsWith('| 413 |'))!;

/** How the README's 413 row names each group of routes that take a body. */
const GROUPS: Record<string, readonly RouteName[]> = {
  'resume routes (legacy included)': ['loadEntryData'],
  'link-request and hand-off routes': ['linkRequests', 'handoff'],
  '`/v1/projects/…` routes': ['createCredential', 'setAllowedOrigins', 'setBrowserSaves', 'setResumePolicy'],
  'legacy-key route': ['importLegacyKey'],
  'browser-saves routes': ['createEntry', 'saveProgress'],
  'mint routes': ['mint', 'mintBatch'],
  'entries routes': ['putEntry', 'revokeLinks', 'completeEntry'],
};
const text = (route: Pick<RouteSpec, 'maxBodyBytes'>) => bodyLimitText(route.maxBodyBytes!, defaultOf('SAVE_MAX_BODY_BYTES'));
const byName = (name: RouteName) => ROUTE_LIST.find((r) => r.name === name)!;

it('every route that takes a body (POST, PUT) has a limit in the routes table, and the README names its group', () => {
  const withBodies = ROUTE_LIST.filter((r) => r.method === 'POST' || r.method === 'PUT');
  expect(withBodies.filter((r) => r.maxBodyBytes === undefined).map((r) => r.name)).toEqual([]);
  expect(withBodies.map((r) => r.name).sort()).toEqual(Object.values(GROUPS).flat().sort());
});

it.each(Object.entries(GROUPS))("the README's 413 row states the routes table's limit on the %s", (group, names) => {
  const limits = new Set(names.map((n) => text(byName(n))));
  expect(limits.size).toBe(1);
  expect(row).toContain(`${[...limits][0]} on the ${group}`);
});

it("the legacy contract's limit is the resume route's, as the README's row says", () => {
  expect(text(LEGACY_ROUTE)).toBe(text(byName('loadEntryData')));
});

it("each route gets its own limit from the table; the browser-saves routes the setting's value", () => {
  expect(bodyLimits('mint')({ routeKey: 'POST /v1/tokens/batch' })).toBe(256 * 1024);
  expect(bodyLimits('browser-saves', 1000)({ routeKey: 'POST /v1/entries' })).toBe(1000);
  expect(() => bodyLimits('browser-saves')).toThrow('SAVE_MAX_BODY_BYTES');
});
