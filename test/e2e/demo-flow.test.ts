import { copyFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { type LocalRuntime, startLocalRuntime } from '../../local/runtime';
import { browserTest, demoOutcome, launchBrowser, RESULTS_DIR } from './support/browser';
import { callApi, deleteEntry, RequestLog } from './support/site';
import { ROUTE_LIST } from '../../lambdas/http/routes';

/** The resume route, as the local console names it. */
const { key: LOAD } = ROUTE_LIST.find((r) => r.name === 'loadEntryData')!;

/**
 * (a) The journey in a real browser, against the local runtime's own /demo page:
 * answer two pages, ask for a link, open it in a fresh browser context (another
 * device), and find the answers and the page restored by the Action snippet.
 */

const root = path.join(import.meta.dirname, '..', '..');
const log = new RequestLog();
let runtime: LocalRuntime;
let browser: Browser;

beforeAll(async () => {
  runtime = await startLocalRuntime({ port: 0, legacyPort: 0, endpoint: process.env.AWS_ENDPOINT_URL, log: log.record });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

const browserIt = browserTest(() => browser);

/** The saved entry of the demo project, as the admin API returns it: what the page saved and where. */
const savedEntry = async (entryId: string) => {
  const reply = await callApi(runtime.apiUrl, 'GET', `/v1/entries/${entryId}?project_id=${runtime.demo.projectId}`);
  expect(reply.status).toBe(200);
  const { project_id, flow_id, current_page_key, user_data } = (reply.json as { entry: Record<string, unknown> }).entry;
  return { project_id, flow_id, current_page_key, user_data };
};

describe('the demo flow at /demo', () => {
  browserIt('restores the answers and the page from a link opened in a fresh browser context', async ({ newPage }) => {
    // Arrange: the first device answers two pages and asks for a link.
    const { page } = await newPage();
    await page.goto(runtime.demoUrl);
    expect(await demoOutcome(page)).toBe('no_link');
    await page.getByLabel('First name').fill('Grace');
    await page.getByLabel('Favourite colour').selectOption('purple');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Your team' }).waitFor();
    await page.getByLabel('Team, up to 50 people').check();
    await page.getByLabel('Seats').fill('12');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Stay in touch' }).waitFor();
    await page.getByRole('button', { name: 'Send me a link to continue later' }).click();
    const linkElement = page.locator('#resume-link');
    await linkElement.waitFor();
    const link = new URL((await linkElement.getAttribute('href')) as string);
    const entryId = link.searchParams.get('entry_id') as string;

    try {
      // The link is the demo page with the three parameters, and the entry was saved on page 3.
      expect(`${link.origin}${link.pathname}`).toBe(runtime.demoUrl);
      expect([...link.searchParams.keys()]).toEqual(['token', 'entry_id', 'expires_at']);
      expect(await linkElement.textContent()).toBe(link.href);
      expect(await savedEntry(entryId)).toEqual({
        project_id: runtime.demo.projectId,
        flow_id: runtime.demo.flowId,
        current_page_key: 'page_3',
        user_data: { first_name: 'Grace', favourite_colour: 'purple', plan: 'team', seats: 12, newsletter: false },
      });
      log.clear();

      // Act: another device opens the link.
      const other = (await newPage()).page;
      await other.goto(link.href);

      // Assert: restored through one load-entry-data call, on page 3, every answer back.
      expect(await demoOutcome(other)).toBe('restored');
      expect(await other.locator('#notice-text').textContent()).toBe(
        'Welcome back, Grace! Your answers are restored: carry on where you left off.',
      );
      expect(await other.locator('#progress').textContent()).toBe('Step 3 of 3');
      expect(await other.getByRole('heading', { name: 'Stay in touch' }).isVisible()).toBe(true);
      expect(await other.getByLabel('Send me the monthly product newsletter').isChecked()).toBe(false);
      expect(log.count(`${LOAD} -> 200`)).toBe(1);
      expect(log.lines.filter((l) => l.startsWith('OPTIONS'))).toEqual([]);

      await other.getByRole('button', { name: 'Back' }).click();
      await other.getByRole('heading', { name: 'Your team' }).waitFor();
      expect(await other.getByLabel('Team, up to 50 people').isChecked()).toBe(true);
      expect(await other.getByLabel('Seats').inputValue()).toBe('12');
      await other.getByRole('button', { name: 'Back' }).click();
      await other.getByRole('heading', { name: 'About you' }).waitFor();
      expect(await other.getByLabel('First name').inputValue()).toBe('Grace');
      expect(await other.getByLabel('Favourite colour').inputValue()).toBe('purple');

      // Finishing on the second device keeps saving to the same entry.
      await other.getByRole('button', { name: 'Next' }).click();
      await other.getByRole('heading', { name: 'Your team' }).waitFor();
      await other.getByRole('button', { name: 'Next' }).click();
      await other.getByRole('heading', { name: 'Stay in touch' }).waitFor();
      await other.getByLabel('Send me the monthly product newsletter').check();
      await other.getByRole('button', { name: 'Finish' }).click();
      await other.getByRole('heading', { name: 'All set' }).waitFor();
      expect(await other.locator('#summary dd').allTextContents()).toEqual(['Grace', 'Purple', 'Team, up to 50 people', '12', 'Yes', '—']);
      expect(await savedEntry(entryId)).toEqual({
        project_id: runtime.demo.projectId,
        flow_id: runtime.demo.flowId,
        current_page_key: 'page_done',
        user_data: { first_name: 'Grace', favourite_colour: 'purple', plan: 'team', seats: 12, newsletter: true },
      });
    } finally {
      await deleteEntry(runtime.apiUrl, entryId, runtime.demo.projectId);
    }
  });

  browserIt('opens the demo link npm start prints on page 3 with the demo answers', async ({ newPage }) => {
    const { page } = await newPage();

    await page.goto(runtime.demo.link);

    expect(await demoOutcome(page)).toBe('restored');
    expect(await page.locator('#notice-text').textContent()).toBe('Welcome back, Ada! Your answers are restored: carry on where you left off.');
    expect(await page.locator('#progress').textContent()).toBe('Step 3 of 3');
    expect(await page.getByLabel('Send me the monthly product newsletter').isChecked()).toBe(true);
    expect(await page.getByLabel('Seats').inputValue()).toBe('5');
    expect(await page.getByLabel('Team, up to 50 people').isChecked()).toBe(true);
    // The README's screenshot: `npm run docs:screenshot` copies it into docs/.
    await mkdir(RESULTS_DIR, { recursive: true });
    const shot = path.join(RESULTS_DIR, 'demo-restored.png');
    await page.setViewportSize({ width: 760, height: 800 });
    await page.screenshot({ path: shot });
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') await copyFile(shot, path.join(root, 'docs', 'demo-restored.png'));
  });
});

describe('the legacy demo link npm start prints', () => {
  browserIt('opens on page 3 through the legacy snippet, and the footer names that snippet only', async ({ newPage }) => {
    const { page } = await newPage();

    await page.goto(runtime.demo.legacy.link);

    expect(await demoOutcome(page)).toBe('restored');
    expect(await page.locator('#notice-text').textContent()).toBe('Welcome back, Ada! Your answers are restored: carry on where you left off.');
    expect(await page.locator('#progress').textContent()).toBe('Step 3 of 3');
    const footer = (await page.locator('footer').textContent()) ?? '';
    expect(footer).toContain('clients/embeddables-action-legacy.js');
    expect(footer).not.toContain('clients/embeddables-action.js');
    expect(await page.locator('#mint-note').isVisible()).toBe(false);
  });
});

describe('what the runtime serves besides the API', () => {
  it('redirects /demo to /demo/ keeping the link parameters', async () => {
    const res = await fetch(`${runtime.apiUrl}/demo?token=abc&entry_id=e1`, { redirect: 'manual' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/demo/?token=abc&entry_id=e1');
  });

  it('serves the demo page with a CSP that lets it call only its own origin and the legacy URL, and no Referer', async () => {
    const res = await fetch(runtime.demoUrl);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('content-security-policy')).toBe(
      `default-src 'self'; img-src 'self' data:; connect-src 'self' ${runtime.legacyUrl}; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
    );
  });

  it('serves the Action as pasted into the demo: the file with only its @TODO values filled in', async () => {
    const source = await readFile(path.join(root, 'clients', 'embeddables-action.js'), 'utf8');
    const served = await (await fetch(`${runtime.demoUrl}action.js`)).text();
    const changed = served.split('\n').filter((line, i) => line !== source.split('\n')[i]);
    expect(served.split('\n')).toHaveLength(source.split('\n').length);
    expect(changed).toEqual([
      `const EMBEDDABLE_ID = "${runtime.demo.flowId}"              // Your Embeddable ID (sent as flow_id)`,
      `const PROJECT_ID = "${runtime.demo.projectId}"                    // Your Project ID`,
      'const LOAD_ENTRY_DATA_URL = "/v1/load-entry-data"  // The LoadEntryDataUrl output of your session-recovery stack',
    ]);
  });

  it('serves the three browser clients as they are in the repository, and nothing else from clients/', async () => {
    for (const name of ['embeddables-action.js', 'embeddables-action-legacy.js', 'session-recovery.js']) {
      const res = await fetch(`${runtime.apiUrl}/clients/${name}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(await res.text()).toBe(await readFile(path.join(root, 'clients', name), 'utf8'));
    }
    for (const p of ['/clients/cli/main.ts', '/clients/api-client.ts', '/demo/index.html', '/demo/missing.js']) {
      const res = await fetch(`${runtime.apiUrl}${p}`);
      expect(res.status).toBe(404);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('not_found');
    }
  });
});
