import { CreateSecretCommand, GetSecretValueCommand, ListSecretVersionIdsCommand } from '@aws-sdk/client-secrets-manager';
import { secretsManager } from '../../lambdas/adapters/clients';
import { projectSecretName } from '../../lambdas/adapters/naming';
import { SecretsManagerProjectStore } from '../../lambdas/adapters/secrets-manager-project-store';
import { updateOptimistically } from '../../lambdas/domain/optimistic-update';
import type { VersionedStore } from '../../lambdas/domain/ports';
import { addCredential, CorruptSecretError, type ProjectSecretDocument } from '../../lambdas/domain/project-keys';
import { computeToken } from '../../lambdas/domain/token';
import { routeEvent } from '../fixtures/admin-events';
import { loadEntryEvent } from '../fixtures/events';
import { captureLines } from '../support/capture-lines';
import { errorOf, invoke } from '../support/http';
import { credential, deleteEntry, deleteProject, secrets, seedEntry, seedProject, uid } from '../support/seed';
import { registerSensitive } from '../support/sensitive';
import { lambda, testEnvironment } from '../support/lambdas';

const env = testEnvironment({ KEY_CACHE_TTL_SECONDS: '0' });
const credentials = await lambda('credentials', env);
const loadEntryData = await lambda('load-entry-data', env);

const PREFIX = process.env.SECRET_PREFIX as string;
const CREATE = 'createCredential';
const LIST = 'listCredentials';
const FUTURE = '2099-05-01T00:00:00.000Z';
const store = new SecretsManagerProjectStore(secretsManager, PREFIX);

let projectId: string;
beforeEach(() => {
  projectId = uid('proj');
});
afterEach(async () => {
  await deleteProject(projectId).catch(() => undefined);
});

const storedText = async () => (await secrets.send(new GetSecretValueCommand({ SecretId: projectSecretName(PREFIX, projectId) }))).SecretString;

describe("two writers creating a project's first secret at the same time", () => {
  it("both credentials survive: exactly one CreateSecret wins, the other retries as an update of the winner's version", async () => {
    // Each writer's first read waits for the other's, so both see "no secret yet" and both try to create it.
    let arrived = 0;
    let bothRead!: () => void;
    const barrier = new Promise<void>((resolve) => (bothRead = resolve));
    const writes: Array<{ writer: string; expected: string | undefined; won: boolean }> = [];
    const writer = (name: string): VersionedStore<ProjectSecretDocument> => {
      let first = true;
      return {
        read: async (key) => {
          const read = await store.read(key);
          if (first) {
            first = false;
            if (++arrived === 2) bothRead();
            await barrier;
          }
          return read;
        },
        compareAndSwap: async (key, value, expected) => {
          const won = await store.compareAndSwap(key, value, expected);
          writes.push({ writer: name, expected, won });
          return won;
        },
      };
    };
    const create = (name: string) =>
      updateOptimistically(writer(name), projectId, (doc) => {
        const next = addCredential(projectId, doc, { label: name, environment: 'production', replace: false, now: new Date() });
        return { value: next.doc, result: next.credential };
      });

    const created = await Promise.all([create('a'), create('b')]);
    registerSensitive(...created.map((c) => c.secret));

    // Both first tried to create; one won, and the loser's retry updated the version the winner created.
    expect(writes.slice(0, 2).map((w) => w.expected)).toEqual([undefined, undefined]);
    expect(
      writes
        .slice(0, 2)
        .map((w) => w.won)
        .sort(),
    ).toEqual([false, true]);
    const loser = writes.slice(0, 2).find((w) => !w.won)!.writer;
    expect(writes.slice(2)).toEqual([{ writer: loser, expected: expect.any(String), won: true }]);

    const stored = await store.read(projectId);
    expect(stored?.value.credentials.map((c) => c.credential_id).sort()).toEqual(created.map((c) => c.credential_id).sort());
    expect(stored?.value.credentials.every((c) => c.status === 'active')).toBe(true);
    const versions = await secrets.send(new ListSecretVersionIdsCommand({ SecretId: projectSecretName(PREFIX, projectId) }));
    const current = versions.Versions?.filter((v) => v.VersionStages?.includes('AWSCURRENT')).map((v) => v.VersionId);
    expect(current).toEqual([stored?.version]);
  });

  it('through the credentials API: both requests answer 201 and both secrets verify', async () => {
    const flowId = uid('flow');
    const entryId = uid('entry');
    await seedEntry({ entryId, projectId, flowId, currentPageKey: 'p1', userData: { a: 1 } });
    try {
      const replies = await Promise.all(
        ['a', 'b'].map((label) => invoke(credentials, routeEvent(CREATE, { project_id: projectId }, { label, replace: false }))),
      );
      expect(replies.map((r) => r.status)).toEqual([201, 201]);
      for (const reply of replies) {
        const secret = (reply.json as { secret: string }).secret;
        const body = { flow_id: flowId, project_id: projectId, entry_id: entryId, token: computeToken(secret, entryId, FUTURE), expires_at: FUTURE };
        expect((await invoke(loadEntryData, loadEntryEvent(body))).status).toBe(200);
      }
    } finally {
      await deleteEntry(entryId);
    }
  });
});

describe('the 20-active-credential limit, through the credentials API', () => {
  it('a 21st credential is refused with 409 conflict and nothing is written; with replace: true it is created', async () => {
    const twenty = Array.from({ length: 20 }, () => credential());
    await seedProject(projectId, twenty);
    const before = await storedText();

    const refused = await invoke(credentials, routeEvent(CREATE, { project_id: projectId }, { label: 'one more', replace: false }));
    expect(refused.status).toBe(409);
    expect(errorOf(refused)).toEqual({
      code: 'conflict',
      message: 'The project already has 20 active credentials; revoke one or create with replace: true.',
    });
    expect(await storedText()).toBe(before);

    const replaced = await invoke(credentials, routeEvent(CREATE, { project_id: projectId }, { label: 'fresh start', replace: true }));
    expect(replaced.status).toBe(201);
    const list = (await invoke(credentials, routeEvent(LIST, { project_id: projectId }))).json as { credentials: Array<{ status: string; label: string }> };
    expect(list.credentials.filter((c) => c.status === 'active').map((c) => c.label)).toEqual(['fresh start']);
  });
});

describe('a corrupt project secret', () => {
  const SECRET = `tss_${'c'.repeat(43)}`;
  const seedCorrupt = async (text: string) => {
    registerSensitive(SECRET);
    await secrets.send(new CreateSecretCommand({ Name: projectSecretName(PREFIX, projectId), SecretString: text }));
  };

  it("is refused by the store with CorruptSecretError, as is another project's document under this name", async () => {
    await seedCorrupt(`{"schema_version":1,"credentials":[{"secret":"${SECRET}"`);
    await expect(store.read(projectId)).rejects.toThrow(new CorruptSecretError('project secret is not JSON'));
    const other = uid('proj');
    await seedProject(other, [credential()]);
    const otherText = (await secrets.send(new GetSecretValueCommand({ SecretId: projectSecretName(PREFIX, other) }))).SecretString!;
    await deleteProject(other);
    await deleteProject(projectId);
    await secrets.send(new CreateSecretCommand({ Name: projectSecretName(PREFIX, projectId), SecretString: otherText }));
    await expect(store.read(projectId)).rejects.toThrow(new CorruptSecretError('project secret belongs to another project'));
  });

  it('answers 500 internal_error to every route that reads it, overwrites nothing, and never shows or logs its text', async () => {
    const text = JSON.stringify({ schema_version: 1, project_id: projectId, credentials: [{ credential_id: 'cred_x', secret: SECRET }] });
    await seedCorrupt(text);
    const entryId = uid('entry');
    const body = { flow_id: uid('flow'), project_id: projectId, entry_id: entryId, token: computeToken(SECRET, entryId, FUTURE), expires_at: FUTURE };
    const replies: Array<Awaited<ReturnType<typeof invoke>>> = [];
    const lines = await captureLines(async () => {
      replies.push(await invoke(credentials, routeEvent(LIST, { project_id: projectId })));
      replies.push(await invoke(credentials, routeEvent(CREATE, { project_id: projectId }, { label: 'x', replace: true })));
      replies.push(await invoke(loadEntryData, loadEntryEvent(body)));
    });
    for (const reply of replies) {
      expect([reply.status, errorOf(reply)]).toEqual([500, { code: 'internal_error', message: 'Something went wrong on our side.' }]);
      expect(reply.raw).not.toContain(SECRET);
    }
    expect(await storedText()).toBe(text);
    const failures = lines.filter((l) => l.includes('"level":"ERROR"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(failures.map((f) => f.error_name)).toEqual(['CorruptSecretError', 'CorruptSecretError', 'CorruptSecretError']);
    expect(lines.join('\n')).not.toContain(SECRET);
  });
});
