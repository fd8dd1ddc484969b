import type { Browser, Page } from 'playwright-core';
import { routePath } from '../../lambdas/http/routes';
import { type BusSubscription, emulatorConfig, subscribe } from '../../local/event-bus';
import type { LocalRuntime } from '../../local/runtime';
import { registerSensitiveBody } from '../support/sensitive';
import { browserTest, demoOutcome, launchBrowser } from './support/browser';
import { callApi, deleteEntry } from './support/site';
import { startTestRuntime } from '../support/runtime';

/**
 * Entry fixation (issue 26, item 1) in Chromium, on the local runtime's demo
 * page, with two browser contexts: an attacker who starts the flow and has the
 * brand mail its link to a victim, and the victim. Both variants end with the
 * attacker's save token and links answering 401, the victim's answers out of
 * the attacker's reach, and the attacker's page saying the flow continued on
 * another device.
 */

let runtime: LocalRuntime;
let browser: Browser;
let bus: BusSubscription;
const made: string[] = [];

beforeAll(async () => {
  runtime = await startTestRuntime();
  bus = await subscribe(emulatorConfig(process.env.AWS_ENDPOINT_URL!), runtime.eventBusName);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await bus?.close();
  for (const entryId of made) await deleteEntry(runtime.apiUrl, entryId, runtime.demo.projectId).catch(() => undefined);
  await runtime?.stop();
});

const browserIt = browserTest(() => browser);
const ATTACKER = 'mallory@attacker.example';
const VICTIM = 'victim@example.com';
const SECRET_NOTE = 'card 4111 1111 1111 1111';
const STORAGE_KEY = () => `session-recovery:${runtime.demo.projectId}:${runtime.demo.flowId}`;

const saved = (page: Page) => page.locator('#status', { hasText: /^Progress saved\./ }).waitFor();

/** The attacker starts the flow on the demo page: page 1 answered, saved on the way to page 2. */
const startFlow = async (page: Page): Promise<{ entryId: string; saveToken: string }> => {
  await page.goto(runtime.demoUrl);
  expect(await demoOutcome(page)).toBe('no_link');
  await page.getByLabel('First name').fill('Bait');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Your team' }).waitFor();
  await saved(page);
  const held = await page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? 'null') as { entry_id: string; save_token: string }, STORAGE_KEY());
  made.push(held.entry_id);
  return { entryId: held.entry_id, saveToken: held.save_token };
};

/** "Send me a link" on the page, to `to`; returns the link the brand's message carries. */
const sendLink = async (page: Page, entryId: string, to: string): Promise<string> => {
  await bus.drain();
  await page.getByLabel('Email for the link (optional)').fill(to);
  await page.getByRole('button', { name: 'Send me a link to continue later' }).click();
  await page.locator('#status', { hasText: 'Your link is on its way.' }).waitFor();
  const [event] = (await bus.drain()).filter((e) => e.detail.entry_id === entryId && e.detail.to === to);
  return event.detail.url as string;
};

/** The victim opens the mailed link, clicks Continue, and types something private on page 2, which is saved. */
const victimResumesAndTypes = async (page: Page, link: string) => {
  await page.goto(link);
  // A single-use link waits for the person: nothing is resumed before the click.
  await page.getByRole('button', { name: 'Continue', exact: true }).waitFor();
  expect(await page.locator('body').getAttribute('data-ready')).toBeNull();
  await page.getByRole('button', { name: 'Continue', exact: true }).click();
  expect(await demoOutcome(page)).toBe('restored');
  registerSensitiveBody({ user_data: { comments: SECRET_NOTE } });
  await page.getByLabel('Team, up to 50 people').check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('heading', { name: 'Stay in touch' }).waitFor();
  await page.getByLabel('Anything we should know?').fill(SECRET_NOTE);
  await page.getByRole('button', { name: 'Finish' }).click();
  await page.getByRole('heading', { name: 'All set' }).waitFor();
  await saved(page);
};

/** What the attacker can still do with what they hold: each answers 401, and nothing of the victim's comes back. */
const attackerIsLockedOut = async (attackerPage: Page, entryId: string, saveToken: string, links: string[], openLink: Page) => {
  const fromAttackerPage = (path: string, body: unknown) =>
    attackerPage.evaluate(
      async ([url, payload]) => {
        const res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, body: JSON.stringify(payload) });
        return { status: res.status, body: await res.text() };
      },
      [`${runtime.apiUrl}${path}`, body] as const,
    );
  const ids = { project_id: runtime.demo.projectId, flow_id: runtime.demo.flowId };
  const progress = await fromAttackerPage(routePath('saveProgress').replace('{entry_id}', entryId), {
    ...ids,
    save_token: saveToken,
    seq: Date.now() + 1e9,
    current_page_key: 'page_3',
    user_data: { comments: 'overwritten' },
  });
  expect([progress.status, (JSON.parse(progress.body) as { error: { code: string } }).error.code]).toEqual([401, 'invalid_save_token']);
  const link = await fromAttackerPage(routePath('linkRequests').replace('{entry_id}', entryId), {
    ...ids,
    save_token: saveToken,
    channel: 'email',
    to: ATTACKER,
  });
  expect([link.status, (JSON.parse(link.body) as { error: { code: string } }).error.code]).toEqual([401, 'invalid_save_token']);
  expect((await bus.drain()).filter((e) => e.detail.entry_id === entryId)).toEqual([]);
  for (const url of links) {
    await openLink.goto(url);
    await openLink.getByRole('button', { name: 'Continue', exact: true }).click();
    expect(await demoOutcome(openLink)).toBe('failed');
    expect(await openLink.locator('#notice-text').textContent()).toBe('This link was already used; ask for a new one. You can start over.');
    expect(await openLink.content()).not.toContain(SECRET_NOTE);
  }
  const entry = await callApi(runtime.apiUrl, 'GET', `/v1/entries/${entryId}?project_id=${runtime.demo.projectId}`);
  expect((entry.json as { entry: { user_data: Record<string, unknown> } }).entry.user_data).toMatchObject({ comments: SECRET_NOTE });
};

/** The attacker's own page, at its next page change: it stops saving and says the flow continued on another device. */
const oldDeviceSaysContinuedElsewhere = async (page: Page) => {
  await page.getByLabel('Solo, just me').check();
  await page.getByRole('button', { name: 'Next' }).click();
  await page.locator('#notice-text', { hasText: 'You continued on another device' }).waitFor();
  expect(await page.locator('#notice-text').textContent()).toBe(
    'You continued on another device, so this page no longer saves your answers. Carry on there, or start over here.',
  );
  expect(await page.locator('#status').textContent()).toBe('Not saved here: this flow continued on another device.');
};

describe('entry fixation in the browser: attacker and victim in two browser contexts', () => {
  browserIt(
    "the attacker has the brand mail the victim a link to the attacker's entry; once the victim resumes, the attacker's token and links answer 401",
    async ({ newPage }) => {
      const attacker = (await newPage()).page;
      const { entryId, saveToken } = await startFlow(attacker);
      const victimLink = await sendLink(attacker, entryId, VICTIM);
      const victim = (await newPage()).page;

      await victimResumesAndTypes(victim, victimLink);

      await oldDeviceSaysContinuedElsewhere(attacker);
      // The attacker got hold of the victim's link too (a forwarded mail): used, it answers 401.
      await attackerIsLockedOut(attacker, entryId, saveToken, [victimLink], (await newPage()).page);
    },
  );

  browserIt(
    'variant: the attacker first has a link mailed to themselves, then one to the victim, and keeps the first: it answers 401 after the victim resumes',
    async ({ newPage }) => {
      const attacker = (await newPage()).page;
      const { entryId, saveToken } = await startFlow(attacker);
      const kept = await sendLink(attacker, entryId, ATTACKER);
      const victimLink = await sendLink(attacker, entryId, VICTIM);
      const victim = (await newPage()).page;

      await victimResumesAndTypes(victim, victimLink);

      await oldDeviceSaysContinuedElsewhere(attacker);
      await attackerIsLockedOut(attacker, entryId, saveToken, [kept], (await newPage()).page);
    },
  );
});
