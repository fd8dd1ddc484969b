/**
 * `npm run build:cli`: compiles the CLI (clients/cli/) to bin/session-recovery-cli.js.
 * The file is committed, so `npm install -g .`, `npm ci` and an install without
 * devDependencies all get a command that runs as is; test/unit/cli-build.test.ts
 * fails when it is stale.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLI_FILE, renderCli } from './cli';

const { js } = await renderCli();
writeFileSync(CLI_FILE, js);
chmodSync(CLI_FILE, 0o755);
console.log(`wrote ${path.relative(process.cwd(), CLI_FILE)} (${js.length} bytes)`);
