import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { MAX_BATCH_LINKS } from '../../lambdas/domain/minting';
import { LAMBDA_MEMORY_MB, lambdaHeapFlags } from '../../bench/support/lambda-heap';
import { DEFAULTS, THROTTLES } from '../../lib/defaults';
import { docSection, docText } from '../support/docs';

const root = path.join(import.meta.dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');
const defaults: Record<string, unknown> = DEFAULTS;

/** docs/configuration.md's table's rows: the prop each names (a field of one as `parent.field`; none for the stack's), and its default cell. */
const rows = docSection('docs/configuration.md', 'Configuration')
  .split('\n')
  .filter((line) => line.startsWith('| ') && !line.startsWith('| context') && !line.startsWith('|---'))
  .map((line) => {
    const [, prop, cell] = line.split(' | ');
    return { props: prop.includes('(stack)') ? [] : [...prop.matchAll(/`([\w.]+)`/g)].map(([, p]) => p), cell };
  });

/** A prop's default, by its name in the table (`linkRequestLimits.perSourcePerHour` is a field of one). */
const valueOf = (prop: string): unknown => {
  const [parent, field] = prop.split('.');
  const value = defaults[parent];
  return field === undefined || value === undefined ? value : (value as Record<string, unknown>)[field];
};

// docs/configuration.md's table states DEFAULTS as scripts/configuration.ts writes them, a row for every prop: its
// freshness test (test/unit/configuration-doc.test.ts) holds it. What the generator takes as written is checked here.

it('the rows of props with no value for a default (their @default text) say what happens instead, with no figure of their own', () => {
  const others = rows.filter((r) => r.props.length > 0 && r.props.some((p) => valueOf(p) === undefined));
  expect(others.length).toBeGreaterThan(5);
  for (const { props, cell } of others) expect([props.join(', '), /\d/.test(cell.replace(/<[^>]*>/g, ''))]).toEqual([props.join(', '), false]);
});

/** Each prop's `@default` in lib/props.ts and lib/limits.ts, when it is a value (not `- none` and the like). */
const documented = ['lib/props.ts', 'lib/limits.ts'].flatMap((file) =>
  [...read(file).matchAll(/@default ([^\n]*)\n(?:[ \t]*\*(?!\/)[^\n]*\n)*(?:[ \t]*\*\/\n)?(?:[ \t]*\n)?[ \t]*readonly (\w+)\?:/g)].map(([, doc, name]) => ({
    file,
    name,
    doc,
  })),
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

it('the throttle figures docs/ writes in prose are THROTTLES', () => {
  const { throttle, adminThrottle, mintThrottle, mintBatchThrottle, shortLinkThrottle, browserSavesThrottle, linkRequestThrottle } = THROTTLES;
  const n = (x: number) => x.toLocaleString('en-US');
  expect(docText('docs/links.md')).toContain(`(10 times the API's default stage throttle of ${throttle.rateLimit} requests a second)`);
  expect(docText('docs/browser-saves.md')).toContain(
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

it("the load and soak runtime runs with the heap limits Lambda's Node.js runtime sets for the default memory (bench/support/lambda-heap.ts)", () => {
  expect(LAMBDA_MEMORY_MB).toBe(DEFAULTS.memorySize);
  // The bootstrap's arithmetic: new space a tenth of the memory, half of it a semi-space, the old space the rest.
  expect(lambdaHeapFlags(DEFAULTS.memorySize)).toEqual(['--max-semi-space-size=12', '--max-old-space-size=231']);
  expect(lambdaHeapFlags(1024)).toEqual(['--max-semi-space-size=51', '--max-old-space-size=922']);
});
