import { readFileSync } from 'node:fs';
import vm from 'node:vm';
import { configureSnippet } from '../../local/demo-site';
import { CLIENTS, clientPath, renderClients } from '../../scripts/clients';

const source = (name: string) => readFileSync(clientPath(name), 'utf8');

it.each(Object.keys(CLIENTS))('clients/%s is up to date with clients/src/ (run `npm run build:clients`)', (name) => {
  expect(source(name)).toBe(renderClients()[name]);
});

const ACTIONS = {
  'embeddables-action.js': { settings: { EMBEDDABLE_ID: 'flow_1', PROJECT_ID: 'proj_1', LOAD_ENTRY_DATA_URL: 'https://api.example/v1/load-entry-data' }, expiry: 'expires_at' },
  'embeddables-action-legacy.js': { settings: { EMBEDDABLE_ID: 'flow_1', LEGACY_LOAD_ENTRY_DATA_URL: 'https://legacy.example/' }, expiry: 'expires' },
} as const;

/** Runs an Action as Embeddables does, a classic script on a page at `search`; returns what it posted. */
const runAction = async (name: keyof typeof ACTIONS, search: string) => {
  const posted: Array<{ url: string; init: RequestInit }> = [];
  const silent = { info: () => undefined, warn: () => undefined, error: () => undefined };
  const context = vm.createContext({
    window: { location: { search }, Savvy: { goToPage: () => undefined } },
    URLSearchParams,
    console: silent,
    fetch: async (url: string, init: RequestInit) => {
      posted.push({ url, init });
      return new Response(JSON.stringify({ entry: { entry_id: 'entry_1', current_page_key: 'page_2' } }), { status: 200 });
    },
  });
  const output = vm.runInContext(`${configureSnippet(source(name), ACTIONS[name].settings)}\noutput`, context) as (...args: unknown[]) => Promise<{ status: string }>;
  const outcome = await output({}, { setUserData: () => undefined }, {});
  return { outcome, posted };
};

describe.each(Object.keys(ACTIONS) as Array<keyof typeof ACTIONS>)('clients/%s', (name) => {
  it('is a classic script with no import or export, as an Action is pasted', () => {
    expect(() => new vm.Script(source(name))).not.toThrow();
    expect(source(name)).not.toMatch(/^\s*(import|export)\b/m);
  });
});

describe('one set of link repairs in all three clients', () => {
  const plain = { token: 'a'.repeat(64), entryId: 'entry_1', expiresAt: '2099-01-01T00:00:00.000+01:00' };
  const links: Array<[string, string]> = [
    ['an encoded link', '?token=' + plain.token + '&entry_id=entry_1&expires_at=2099-01-01T00%3A00%3A00.000%2B01%3A00'],
    ['a "+" offset sent unencoded (arrives as a space)', '?token=' + plain.token + '&entry_id=entry_1&expires_at=2099-01-01T00:00:00.000+01:00'],
    ['"&" rewritten as "&amp;"', '?token=' + plain.token + '&amp;entry_id=entry_1&amp;expires_at=2099-01-01T00%3A00%3A00.000%2B01%3A00'],
    ['"&" rewritten as "&#38;" (its "#" percent-encoded, or it would start the fragment)', '?token=' + plain.token + '&%2338;entry_id=entry_1&%2338;expires_at=2099-01-01T00%3A00%3A00.000%2B01%3A00'],
    ['values encoded twice by a link tracker', '?token=' + plain.token + '&entry_id=entry_1&expires_at=2099-01-01T00%253A00%253A00.000%252B01%253A00'],
  ];

  it.each(links)('%s', async (_, search) => {
    const module = (await import('../../clients/session-recovery.js' as string)) as { readResumeLink: (url: string) => unknown };
    expect(module.readResumeLink(`https://quiz.example/flow${search}`)).toEqual(plain);

    for (const name of Object.keys(ACTIONS) as Array<keyof typeof ACTIONS>) {
      const { outcome, posted } = await runAction(name, search);
      expect(outcome.status).toBe('restored');
      expect(posted).toHaveLength(1);
      expect(posted[0].init.headers).toEqual({ 'Content-Type': 'text/plain;charset=UTF-8' });
      expect(posted[0].init.referrerPolicy).toBe('no-referrer');
      const body = JSON.parse(posted[0].init.body as string) as Record<string, string>;
      expect([body.token, body.entry_id, body[ACTIONS[name].expiry]]).toEqual([plain.token, plain.entryId, plain.expiresAt]);
    }
  });
});
