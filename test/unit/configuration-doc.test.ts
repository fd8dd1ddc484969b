import { readFileSync } from 'node:fs';
import { DEFAULTS } from '../../lib/defaults';
import { CONFIGURATION_PAGE, configurationRows, END, renderConfiguration, START } from '../../scripts/configuration';

const page = readFileSync(CONFIGURATION_PAGE, 'utf8');

it('docs/configuration.md is up to date (run `npm run docs:configuration`)', () => {
  expect(page).toBe(renderConfiguration(page));
});

it('the table has a row for every prop with a default in DEFAULTS, and for every context key the CDK app reads', () => {
  const rows = configurationRows();
  const props = new Set(rows.map((r) => /^`(\w+)/.exec(r.prop)?.[1]));
  expect(Object.keys(DEFAULTS).filter((k) => !props.has(k))).toEqual([]);
  const app = readFileSync(new URL('../../bin/session-recovery.ts', import.meta.url), 'utf8');
  const read = [...app.matchAll(/\b(?:ctx|num|removalPolicy)\('(\w+)'\)/g)].map(([, key]) => key);
  expect([...new Set(read)].sort()).toEqual(rows.flatMap((r) => r.context).sort());
});

it('the generator refuses a page without its table markers, naming them', () => {
  expect(() => renderConfiguration(page.replace(END, ''))).toThrow(/no table markers/);
  expect(renderConfiguration(page).startsWith(page.slice(0, page.indexOf(START)))).toBe(true);
});
