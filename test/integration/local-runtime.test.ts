import { createHash } from 'node:crypto';
import { startLocalRuntime, type LocalRuntime } from '../../scripts/local/runtime';
import { httpRequest } from '../support/raw-http';

let runtime: LocalRuntime;
beforeAll(async () => {
  runtime = await startLocalRuntime({ port: 0, legacyPort: 0, endpoint: process.env.AWS_ENDPOINT_URL });
});
afterAll(async () => {
  await runtime.stop();
});

const resumeBody = () => ({
  flow_id: runtime.demo.flowId,
  project_id: runtime.demo.projectId,
  entry_id: runtime.demo.entryId,
  token: runtime.demo.token,
  expires_at: runtime.demo.expiresAt,
});

describe('the local runtime', () => {
  it('serves the printed resume request over HTTP and returns the demo entry', async () => {
    const res = await fetch(`${runtime.apiUrl}/v1/load-entry-data`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(resumeBody()),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      entry: { ...runtime.demo.userData, entry_id: runtime.demo.entryId, current_page_key: runtime.demo.currentPageKey },
    });
  });

  it('answers a CORS preflight through the same handler', async () => {
    const res = await fetch(`${runtime.apiUrl}/v1/load-entry-data`, {
      method: 'OPTIONS',
      headers: { origin: 'https://site.example', 'access-control-request-method': 'POST' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('answers an unknown route like API Gateway does', async () => {
    const res = await fetch(`${runtime.apiUrl}/v1/nothing-here`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ message: 'Not Found' });
  });

  it('refuses a body over API Gateway\'s 10 MB limit before the Lambda', async () => {
    const res = await fetch(`${runtime.apiUrl}/v1/load-entry-data`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(10 * 1024 * 1024 + 1),
    });
    expect(res.status).toBe(413);
  });

  it('serves the legacy contract on its own port as a Function URL would, with deprecation headers', async () => {
    const legacyKey = 'local-legacy-key-0001';
    const put = await fetch(`${runtime.apiUrl}/v1/legacy/flows/${runtime.demo.flowId}/key`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ secret: legacyKey }),
    });
    expect(put.status).toBe(204);
    const expires = '2099-02-01T00:00:00.000Z';
    const token = createHash('sha256').update(`${legacyKey}---${runtime.demo.entryId}---${expires}`).digest('hex');
    const res = await fetch(`${runtime.legacyUrl}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ flow_id: runtime.demo.flowId, entry_id: runtime.demo.entryId, token, expires }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('deprecation')).toBe('@1779753600');
    expect(res.headers.get('link')).toBe(`<${runtime.legacyUrl}/migration-guide>; rel="deprecation"; type="text/markdown"`);
    expect(((await res.json()) as { entry: { entry_id: string } }).entry.entry_id).toBe(runtime.demo.entryId);
    const guide = await fetch(`${runtime.legacyUrl}/migration-guide`);
    expect(await guide.text()).toContain(`${runtime.apiUrl}/v1/load-entry-data`);
  });

  it('keeps the demo secret when restarted against the same emulator', async () => {
    const second = await startLocalRuntime({ port: 0, legacyPort: 0, endpoint: process.env.AWS_ENDPOINT_URL });
    try {
      expect(second.demo.secret).toBe(runtime.demo.secret);
    } finally {
      await second.stop();
    }
  });

  it('names its own address in the legacy Link header, whatever Host the client sends', async () => {
    const hostile = { host: 'evil.example', 'content-type': 'application/json' };
    for (const res of [
      await httpRequest(`${runtime.legacyUrl}/`, { method: 'POST', headers: hostile, body: '{}' }),
      await httpRequest(`${runtime.legacyUrl}/migration-guide`, { headers: hostile }),
    ]) {
      expect(res.headers.link).toBe(`<${runtime.legacyUrl}/migration-guide>; rel="deprecation"; type="text/markdown"`);
    }
  });
});

