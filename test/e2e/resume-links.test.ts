import type { Browser, Page } from 'playwright-core';
import type { LocalRuntime } from '../../local/runtime';
import { deleteProject } from '../support/seed';
import { browserTest, demoOutcome, launchBrowser } from './support/browser';
import {
  callApi,
  closedPort,
  type DemoSite,
  deleteEntry,
  resumeLine,
  mintLink,
  putEntry,
  RequestLog,
  seedToken,
  setEnv,
  startDemoSite,
  uid,
  siteConfig,
} from './support/site';
import { ROUTE_LIST } from '../../lambdas/http/routes';
import { startTestRuntime } from '../support/runtime';

/** The resume route, as the local console names it. */
const { key: LOAD } = ROUTE_LIST.find((r) => r.name === 'loadEntryData')!;

/**
 * (c) Links as they arrive in the real world, opened in the demo page (served on
 * its own origin for a project of this file's own) and read by the Action
 * snippet: expired, tampered, revoked, and damaged in transit. Then the same
 * links through clients/session-recovery.js.
 *
 * KEY_CACHE_TTL_SECONDS=0 makes every resume read the project's keys afresh, so
 * a credential revoked between two opens is refused on the second.
 */

const log = new RequestLog();
let runtime: LocalRuntime;
let site: DemoSite;
let browser: Browser;
const projectId = uid('proj_e2e');
const flowId = uid('flow_e2e');
let secret: string;
let restoreKeyCacheTtl: () => void;

const userData = { first_name: 'Noor', favourite_colour: 'orange', plan: 'enterprise', seats: 40 };

beforeAll(async () => {
  restoreKeyCacheTtl = setEnv('KEY_CACHE_TTL_SECONDS', '0');
  runtime = await startTestRuntime({ log: log.record });
  const created = await callApi(runtime.apiUrl, 'POST', `/v1/projects/${projectId}/credentials`, { label: 'e2e' });
  expect(created.status).toBe(201);
  secret = (created.json as { secret: string }).secret;
  site = await startDemoSite();
  site.config = siteConfig(runtime, { projectId, flowId });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  await runtime?.stop();
  await deleteProject(projectId);
  restoreKeyCacheTtl?.();
});

const browserIt = browserTest(() => browser);

/** An entry saved on page 2, removed by `cleanup`. */
const seedEntry = async () => {
  const entryId = uid('entry_e2e');
  await putEntry(runtime.apiUrl, { entryId, projectId, flowId, currentPageKey: 'page_2', userData });
  return { entryId, cleanup: () => deleteEntry(runtime.apiUrl, entryId, projectId) };
};

/** The demo page's URL with these parameters, URL-encoded. */
const encodedLink = (params: Record<string, string>): string => `${site.demoUrl}?${new URLSearchParams(params)}`;

/** An instant a day from now, written with a +01:00 offset. */
const inADayAtPlusOne = (): string => new Date(Date.now() + 86_400_000 + 3_600_000).toISOString().replace('Z', '+01:00');

const expectRefused = async (page: Page, message: string) => {
  expect(await demoOutcome(page)).toBe('failed');
  expect(await page.locator('#notice-text').textContent()).toBe(`${message} You can start over.`);
  expect(await page.getByRole('heading', { name: 'About you' }).isVisible()).toBe(true);
  expect(await page.getByLabel('First name').inputValue()).toBe('');
};

const expectRestored = async (page: Page) => {
  expect(await demoOutcome(page)).toBe('restored');
  expect(await page.locator('#notice-text').textContent()).toBe('Welcome back, Noor! Your answers are restored: carry on where you left off.');
  expect(await page.getByRole('heading', { name: 'Your team' }).isVisible()).toBe(true);
  expect(await page.getByLabel('Enterprise').isChecked()).toBe(true);
  expect(await page.getByLabel('Seats').inputValue()).toBe('40');
};

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const EXPIRED = 'This link has expired, so your saved answers cannot be opened with it.';
const NOT_VALID = 'This link is not valid any more. It may have been changed, or withdrawn.';

describe('resume links in the demo page, through the Action snippet', () => {
  browserIt('refuses an expired link with its message, and starting over clears the link and the form', async ({ newPage }) => {
    const { entryId, cleanup } = await seedEntry();
    try {
      const expiresAt = new Date(Date.now() - 3_600_000).toISOString();
      const { page, console } = await newPage();
      log.clear();

      await page.goto(encodedLink({ token: seedToken(secret, entryId, expiresAt), entry_id: entryId, expires_at: expiresAt }));

      await expectRefused(page, EXPIRED);
      // The local console says why; the page got only the code and message.
      expect(log.lines).toEqual([`${LOAD} -> 401 token_expired (the link expired at ${expiresAt})`]);
      expect(console.filter((l) => l.startsWith('error: Session recovery'))).toEqual([
        'error: Session recovery failed (token_expired): the link has expired; send the user a new one [HTTP 401: The link has expired. Ask for a new link.]',
      ]);

      await page.getByRole('button', { name: 'Start over' }).click();
      expect(page.url()).toBe(site.demoUrl);
      expect(await page.locator('#notice').isHidden()).toBe(true);
      expect(await page.locator('#progress').textContent()).toBe('Step 1 of 3');
    } finally {
      await cleanup();
    }
  });

  browserIt('refuses a link whose token was tampered with', async ({ newPage }) => {
    const { entryId, cleanup } = await seedEntry();
    try {
      const link = await mintLink(runtime.apiUrl, { project_id: projectId, entry_id: entryId, resume_url: site.demoUrl });
      const last = link.token.at(-1) === '0' ? '1' : '0';
      const { page, console } = await newPage();
      log.clear();

      await page.goto(encodedLink({ token: `${link.token.slice(0, -1)}${last}`, entry_id: entryId, expires_at: link.expires_at }));

      await expectRefused(page, NOT_VALID);
      expect(log.lines).toEqual([`${LOAD} -> 401 invalid_token (no key of project ${projectId} matched (1 tried))`]);
      expect(console.filter((l) => l.startsWith('error: Session recovery failed (invalid_token)'))).toHaveLength(1);
      // The token never reaches the console.
      expect(console.filter((l) => l.includes(link.token.slice(0, 16)))).toEqual([]);
    } finally {
      await cleanup();
    }
  });

  browserIt('refuses a link whose credential was revoked after it was first used', async ({ newPage }) => {
    const { entryId, cleanup } = await seedEntry();
    try {
      const created = await callApi(runtime.apiUrl, 'POST', `/v1/projects/${projectId}/credentials`, { label: 'to revoke', replace: false });
      const credentialId = (created.json as { credential: { credential_id: string } }).credential.credential_id;
      const link = await mintLink(runtime.apiUrl, { project_id: projectId, entry_id: entryId, resume_url: site.demoUrl });
      expect(link.credential_id).toBe(credentialId);
      const first = (await newPage()).page;
      await first.goto(link.url);
      await expectRestored(first);

      expect((await callApi(runtime.apiUrl, 'DELETE', `/v1/projects/${projectId}/credentials/${credentialId}`)).status).toBe(204);
      const second = (await newPage()).page;
      await second.goto(link.url);

      await expectRefused(second, NOT_VALID);
    } finally {
      await cleanup();
    }
  });

  browserIt('repairs an expires_at whose +01:00 offset arrived unencoded, and resumes', async ({ newPage }) => {
    const { entryId, cleanup } = await seedEntry();
    try {
      const expiresAt = inADayAtPlusOne();
      const link = await mintLink(runtime.apiUrl, { project_id: projectId, entry_id: entryId, resume_url: site.demoUrl, expires_at: expiresAt });
      // Built as the guide's backend example builds it: no encoding, so "+" reaches the page literally.
      const raw = `${site.demoUrl}?token=${link.token}&entry_id=${entryId}&expires_at=${expiresAt}`;
      const damaged = new URL(raw).searchParams.get('expires_at') as string;
      expect(damaged).toBe(expiresAt.replace('+', ' '));
      // Read as the guide's snippet reads it, the link is refused.
      const unrepaired = await callApi(runtime.apiUrl, 'POST', '/v1/load-entry-data', {
        flow_id: flowId,
        project_id: projectId,
        entry_id: entryId,
        token: link.token,
        expires_at: damaged,
      });
      expect(unrepaired.status).toBe(400);
      const { page } = await newPage();
      log.clear();

      await page.goto(raw);

      await expectRestored(page);
      expect(log.lines).toEqual([resumeLine(LOAD)]);
      // Restored, the page keeps nothing of the link.
      expect(page.url()).toBe(site.demoUrl);
    } finally {
      await cleanup();
    }
  });

  browserIt('repairs a link whose "&" a mail system rewrote as "&amp;", and resumes', async ({ newPage }) => {
    const { entryId, cleanup } = await seedEntry();
    try {
      const link = await mintLink(runtime.apiUrl, { project_id: projectId, entry_id: entryId, resume_url: site.demoUrl });
      const { page } = await newPage();

      const damaged = link.url.replaceAll('&', '&amp;');
      expect(damaged).toContain('&amp;entry_id=');
      await page.goto(damaged);

      await expectRestored(page);
      // The damaged names leave the address bar too.
      expect(page.url()).toBe(site.demoUrl);
    } finally {
      await cleanup();
    }
  });
});

describe('clients/session-recovery.js in the browser', () => {
  /** Imports the module in a page of the site and runs resumeFromUrl(url), returning the entry, null, or the error's fields. */
  const resume = async (page: Page, url: string, endpoint = `${runtime.apiUrl}/v1/load-entry-data`) =>
    page.evaluate(
      async (options) => {
        const m = (await import('/clients/session-recovery.js' as string)) as {
          resumeFromUrl: (o: object) => Promise<unknown>;
          SessionRecoveryError: new () => Error;
        };
        try {
          return { entry: await m.resumeFromUrl(options) };
        } catch (error) {
          const e = error as Error & { code: string; status: number };
          return { typed: e instanceof m.SessionRecoveryError, name: e.name, code: e.code, status: e.status, message: e.message };
        }
      },
      { endpoint, flowId, projectId, url },
    );

  browserIt('returns the entry, null without a link, and a SessionRecoveryError with the code otherwise', async ({ newPage }) => {
    const { entryId, cleanup } = await seedEntry();
    try {
      const expiresAt = inADayAtPlusOne();
      const link = await mintLink(runtime.apiUrl, { project_id: projectId, entry_id: entryId, resume_url: site.demoUrl, expires_at: expiresAt });
      const expired = new Date(Date.now() - 60_000).toISOString();
      const { page } = await newPage();
      // A page of the site without the demo's CSP, so an unreachable endpoint fails in the network, not in the CSP.
      await page.goto(`${site.origin}/clients/session-recovery.js`);
      const entry = { ...userData, entry_id: entryId, current_page_key: 'page_2', session_recovery_resumed_at: expect.stringMatching(ISO_INSTANT) };

      expect(await resume(page, link.url)).toEqual({ entry });
      expect(await resume(page, `${site.demoUrl}?token=${link.token}&entry_id=${entryId}&expires_at=${expiresAt}`)).toEqual({ entry });
      expect(await resume(page, link.url.replaceAll('&', '&amp;'))).toEqual({ entry });
      expect(await resume(page, site.demoUrl)).toEqual({ entry: null });
      expect(await resume(page, encodedLink({ token: seedToken(secret, entryId, expired), entry_id: entryId, expires_at: expired }))).toEqual({
        typed: true,
        name: 'SessionRecoveryError',
        code: 'token_expired',
        status: 401,
        message: 'The link has expired. Ask for a new link.',
      });
      expect(await resume(page, encodedLink({ token: link.token, entry_id: entryId }))).toEqual({
        typed: true,
        name: 'SessionRecoveryError',
        code: 'incomplete_link',
        status: 0,
        message: 'The link lacks token, entry_id or expires_at.',
      });
      expect(await resume(page, link.url, `http://127.0.0.1:${await closedPort()}/v1/load-entry-data`)).toEqual({
        typed: true,
        name: 'SessionRecoveryError',
        code: 'network_error',
        status: 0,
        message: 'The endpoint could not be reached (Failed to fetch).',
      });
    } finally {
      await cleanup();
    }
  });
});
