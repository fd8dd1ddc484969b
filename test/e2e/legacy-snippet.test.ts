import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import type { LocalRuntime } from '../../local/runtime';
import { browserTest, demoOutcome, launchBrowser } from './support/browser';
import { callApi, type DemoSite, deleteEntry, resumeLine, putEntry, RequestLog, seedToken, startDemoSite, uid, siteConfig } from './support/site';
import { startTestRuntime } from '../support/runtime';

/**
 * (d) clients/embeddables-action-legacy.js in the demo page (on its own origin),
 * against the legacy contract on the runtime's legacy port: a flow with an
 * imported legacy key, and links signed with it by "the team's backend".
 */

const log = new RequestLog();
let runtime: LocalRuntime;
let site: DemoSite;
let browser: Browser;
const projectId = uid('proj_legacy');
const flowId = uid('flow_legacy');
const legacyKey = `legacy_${randomBytes(24).toString('hex')}`;

beforeAll(async () => {
  runtime = await startTestRuntime({ log: log.record });
  expect((await callApi(runtime.apiUrl, 'PUT', `/v1/legacy/flows/${flowId}/key`, { secret: legacyKey, project_id: projectId })).status).toBe(204);
  site = await startDemoSite();
  site.config = siteConfig(runtime, { projectId, flowId });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await site?.close();
  if (runtime) expect((await callApi(runtime.apiUrl, 'DELETE', `/v1/legacy/flows/${flowId}/key`)).status).toBe(204);
  await runtime?.stop();
});

const browserIt = browserTest(() => browser);

const seedEntry = async () => {
  const entryId = uid('entry_legacy');
  await putEntry(runtime.apiUrl, {
    entryId,
    projectId,
    flowId,
    currentPageKey: 'page_3',
    userData: { first_name: 'Ines', plan: 'team', newsletter: true },
  });
  return { entryId, cleanup: () => deleteEntry(runtime.apiUrl, entryId, projectId) };
};

describe('the legacy Action snippet against the legacy port', () => {
  browserIt('restores from a legacy link, repairing its unencoded +01:00 offset, with no preflight', async ({ newPage }) => {
    const { entryId, cleanup } = await seedEntry();
    try {
      const expires = new Date(Date.now() + 86_400_000 + 3_600_000).toISOString().replace('Z', '+01:00');
      const token = seedToken(legacyKey, entryId, expires);
      const { page, console } = await newPage();
      log.clear();

      // Built as the legacy guide's backend example builds it: no encoding.
      await page.goto(`${site.demoUrl}?snippet=legacy&token=${token}&entry_id=${entryId}&expires_at=${expires}`);

      expect(await demoOutcome(page)).toBe('restored');
      expect(await page.locator('#notice-text').textContent()).toBe('Welcome back, Ines! Your answers are restored: carry on where you left off.');
      expect(await page.getByRole('heading', { name: 'Stay in touch' }).isVisible()).toBe(true);
      expect(await page.getByLabel('Send me the monthly product newsletter').isChecked()).toBe(true);
      expect(log.lines).toEqual([resumeLine('[legacy] POST /')]);
      expect(console).toContain(
        'warning: Session recovery: this page uses the deprecated legacy endpoint; migrate to the current one (see docs/migrating-from-legacy.md)',
      );
      // Legacy links are minted by the team's backend, so the page offers none.
      expect(await page.getByRole('button', { name: 'Send me a link to continue later' }).isHidden()).toBe(true);
    } finally {
      await cleanup();
    }
  });

  browserIt('refuses a tampered legacy link with its message, and starts over in legacy mode', async ({ newPage }) => {
    const { entryId, cleanup } = await seedEntry();
    try {
      const expires = new Date(Date.now() + 86_400_000).toISOString();
      const token = seedToken(legacyKey, entryId, expires).replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
      const { page, console } = await newPage();
      log.clear();

      await page.goto(`${site.demoUrl}?${new URLSearchParams({ snippet: 'legacy', token, entry_id: entryId, expires_at: expires })}`);

      expect(await demoOutcome(page)).toBe('failed');
      expect(await page.locator('#notice-text').textContent()).toBe(
        'This link is not valid any more. It may have been changed, or withdrawn. You can start over.',
      );
      expect(log.lines).toEqual([`[legacy] POST / -> 401 invalid_token (no key of flow ${flowId} matched (1 tried))`]);
      expect(console.filter((l) => l.startsWith('error: Session recovery failed (invalid_token)'))).toHaveLength(1);
      await page.getByRole('button', { name: 'Start over' }).click();
      expect(page.url()).toBe(`${site.demoUrl}?snippet=legacy`);
    } finally {
      await cleanup();
    }
  });

  it('reads links with the same repairs as the current snippet: each is a standalone paste, so npm run build:clients copies the code into both', async () => {
    const readResumeLink = async (name: string) => {
      const source = await readFile(path.join(import.meta.dirname, '..', '..', 'clients', name), 'utf8');
      return /\n {2}function readLinkParameters\(search, names\) \{\n[\s\S]*?\n {2}\}\n/.exec(source)?.[0];
    };

    const legacy = await readResumeLink('embeddables-action-legacy.js');

    expect(legacy).toContain("'$1+$2'");
    expect(legacy).toBe(await readResumeLink('embeddables-action.js'));
  });
});
