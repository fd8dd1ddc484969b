import type { routeSchemas } from '../../lambdas/entries/schema';
import { dispatch, type RouteHandlers } from '../../lambdas/http/route-schema';
import { ROUTES } from '../../lambdas/http/routes';
import { routeEvent } from '../fixtures/admin-events';

const ok = async () => ({ statusCode: 200 });

describe('exhaustive dispatch', () => {
  it('a Lambda whose handlers miss one of its routes does not compile (npm run typecheck)', () => {
    // @ts-expect-error deleteEntry and revokeLinks have no handler
    const missing: RouteHandlers<'entries', typeof routeSchemas> = { putEntry: ok, getEntry: ok };
    // @ts-expect-error a handler for another Lambda's route is refused too
    const foreign: RouteHandlers<'entries', typeof routeSchemas> = { putEntry: ok, getEntry: ok, deleteEntry: ok, revokeLinks: ok, mint: ok };
    expect([missing, foreign]).toHaveLength(2);
  });

  it('runs exactly the handler of the route the event names', async () => {
    const called: string[] = [];
    const record = (name: string) => async () => {
      called.push(name);
      return { statusCode: 204 };
    };
    const handle = dispatch<'entries', typeof routeSchemas>({
      putEntry: record('putEntry'),
      getEntry: record('getEntry'),
      deleteEntry: record('deleteEntry'),
      revokeLinks: record('revokeLinks'),
      completeEntry: record('completeEntry'),
      listCampaigns: record('listCampaigns'),
      getCampaign: record('getCampaign'),
    });
    for (const name of ['revokeLinks', 'getEntry', 'completeEntry', 'deleteEntry', 'putEntry'] as const) await handle(routeEvent(name, { entry_id: 'e' }));
    expect(called).toEqual(['revokeLinks', 'getEntry', 'completeEntry', 'deleteEntry', 'putEntry']);
  });

  it('refuses a route key no handler serves with not_found, and runs nothing (no default branch)', async () => {
    const called: string[] = [];
    const handle = dispatch<'entries', typeof routeSchemas>({
      putEntry: async () => (called.push('putEntry'), { statusCode: 200 }),
      getEntry: ok,
      deleteEntry: async () => (called.push('deleteEntry'), { statusCode: 204 }),
      revokeLinks: ok,
      completeEntry: ok,
      listCampaigns: ok,
      getCampaign: ok,
    });
    for (const event of [routeEvent('mint'), routeEvent({ key: 'GET /v1/entries/{entry_id}/anything' }, { entry_id: 'e' })]) {
      await expect(handle(event)).rejects.toMatchObject({ code: 'not_found', status: 404 });
    }
    expect(called).toEqual([]);
    expect(ROUTES.mint.fn).toBe('mint');
  });
});
