import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..', '..');
const manifest = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { license: string; files: string[] };

it('LICENSE is the Apache License 2.0 package.json names, word for word as apache.org publishes it, and the package ships it', () => {
  expect(manifest.license).toBe('Apache-2.0');
  // https://www.apache.org/licenses/LICENSE-2.0.txt, 11,358 bytes.
  expect(
    createHash('sha256')
      .update(readFileSync(path.join(root, 'LICENSE')))
      .digest('hex'),
  ).toBe('cfc7749b96f63bd31c3c42b5c471bf756814053e847c10f3eb003417bc523d30');
  expect(manifest.files).toContain('LICENSE');
});
