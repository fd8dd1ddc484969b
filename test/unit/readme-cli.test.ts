import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { docSection, repositoryRoot } from '../support/docs';

/** What the built CLI prints for `session-recovery … --help`, as `npx session-recovery` runs it. */
const help = (...command: string[]) =>
  execFileSync(process.execPath, [path.join(repositoryRoot, 'bin', 'session-recovery-cli.js'), ...command, '--help'], { encoding: 'utf8' });
/** The commands a help page lists under "Commands:", without commander's own `help`. */
const commands = (page: string) =>
  [...(page.split('Commands:\n')[1] ?? '').matchAll(/^ {2}([a-z][a-z-]*)/gm)].map((m) => m[1]).filter((name) => name !== 'help');

const section = docSection('README.md', 'CLI quick reference');
/** The quick reference's rows: the command, and the subcommands its row names in backticks. */
const rows = [...section.matchAll(/^\| `([a-z-]+)` \| ([^\n]*) \|$/gm)].map(([, command, cell]) => ({
  command,
  named: [...cell.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]),
}));

it("the README's CLI quick reference has a row for every command `session-recovery --help` lists, in its order, and no other", () => {
  expect(rows.map((r) => r.command)).toEqual(commands(help()));
});

it.each(rows.filter((r) => r.named.length))('each subcommand the `$command` row names is one of its commands', ({ command, named }) => {
  const listed = commands(help(command));
  for (const name of named) expect([name, listed.includes(name)]).toEqual([name, true]);
});

it('every command takes --endpoint (or SESSION_RECOVERY_ENDPOINT) and --json, as the README says', () => {
  expect(section).toContain('Every command takes `--endpoint` (or `SESSION_RECOVERY_ENDPOINT`) and `--json`.');
  const options = help();
  expect(options).toMatch(/--endpoint <url>[\s\S]*\(env: SESSION_RECOVERY_ENDPOINT\)/);
  expect(options).toContain('--json');
});
