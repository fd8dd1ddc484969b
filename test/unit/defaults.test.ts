import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { MAX_BATCH_LINKS } from '../../lambdas/domain/minting';
import { DEFAULT_STACK_NAME, DEFAULTS, THROTTLES } from '../../lib/defaults';

const root = path.join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
type Name = keyof typeof DEFAULTS;
const defaults: Record<string, unknown> = DEFAULTS;

/** A default as the README's Configuration table writes it. */
const inReadme = (name: string, value: unknown): string => {
  if (value instanceof Duration) {
    const s = value.toSeconds();
    return s % 86_400 === 0 ? `${s / 86_400} days` : s % 60 === 0 && s >= 600 ? `${s / 60} min` : `${s} s`;
  }
  const n = (x: number) => x.toLocaleString('en-US');
  const rps = (t: { rateLimit: number; burstLimit: number }) => `${t.rateLimit} rps, burst ${t.burstLimit}`;
  if (name === 'browserSavesThrottle') return `create ${rps(THROTTLES.browserSavesThrottle.create)}; progress ${rps(THROTTLES.browserSavesThrottle.progress)}`;
  if (name in THROTTLES) return rps(value as { rateLimit: number; burstLimit: number });
  if (name === 'keyLookupLimit') return `${DEFAULTS.keyLookupLimit.ratePerSecond} per second, ${DEFAULTS.keyLookupLimit.burst} at once`;
  if (name === 'browserSaveMaxBytes') return `${(value as number) / 1024} KiB`;
  if (name === 'memorySize') return `${n(value as number)} MB`;
  if (name === 'logRetention') return `${value as number} days`;
  if (typeof value === 'number') return n(value);
  if (typeof value === 'boolean' || typeof value === 'string') return `\`${value}\``;
  if (Array.isArray(value)) return value.map((v) => `\`${v}\``).join(', ');
  throw new Error(`no README form for ${name}`);
};

/** The Configuration table's rows: the props each names (nested ones as `parent.child`), and its default cell. */
const section = read('README.md').split('### Configuration')[1].split('\n### ')[0];
const rows = section
  .split('\n')
  .filter((line) => line.startsWith('| ') && !line.startsWith('| context') && !line.startsWith('|---'))
  .map((line) => {
    const [context, prop, cell] = line.split(' | ').map((c) => c.replace(/^\| /, ''));
    let parent = '';
    const props = [...prop.matchAll(/`([\w.]+)`/g)].map(([, p]) => {
      if (p.startsWith('.')) return `${parent}${p}`;
      parent = p.includes('.') ? p.slice(0, p.indexOf('.')) : '';
      return p;
    });
    return { context, props: prop.includes('(stack)') ? [] : props, cell };
  });

/** A prop's default, by its name in the table (`linkRequestLimits.perSourcePerHour` is a field of one). */
const valueOf = (prop: string): unknown => {
  const [parent, field] = prop.split('.');
  const value = defaults[parent];
  return field === undefined || value === undefined ? value : (value as Record<string, unknown>)[field];
};

it("the README's Configuration table states every default of lib/defaults.ts, each as DEFAULTS and THROTTLES have it", () => {
  const stated = rows.filter((r) => r.props.length > 0 && r.props.every((p) => valueOf(p) !== undefined));
  for (const { props, cell } of stated) {
    expect([props.join(', '), cell]).toEqual([props.join(', '), props.map((p) => inReadme(p.split('.')[0] in THROTTLES ? p : p.split('.').pop()!, valueOf(p))).join(', ')]);
  }
  // Every default is stated, each field of the nested ones included.
  const named = new Set(stated.flatMap((r) => r.props.map((p) => p.split('.')[0])));
  expect((Object.keys(DEFAULTS) as Name[]).filter((k) => !named.has(k))).toEqual([]);
  for (const nested of ['linkRequestLimits', 'entryCreationLimits'] as const) {
    const fields = stated.flatMap((r) => r.props).filter((p) => p.startsWith(`${nested}.`));
    expect(fields.sort()).toEqual(Object.keys(DEFAULTS[nested]).map((f) => `${nested}.${f}`).sort());
  }
  // The CDK app's own default: the stack's name.
  expect(rows.find((r) => r.context === '`stackName`')?.cell).toBe(`\`${DEFAULT_STACK_NAME}\``);
});

it('the rows of props with no value for a default say what happens instead, with no figure of their own', () => {
  const others = rows.filter((r) => r.props.length > 0 && r.props.some((p) => valueOf(p) === undefined));
  expect(others.length).toBeGreaterThan(5);
  for (const { props, cell } of others) expect([props.join(', '), /\d/.test(cell.replace(/<[^>]*>/g, ''))]).toEqual([props.join(', '), false]);
});

/** Each prop's `@default` in lib/props.ts and lib/limits.ts, when it is a value (not `- none` and the like). */
const documented = ['lib/props.ts', 'lib/limits.ts'].flatMap((file) =>
  [...read(file).matchAll(/@default ([^\n]*)\n(?:[ \t]*\*(?!\/)[^\n]*\n)*(?:[ \t]*\*\/\n)?(?:[ \t]*\n)?[ \t]*readonly (\w+)\?:/g)].map(([, doc, name]) => ({ file, name, doc })),
);
/** The expression a `@default` starts with: a balanced `{...}` or `[...]`, else its first word. */
const expressionOf = (doc: string): string | undefined => {
  if (doc.startsWith('-')) return undefined;
  if (!doc.startsWith('{') && !doc.startsWith('[')) return doc.split(' ')[0];
  let depth = 0;
  for (let i = 0; i < doc.length; i++) {
    depth += doc[i] === '{' || doc[i] === '[' ? 1 : doc[i] === '}' || doc[i] === ']' ? -1 : 0;
    if (depth === 0) return doc.slice(0, i + 1);
  }
  throw new Error(`unbalanced @default ${doc}`);
};
const comparable = (value: unknown): unknown => (value instanceof Duration ? `${value.toSeconds()} s` : value);

it("each prop's @default is the value DEFAULTS gives it, and every default in DEFAULTS has one", () => {
  const seen = new Set<string>();
  for (const { name, doc } of documented) {
    const expression = expressionOf(doc);
    if (expression === undefined) {
      expect([name, defaults[name]]).toEqual([name, undefined]);
      continue;
    }
    const value: unknown = new Function('Duration', 'RemovalPolicy', 'logs', `return (${expression});`)(Duration, RemovalPolicy, logs);
    expect([name, comparable(value)]).toEqual([name, comparable(defaults[name])]);
    seen.add(name);
  }
  expect(Object.keys(DEFAULTS).filter((k) => !seen.has(k))).toEqual([]);
});

it('the throttle figures the README and docs/security.md write in prose are THROTTLES', () => {
  const { throttle, adminThrottle, mintThrottle, mintBatchThrottle, shortLinkThrottle, browserSavesThrottle, linkRequestThrottle } = THROTTLES;
  const n = (x: number) => x.toLocaleString('en-US');
  const readme = read('README.md');
  expect(readme).toContain(`(10 times the API's default stage throttle of ${throttle.rateLimit} requests a second)`);
  expect(readme).toContain(
    `(\`browserSavesThrottle\`: creating ${browserSavesThrottle.create.rateLimit} requests a second with a burst of ${browserSavesThrottle.create.burstLimit}, saving ${browserSavesThrottle.progress.rateLimit} and ${browserSavesThrottle.progress.burstLimit})`,
  );
  const security = read('docs/security.md');
  expect(security).toContain(`behind the stage throttle (${throttle.rateLimit} requests a second, burst ${n(throttle.burstLimit)})`);
  expect(security).toContain(
    `stage throttling (${throttle.rateLimit} req/s, burst ${throttle.burstLimit}) answers 429; per-route limits on the admin routes (${adminThrottle.rateLimit}/${adminThrottle.burstLimit}), ` +
      `mint (${mintThrottle.rateLimit}/${mintThrottle.burstLimit}), batch mint (${mintBatchThrottle.rateLimit}/${mintBatchThrottle.burstLimit} requests of up to ${MAX_BATCH_LINKS} links) ` +
      `and the short-link redirect (${shortLinkThrottle.rateLimit}/${shortLinkThrottle.burstLimit} for GET and for HEAD)`,
  );
  expect(security).toContain(`The route throttle (${linkRequestThrottle.rateLimit} a second, burst ${linkRequestThrottle.burstLimit})`);
  expect(security).toContain(`(\`shortLinkThrottle\`: ${shortLinkThrottle.rateLimit} requests a second for GET and as many for HEAD)`);
});
