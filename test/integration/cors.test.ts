import path from 'node:path';
import type { Handler } from '../support/http';
import { invoke } from '../support/http';
import { loadEntryEvent, preflightEvent } from '../fixtures/events';
import { routeEvent } from '../fixtures/admin-events';
import { ROUTE_LIST } from '../../lambdas/http/routes';
import { uid } from '../support/seed';

// The allowed origins are read at module load, as in Lambda: set them before importing the handler.
process.env.ALLOWED_ORIGINS = 'https://quiz.example.com, https://*.brand.example';
const { handler } = (await import('../../lambdas/load-entry-data/index')) as { handler: Handler };

describe('CORS with a list of allowed origins', () => {
  it('answers the preflight of an allowed origin itself: 204, the origin echoed, cacheable, with security headers', async () => {
    const reply = await invoke(handler, preflightEvent('https://quiz.example.com'));
    expect(reply.status).toBe(204);
    expect(reply.headers['access-control-allow-origin']).toBe('https://quiz.example.com');
    expect(reply.headers['access-control-allow-methods']).toBe('POST,OPTIONS');
    expect(reply.headers['access-control-allow-headers']).toBe('Content-Type');
    expect(reply.headers['access-control-max-age']).toBe('7200');
    expect(reply.headers['access-control-allow-credentials']).toBeUndefined();
    expect(reply.headers.vary).toBe('Origin');
    expect(reply.headers['x-content-type-options']).toBe('nosniff');
  });

  it('matches a wildcard subdomain entry', async () => {
    const reply = await invoke(handler, preflightEvent('https://shop.brand.example'));
    expect(reply.headers['access-control-allow-origin']).toBe('https://shop.brand.example');
  });

  it('gives an origin that is not allowed no Access-Control-Allow-Origin, so the browser blocks it', async () => {
    for (const origin of ['https://evil.example', 'https://quiz.example.com.evil.example', 'http://quiz.example.com']) {
      const preflight = await invoke(handler, preflightEvent(origin));
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
      const post = await invoke(handler, loadEntryEvent({}, { origin }));
      expect(post.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('adds the allowed origin to error responses too, so the page can read the error', async () => {
    const reply = await invoke(handler, loadEntryEvent({}, { origin: 'https://quiz.example.com' }));
    expect(reply.status).toBe(400);
    expect(reply.headers['access-control-allow-origin']).toBe('https://quiz.example.com');
  });

  it('names Origin in Vary exactly once, on preflights and answers alike', async () => {
    for (const reply of [
      await invoke(handler, preflightEvent('https://quiz.example.com')),
      await invoke(handler, loadEntryEvent({}, { origin: 'https://shop.brand.example' })),
      await invoke(handler, loadEntryEvent({}, { origin: 'https://evil.example' })),
      await invoke(handler, loadEntryEvent({})),
    ]) {
      expect(reply.headers.vary).toBe('Origin');
    }
  });
});

describe('the admin routes (IAM-authorized, called by servers)', () => {
  // Every one of them, from the routes table: a route added later is covered too.
  const adminRoutes = ROUTE_LIST.filter((r) => r.access === 'iam');
  const handlerOf = async (fn: string) =>
    ((await import(path.join(import.meta.dirname, '..', '..', 'lambdas', fn, 'index.ts'))) as { handler: Handler }).handler;
  const params = { project_id: uid('proj'), entry_id: uid('entry'), credential_id: 'cred_none', flow_id: uid('flow') };

  it.each(adminRoutes.map((r) => [r.key, r] as const))(
    '%s carries no CORS header, even for a request from an allowed origin, and still the security headers',
    async (_key, route) => {
      const pathParameters = Object.fromEntries(Object.entries(params).filter(([name]) => route.path.includes(`{${name}}`)));
      const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : {};
      const reply = await invoke(await handlerOf(route.fn), routeEvent(route.name, pathParameters, body, {}, { origin: 'https://quiz.example.com' }));
      expect(reply.status).toBeLessThan(500);
      expect(Object.keys(reply.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
      expect(reply.headers['x-content-type-options']).toBe('nosniff');
    },
  );

  it.each(adminRoutes.map((r) => [r.key, r] as const))(
    '%s answers a CORS preflight from an allowed origin with no CORS header either (API Gateway gives admin paths no OPTIONS route; the handler would not answer one)',
    async (_key, route) => {
      const path = route.path.replace(/\{([^}]+)\}/g, (_m, name: string) => params[name as keyof typeof params]);
      const preflight = routeEvent(
        { key: `OPTIONS ${route.path}` as `OPTIONS /${string}` },
        {},
        undefined,
        {},
        { origin: 'https://quiz.example.com', 'access-control-request-method': route.method, 'access-control-request-headers': 'content-type' },
      );
      const reply = await invoke(await handlerOf(route.fn), { ...preflight, rawPath: path });
      expect(reply.status).toBeLessThan(500);
      expect(Object.keys(reply.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
    },
  );

  it('an answer that succeeds carries none either (GET …/allowed-origins of a project with no secret)', async () => {
    const reply = await invoke(
      await handlerOf('credentials'),
      routeEvent('getAllowedOrigins', { project_id: uid('proj') }, undefined, {}, { origin: 'https://quiz.example.com' }),
    );
    expect(reply.status).toBe(200);
    expect(Object.keys(reply.headers).filter((name) => name.startsWith('access-control-'))).toEqual([]);
  });
});
