import type { Browser } from 'playwright-core';
import { routePath } from '../../lambdas/http/routes';
import type { LocalRuntime } from '../../local/runtime';
import { registerSensitive } from '../support/sensitive';
import { browserTest, launchBrowser } from './support/browser';
import { callApi, deleteEntry, mintLink, putEntry, uid } from './support/site';
import { startTestRuntime } from '../support/runtime';

/**
 * A flow with a verify_field (docs/second-factor.md), resumed in Chromium
 * through clients/session-recovery.js against the local runtime: the client
 * shows its one-field form, says when a value does not match, and resumes with
 * the right one; the withheld field never reaches the page.
 */

let runtime: LocalRuntime;
let browser: Browser;
const entries: string[] = [];
const flowId = uid('flow_verify');
const EMAIL = 'ola.nordmann@example.com';
registerSensitive(EMAIL, '4111111111111111');

beforeAll(async () => {
  runtime = await startTestRuntime();
  const policy = { withheld_fields: ['card_number'], verify_field: 'email' };
  expect((await callApi(runtime.apiUrl, 'PUT', `/v1/projects/${runtime.demo.projectId}/flows/${flowId}/resume-policy`, policy)).status).toBe(200);
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  for (const entryId of entries) await deleteEntry(runtime.apiUrl, entryId, runtime.demo.projectId);
  await callApi(runtime.apiUrl, 'DELETE', `/v1/projects/${runtime.demo.projectId}/flows/${flowId}/resume-policy`);
  await runtime?.stop();
});

const browserIt = browserTest(() => browser);

browserIt('resumes a flow with a verify_field through the one-field form, after a value that does not match', async ({ newPage }) => {
  const entryId = uid('entry_verify');
  entries.push(entryId);
  await putEntry(runtime.apiUrl, {
    entryId,
    projectId: runtime.demo.projectId,
    flowId,
    currentPageKey: 'page_2',
    userData: { first_name: 'Ola', email: EMAIL, card_number: '4111111111111111' },
  });
  const link = await mintLink(runtime.apiUrl, {
    project_id: runtime.demo.projectId,
    entry_id: entryId,
    resume_url: `${runtime.apiUrl}/clients/session-recovery.js`,
  });
  const { page } = await newPage();
  await page.goto(link.url);

  await page.evaluate(
    async (o) => {
      const m = (await import('/clients/session-recovery.js' as string)) as { resumeFromUrl: (options: object) => Promise<unknown> };
      Object.assign(window, { resumed: m.resumeFromUrl(o) });
    },
    { endpoint: `${runtime.apiUrl}${routePath('loadEntryData')}`, flowId, projectId: runtime.demo.projectId },
  );

  const form = page.locator('form[data-session-recovery-verify]');
  await form.waitFor();
  expect(await form.locator('label').textContent()).toBe('Confirm your email to continue');
  await form.locator('input').fill('someone.else@example.com');
  await form.locator('button').click();

  await page.locator('form[data-session-recovery-verify] [role=alert]').waitFor();
  expect(await page.locator('form[data-session-recovery-verify] [role=alert]').textContent()).toBe('That email does not match. Try again.');
  await page.locator('form[data-session-recovery-verify] input').fill(` ${EMAIL.toUpperCase()} `);
  await page.locator('form[data-session-recovery-verify] button').click();

  const entry = (await page.evaluate(() => (window as unknown as { resumed: Promise<unknown> }).resumed)) as Record<string, unknown>;
  expect(entry).toEqual({ first_name: 'Ola', email: EMAIL, entry_id: entryId, current_page_key: 'page_2', session_recovery_resumed_at: expect.any(String) });
  expect(await page.locator('form[data-session-recovery-verify]').count()).toBe(0);
});
