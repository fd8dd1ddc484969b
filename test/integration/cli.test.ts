import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../local/moto';
import type { LocalRuntime } from '../../local/runtime';
import { deleteEntry, deleteProject, seedEntry, uid } from '../support/seed';
import { registerSensitive } from '../support/sensitive';
import { startTestRuntime } from '../support/runtime';

const root = path.join(import.meta.dirname, '..', '..');
const run = promisify(execFile);

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the real `session-recovery` command in a child process. */
const cli = async (args: string[], env: Record<string, string> = {}): Promise<CliResult> => {
  try {
    const { stdout, stderr } = await run(process.execPath, [path.join(root, 'bin', 'session-recovery-cli.js'), ...args], {
      env: { ...process.env, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

/** Runs the command with `input` on its standard input, as `printf '%s' "$KEY" | session-recovery …` does. */
const cliWithInput = (input: string, args: string[]): Promise<CliResult> =>
  new Promise((resolve) => {
    const child = execFile(process.execPath, [path.join(root, 'bin', 'session-recovery-cli.js'), ...args], (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
    child.stdin!.end(input);
  });

let runtime: LocalRuntime;
beforeAll(async () => {
  runtime = await startTestRuntime();
});
afterAll(async () => {
  await runtime.stop();
});

const resume = async (body: Record<string, string>) =>
  fetch(`${runtime.apiUrl}/v1/load-entry-data`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('the journey from a shell, against the local runtime', () => {
  const projectId = uid('proj');
  const flowId = uid('flow');
  const entryId = uid('entry');
  afterAll(async () => {
    await deleteEntry(entryId);
    await deleteProject(projectId);
  });

  it('create a credential → save an entry → mint → load-entry-data returns the entry', async () => {
    const ep = ['--endpoint', runtime.apiUrl, '--json'];
    const created = await cli([...ep, 'credentials', 'create', '--project', projectId, '--label', 'Token Signing Secret']);
    expect(created.code).toBe(0);
    expect(created.stderr).toContain('shown once');
    const { secret } = JSON.parse(created.stdout) as { secret: string };

    const put = await cli([
      ...ep,
      'entries',
      'put',
      '--entry',
      entryId,
      '--project',
      projectId,
      '--flow',
      flowId,
      '--page',
      'page_2',
      '--data',
      '{"name":"Ada","age":36}',
    ]);
    expect(put.code).toBe(0);

    const minted = await cli([...ep, 'mint', '--project', projectId, '--entry', entryId, '--resume-url', 'https://quiz.example.com/flow']);
    expect(minted.code).toBe(0);
    const link = JSON.parse(minted.stdout) as { token: string; expires_at: string; url: string };
    const url = new URL(link.url);

    const res = await resume({
      flow_id: flowId,
      project_id: projectId,
      entry_id: url.searchParams.get('entry_id')!,
      token: url.searchParams.get('token')!,
      expires_at: url.searchParams.get('expires_at')!,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ entry: { name: 'Ada', age: 36, entry_id: entryId, current_page_key: 'page_2' } });

    // The same with a token computed outside the product from the returned secret and the seed's formula.
    const expiresAt = '2099-12-31T23:59:59.000Z';
    const token = createHash('sha256').update(`${secret}---${entryId}---${expiresAt}`).digest('hex');
    expect((await resume({ flow_id: flowId, project_id: projectId, entry_id: entryId, token, expires_at: expiresAt })).status).toBe(200);
  });

  it('the README journey in human output: create says what it revoked, mint prints a curl and a resume command, resume prints the entry', async () => {
    const project = uid('proj');
    const entry = uid('entry');
    const ep = ['--endpoint', runtime.apiUrl];
    try {
      const first = await cli([...ep, 'credentials', 'create', '--project', project, '--label', 'Token Signing Secret']);
      expect(first.stdout.split('\n')[1]).toBe(`It is the only active credential of ${project} in this environment.`);
      const firstId = /^Created credential (cred_\w+) /.exec(first.stdout)?.[1];
      const second = await cli([...ep, 'credentials', 'create', '--project', project, '--label', 'Rotated']);
      expect(second.stdout.split('\n')[1]).toBe(
        `Revoked the other active credentials of this environment: ${firstId}. Links they signed stop verifying within the key cache TTL (60 s by default).`,
      );
      expect(
        (
          await cli([
            ...ep,
            'entries',
            'put',
            '--entry',
            entry,
            '--project',
            project,
            '--flow',
            flowId,
            '--page',
            'page_3',
            '--data',
            '{"first_name":"Ada","plan":"team"}',
          ])
        ).code,
      ).toBe(0);

      const minted = await cli([...ep, 'mint', '--project', project, '--entry', entry, '--resume-url', 'https://www.example.com/flow']);
      expect(minted.code).toBe(0);
      const lines = minted.stdout.split('\n');
      const link = lines[0];
      expect(link).toMatch(/^https:\/\/www\.example\.com\/flow\?token=[0-9a-f]{64}&entry_id=/);
      expect(lines).toContain(`flow_id     ${flowId}`);
      const curl = lines.find((l) => l.startsWith('  curl '))!.trim();
      const resumeCommand = lines.find((l) => l.includes(' resume --project '))!.trim();
      expect(resumeCommand).toBe(`session-recovery --endpoint '${runtime.apiUrl}' resume --project ${project} --flow ${flowId} '${link}'`);
      const entryJson = { first_name: 'Ada', plan: 'team', entry_id: entry, current_page_key: 'page_3' };

      // The printed curl, as pasted into a shell.
      const { stdout } = await run('sh', ['-c', `${curl} -w '\\n%{http_code}'`]);
      expect(stdout).toBe(`${JSON.stringify({ entry: entryJson })}\n200`);

      const resumed = await cli([...ep, 'resume', '--project', project, '--flow', flowId, link]);
      expect(resumed).toEqual({ code: 0, stdout: `Resumed entry ${entry} on page page_3:\n${JSON.stringify(entryJson, null, 2)}\n`, stderr: '' });
      const asJson = await cli([...ep, '--json', 'resume', '--project', project, '--flow', flowId, link]);
      expect(asJson.code).toBe(0);
      expect(JSON.parse(asJson.stdout)).toEqual({ entry: entryJson });
    } finally {
      await deleteEntry(entry);
      await deleteProject(project);
    }
  });

  it("creates a sending provider's credential as docs/recipes/README.md does: replacing only that provider's, leaving the project's own alone", async () => {
    const project = uid('proj');
    const ep = ['--endpoint', runtime.apiUrl];
    const idOf = (stdout: string) => /^Created credential (cred_\w+) /.exec(stdout)?.[1];
    try {
      const own = await cli([...ep, 'credentials', 'create', '--project', project, '--label', 'backend']);
      const braze = await cli([...ep, 'credentials', 'create', '--project', project, '--label', 'braze', '--provider', 'braze']);
      expect(braze.stdout.split('\n')[1]).toBe(`It is the only active credential of provider braze of ${project} in this environment.`);
      const braze2 = await cli([...ep, 'credentials', 'create', '--project', project, '--label', 'braze', '--provider', 'braze']);
      expect(braze2.stdout.split('\n')[1]).toBe(
        `Revoked the other active credentials of provider braze of this environment: ${idOf(braze.stdout)}. Links they signed stop verifying within the key cache TTL (60 s by default).`,
      );
      const listed = JSON.parse((await cli([...ep, '--json', 'credentials', 'list', '--project', project])).stdout) as {
        credentials: Array<{ credential_id: string; status: string; provider?: string }>;
      };
      expect(listed.credentials.map((c) => [c.credential_id, c.status, c.provider])).toEqual(
        expect.arrayContaining([
          [idOf(own.stdout), 'active', undefined],
          [idOf(braze.stdout), 'revoked', 'braze'],
          [idOf(braze2.stdout), 'active', 'braze'],
        ]),
      );
    } finally {
      await deleteProject(project);
    }
  });

  it("rotates as docs/security.md's checklist does: create --no-replace keeps the old credential active, then revoke retires it alone", async () => {
    const project = uid('proj');
    const ep = ['--endpoint', runtime.apiUrl];
    const idOf = (stdout: string) => /^Created credential (cred_\w+) /.exec(stdout)?.[1];
    const statuses = async () =>
      (
        JSON.parse((await cli([...ep, '--json', 'credentials', 'list', '--project', project])).stdout) as {
          credentials: Array<{ credential_id: string; status: string }>;
        }
      ).credentials
        .map((c) => [c.credential_id, c.status])
        .sort();
    try {
      const old = idOf((await cli([...ep, 'credentials', 'create', '--project', project, '--label', 'old'])).stdout)!;
      const rotated = await cli([...ep, 'credentials', 'create', '--project', project, '--label', 'new', '--no-replace']);
      expect(rotated.stdout.split('\n')[1]).toBe('Other credentials stay valid.');
      const fresh = idOf(rotated.stdout)!;
      expect(await statuses()).toEqual(
        [
          [old, 'active'],
          [fresh, 'active'],
        ].sort(),
      );

      expect(await cli([...ep, 'credentials', 'revoke', '--project', project, '--credential', old])).toEqual({
        code: 0,
        stdout: `Revoked ${old}. Links it signed stop verifying within the key cache TTL (60 s by default) on each Lambda instance; at once on the local runtime.\n`,
        stderr: '',
      });
      expect(await statuses()).toEqual(
        [
          [old, 'revoked'],
          [fresh, 'active'],
        ].sort(),
      );
    } finally {
      await deleteProject(project);
    }
  });

  it('resume: a tampered link exits 1 with the code and message; a damaged one is repaired as the browser clients repair it', async () => {
    const ep = ['--endpoint', runtime.apiUrl];
    const offset = new Date(Date.now() + 86400_000 + 3600_000).toISOString().slice(0, 19) + '+01:00';
    const minted = await cli([
      ...ep,
      '--json',
      'mint',
      '--project',
      projectId,
      '--entry',
      entryId,
      '--expires-at',
      offset,
      '--resume-url',
      'https://quiz.example.com/flow',
    ]);
    const { url } = JSON.parse(minted.stdout) as { url: string };
    expect(url).toContain('%2B01%3A00');

    const tampered = url.replace(/token=(.)/, (_m, c: string) => `token=${c === 'a' ? 'b' : 'a'}`);
    const refused = await cli([...ep, 'resume', '--project', projectId, '--flow', flowId, tampered]);
    expect([refused.code, refused.stdout]).toEqual([1, '']);
    expect(refused.stderr).toMatch(
      new RegExp(
        '^Error 401 invalid_token: The link is not valid: its token does not match\\. Ask for a new link\\.\\n' +
          `Likely cause: the link was not signed by an active credential of project ${projectId} in this deployment's environment \\(its active credentials: cred_\\w+ \\(production\\)\\): ` +
          'it was made for another project, signed with a credential since revoked or replaced, or changed when it was copied\\.\\n$',
      ),
    );

    // Built without URL-encoding ("+" arrives as a space) and passed through a mail system ("&" as "&amp;").
    const damaged = url.replace('%2B01%3A00', '+01:00').replaceAll('%3A', ':').replaceAll('&', '&amp;');
    const repaired = await cli([...ep, '--json', 'resume', '--project', projectId, '--flow', flowId, damaged]);
    expect(repaired.code).toBe(0);
    expect(JSON.parse(repaired.stdout)).toEqual({ entry: { name: 'Ada', age: 36, entry_id: entryId, current_page_key: 'page_2' } });

    const cut = await cli([...ep, 'resume', '--project', projectId, '--flow', flowId, url.split('&')[0]]);
    expect(cut).toEqual({ code: 2, stdout: '', stderr: 'The link lacks token, entry_id or expires_at: was it cut off when it was copied?\n' });
  });

  describe('resume names the likely cause of a refused link, from what the admin API can tell', () => {
    const ep = () => ['--endpoint', runtime.apiUrl];
    const mintedUrl = async () =>
      (
        JSON.parse(
          (await cli([...ep(), '--json', 'mint', '--project', projectId, '--entry', entryId, '--resume-url', 'https://quiz.example.com/flow'])).stdout,
        ) as { url: string }
      ).url;

    it('a mistyped --project: no credential there', async () => {
      const url = await mintedUrl();
      const result = await cli([...ep(), 'resume', '--project', `${projectId}x`, '--flow', flowId, url]);
      expect([result.code, result.stderr.split('\n')[1]]).toEqual([
        1,
        `Likely cause: project ${projectId}x has no Token Signing Secret in this deployment: is --project right? (session-recovery credentials list --project ${projectId}x lists a project's credentials.)`,
      ]);
    });

    it('a wrong --flow: the entry is in another flow', async () => {
      const result = await cli([...ep(), 'resume', '--project', projectId, '--flow', 'flow_other', await mintedUrl()]);
      expect([result.code, result.stderr.split('\n')[1]]).toEqual([
        1,
        `Likely cause: entry ${entryId} is in flow ${flowId}, not flow_other: give --flow ${flowId}.`,
      ]);
    });

    it('a project whose every credential was revoked', async () => {
      const project = uid('proj');
      try {
        const created = JSON.parse((await cli([...ep(), '--json', 'credentials', 'create', '--project', project, '--label', 'only'])).stdout) as {
          credential: { credential_id: string };
          secret: string;
        };
        registerSensitive(created.secret);
        expect((await cli([...ep(), 'credentials', 'revoke', '--project', project, '--credential', created.credential.credential_id])).code).toBe(0);
        const at = '2099-01-01T00:00:00.000Z';
        const token = createHash('sha256').update(`${created.secret}---${entryId}---${at}`).digest('hex');
        const result = await cli([
          ...ep(),
          'resume',
          '--project',
          project,
          '--flow',
          flowId,
          `https://quiz.example.com/?token=${token}&entry_id=${entryId}&expires_at=${encodeURIComponent(at)}`,
        ]);
        expect(result.stderr.split('\n')[1]).toBe(
          `Likely cause: every credential of project ${project} is revoked, so none of its links verify: create one (session-recovery credentials create --project ${project} --label …) and mint a new link.`,
        );
      } finally {
        await deleteProject(project);
      }
    });
  });

  it('mint --short without --resume-url is a usage error (exit 2) naming --resume-url, and sends nothing', async () => {
    expect(await cli(['--endpoint', 'http://127.0.0.1:9', 'mint', '--project', projectId, '--entry', entryId, '--short'])).toEqual({
      code: 2,
      stdout: '',
      stderr: '--short needs --resume-url: a short link redirects to the full link.\n',
    });
  });

  it('a misspelt option is reported as unknown, with the one it may mean, not as the required option missing', async () => {
    const result = await cli(['--endpoint', runtime.apiUrl, 'mint', '--projet', projectId, '--entry', entryId]);
    expect([result.code, result.stderr.split('\n')[0]]).toEqual([2, "error: unknown option '--projet' (did you mean --project?)"]);
    // Values that look like options, and variadic options' values, are not options.
    const origins = await cli([
      '--endpoint',
      runtime.apiUrl,
      '--json',
      'projects',
      'origins',
      'set',
      '--project',
      uid('proj'),
      '--origin',
      'https://a.example',
      'https://b.example',
      '--bogus',
    ]);
    expect([origins.code, origins.stderr.split('\n')[0]]).toEqual([2, "error: unknown option '--bogus'"]);
  });

  it("pointed at the legacy contract's port, says where its routes are", async () => {
    const result = await cli(['--endpoint', runtime.legacyUrl, 'credentials', 'list', '--project', projectId]);
    expect([result.code, result.stderr.split('\n').slice(1)]).toEqual([
      1,
      [
        "That is the legacy contract's URL (the local runtime's LEGACY_PORT, or the stack's LegacyLoadEntryDataUrl). This command's routes are on the API's: the local runtime's PORT (http://127.0.0.1:3000 unless PORT says otherwise), or the stack's ApiUrl output.",
        '',
      ],
    ]);
  });

  it('mint refuses an entry that does not exist: exit 1, 404 entry_not_found', async () => {
    const result = await cli(['--endpoint', runtime.apiUrl, 'mint', '--project', projectId, '--entry', 'entry_never_saved']);
    expect(result.code).toBe(1);
    // The CLI names its own command where the API names its route.
    expect(result.stderr).toBe(
      `Error 404 entry_not_found: There is no entry entry_never_saved in project ${projectId}: save it (session-recovery entries put --entry entry_never_saved --project ${projectId} --flow <flow_id> --page <page> --data '{…}') before minting a link to it.\n`,
    );
  });

  it('prints human-readable output by default', async () => {
    const listed = await cli(['--endpoint', runtime.apiUrl, 'credentials', 'list', '--project', projectId]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/^cred_[0-9a-f]{20}\s+active\s+sha256\s+production\s+\S+\s+Token Signing Secret$/m);
    expect(listed.stdout).not.toContain('tss_');
  });

  it('exits 1 with the error on stderr when the API refuses', async () => {
    const result = await cli(['--endpoint', runtime.apiUrl, 'mint', '--project', uid('proj'), '--entry', entryId]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^Error 409 no_active_credential: /);
  });

  it('exits 2 on a usage error and 3 when the API cannot be reached', async () => {
    expect((await cli(['--endpoint', runtime.apiUrl, 'mint', '--entry', 'e'])).code).toBe(2);
    expect((await cli(['credentials', 'list', '--project', 'p'], { SESSION_RECOVERY_ENDPOINT: '' })).code).toBe(2);
    const unreachable = await cli(['--endpoint', 'http://127.0.0.1:9', 'credentials', 'list', '--project', 'p']);
    expect(unreachable.code).toBe(3);
  });

  it('says to start the local runtime when nothing listens on a loopback endpoint', async () => {
    const closed = await freePort();
    const result = await cli(['--endpoint', `http://127.0.0.1:${closed}`, 'credentials', 'list', '--project', 'p']);
    expect(result).toEqual({
      code: 3,
      stdout: '',
      stderr: `Could not reach http://127.0.0.1:${closed} (ECONNREFUSED). Is the local runtime running? Start it with \`npm start\` in the session-recovery folder (it listens on http://127.0.0.1:3000 unless PORT says otherwise).\n`,
    });
  });

  it("sets and clears a project's allowed origins, and revokes an entry's links", async () => {
    const ep = ['--endpoint', runtime.apiUrl];
    const set = await cli([...ep, 'projects', 'origins', 'set', '--project', projectId, '--origin', 'https://a.example', 'https://*.b.example']);
    expect(set.code).toBe(0);
    expect(set.stdout).toBe(`Allowed origins of ${projectId}:\nhttps://a.example\nhttps://*.b.example\n`);
    expect((await cli([...ep, '--json', 'projects', 'origins', 'get', '--project', projectId])).stdout).toContain('https://*.b.example');
    expect((await cli([...ep, 'projects', 'origins', 'clear', '--project', projectId])).code).toBe(0);
    const revoked = await cli([...ep, 'entries', 'revoke-links', '--entry', entryId, '--project', projectId]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/issued before \d{4}-\d\d-\d\dT/);
    const completed = await cli([...ep, 'entries', 'complete', '--entry', entryId, '--project', projectId]);
    expect([completed.code, completed.stdout]).toEqual([
      0,
      expect.stringMatching(new RegExp(`^Entry ${entryId} completed at \\d{4}-\\d\\d-\\d\\dT[^ ]+\\.\n$`)),
    ]);
    const again = await cli([...ep, '--json', 'entries', 'complete', '--entry', entryId, '--project', projectId]);
    expect(JSON.parse(again.stdout)).toEqual({ entry_id: entryId, completed_at: expect.any(String) });
  });

  it('turns browser saves on only once the project has its own origins, with the countries link requests may text, shows it, and turns them off', async () => {
    const ep = ['--endpoint', runtime.apiUrl];
    const project = uid('proj');
    const refused = await cli([...ep, 'projects', 'browser-saves', 'enable', '--project', project]);
    expect([refused.code, refused.stderr]).toEqual([
      1,
      `Error 409 origins_required: Browser saves need the project's own allowed origins, without a bare "*": set them first (session-recovery projects origins set --project ${project} --origin https://www.example.com).\n`,
    ]);
    expect((await cli([...ep, 'projects', 'origins', 'set', '--project', project, '--origin', 'https://quiz.example'])).code).toBe(0);
    const on = await cli([...ep, 'projects', 'browser-saves', 'enable', '--project', project]);
    expect([on.code, on.stdout]).toEqual([0, `Browser saves are on for ${project}: pages on its allowed origins may create entries and save progress.\n`]);
    expect(JSON.parse((await cli([...ep, '--json', 'projects', 'browser-saves', 'status', '--project', project])).stdout)).toEqual({
      enabled: true,
      sms_countries: [],
    });
    const texting = await cli([...ep, 'projects', 'browser-saves', 'enable', '--project', project, '--sms-country', 'us', 'GB']);
    expect([texting.code, texting.stdout]).toEqual([
      0,
      `Browser saves are on for ${project}: pages on its allowed origins may create entries and save progress. Link requests may text numbers of GB, US.
`,
    ]);
    expect(JSON.parse((await cli([...ep, '--json', 'projects', 'browser-saves', 'status', '--project', project])).stdout)).toEqual({
      enabled: true,
      sms_countries: ['GB', 'US'],
    });
    const off = await cli([...ep, 'projects', 'browser-saves', 'disable', '--project', project]);
    expect([off.code, off.stdout]).toEqual([0, `Browser saves are off for ${project}.\n`]);
    await deleteProject(project);
  });

  it("sets a flow's resume policy, shows it, refuses a malformed pointer, and clears it", async () => {
    const ep = ['--endpoint', runtime.apiUrl];
    const project = uid('proj');
    const flow = uid('flow');
    const set = await cli([
      ...ep,
      'resume-policy',
      'set',
      '--project',
      project,
      '--flow',
      flow,
      '--withhold',
      'card_number',
      '/address/postcode',
      '--verify-field',
      'email',
    ]);
    expect([set.code, set.stdout]).toEqual([
      0,
      `Flow ${flow}: withholds card_number, /address/postcode; asks the person to confirm email. Changes take effect within the key cache TTL.\n`,
    ]);
    expect(JSON.parse((await cli([...ep, '--json', 'resume-policy', 'get', '--project', project, '--flow', flow])).stdout)).toEqual({
      flow_id: flow,
      withheld_fields: ['card_number', '/address/postcode'],
      verify_field: 'email',
    });
    const bad = await cli([...ep, 'resume-policy', 'set', '--project', project, '--flow', flow, '--withhold', '/a/~2']);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringMatching(/^Error 400 invalid_request: .*withheld_fields/)]);
    const cleared = await cli([...ep, 'resume-policy', 'clear', '--project', project, '--flow', flow]);
    expect([cleared.code, cleared.stdout]).toEqual([0, `Flow ${flow}: withholds nothing; no second factor. Changes take effect within the key cache TTL.\n`]);
    await deleteProject(project);
  });

  it('imports and retires a legacy key', async () => {
    const flow = uid('flow');
    const project = uid('proj');
    const unbound = await cli(['--endpoint', runtime.apiUrl, 'legacy', 'import', '--flow', flow, '--secret', 'legacy-secret-value']);
    expect(unbound.code).toBe(2);
    expect(unbound.stderr).toContain("required option '--project <project_id>' not specified");
    const imported = await cli(['--endpoint', runtime.apiUrl, 'legacy', 'import', '--flow', flow, '--project', project, '--secret', 'legacy-secret-value']);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`Imported the legacy key of flow ${flow} for project ${project}.`);
    const retired = await cli(['--endpoint', runtime.apiUrl, 'legacy', 'retire', '--flow', flow]);
    expect(retired.code).toBe(0);
  });

  it("imports a legacy key from standard input, as the migration guide pipes it, and legacy links of that project's flow resume", async () => {
    const flow = uid('flow');
    const project = uid('proj');
    const entryId = uid('entry');
    const key = `legacy-${uid('k')}`;
    registerSensitive(key);
    await seedEntry({ entryId, projectId: project, flowId: flow, currentPageKey: 'page_2', userData: {} });
    try {
      const imported = await cliWithInput(key, ['--endpoint', runtime.apiUrl, 'legacy', 'import', '--flow', flow, '--project', project]);
      expect([imported.code, imported.stdout]).toEqual([0, `Imported the legacy key of flow ${flow} for project ${project}.\n`]);
      const expires = '2099-01-01T00:00:00Z';
      const token = createHash('sha256').update(`${key}---${entryId}---${expires}`).digest('hex');
      const resumed = await fetch(`${runtime.legacyUrl}/`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ flow_id: flow, entry_id: entryId, token, expires }),
      });
      expect([resumed.status, await resumed.json()]).toEqual([200, { entry: { entry_id: entryId, current_page_key: 'page_2' } }]);
    } finally {
      await cli(['--endpoint', runtime.apiUrl, 'legacy', 'retire', '--flow', flow]);
      await deleteEntry(entryId);
    }
  });
});

/** Every command's help, the top level's included: `help` walks the tree its own `Commands:` sections print. */
const helpTexts = async (path: string[] = []): Promise<Array<{ path: string[]; text: string }>> => {
  const { stdout } = await cli([...path, '--help']);
  const commands = [...(stdout.split('\nCommands:\n')[1] ?? '').matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]).filter((c) => c !== 'help');
  const children = await Promise.all(commands.map((c) => helpTexts([...path, c])));
  return [{ path, text: stdout }, ...children.flat()];
};

it('gives every command and every option a help text', async () => {
  const texts = await helpTexts();
  expect(texts.length).toBeGreaterThanOrEqual(20);
  const bare: string[] = [];
  for (const { path, text } of texts) {
    if (path.length && !/^Usage: .+\n\n(?!Options:|Arguments:)\S/.test(text)) bare.push(`${path.join(' ')}: no description`);
    for (const section of ['Options:', 'Arguments:']) {
      const lines = (text.split(`\n${section}\n`)[1] ?? '').split('\n\n')[0].split('\n');
      // "  --flag <value>   what it does": a flag alone on its line has no help text.
      for (const line of lines) if (/^ {2}\S/.test(line) && !/\S {2,}\S/.test(line.trim())) bare.push(`${path.join(' ')}: ${line.trim()}`);
    }
  }
  expect(bare).toEqual([]);
}, 120_000);

it('signs calls to AWS with SigV4 using the default credential chain', async () => {
  let seen: IncomingHttpHeaders | undefined;
  const server = createServer((req, res) => {
    seen = req.headers;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"credentials":[]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    const result = await cli(
      ['--endpoint', `http://127.0.0.1:${port}`, '--sign', 'always', '--region', 'eu-west-1', 'credentials', 'list', '--project', 'p1'],
      {
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
        AWS_SESSION_TOKEN: '',
        AWS_PROFILE: '',
      },
    );
    expect(result.code).toBe(0);
    expect(seen?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(seen?.['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  } finally {
    server.close();
  }
});

it('exits 3 when the call cannot be signed (no AWS credentials anywhere), and sends nothing', async () => {
  let requests = 0;
  const server = createServer((_req, res) => {
    requests++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"credentials":[]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    const result = await cli(
      ['--endpoint', `http://127.0.0.1:${port}`, '--sign', 'always', '--region', 'eu-west-1', 'credentials', 'list', '--project', 'p1'],
      {
        AWS_ACCESS_KEY_ID: '',
        AWS_SECRET_ACCESS_KEY: '',
        AWS_SESSION_TOKEN: '',
        AWS_PROFILE: '',
        AWS_SHARED_CREDENTIALS_FILE: path.join(root, 'no-such-credentials-file'),
        AWS_CONFIG_FILE: path.join(root, 'no-such-config-file'),
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: '',
        AWS_CONTAINER_CREDENTIALS_FULL_URI: '',
        AWS_WEB_IDENTITY_TOKEN_FILE: '',
        AWS_EC2_METADATA_DISABLED: 'true',
      },
    );
    expect(result).toEqual({ code: 3, stdout: '', stderr: expect.stringMatching(/^Could not sign the request with your AWS credentials: .+\n$/) });
    expect(requests).toBe(0);
  } finally {
    server.close();
  }
});
