import { ROUTES } from '../../lambdas/http/routes';
import { handler as entries } from '../../lambdas/entries/index';
import { controlClock } from '../support/clock';
import { errorOf, invoke } from '../support/http';
import { deleteEntry, uid } from '../support/seed';
import { routeEvent } from '../fixtures/admin-events';

const PUT = 'putEntry';
const GET = 'getEntry';
const DELETE = 'deleteEntry';

let entryId: string;
let projectId: string;
let flowId: string;
beforeEach(() => {
  entryId = uid('entry');
  projectId = uid('proj');
  flowId = uid('flow');
});
afterEach(async () => {
  await deleteEntry(entryId);
});

const put = (body: unknown, id = entryId) => invoke(entries, routeEvent(PUT, { entry_id: id }, body));
const body = (overrides: Record<string, unknown> = {}) => ({
  project_id: projectId,
  flow_id: flowId,
  current_page_key: 'page_2',
  user_data: { name: 'Ada', score: 0.1, nested: { list: [1, '', null] } },
  ...overrides,
});

describe(ROUTES.putEntry.key, () => {
  it('creates with 201, then updates with 200 keeping created_at; each save keeps the entry 90 days from then', async () => {
    const first = await put(body());
    expect(first.status).toBe(201);
    const created = (first.json as { entry: Record<string, unknown> }).entry;
    expect(created).toEqual({
      entry_id: entryId,
      project_id: projectId,
      flow_id: flowId,
      current_page_key: 'page_2',
      user_data: { name: 'Ada', score: 0.1, nested: { list: [1, '', null] } },
      created_at: expect.any(String),
      updated_at: created.created_at,
      retain_until: expect.any(String),
    });
    /** Kept 90 days after its last save (to the second). */
    const ninetyDaysOn = (e: Record<string, unknown>) => Math.floor(Date.parse(e.updated_at as string) / 1000) * 1000 + 90 * 86_400_000;
    expect(Date.parse(created.retain_until as string)).toBe(ninetyDaysOn(created));

    const clock = controlClock();
    let second: Awaited<ReturnType<typeof put>>;
    try {
      clock.advance(1_000);
      second = await put(body({ current_page_key: 'page_3', user_data: { name: 'Ada', done: true } }));
    } finally {
      clock.restore();
    }
    expect(second.status).toBe(200);
    const updated = (second.json as { entry: Record<string, unknown> }).entry;
    expect(updated.created_at).toBe(created.created_at);
    expect(updated.updated_at).not.toBe(created.created_at);
    expect(updated.user_data).toEqual({ name: 'Ada', done: true });
    // As stored, not only as answered.
    const read = (
      (await invoke(entries, routeEvent(GET, { entry_id: entryId }, undefined, { project_id: projectId }))).json as { entry: Record<string, unknown> }
    ).entry;
    expect([read.updated_at, Date.parse(read.retain_until as string)]).toEqual([updated.updated_at, ninetyDaysOn(updated)]);
  });

  it('an entry id of another project is a 409 conflict, and the stored entry is untouched', async () => {
    await put(body());
    const other = await put(body({ project_id: uid('proj'), user_data: { stolen: true } }));
    expect(other.status).toBe(409);
    expect(errorOf(other).code).toBe('conflict');
    const otherFlow = await put(body({ flow_id: uid('flow') }));
    expect(otherFlow.status).toBe(409);
    const stored = await invoke(entries, routeEvent(GET, { entry_id: entryId }, undefined, { project_id: projectId }));
    expect((stored.json as { entry: { user_data: unknown } }).entry.user_data).toEqual(body().user_data);
  });

  it.each([
    ['a top-level __proto__ key', `{"project_id":"P","flow_id":"F","current_page_key":"p","user_data":{"__proto__":{"admin":true}}}`, '__proto__'],
    ['a nested constructor key', `{"project_id":"P","flow_id":"F","current_page_key":"p","user_data":{"a":[{"constructor":{"prototype":1}}]}}`, 'constructor'],
    ['a nested prototype key', `{"project_id":"P","flow_id":"F","current_page_key":"p","user_data":{"a":{"prototype":{"x":1}}}}`, 'prototype'],
    ['user_data as an array', `{"project_id":"P","flow_id":"F","current_page_key":"p","user_data":[1]}`, 'user_data must be of type object'],
    ['user_data as null', `{"project_id":"P","flow_id":"F","current_page_key":"p","user_data":null}`, 'user_data must be of type object'],
    ['a missing current_page_key', `{"project_id":"P","flow_id":"F","user_data":{}}`, 'current_page_key is required'],
    ['a bad project id', `{"project_id":"a--b","flow_id":"F","current_page_key":"p","user_data":{}}`, 'project_id must be 1 to 128'],
  ])('refuses %s with 400 and writes nothing', async (_name, raw, message) => {
    const reply = await put(raw.replace('"P"', JSON.stringify(projectId)).replace('"F"', JSON.stringify(flowId)));
    expect(reply.status).toBe(400);
    expect(errorOf(reply).message).toContain(message);
    const stored = await invoke(entries, routeEvent(GET, { entry_id: entryId }, undefined, { project_id: projectId }));
    expect(stored.status).toBe(404);
  });

  it('refuses user_data over the size limit with a clear 413', async () => {
    const reply = await put(body({ user_data: { blob: 'x'.repeat(310 * 1024) } }));
    expect(reply.status).toBe(413);
    expect(errorOf(reply).message).toMatch(/user_data is \d+ bytes; the limit is 307200/);
  });

  it('refuses a body over 400 KiB with 413 before parsing', async () => {
    const reply = await put(body({ user_data: { blob: 'x'.repeat(401 * 1024) } }));
    expect(reply.status).toBe(413);
  });

  it('refuses nesting deeper than 32 levels', async () => {
    let deep: Record<string, unknown> = {};
    for (let i = 0; i < 40; i++) deep = { d: deep };
    const reply = await put(body({ user_data: deep }));
    expect(reply.status).toBe(400);
    expect(errorOf(reply).message).toContain('deeper than 32');
  });
});

describe(`${ROUTES.getEntry.key} and ${ROUTES.deleteEntry.key}`, () => {
  it('gets only with the owning project, and requires project_id', async () => {
    await put(body());
    const own = await invoke(entries, routeEvent(GET, { entry_id: entryId }, undefined, { project_id: projectId }));
    expect(own.status).toBe(200);
    const other = await invoke(entries, routeEvent(GET, { entry_id: entryId }, undefined, { project_id: uid('proj') }));
    expect(other.status).toBe(404);
    expect(errorOf(other).code).toBe('entry_not_found');
    const missing = await invoke(entries, routeEvent(GET, { entry_id: entryId }));
    expect(missing.status).toBe(400);
    expect(errorOf(missing).message).toContain('project_id is required');
  });

  it("erases with 204; a second erase or another project's erase is 404", async () => {
    await put(body());
    const wrong = await invoke(entries, routeEvent(DELETE, { entry_id: entryId }, undefined, { project_id: uid('proj') }));
    expect(wrong.status).toBe(404);
    const erased = await invoke(entries, routeEvent(DELETE, { entry_id: entryId }, undefined, { project_id: projectId }));
    expect(erased.status).toBe(204);
    expect(erased.raw).toBe('');
    const gone = await invoke(entries, routeEvent(GET, { entry_id: entryId }, undefined, { project_id: projectId }));
    expect(gone.status).toBe(404);
    const again = await invoke(entries, routeEvent(DELETE, { entry_id: entryId }, undefined, { project_id: projectId }));
    expect(again.status).toBe(404);
  });
});
