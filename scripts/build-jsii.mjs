// `npm run build:jsii`: compiles the construct (lib/index.ts and what it imports) with jsii into build/ as CommonJS,
// and writes the .jsii assembly. The repository's own package.json says "type": "module" (its sources run as ESM
// through tsx and Jest), so build/package.json tells Node that the compiled files are CommonJS.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..');
// "namespace" (MonitoringProps) is reserved in C# only, which is not a target.
const jsii = spawnSync(path.join(root, 'node_modules', '.bin', 'jsii'), ['--silence-warnings=reserved-word', ...process.argv.slice(2)], {
  cwd: root,
  stdio: 'inherit',
});
if (jsii.status !== 0) process.exit(jsii.status ?? 1);
mkdirSync(path.join(root, 'build'), { recursive: true });
writeFileSync(path.join(root, 'build', 'package.json'), `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
