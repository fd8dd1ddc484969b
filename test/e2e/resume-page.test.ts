import type { Browser, Page } from 'playwright-core';
import { routePath } from '../../lambdas/http/routes';
import type { LocalRuntime } from '../../local/runtime';
import { browserTest, demoOutcome, launchBrowser } from './support/browser';
import { callApi, deleteEntry, mintLink, putEntry, seedToken, uid } from './support/site';
import { startTestRuntime } from '../support/runtime';

/**
 * A resume page leaves nothing of the link behind: in Chromium, through both
 * Actions (the demo page) and clients/session-recovery.js, the address bar loses
 * token, entry_id and expires_at (and nothing else), this visit's utm_*, gclid
 * and fbclid survive the restore, and the user data records the resume.
 */

let runtime: LocalRuntime;
let browser: Browser;
const entries: string[] = [];

beforeAll(async () => {
  runtime = await startTestRuntime();
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  for (const entryId of entries) await deleteEntry(runtime.apiUrl, entryId, runtime.demo.projectId);
  await runtime?.stop();
});

const browserIt = browserTest(() => browser);

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** What an earlier visit saved, with that visit's attribution. */
const SAVED = { first_name: 'Ola', plan: 'team', utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'winter', gclid: 'gclid_then' };

/** An entry of the demo project saved on page 2 with SAVED. */
const seedEntry = async (): Promise<string> => {
  const entryId = uid('entry_clean');
  entries.push(entryId);
  await putEntry(runtime.apiUrl, { entryId, projectId: runtime.demo.projectId, flowId: runtime.demo.flowId, currentPageKey: 'page_2', userData: SAVED });
  return entryId;
};

/** The demo's own answer to a question SAVED never reached. */
const UNTOUCHED = { newsletter: false };

/** The user data the demo page holds, as its panel shows it. */
const heldUserData = async (page: Page) => JSON.parse((await page.locator('#user-data').textContent()) as string) as Record<string, unknown>;

const savedUserData = async (entryId: string) => {
  const reply = await callApi(runtime.apiUrl, 'GET', `/v1/entries/${entryId}?project_id=${runtime.demo.projectId}`);
  return (reply.json as { entry: { user_data: Record<string, unknown> } }).entry.user_data;
};

/** This visit's attribution, and where the team sends it in the resume link. */
const VISIT = { utm_source: 'reminder', utm_campaign: 'spring', gclid: 'gclid_now' };
const visitPage = () => `${runtime.demoUrl}?utm_source=reminder&utm_campaign=spring&gclid=gclid_now&lang=en`;

describe('the demo page, restoring through clients/embeddables-action.js', () => {
  browserIt('removes the link from the address bar and keeps every other parameter, with no new history entry', async ({ newPage }) => {
    const entryId = await seedEntry();
    const link = await mintLink(runtime.apiUrl, { project_id: runtime.demo.projectId, entry_id: entryId, resume_url: `${visitPage()}#top` });
    expect(new URL(link.url).search).toContain('&token=');
    const { page } = await newPage();

    await page.goto(link.url);

    expect(await demoOutcome(page)).toBe('restored');
    expect(page.url()).toBe(`${visitPage()}#top`);
    // Replaced, not added: going back leaves the page, and never lands on the link.
    await page.goBack();
    expect(page.url()).toBe('about:blank');
  });

  browserIt("keeps this visit's UTMs and gclid over the saved ones, records the resume, and saves them on", async ({ newPage }) => {
    const entryId = await seedEntry();
    const link = await mintLink(runtime.apiUrl, { project_id: runtime.demo.projectId, entry_id: entryId, resume_url: visitPage() });
    const { page } = await newPage();
    const before = Date.now();

    await page.goto(link.url);

    expect(await demoOutcome(page)).toBe('restored');
    const held = await heldUserData(page);
    expect(held).toEqual({
      ...SAVED,
      ...VISIT,
      ...UNTOUCHED,
      entry_id: entryId,
      current_page_key: 'page_2',
      session_recovery_resumed_at: expect.stringMatching(ISO_INSTANT),
    });
    expect(Date.parse(held.session_recovery_resumed_at as string)).toBeGreaterThanOrEqual(before);
    // The next page change saves them: the entry now carries this visit's attribution (utm_medium: the saved one, as this visit has none).
    await page.getByRole('button', { name: 'Next' }).click();
    await page.locator('#status', { hasText: 'Progress saved.' }).waitFor();
    expect(await savedUserData(entryId)).toEqual({ ...SAVED, ...VISIT, ...UNTOUCHED, session_recovery_resumed_at: held.session_recovery_resumed_at });
  });

  browserIt('cleans a link whose "&" a mail system rewrote as "&amp;", removing the damaged names and keeping the others as written', async ({ newPage }) => {
    const entryId = await seedEntry();
    const link = await mintLink(runtime.apiUrl, { project_id: runtime.demo.projectId, entry_id: entryId, resume_url: visitPage() });
    const { page } = await newPage();

    await page.goto(link.url.replaceAll('&', '&amp;'));

    expect(await demoOutcome(page)).toBe('restored');
    expect(page.url()).toBe(visitPage().replaceAll('&', '&amp;'));
    expect(await heldUserData(page)).toMatchObject(VISIT);
  });
});

describe('the demo page, restoring through clients/embeddables-action-legacy.js', () => {
  browserIt("removes the link from the address bar, keeps this visit's UTM, and records the resume", async ({ newPage }) => {
    const entryId = await seedEntry();
    const expires = new Date(Date.now() + 86_400_000).toISOString();
    const token = seedToken(runtime.demo.legacy.key, entryId, expires);
    const { page } = await newPage();

    await page.goto(`${runtime.demoUrl}?snippet=legacy&utm_source=sms&${new URLSearchParams({ token, entry_id: entryId, expires_at: expires })}&fbclid=fb_now`);

    expect(await demoOutcome(page)).toBe('restored');
    expect(page.url()).toBe(`${runtime.demoUrl}?snippet=legacy&utm_source=sms&fbclid=fb_now`);
    expect(await heldUserData(page)).toEqual({
      ...SAVED,
      ...UNTOUCHED,
      utm_source: 'sms',
      fbclid: 'fb_now',
      entry_id: entryId,
      current_page_key: 'page_2',
      session_recovery_resumed_at: expect.stringMatching(ISO_INSTANT),
    });
  });
});

describe('clients/session-recovery.js, resuming from the page URL', () => {
  browserIt("removes the link from the address bar, keeps this visit's UTMs, and records the resume in the entry it returns", async ({ newPage }) => {
    const entryId = await seedEntry();
    const here = `${runtime.apiUrl}/clients/session-recovery.js?utm_source=reminder&utm_campaign=spring&gclid=gclid_now&lang=en`;
    const link = await mintLink(runtime.apiUrl, { project_id: runtime.demo.projectId, entry_id: entryId, resume_url: here });
    const { page } = await newPage();
    await page.goto(link.url);

    const entry = await page.evaluate(
      async (o) => {
        const m = (await import('/clients/session-recovery.js' as string)) as { resumeFromUrl: (options: object) => Promise<unknown> };
        return m.resumeFromUrl(o);
      },
      { endpoint: `${runtime.apiUrl}${routePath('loadEntryData')}`, flowId: runtime.demo.flowId, projectId: runtime.demo.projectId },
    );

    expect(entry).toEqual({
      ...SAVED,
      ...VISIT,
      entry_id: entryId,
      current_page_key: 'page_2',
      session_recovery_resumed_at: expect.stringMatching(ISO_INSTANT),
    });
    expect(page.url()).toBe(here);
    await page.goBack();
    expect(page.url()).toBe('about:blank');
  });
});
