import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { parse } from 'csv-parse/sync';
import { CAMPAIGN_SHARDS, campaignKey, resumedKey } from '../../lambdas/adapters/naming';
import { linkDigest } from '../../lambdas/domain/link-digest';
import type { LocalRuntime } from '../../local/runtime';
import { deleteEntries, deleteProject, dynamodb, seedEntries, uid } from '../support/seed';
import { registerSensitive } from '../support/sensitive';
import { startTestRuntime } from '../support/runtime';

/*
 * Issue 23's "done when": `campaigns report` prints, against the local runtime, the exact figures of a campaign
 * minted with `mint-batch --campaign`, with one person's resume and one completion.
 */

const root = path.join(import.meta.dirname, '..', '..');
const run = promisify(execFile);
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const HEADLESS = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36';

const cli = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(root, 'bin', 'session-recovery-cli.js'), '--endpoint', runtime.apiUrl, ...args]);
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

let runtime: LocalRuntime;
const dir = mkdtempSync(path.join(tmpdir(), 'sr-campaigns-'));
const projectId = uid('proj');
const flowId = uid('flow');
const campaign = uid('spring');
let ids: string[];

beforeAll(async () => {
  runtime = await startTestRuntime();
  ids = await seedEntries(3, projectId, flowId);
  const created = await cli(['--json', 'credentials', 'create', '--project', projectId, '--label', 'campaigns']);
  registerSensitive((JSON.parse(created.stdout) as { secret: string }).secret);
}, 60_000);
afterAll(async () => {
  await runtime.stop();
  await deleteEntries([
    ...ids,
    ...ids.map(resumedKey),
    ...Array.from({ length: CAMPAIGN_SHARDS }, (_, shard) => campaignKey(projectId, campaign, shard)),
    ...Array.from({ length: CAMPAIGN_SHARDS }, (_, shard) => campaignKey(projectId, 'autumn', shard)),
  ]);
  await deleteProject(projectId);
  rmSync(dir, { recursive: true, force: true });
});

/** Moves a link's recorded mint time an hour back, past the early window, as if its email had been read an hour later. */
const readAnHourLater = async (entryId: string, token: string): Promise<void> => {
  await dynamodb.send(
    new UpdateItemCommand({
      TableName: process.env.TABLE_NAME,
      Key: { entry_id: { S: entryId } },
      UpdateExpression: 'SET links.#d.t = :t',
      ExpressionAttributeNames: { '#d': linkDigest(token) },
      ExpressionAttributeValues: { ':t': { N: String(Math.floor(Date.now() / 1000) - 3600) } },
    }),
  );
};

const resume = (entryId: string, link: { token: string; expires_at: string }, userAgent: string) =>
  fetch(`${runtime.apiUrl}/v1/load-entry-data`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'user-agent': userAgent },
    body: JSON.stringify({ project_id: projectId, flow_id: flowId, entry_id: entryId, token: link.token, expires_at: link.expires_at }),
  });

describe('campaigns report against the local runtime', () => {
  it('prints the exact figures of a mint-batch campaign: 3 links, 1 entry resumed by a person (twice, a scanner apart), 1 completion, 100%', async () => {
    const input = path.join(dir, 'entries.csv');
    const output = path.join(dir, 'links.csv');
    writeFileSync(input, `entry_id\n${ids.join('\n')}\n`);
    const minted = await cli(['mint-batch', '--project', projectId, '--input', input, '--output', output, '--campaign', campaign]);
    expect(minted.code).toBe(0);
    const [header, ...rows] = parse(readFileSync(output)) as string[][];
    const links = rows.map((r) => ({ token: r[header.indexOf('token')], expires_at: r[header.indexOf('expires_at')] }));
    links.forEach((l) => registerSensitive(l.token));
    const [person, scanned] = [0, 1];
    await readAnHourLater(ids[person], links[person].token);
    await readAnHourLater(ids[scanned], links[scanned].token);
    // One person opens their link twice; a mail scanner opens another: one entry resumed.
    expect((await resume(ids[person], links[person], CHROME)).status).toBe(200);
    expect((await resume(ids[person], links[person], CHROME)).status).toBe(200);
    expect((await resume(ids[scanned], links[scanned], HEADLESS)).status).toBe(200);
    const completed = await cli(['entries', 'complete', '--project', projectId, '--entry', ids[person]]);
    expect(completed.stdout).toContain(`(campaign ${campaign})`);
    // A repeat completion counts nothing.
    expect((await cli(['entries', 'complete', '--project', projectId, '--entry', ids[person]])).code).toBe(0);

    const json = await cli(['campaigns', 'report', '--project', projectId, '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual([{ campaign, links_minted: 3, entries_resumed: 1, completions: 1, recovery_rate: 1 }]);
    const one = await cli(['campaigns', 'report', '--project', projectId, '--campaign', campaign, '--json']);
    expect(JSON.parse(one.stdout)).toEqual([{ campaign, links_minted: 3, entries_resumed: 1, completions: 1, recovery_rate: 1 }]);

    const table = await cli(['campaigns', 'report', '--project', projectId]);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n').map((l) => l.split(/\s{2,}/))).toEqual([
      ['campaign', 'links minted', 'entries resumed', 'completions', 'recovery rate'],
      [campaign, '3', '1', '1', '100.0%'],
      [''],
    ]);
  }, 60_000);

  it('lists every campaign of the project in name order, one without a resume at rate "-" (null), and refuses an unknown one with 404 not_found (exit 1)', async () => {
    const minted = await cli(['--json', 'mint', '--project', projectId, '--entry', ids[2], '--campaign', 'autumn']);
    expect(minted.code).toBe(0);
    registerSensitive((JSON.parse(minted.stdout) as { token: string }).token);
    const json = JSON.parse((await cli(['campaigns', 'report', '--project', projectId, '--json'])).stdout) as Array<{
      campaign: string;
      recovery_rate: number | null;
    }>;
    expect(json.map((c) => [c.campaign, c.recovery_rate])).toEqual([
      ['autumn', null],
      [campaign, 1],
    ]);
    expect((await cli(['campaigns', 'report', '--project', projectId])).stdout).toMatch(/^autumn\s+1\s+0\s+0\s+-$/m);
    const unknown = await cli(['campaigns', 'report', '--project', projectId, '--campaign', 'never-sent']);
    expect([unknown.code, unknown.stderr]).toEqual([1, 'Error 404 not_found: No link was ever minted in campaign never-sent of this project.\n']);
  }, 60_000);
});
