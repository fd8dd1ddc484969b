import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** The package's name in package.json: the folder holding it is the package's root, wherever it is installed. */
export const PACKAGE_NAME = 'session-recovery';

/**
 * This file's folder. The construct runs as the CommonJS jsii compiles to (build/lib/…, in a consumer's
 * node_modules or under jsii's kernel for Python), where `__dirname` is set, and as the ESM source the
 * repository runs (tsx, Jest), where it is not and `import.meta` cannot be written (the jsii build rejects
 * it): there the first frame of a stack trace names this file.
 */
const here = (): string => {
  if (typeof __dirname === 'string') return __dirname;
  const frame = /(?:file:\/\/)?(\/[^\s():]+\/package-root\.[cm]?[jt]s)/.exec(new Error().stack ?? '');
  if (!frame) throw new Error('session-recovery: cannot tell where lib/constructs/package-root is from its stack trace');
  return path.dirname(decodeURIComponent(frame[1]));
};

/** The nearest folder above this file whose package.json names this package: the repository, or the installed package. */
export const packageRoot = (): string => {
  for (let dir = here(); ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === PACKAGE_NAME) return dir;
    if (path.dirname(dir) === dir) throw new Error(`session-recovery: no package.json named ${PACKAGE_NAME} above ${here()}`);
  }
};

/** Where the prebuilt bundle of the Lambda `fn` is: `assets/<fn>/index.mjs` (npm run build:assets, and prepack). */
export const assetDir = (fn: string): string => path.join(packageRoot(), 'assets', fn);
