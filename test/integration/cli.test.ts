import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { startLocalRuntime, type LocalRuntime } from '../../local/runtime';
import { deleteEntry, deleteProject, uid } from '../support/seed';

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

let runtime: LocalRuntime;
beforeAll(async () => {
  runtime = await startLocalRuntime({ port: 0, legacyPort: 0, endpoint: process.env.AWS_ENDPOINT_URL });
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

    const put = await cli([...ep, 'entries', 'put', '--entry', entryId, '--project', projectId, '--flow', flowId, '--page', 'page_2', '--data', '{"name":"Ada","age":36}']);
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

  it('sets and clears a project\'s allowed origins, and revokes an entry\'s links', async () => {
    const ep = ['--endpoint', runtime.apiUrl];
    const set = await cli([...ep, 'projects', 'origins', 'set', '--project', projectId, '--origin', 'https://a.example', 'https://*.b.example']);
    expect(set.code).toBe(0);
    expect(set.stdout).toBe(`Allowed origins of ${projectId}:\nhttps://a.example\nhttps://*.b.example\n`);
    expect((await cli([...ep, '--json', 'projects', 'origins', 'get', '--project', projectId])).stdout).toContain('https://*.b.example');
    expect((await cli([...ep, 'projects', 'origins', 'clear', '--project', projectId])).code).toBe(0);
    const revoked = await cli([...ep, 'entries', 'revoke-links', '--entry', entryId, '--project', projectId]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout).toMatch(/issued before \d{4}-\d\d-\d\dT/);
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
});

it('signs calls to AWS with SigV4 using the default credential chain', async () => {
  let seen: IncomingHttpHeaders | undefined;
  const server = createServer((req, res) => {
    seen = req.headers;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"credentials":[]}');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const { port } = server.address() as AddressInfo;
    const result = await cli(['--endpoint', `http://127.0.0.1:${port}`, '--sign', 'always', '--region', 'eu-west-1', 'credentials', 'list', '--project', 'p1'], {
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
      AWS_SESSION_TOKEN: '',
      AWS_PROFILE: '',
    });
    expect(result.code).toBe(0);
    expect(seen?.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=[a-z0-9;-]*host[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(seen?.['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/);
  } finally {
    server.close();
  }
});
