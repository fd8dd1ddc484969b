import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { renderLiquidSubset } from '../support/liquid-subset';

/**
 * The recipes of docs/recipes/, each run with its own toolchain against
 * test/fixtures/token-vectors.json: every token and URL must be byte-identical
 * to the vectors (which test/unit/token.test.ts holds to what mint makes).
 *
 * A recipe whose toolchain is not on the machine is skipped, and says so in its
 * test name and in test-results/recipes.txt. .ci/run installs the toolchains it
 * can and lists them in RECIPE_TOOLCHAINS: in CI, a missing one fails the run
 * instead, so the recipes can never all be skipped quietly.
 */
const root = path.join(import.meta.dirname, '..', '..');
const recipes = path.join(root, 'docs', 'recipes');

interface Link {
  kind: 'v1' | 'v2';
  secret: string;
  credential_id?: string;
  project_id?: string;
  flow_id?: string;
  entry_id: string;
  expires_at: string;
  resume_url: string;
  token: string;
  url: string;
}
const { links } = JSON.parse(readFileSync(path.join(root, 'test', 'fixtures', 'token-vectors.json'), 'utf8')) as { links: Link[] };

interface Recipe {
  readonly file: string;
  /** The command that must be on PATH. */
  readonly toolchain: string;
  readonly command: readonly string[];
  readonly version: readonly string[];
  /** Also mints v2 tokens. */
  readonly v2?: boolean;
}

const RECIPES: readonly Recipe[] = [
  { file: 'node.mjs', toolchain: 'node', command: [process.execPath, 'node.mjs'], version: [process.execPath, '--version'], v2: true },
  { file: 'python.py', toolchain: 'python3', command: ['python3', 'python.py'], version: ['python3', '--version'], v2: true },
  { file: 'go/main.go', toolchain: 'go', command: ['go', 'run', 'go/main.go'], version: ['go', 'version'] },
  { file: 'SessionRecovery.java', toolchain: 'java', command: ['java', 'SessionRecovery.java'], version: ['java', '--version'] },
  { file: 'ruby.rb', toolchain: 'ruby', command: ['ruby', 'ruby.rb'], version: ['ruby', '--version'] },
  { file: 'php.php', toolchain: 'php', command: ['php', 'php.php'], version: ['php', '--version'] },
  { file: 'SessionRecovery.cs', toolchain: 'dotnet', command: ['dotnet', 'run', 'SessionRecovery.cs'], version: ['dotnet', '--version'] },
];

const required = new Set(
  (process.env.RECIPE_TOOLCHAINS ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean),
);
const onPath = (command: string): boolean => command === process.execPath || spawnSync('sh', ['-c', `command -v ${command}`]).status === 0;
const versionOf = (recipe: Recipe): string => {
  const out = spawnSync(recipe.version[0], recipe.version.slice(1), { encoding: 'utf8' });
  return `${out.stdout}${out.stderr}`.split('\n')[0].trim();
};

const inputLine = (l: Link): string =>
  (l.kind === 'v2'
    ? ['v2', l.secret, l.credential_id!, l.project_id!, l.flow_id!, l.entry_id, l.expires_at, l.resume_url]
    : ['v1', l.secret, l.entry_id, l.expires_at, l.resume_url]
  ).join('\t');

const report: string[] = [];
afterAll(() => {
  mkdirSync(path.join(root, 'test-results'), { recursive: true });
  writeFileSync(path.join(root, 'test-results', 'recipes.txt'), `${report.join('\n')}\n`);
});

describe.each(RECIPES)('docs/recipes/$file', (recipe) => {
  const present = onPath(recipe.toolchain);
  const cases = links.filter((l) => l.kind === 'v1' || recipe.v2);
  if (!present && !required.has(recipe.toolchain)) {
    report.push(`skipped  ${recipe.file}: ${recipe.toolchain} is not installed`);
    it.skip(`is skipped: ${recipe.toolchain} is not installed`, () => undefined);
    return;
  }
  it(`${present ? `(${versionOf(recipe)}) ` : ''}mints the vectors' tokens and URLs byte for byte${recipe.v2 ? ', v2 tokens included' : ''}`, () => {
    if (!present) throw new Error(`RECIPE_TOOLCHAINS (set by .ci/run) requires ${recipe.toolchain}, which is not installed`);
    const out = spawnSync(recipe.command[0], recipe.command.slice(1), {
      cwd: recipes,
      input: `${cases.map(inputLine).join('\n')}\n`,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(out.stderr).toBe('');
    expect(out.stdout.split('\n').filter(Boolean)).toEqual(cases.map((l) => `${l.token}\t${l.url}`));
    report.push(`ran      ${recipe.file} with ${versionOf(recipe)}: ${cases.length} links`);
  }, 180_000);
});

describe('docs/recipes/braze.liquid', () => {
  // The vector whose expiry Liquid's date filter can write: UTC, whole seconds, with a Z.
  const vector = links.find((l) => l.kind === 'v1' && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(l.expires_at))!;

  it("signs the vector's token, and links its entry, when sent 7 days before its expiry (a minimal evaluator of the Liquid it uses, not Braze)", () => {
    const template = readFileSync(path.join(recipes, 'braze.liquid'), 'utf8');
    const sentAt = new Date(Date.parse(vector.expires_at) - 7 * 86400_000);
    const rendered = renderLiquidSubset(template, { session_recovery_braze_secret: vector.secret, session_recovery_entry_id: vector.entry_id }, sentAt);
    const url = new URL(rendered);
    expect([url.searchParams.get('token'), url.searchParams.get('entry_id'), url.searchParams.get('expires_at')]).toEqual([
      vector.token,
      vector.entry_id,
      vector.expires_at,
    ]);
    report.push('checked  braze.liquid with a minimal evaluator of its Liquid subset (not Braze)');
  });
});
