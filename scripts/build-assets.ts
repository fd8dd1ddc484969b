// `npm run build:assets`: bundles every Lambda's handler (lambdas/<name>/index.ts) into assets/<name>/index.mjs with the
// esbuild options of lib/constructs/bundling.ts. The construct deploys these files (lib/constructs/api-function.ts), in
// this repository (cdk.json's app, the tests' global setup) and in a consumer's install (prepack puts them in the
// package), so the bytes the tests run are the bytes a consumer deploys, and no consumer needs esbuild or Docker.
// `--if-stale` builds only when a source is newer than the last build (assets/.built); the new folder replaces the old
// one whole, so a synth never reads half of one.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { BUNDLING } from '../lib/constructs/bundling';
import { FUNCTION_NAMES } from '../lib/constructs/function-names';

const root = path.join(import.meta.dirname, '..');
const out = path.join(root, 'assets');
const stamp = path.join(out, '.built');

/** The newest modification time of what the bundles are built from. */
const newestSource = (): number => {
  let newest = 0;
  const visit = (p: string): void => {
    const stat = statSync(p);
    if (stat.isDirectory()) for (const name of readdirSync(p)) visit(path.join(p, name));
    else newest = Math.max(newest, stat.mtimeMs);
  };
  for (const p of ['lambdas', 'lib/constructs/bundling.ts', 'package-lock.json', 'tsconfig.json']) visit(path.join(root, p));
  return newest;
};

if (process.argv.includes('--if-stale') && existsSync(stamp) && statSync(stamp).mtimeMs >= newestSource()) process.exit(0);

const next = `${out}.${process.pid}.tmp`;
rmSync(next, { recursive: true, force: true });
await Promise.all(
  FUNCTION_NAMES.map(async (fn) => {
    mkdirSync(path.join(next, fn), { recursive: true });
    await build({
      entryPoints: [path.join(root, 'lambdas', fn, 'index.ts')],
      outfile: path.join(next, fn, 'index.mjs'),
      bundle: true,
      platform: BUNDLING.platform,
      format: BUNDLING.format,
      target: BUNDLING.target,
      minify: BUNDLING.minify,
      sourcemap: BUNDLING.sourcemap,
      mainFields: [...BUNDLING.mainFields],
      banner: { js: BUNDLING.banner },
      logLevel: 'warning',
    });
  }),
);
writeFileSync(path.join(next, '.built'), '');
const old = `${out}.${process.pid}.old`;
if (existsSync(out)) renameSync(out, old);
renameSync(next, out);
rmSync(old, { recursive: true, force: true });
if (!process.argv.includes('--quiet')) console.log(`Bundled ${FUNCTION_NAMES.length} Lambdas into ${path.relative(process.cwd(), out) || out}/`);
