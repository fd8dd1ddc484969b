import { errorOf, invoke } from '../support/http';
import { FUNCTION_URL_HOST, functionUrlEvent } from '../fixtures/legacy-events';
import { lambda, testEnvironment } from '../support/lambdas';

const env = testEnvironment({ LEGACY_ENABLED: 'false' });
const legacy = await lambda('legacy-load-entry-data', env);

it('answers 410 Gone to every request once switched off, before parsing anything', async () => {
  const valid = { flow_id: 'f', entry_id: 'e', token: 'a'.repeat(64), expires: '2099-01-01T00:00:00Z' };
  for (const event of [functionUrlEvent('POST', '/', valid), functionUrlEvent('POST', '/', 'not json'), functionUrlEvent('GET', '/anything')]) {
    const reply = await invoke(legacy, event);
    expect(reply.status).toBe(410);
    expect(errorOf(reply).code).toBe('gone');
    expect(errorOf(reply).message).toContain('switched off');
    expect(reply.headers.deprecation).toBe('@1779753600');
    expect(reply.headers.link).toBe(`<https://${FUNCTION_URL_HOST}/migration-guide>; rel="deprecation"; type="text/markdown"`);
  }
});

it('still answers a CORS preflight with 204, so the page can read the 410 that follows', async () => {
  const reply = await invoke(legacy, functionUrlEvent('OPTIONS', '/', undefined, { origin: 'https://site.example', 'access-control-request-method': 'POST' }));
  expect(reply.status).toBe(204);
  expect(reply.headers['access-control-allow-origin']).toBe('*');
  const gone = await invoke(legacy, functionUrlEvent('POST', '/', { flow_id: 'f' }, { origin: 'https://site.example' }));
  expect(gone.status).toBe(410);
  expect(gone.headers['access-control-allow-origin']).toBe('*');
});
