import type { Browser, Page } from 'playwright-core';
import type { LocalRuntime } from '../../local/runtime';
import { browserTest, demoOutcome, launchBrowser } from './support/browser';
import { type DemoSite, deleteEntry, resumeLine, mintLink, putEntry, RequestLog, setEnv, startDemoSite, uid, siteConfig } from './support/site';
import { ROUTE_LIST } from '../../lambdas/http/routes';
import { startTestRuntime } from '../support/runtime';

/** The resume route, as the local console names it. */
const { key: LOAD, path: LOAD_PATH } = ROUTE_LIST.find((r) => r.name === 'loadEntryData')!;

/**
 * (b) The page on one origin, the API on another, as in production. Three
 * origins on 127.0.0.1: the API, a site it allows (ALLOWED_ORIGINS, and the
 * demo project's own list, which browser saves require), and a site it does not. The handlers read ALLOWED_ORIGINS when they are first imported,
 * which happens inside startLocalRuntime, after the sites know their ports.
 */

const log = new RequestLog();
let runtime: LocalRuntime;
let allowed: DemoSite;
let blocked: DemoSite;
let browser: Browser;
let restoreAllowedOrigins: () => void;

beforeAll(async () => {
  allowed = await startDemoSite();
  blocked = await startDemoSite();
  restoreAllowedOrigins = setEnv('ALLOWED_ORIGINS', allowed.origin);
  // The demo project lists its own origins (it takes browser saves): the allowed site is one of them.
  runtime = await startTestRuntime({ log: log.record, demoOrigins: [allowed.origin] });
  for (const site of [allowed, blocked]) {
    site.config = siteConfig(runtime);
  }
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
  await Promise.all([allowed?.close(), blocked?.close()]);
  restoreAllowedOrigins?.();
});

const browserIt = browserTest(() => browser);

/** An entry of the demo project, saved on page 2, and a link to it on `site`. */
const seedLink = async (site: DemoSite) => {
  const entryId = uid('entry_cors');
  await putEntry(runtime.apiUrl, {
    entryId,
    projectId: runtime.demo.projectId,
    flowId: runtime.demo.flowId,
    currentPageKey: 'page_2',
    userData: { first_name: 'Lin', favourite_colour: 'blue', plan: 'solo' },
  });
  // Mint signs only links to the project's own origins; a link to another site is one a team's backend made itself
  // (the seed's formula): the same parameters on that site's page.
  const minted = await mintLink(runtime.apiUrl, { project_id: runtime.demo.projectId, entry_id: entryId, resume_url: allowed.demoUrl });
  const url = new URL(minted.url);
  const link = { ...minted, url: `${site.demoUrl}${url.search}` };
  return { entryId, link, cleanup: () => deleteEntry(runtime.apiUrl, entryId, runtime.demo.projectId) };
};

/** What the guide's own snippet sends: Content-Type application/json, which needs a preflight. */
const postJsonFromPage = (page: Page, body: Record<string, string>) =>
  page.evaluate(
    async ({ url, json }) => {
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: json });
        return { status: res.status, entryId: ((await res.json()) as { entry: { entry_id: string } }).entry.entry_id };
      } catch (error) {
        return { error: String(error) };
      }
    },
    { url: `${runtime.apiUrl}/v1/load-entry-data`, json: JSON.stringify(body) },
  );

const resumeBody = (link: { token: string; entry_id: string; expires_at: string }) => ({
  flow_id: runtime.demo.flowId,
  project_id: runtime.demo.projectId,
  entry_id: link.entry_id,
  token: link.token,
  expires_at: link.expires_at,
});

describe('a page on another origin than the API', () => {
  browserIt('restores from an allowed origin with no preflight; a JSON call gets its preflight answered once, then cached', async ({ newPage }) => {
    const { entryId, link, cleanup } = await seedLink(allowed);
    try {
      const { page } = await newPage();
      log.clear();

      await page.goto(link.url);

      // The Action's text/plain POST is a CORS simple request: no OPTIONS reached the API.
      expect(await demoOutcome(page)).toBe('restored');
      expect(await page.locator('#notice-text').textContent()).toBe('Welcome back, Lin! Your answers are restored: carry on where you left off.');
      expect(await page.getByRole('heading', { name: 'Your team' }).isVisible()).toBe(true);
      expect(await page.getByLabel('Solo, just me').isChecked()).toBe(true);
      expect(log.lines).toEqual([resumeLine(LOAD)]);

      // The guide's application/json call: one preflight, answered; the second call reuses it (Access-Control-Max-Age).
      log.clear();
      expect(await postJsonFromPage(page, resumeBody(link))).toEqual({ status: 200, entryId });
      expect(await postJsonFromPage(page, resumeBody(link))).toEqual({ status: 200, entryId });
      expect(log.lines).toEqual([`OPTIONS ${LOAD_PATH} -> 204`, resumeLine(LOAD), resumeLine(LOAD)]);
    } finally {
      await cleanup();
    }
  });

  browserIt('is blocked by the browser from an origin the API does not allow, and the page says so', async ({ newPage }) => {
    const { link, cleanup } = await seedLink(blocked);
    try {
      const { page, console } = await newPage();
      log.clear();

      await page.goto(link.url);

      expect(await demoOutcome(page)).toBe('failed');
      expect(await page.locator('#notice-text').textContent()).toBe(
        'We could not reach the service that keeps your answers: the network failed, or the service does not accept requests from this site. You can start over.',
      );
      expect(await page.getByRole('button', { name: 'Start over' }).isVisible()).toBe(true);
      expect(await page.getByRole('heading', { name: 'About you' }).isVisible()).toBe(true);
      expect(await page.getByLabel('First name').inputValue()).toBe('');
      // The simple request reached the API, which refused it: the origin is not one of the project's.
      // The browser withheld even that answer from the page.
      expect(log.lines).toEqual([`${LOAD} -> 403 forbidden (This project does not accept requests from the origin ${blocked.origin}.)`]);
      expect(console.filter((l) => l.includes(`from origin '${blocked.origin}' has been blocked by CORS policy`))).toHaveLength(1);
      expect(console.filter((l) => l.startsWith('error: Session recovery failed (network_error)'))).toHaveLength(1);

      // The guide's application/json call: the preflight is refused, so the POST is never sent.
      log.clear();
      expect(await postJsonFromPage(page, resumeBody(link))).toEqual({ error: 'TypeError: Failed to fetch' });
      expect(log.lines).toEqual([`OPTIONS ${LOAD_PATH} -> 204`]);
    } finally {
      await cleanup();
    }
  });
});
