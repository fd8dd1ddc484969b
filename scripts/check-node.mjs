// Stops `npm start` (and any script that runs this first) on a Node.js older than .nvmrc names, with one
// line saying what to do. `npm ci` stops on its own through engine-strict (.npmrc) and package.json's engines.
// Plain JavaScript that any Node.js parses, so an old one reaches the message instead of a syntax error.
import { readFileSync } from 'node:fs';

const wanted = Number(readFileSync(new URL('../.nvmrc', import.meta.url), 'utf8').trim());
const major = Number(process.versions.node.split('.')[0]);
if (major < wanted) {
  console.error(
    `session-recovery needs Node.js ${wanted} or later, and this is Node.js ${process.versions.node}: ` +
      `run "nvm install" (it reads .nvmrc) or install Node.js ${wanted} from https://nodejs.org, then "npm ci".`,
  );
  process.exit(1);
}
