// `npm run package`: both artifacts, laid out as jsii-pacmak lays them out: the npm tarball under dist/js/ and the
// Python wheel under dist/python/. jsii-pacmak packs the tarball with `npm pack`, whose prepack hook builds the
// Lambdas' bundles (assets/) and the jsii assembly (build/, .jsii) first.
import { spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..');
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
const step = (file, args) => {
  const result = spawnSync(file, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};
// pacmak reads the assembly before it packs: build it first (prepack rebuilds the same files).
step('npm', ['run', 'build:package', '--silent']);
step(path.join(root, 'node_modules', '.bin', 'jsii-pacmak'), ['--targets', 'js', 'python', '--outdir', 'dist']);
