import { type Handler, errorOf, invoke } from '../support/http';
import { functionUrlEvent } from '../fixtures/legacy-events';

process.env.LEGACY_ENABLED = 'false';
const legacy = ((await import('../../lambdas/legacy-load-entry-data/index')) as { handler: Handler }).handler;

it('answers 410 Gone to every request once switched off, before parsing anything', async () => {
  const valid = { flow_id: 'f', entry_id: 'e', token: 'a'.repeat(64), expires: '2099-01-01T00:00:00Z' };
  for (const event of [functionUrlEvent('POST', '/', valid), functionUrlEvent('POST', '/', 'not json'), functionUrlEvent('GET', '/anything')]) {
    const reply = await invoke(legacy, event);
    expect(reply.status).toBe(410);
    expect(errorOf(reply).code).toBe('gone');
    expect(errorOf(reply).message).toContain('switched off');
    expect(reply.headers.deprecation).toBe('@1779753600');
  }
});
