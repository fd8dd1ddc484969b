// `npm run synth`: `cdk synth` without the template on the terminal (about 1,800 lines of YAML) and
// without the bundling log. It says where the template went; on a failure it prints everything cdk said.
// Arguments go to cdk: `npm run synth -- -c allowedOrigins=https://www.example.com`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const outFlag = args.findIndex((a) => a === '-o' || a === '--output');
const outDir = path.resolve(outFlag >= 0 ? args[outFlag + 1] : path.join(root, 'cdk.out'));

const cdk = spawnSync(path.join(root, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', ...args], { cwd: root, encoding: 'utf8' });
if (cdk.status !== 0) {
  process.stderr.write(`${cdk.stdout ?? ''}${cdk.stderr ?? ''}`);
  console.error(`cdk synth failed (exit code ${cdk.status ?? cdk.signal}): its output is above.`);
  process.exit(1);
}
const manifest = JSON.parse(readFileSync(path.join(outDir, 'manifest.json'), 'utf8'));
for (const [stack, artifact] of Object.entries(manifest.artifacts ?? {})) {
  if (artifact.type !== 'aws:cloudformation:stack') continue;
  const file = path.join(outDir, artifact.properties.templateFile);
  const resources = Object.keys(JSON.parse(readFileSync(file, 'utf8')).Resources ?? {}).length;
  console.log(`Synthesized ${stack}: ${path.relative(process.cwd(), file) || file} (${resources} resources).`);
}
