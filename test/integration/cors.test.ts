import type { Handler } from '../support/http';
import { invoke } from '../support/http';
import { loadEntryEvent, preflightEvent } from '../fixtures/events';

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
