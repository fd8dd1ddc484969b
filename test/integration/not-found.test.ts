import { handler } from '../../lambdas/not-found/index';
import { invoke } from '../support/http';
import { toHttpApiEvent } from '../../local/http-api-event';

/** What API Gateway sends its `$default` route: any method, any path, any body. */
const defaultRouteEvent = (method: string, path: string, body?: string) =>
  toHttpApiEvent({ method, path, routeKey: '$default', rawQueryString: '', headers: body ? { 'content-type': 'text/plain' } : {}, body });

it.each([
  ['GET', '/v1/load-entry-data', undefined],
  ['POST', '/wp-login.php', 'not json at all'],
  ['DELETE', '/', undefined],
])('answers %s %s with the documented 404 not_found, whatever the body', async (method, path, body) => {
  const reply = await invoke(handler, defaultRouteEvent(method, path, body));
  expect(reply.status).toBe(404);
  expect(reply.headers['content-type']).toBe('application/json; charset=utf-8');
  expect(reply.headers['x-content-type-options']).toBe('nosniff');
  expect(reply.json).toEqual({
    error: {
      code: 'not_found',
      message: `No route serves ${method} ${path}. Resume links are posted to POST /v1/load-entry-data; docs/openapi.yaml lists every route.`,
    },
  });
});

it('echoes at most 100 characters of the path', async () => {
  const reply = await invoke(handler, defaultRouteEvent('GET', `/${'a'.repeat(500)}`));
  expect((reply.json as { error: { message: string } }).error.message).toContain(`GET /${'a'.repeat(99)}…. Resume`);
});
