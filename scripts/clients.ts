import { readFileSync } from 'node:fs';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { ROUTE_LIST } from '../lambdas/http/routes';

const CLIENTS_DIR = path.join(import.meta.dirname, '..', 'clients');
const SRC = path.join(CLIENTS_DIR, 'src');

type Variant = 'current' | 'legacy';

/** Each browser client: the template in clients/src/ it is built from, and for the Actions, which contract. */
export const CLIENTS: Readonly<Record<string, { template: string; variant?: Variant }>> = {
  'embeddables-action.js': { template: 'embeddables-action.js', variant: 'current' },
  'embeddables-action-legacy.js': { template: 'embeddables-action.js', variant: 'legacy' },
  'embeddables-save-action.js': { template: 'embeddables-save-action.js' },
  'session-recovery.js': { template: 'session-recovery.js' },
  // The qrcode library, which session-recovery.js imports from beside itself on its first hand-off only.
  'session-recovery-qrcode.js': { template: 'session-recovery-qrcode.js' },
};

export const clientPath = (name: string): string => path.join(CLIENTS_DIR, name);

const HEADER = '// Built from clients/src/ by `npm run build:clients`; to change this file, change those.\n';

/** The functions of clients/src/shared.js by name, each with the comment above it and without `export`. */
const sharedFunctions = (): Map<string, string[]> => {
  const functions = new Map<string, string[]>();
  let comment: string[] = [];
  let current: { name: string; lines: string[] } | undefined;
  for (const line of readFileSync(path.join(SRC, 'shared.js'), 'utf8').split('\n')) {
    if (current) {
      current.lines.push(line);
      if (line === '}') {
        functions.set(current.name, current.lines);
        current = undefined;
      }
      continue;
    }
    const start = /^export function (\w+)\(/.exec(line);
    if (start) current = { name: start[1], lines: [...comment, line.slice('export '.length)] };
    comment = line.startsWith('//') ? [...comment, line] : [];
  }
  return functions;
};

/**
 * `ROUTE_PATHS`, the paths of the named public routes, as lambdas/http/routes.ts
 * defines them: the clients never spell a route themselves.
 */
const routePaths = (names: readonly string[], where: string): string[] => {
  const paths = names.map((name) => {
    const route = ROUTE_LIST.find((r) => r.name === name);
    if (route?.access !== 'public') throw new Error(`${where}: ${name} is not a public route`);
    return `${name}: '${route.path}'`;
  });
  return ['// The paths of the API routes this client calls (lambdas/http/routes.ts).', `const ROUTE_PATHS = { ${paths.join(', ')} }`];
};

const ROOT = path.join(CLIENTS_DIR, '..');

/**
 * `//#bundle module Name`: the npm package `module`'s browser build, bundled and
 * minified by esbuild into `const Name = (() => …)()` at the directive, so the
 * file stays one a team copies as it is, with no loader. Its version and
 * licence are named above it.
 */
const bundled = (module: string, name: string, where: string): string[] => {
  const { version, license } = JSON.parse(readFileSync(path.join(ROOT, 'node_modules', module, 'package.json'), 'utf8')) as {
    version: string;
    license: string;
  };
  const out = buildSync({
    stdin: { contents: `module.exports = require(${JSON.stringify(module)})`, resolveDir: ROOT, loader: 'js' },
    bundle: true,
    write: false,
    format: 'iife',
    globalName: name,
    platform: 'browser',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
  });
  const [file] = out.outputFiles;
  if (!file) throw new Error(`${where}: esbuild wrote nothing for ${module}`);
  // Minified code of another project's: the lint rules are ours, not its.
  return [
    `// The npm package ${module} ${version} (${license} licence), bundled from node_modules by npm run build:clients.`,
    '/* eslint-disable */',
    file.text.trim().replace(/^var /, 'const '),
    '/* eslint-enable */',
  ];
};

/**
 * A template with its directives applied: `//#if current` or `//#if legacy` …
 * `//#endif` keeps the lines between for that variant only,
 * `//#include name` inserts a function of shared.js at the directive's indentation,
 * `//#routes name…` declares ROUTE_PATHS for those public routes,
 * and `//#bundle module Name` inlines an npm package (bundled above).
 */
const preprocess = (template: string, variant: Variant | undefined, shared: Map<string, string[]>): string => {
  const out: string[] = [];
  let block: Variant | undefined;
  for (const [i, line] of template.split('\n').entries()) {
    const where = `line ${i + 1}`;
    const directive = /^(\s*)\/\/#(\w+)(?: (\w+(?: \w+)*))?$/.exec(line);
    if (!directive) {
      if (line.trimStart().startsWith('//#')) throw new Error(`${where}: malformed directive ${line.trim()}`);
      if (block === undefined || block === variant) out.push(line);
      continue;
    }
    const [, indent, name, arg] = directive;
    if (name === 'if') {
      if (block || (arg !== 'current' && arg !== 'legacy') || !variant)
        throw new Error(`${where}: //#if needs current or legacy, outside another block, in an Action`);
      block = arg;
    } else if (name === 'routes') {
      if (!arg) throw new Error(`${where}: //#routes needs route names`);
      if (block === undefined || block === variant) out.push(...routePaths(arg.split(' '), where).map((l) => indent + l));
    } else if (name === 'bundle') {
      const [module, global] = arg?.split(' ') ?? [];
      if (!module || !global) throw new Error(`${where}: //#bundle needs a module and a name`);
      if (block === undefined || block === variant) out.push(...bundled(module, global, where).map((l) => indent + l));
    } else if (name === 'endif') {
      if (!block) throw new Error(`${where}: //#endif without //#if`);
      block = undefined;
    } else if (name === 'include') {
      const fn = arg && shared.get(arg);
      if (!fn) throw new Error(`${where}: shared.js has no function ${arg}`);
      if (block === undefined || block === variant) out.push(...fn.map((l) => (l ? indent + l : l)));
    } else {
      throw new Error(`${where}: unknown directive //#${name}`);
    }
  }
  if (block) throw new Error(`//#if ${block} is never closed`);
  return out.join('\n');
};

/** Every browser client as `npm run build:clients` writes it, by file name. */
export const renderClients = (): Record<string, string> => {
  const shared = sharedFunctions();
  return Object.fromEntries(
    Object.entries(CLIENTS).map(([name, { template, variant }]) => [
      name,
      HEADER + preprocess(readFileSync(path.join(SRC, template), 'utf8'), variant, shared),
    ]),
  );
};
