import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import type { LocalRuntime } from '../../local/runtime';
import { credential, deleteProject, seedProject, uid } from '../support/seed';
import { browserTest, launchBrowser } from './support/browser';
import { callApi, RequestLog } from './support/site';
import { startTestRuntime } from '../support/runtime';

/**
 * The local admin routes have no IAM in front of them. A page on another origin
 * the developer happens to visit must not be able to use them through the
 * developer's browser: here, a page on another loopback port (another local dev
 * server) sends the CORS-simple POST that needs no preflight.
 */

const log = new RequestLog();
let runtime: LocalRuntime;
let browser: Browser;
let elsewhere: Server;
let elsewhereUrl: string;

beforeAll(async () => {
  runtime = await startTestRuntime({ log: log.record });
  elsewhere = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Some other site</title>'));
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  elsewhereUrl = `http://127.0.0.1:${(elsewhere.address() as AddressInfo).port}/`;
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  elsewhere?.closeAllConnections();
  await new Promise<void>((resolve) => (elsewhere ? elsewhere.close(() => resolve()) : resolve()));
});

const browserIt = browserTest(() => browser);

describe('the local admin routes, called by a page on another origin', () => {
  browserIt('refuse the text/plain POST that would create a credential and revoke the others', async ({ newPage }) => {
    const projectId = uid('proj');
    const existing = credential({ label: 'in use' });
    await seedProject(projectId, [existing]);
    try {
      const { page } = await newPage();
      await page.goto(elsewhereUrl);
      log.clear();

      const sent = await page.evaluate(async (url) => {
        // An opaque answer: the page cannot read it, and needs no preflight to send it.
        await fetch(url, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': 'text/plain' }, body: JSON.stringify({ label: 'planted' }) });
        return true;
      }, `${runtime.apiUrl}/v1/projects/${projectId}/credentials`);

      expect(sent).toBe(true);
      expect(log.lines).toEqual([`POST /v1/projects/${projectId}/credentials -> 403`]);
      const list = await callApi(runtime.apiUrl, 'GET', `/v1/projects/${projectId}/credentials`);
      expect(list.status).toBe(200);
      const credentials = (list.json as { credentials: { credential_id: string; status: string }[] }).credentials;
      expect(credentials.map((c) => [c.credential_id, c.status])).toEqual([[existing.credential_id, 'active']]);
    } finally {
      await deleteProject(projectId);
    }
  });
});
