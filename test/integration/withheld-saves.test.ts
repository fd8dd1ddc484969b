import { type AttributeValue, GetItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { ENTRY_TABLE } from '../../lambdas/adapters/naming';
import { computeToken } from '../../lambdas/domain/token';
import { controlClock } from '../support/clock';
import { errorOf, type Handler, invoke, type Reply } from '../support/http';
import { registerSensitive } from '../support/sensitive';
import { credential, deleteEntry, deleteProject, dynamodb, seedProject, uid } from '../support/seed';
import { loadEntryEvent } from '../fixtures/events';
import { routeEvent } from '../fixtures/admin-events';

/**
 * A withheld field survives a resumed page's saves (docs/withheld-fields.md,
 * "Saving after a resume"), against moto: device A saves it, device B resumes
 * without it and saves on, and the team's backend (the admin GET) still has it.
 */
process.env.KEY_CACHE_TTL_SECONDS = '60';
const load = ((await import('../../lambdas/load-entry-data/index')) as { handler: Handler }).handler;
const entries = ((await import('../../lambdas/entries/index')) as { handler: Handler }).handler;
const saves = ((await import('../../lambdas/browser-saves/index')) as { handler: Handler }).handler;
const clock = controlClock();
afterAll(() => clock.restore());

const FUTURE = '2099-06-01T00:00:00Z';
const SITE = 'https://quiz.example';
const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const CARD_A = '4111111111111111';
const CARD_B = '5500005555555559';
const POSTCODE = 'SW1A 1AA';
const EMAIL = 'grace.hopper@example.com';
registerSensitive(CARD_A, CARD_B, POSTCODE, EMAIL);
const cleanups: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanups) await c();
});

const PAGE_1 = { name: 'Grace', card_number: CARD_A, address: { street: '1 Navy Way', postcode: POSTCODE } };
const WITHHELD = ['card_number', '/address/postcode'];
/** The key cache's TTL: a policy written now is read by every instance after it. */
const TTL_MS = 60_000;

type Policy = { withheld_fields: string[]; verify_field?: string };

/** A browser-saves project with one flow under `policy`, and the two devices' calls. */
const project = async (policy?: Policy) => {
  const projectId = uid('proj');
  const flowId = uid('flow');
  const cred = credential();
  const settings = (p?: Policy) => ({ allowed_origins: [SITE], browser_saves: true, ...(p ? { resume_policies: { [flowId]: p } } : {}) });
  await seedProject(projectId, [cred], settings(policy));
  cleanups.push(() => deleteProject(projectId));
  const page = { origin: SITE };
  const create = async (userData: Record<string, unknown>) => {
    const reply = await invoke(
      saves,
      routeEvent('createEntry', {}, { project_id: projectId, flow_id: flowId, current_page_key: 'p1', user_data: userData }, {}, page),
    );
    expect(reply.status).toBe(201);
    const created = reply.json as { entry_id: string; save_token: string };
    cleanups.push(() => deleteEntry(created.entry_id));
    return created;
  };
  const save = (entryId: string, saveToken: string, seq: number, userData: Record<string, unknown>) =>
    invoke(
      saves,
      routeEvent(
        'saveProgress',
        { entry_id: entryId },
        { project_id: projectId, flow_id: flowId, save_token: saveToken, seq, current_page_key: `p${seq + 1}`, user_data: userData },
        {},
        page,
      ),
    );
  /** A person's resume in a browser: it answers the entry and hands the save token over. */
  const resume = async (entryId: string, extra: Record<string, unknown> = {}) => {
    const body = { project_id: projectId, flow_id: flowId, entry_id: entryId, token: computeToken(cred.secret, entryId, FUTURE), expires_at: FUTURE, ...extra };
    const reply = await invoke(load, { ...loadEntryEvent(body), headers: { 'content-type': 'application/json', 'user-agent': CHROME } });
    expect(reply.status).toBe(200);
    const { entry, save_token: saveToken } = reply.json as { entry: Record<string, unknown>; save_token: string };
    const { entry_id: _id, current_page_key: _page, ...userData } = entry;
    return { userData, saveToken, raw: reply.raw };
  };
  const adminData = async (entryId: string) => {
    const reply = await invoke(entries, routeEvent('getEntry', { entry_id: entryId }, undefined, { project_id: projectId }));
    expect(reply.status).toBe(200);
    return (reply.json as { entry: { user_data: Record<string, unknown> } }).entry.user_data;
  };
  /** Writes the policy as another instance's admin route would, and lets the key cache's TTL pass. */
  const setPolicy = async (p?: Policy) => {
    await seedProject(projectId, [cred], settings(p));
    clock.advance(TTL_MS);
  };
  return { projectId, flowId, create, save, resume, adminData, setPolicy };
};

const stored = async (entryId: string): Promise<Record<string, AttributeValue>> =>
  (await dynamodb.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: { [ENTRY_TABLE.partitionKey]: { S: entryId } }, ConsistentRead: true })))
    .Item!;
const codeOf = (reply: Reply) => [reply.status, errorOf(reply).code];

describe('a withheld field survives a resumed page’s saves', () => {
  it('device B resumes without it and saves on: the admin GET keeps A’s value until B saves one of its own; un-withheld, a resume answers it again', async () => {
    const p = await project({ withheld_fields: WITHHELD });
    const a = await p.create({ name: 'Grace' });
    expect((await p.save(a.entry_id, a.save_token, 1, PAGE_1)).status).toBe(200);
    // Stored apart: user_data holds no withheld value.
    expect((await stored(a.entry_id)).user_data.S).not.toMatch(new RegExp(`${CARD_A}|${POSTCODE}`));

    const b = await p.resume(a.entry_id);
    expect(b.userData).toEqual({ name: 'Grace', address: { street: '1 Navy Way' } });
    expect(b.raw).not.toContain(CARD_A);
    expect((await p.save(a.entry_id, b.saveToken, 1, { ...b.userData, plan: 'gold' })).status).toBe(200);
    expect((await p.save(a.entry_id, b.saveToken, 2, { ...b.userData, plan: 'gold', newsletter: true })).status).toBe(200);
    expect(await p.adminData(a.entry_id)).toEqual({ ...PAGE_1, plan: 'gold', newsletter: true });

    expect((await p.save(a.entry_id, b.saveToken, 3, { ...b.userData, plan: 'gold', newsletter: true, card_number: CARD_B })).status).toBe(200);
    expect(await p.adminData(a.entry_id)).toEqual({ ...PAGE_1, card_number: CARD_B, plan: 'gold', newsletter: true });

    await p.setPolicy({ withheld_fields: ['/address/postcode'] });
    const c = await p.resume(a.entry_id);
    expect(c.userData).toEqual({ name: 'Grace', card_number: CARD_B, address: { street: '1 Navy Way' }, plan: 'gold', newsletter: true });
  });

  it('two elements of one array withheld (["/kids/0", "/kids/1"]): each names its place in the array as saved, so neither is answered, and the admin GET has both at their places', async () => {
    const p = await project({ withheld_fields: ['/kids/0', '/kids/1'] });
    const a = await p.create({ name: 'Grace', kids: ['Ann'] });
    expect((await p.save(a.entry_id, a.save_token, 1, { name: 'Grace', kids: ['Ann', 'Bob', 'Cy'] })).status).toBe(200);
    // Stored apart, each as it was: user_data holds the third child only.
    expect(JSON.parse((await stored(a.entry_id)).user_data.S!)).toEqual({ name: 'Grace', kids: ['Cy'] });
    expect(await p.adminData(a.entry_id)).toEqual({ name: 'Grace', kids: ['Ann', 'Bob', 'Cy'] });
    const b = await p.resume(a.entry_id);
    expect(b.userData).toEqual({ name: 'Grace', kids: ['Cy'] });
    expect(b.raw).not.toMatch(/Ann|Bob/);
  });

  it('a field the flow starts withholding while user_data holds it survives the saves of the page that resumed without it', async () => {
    const p = await project();
    const a = await p.create(PAGE_1);
    await p.setPolicy({ withheld_fields: WITHHELD });
    const b = await p.resume(a.entry_id);
    expect(b.userData).toEqual({ name: 'Grace', address: { street: '1 Navy Way' } });
    expect((await p.save(a.entry_id, b.saveToken, 1, { ...b.userData, plan: 'gold' })).status).toBe(200);
    expect(await p.adminData(a.entry_id)).toEqual({ ...PAGE_1, plan: 'gold' });
  });

  it('a field the flow stops withholding is the page’s again: a save without it removes it; the value once kept apart is not read, and the next resume drops it', async () => {
    const p = await project({ withheld_fields: WITHHELD });
    const a = await p.create(PAGE_1);
    await p.setPolicy({ withheld_fields: ['/address/postcode'] });
    const { card_number: _card, ...cleared } = PAGE_1;
    expect((await p.save(a.entry_id, a.save_token, 1, cleared)).status).toBe(200);
    expect(await p.adminData(a.entry_id)).toEqual(cleared);
    expect((await p.resume(a.entry_id)).userData).toEqual({ name: 'Grace', address: { street: '1 Navy Way' } });
    expect(JSON.stringify(await stored(a.entry_id))).not.toContain(CARD_A);
    expect(await p.adminData(a.entry_id)).toEqual(cleared);
  });

  it('once the flow withholds nothing, the first save drops every value kept apart', async () => {
    const p = await project({ withheld_fields: ['card_number'] });
    const a = await p.create(PAGE_1);
    await p.setPolicy();
    const { card_number: _card, ...cleared } = PAGE_1;
    expect((await p.save(a.entry_id, a.save_token, 1, cleared)).status).toBe(200);
    expect(await p.adminData(a.entry_id)).toEqual(cleared);
    expect(JSON.stringify(await stored(a.entry_id))).not.toContain(CARD_A);
  });

  it('the admin PUT replaces the whole entry: no value kept apart is left, nor read back after a later save', async () => {
    const p = await project({ withheld_fields: WITHHELD });
    const a = await p.create(PAGE_1);
    const put = await invoke(
      entries,
      routeEvent('putEntry', { entry_id: a.entry_id }, { project_id: p.projectId, flow_id: p.flowId, current_page_key: 'p9', user_data: { name: 'Ada' } }),
    );
    expect(put.status).toBe(200);
    expect(await p.adminData(a.entry_id)).toEqual({ name: 'Ada' });
    expect(JSON.stringify(await stored(a.entry_id))).not.toMatch(new RegExp(`${CARD_A}|${POSTCODE}`));
    // The page's token outlives the PUT; its save without the withheld fields brings none back.
    expect((await p.save(a.entry_id, a.save_token, 1, { name: 'Ada', plan: 'gold' })).status).toBe(200);
    expect(await p.adminData(a.entry_id)).toEqual({ name: 'Ada', plan: 'gold' });
  });

  it('an erasure leaves nothing of the values kept apart', async () => {
    const p = await project({ withheld_fields: WITHHELD });
    const a = await p.create(PAGE_1);
    const b = await p.resume(a.entry_id);
    expect((await p.save(a.entry_id, b.saveToken, 1, { ...b.userData, card_number: CARD_B })).status).toBe(200);
    expect((await invoke(entries, routeEvent('deleteEntry', { entry_id: a.entry_id }, undefined, { project_id: p.projectId }))).status).toBe(204);
    const item = await stored(a.entry_id);
    expect(Object.keys(item).sort()).toEqual(['entry_id', 'erased_at', 'links_valid_after', 'project_id', 'retain_until']);
    expect(JSON.stringify(item)).not.toMatch(new RegExp(`${CARD_A}|${CARD_B}|${POSTCODE}`));
  });

  it('a withheld verify field the resumed page does not hold keeps its digest, and the entry stays verifiable', async () => {
    const p = await project({ withheld_fields: ['email'], verify_field: 'email' });
    const a = await p.create({ name: 'Grace', email: EMAIL });
    const digest = (await stored(a.entry_id)).verify_digest;
    expect(digest?.M?.d?.S).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const b = await p.resume(a.entry_id, { verification: EMAIL });
    expect(b.userData).toEqual({ name: 'Grace' });
    expect((await p.save(a.entry_id, b.saveToken, 1, { ...b.userData, plan: 'gold' })).status).toBe(200);
    expect((await stored(a.entry_id)).verify_digest).toEqual(digest);
    expect((await p.resume(a.entry_id, { verification: EMAIL })).userData).toEqual({ name: 'Grace', plan: 'gold' });
    expect(await p.adminData(a.entry_id)).toEqual({ name: 'Grace', email: EMAIL, plan: 'gold' });
  });

  it('an entry stored before values were kept apart (no map) takes its first withheld value in the same save', async () => {
    const p = await project({ withheld_fields: WITHHELD });
    const a = await p.create({ name: 'Grace' });
    await dynamodb.send(
      new UpdateItemCommand({ TableName: process.env.TABLE_NAME, Key: { entry_id: { S: a.entry_id } }, UpdateExpression: 'REMOVE withheld, withheld_fields' }),
    );
    expect((await p.save(a.entry_id, a.save_token, 1, PAGE_1)).status).toBe(200);
    expect(await p.adminData(a.entry_id)).toEqual(PAGE_1);
    expect((await stored(a.entry_id)).user_data.S).not.toContain(CARD_A);
  });

  it('a save whose entry, with the values kept from earlier saves, would pass 400 KB answers 413 payload_too_large and writes nothing', async () => {
    const fields = Array.from({ length: 6 }, (_, i) => `f${i + 1}`);
    const p = await project({ withheld_fields: fields });
    const a = await p.create({ name: 'Grace' });
    // Each save (at most 64 KB by default) holds one withheld field; the others keep their values from earlier saves.
    const big = (i: number) => ({ name: 'Grace', [fields[i]]: String(i).repeat(60 * 1024) });
    for (let i = 0; i < 6; i++) expect((await p.save(a.entry_id, a.save_token, i + 1, big(i))).status).toBe(200);
    const before = await stored(a.entry_id);
    // 60 KB more in user_data: under the save's own limit, over the item's with the values kept apart.
    const reply = await p.save(a.entry_id, a.save_token, 7, { name: 'Grace', notes: 'n'.repeat(60 * 1024) });
    expect(codeOf(reply)).toEqual([413, 'payload_too_large']);
    expect(await stored(a.entry_id)).toEqual(before);
    expect(Object.keys(await p.adminData(a.entry_id)).sort()).toEqual(['f1', 'f2', 'f3', 'f4', 'f5', 'f6', 'name']);
  });
});
