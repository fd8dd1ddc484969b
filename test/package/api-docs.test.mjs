// docs/API.md is what jsii-docgen makes of the current jsii assembly (npm run docs:api), as docs/openapi.yaml is what
// npm run openapi makes of the routes: a change to the construct's public API or its doc comments without a
// regenerated reference fails here. .ci/run runs it after `npm run package`, which wrote the assembly.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { root, tempDir } from './support.mjs';

test('docs/API.md is the reference jsii-docgen generates from the current assembly', { timeout: 300_000 }, () => {
  const fresh = path.join(tempDir('api-docs'), 'API.md');
  execFileSync(process.execPath, [path.join(root, 'scripts', 'build-api-docs.mjs'), '--out', fresh], { cwd: root, stdio: 'inherit' });
  const committed = readFileSync(path.join(root, 'docs', 'API.md'), 'utf8');
  assert.ok(committed === readFileSync(fresh, 'utf8'), 'docs/API.md is stale: run npm run build:jsii && npm run docs:api, and commit it');
  assert.match(committed, /### SessionRecovery <a name="SessionRecovery"/);
});
