import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { computeToken, findSigningKey } from '../../lambdas/domain/token';
import { mintV2Token } from '../../lambdas/domain/token-v2';
import { buildResumeUrl } from '../../lambdas/domain/mint';
import { isValidId, parseExpiresAt } from '../../lambdas/domain/grammar';
import { lengthExtend } from '../support/sha256-length-extension';

interface Vector {
  secret: string;
  entry_id: string;
  expires_at: string;
  token: string;
}
/** A whole resume link, as the recipes in docs/recipes/ build it. */
interface LinkVector extends Vector {
  kind: 'v1' | 'v2';
  credential_id?: string;
  project_id?: string;
  flow_id?: string;
  resume_url: string;
  url: string;
}
const { vectors, links } = JSON.parse(readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'token-vectors.json'), 'utf8')) as {
  vectors: Vector[];
  links: LinkVector[];
};

// The recipes are held to these links (test/recipes/recipes.test.ts): each must be exactly what mint makes.
describe("the recipes' link vectors", () => {
  it.each(links)('are what mint signs and builds: $kind $entry_id for $resume_url', (l) => {
    const token =
      l.kind === 'v2'
        ? mintV2Token(
            { id: l.credential_id!, secret: l.secret },
            { projectId: l.project_id!, flowId: l.flow_id || undefined, entryId: l.entry_id, expiresAt: l.expires_at },
          )
        : computeToken(l.secret, l.entry_id, l.expires_at);
    expect(token).toBe(l.token);
    expect(buildResumeUrl(l.resume_url, { token, entry_id: l.entry_id, expires_at: l.expires_at })).toBe(l.url);
  });

  it('cover a + offset (sent as %2B), a query already there, a fragment, a non-ASCII secret, and v2 tokens with and without a flow', () => {
    expect(links.some((l) => l.url.includes('%2B14%3A00'))).toBe(true);
    expect(links.some((l) => /[^\x20-\x7e]/.test(l.secret))).toBe(true);
    expect(links.some((l) => l.resume_url.includes('?') && l.url.includes('&token='))).toBe(true);
    expect(links.some((l) => l.resume_url.includes('#') && l.url.endsWith('#resume'))).toBe(true);
    expect(links.filter((l) => l.kind === 'v2').map((l) => Boolean(l.flow_id))).toEqual([true, false]);
  });
});

describe('computeToken', () => {
  it.each(vectors)('matches Python hashlib for entry $entry_id / $expires_at', (v) => {
    expect(computeToken(v.secret, v.entry_id, v.expires_at)).toBe(v.token);
  });

  it('matches `openssl dgst -sha256` run now on the seed formula', () => {
    const secret = 'tss_openssl-check-ü';
    const message = `${secret}---entry_42---2031-01-01T00:00:00.000Z`;
    const out = execFileSync('openssl', ['dgst', '-sha256', '-r'], { input: Buffer.from(message, 'utf8') }).toString();
    expect(computeToken(secret, 'entry_42', '2031-01-01T00:00:00.000Z')).toBe(out.split(' ')[0]);
  });

  it('is lowercase hex of 64 characters', () => {
    expect(computeToken('k', 'e', '2030-01-01T00:00:00Z')).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('findSigningKey', () => {
  const keys = [
    { id: 'cred_a', secret: 'secret-a' },
    { id: 'cred_b', secret: 'secret-b' },
  ];
  const entry = 'entry_1';
  const exp = '2030-01-01T00:00:00.000Z';

  it('returns the id of the key that signed the token, whichever position it has', () => {
    expect(findSigningKey(keys, computeToken('secret-a', entry, exp), entry, exp)).toBe('cred_a');
    expect(findSigningKey(keys, computeToken('secret-b', entry, exp), entry, exp)).toBe('cred_b');
  });

  it('tries every key, with no early exit, wherever the matching one is', () => {
    // Each key counts the reads of its secret: a loop that stopped at the match would leave the later ones unread.
    const reads = [0, 0, 0];
    const counted = ['secret-a', 'secret-b', 'secret-c'].map((secret, i) => ({
      id: `cred_${i}`,
      get secret() {
        reads[i]++;
        return secret;
      },
    }));
    for (const signer of ['secret-a', 'secret-c', 'secret-x']) {
      reads.fill(0);
      findSigningKey(counted, computeToken(signer, entry, exp), entry, exp);
      expect(reads).toEqual([1, 1, 1]);
    }
  });

  it('compares case-insensitively', () => {
    expect(findSigningKey(keys, computeToken('secret-b', entry, exp).toUpperCase(), entry, exp)).toBe('cred_b');
  });

  it('refuses a token with one hex digit changed, at every position', () => {
    const token = computeToken('secret-a', entry, exp);
    for (let i = 0; i < 64; i++) {
      const flipped = token.slice(0, i) + (token[i] === '0' ? '1' : '0') + token.slice(i + 1);
      expect(findSigningKey(keys, flipped, entry, exp)).toBeUndefined();
    }
  });

  it('refuses a token for another entry id or another expiry', () => {
    const token = computeToken('secret-a', entry, exp);
    expect(findSigningKey(keys, token, 'entry_2', exp)).toBeUndefined();
    expect(findSigningKey(keys, token, entry, '2030-01-01T00:00:00.001Z')).toBeUndefined();
  });

  it('compares against every key, with no early exit, whichever one matches', () => {
    const token = computeToken('secret-a', entry, exp);
    for (const matching of [0, 1, 2]) {
      const read: string[] = [];
      const counted = ['x', 'y', 'z'].map((id, i) => ({
        id,
        get secret() {
          read.push(id);
          return i === matching ? 'secret-a' : `other-${id}`;
        },
      }));
      expect(findSigningKey(counted, token, entry, exp)).toBe(['x', 'y', 'z'][matching]);
      expect(read).toEqual(['x', 'y', 'z']);
    }
  });

  it('refuses everything when the project has no keys', () => {
    expect(findSigningKey([], computeToken('secret-a', entry, exp), entry, exp)).toBeUndefined();
  });
});

describe('SHA-256 length extension', () => {
  const secret = 'tss_victim-secret-unknown-to-the-attacker';
  const entryId = 'entry_victim';
  const expiresAt = '2020-01-01T00:00:00Z';
  const token = computeToken(secret, entryId, expiresAt);
  const originalLength = Buffer.byteLength(`${secret}---${entryId}---${expiresAt}`);

  it('the attack is real: the forged digest is the SHA-256 of the extended message', () => {
    const suffix = Buffer.from('9');
    const forged = lengthExtend(token, originalLength, suffix);
    const extended = Buffer.concat([Buffer.from(`${secret}---${entryId}---${expiresAt}`), forged.glue, suffix]);
    expect(createHash('sha256').update(extended).digest('hex')).toBe(forged.digestHex);
  });

  it('every extended expires_at breaks the grammar (the glue holds 0x80 and 0x00)', () => {
    const suffix = Buffer.from('2099-01-01T00:00:00Z');
    const forged = lengthExtend(token, originalLength, suffix);
    const forgedExpiresAt = Buffer.concat([Buffer.from(expiresAt), forged.glue, suffix]).toString('latin1');
    expect(parseExpiresAt(forgedExpiresAt)).toBeUndefined();
    // A verifier without the grammar that hashes the bytes it got would accept it:
    const naive = createHash('sha256')
      .update(Buffer.from(`${secret}---${entryId}---${forgedExpiresAt}`, 'latin1'))
      .digest('hex');
    expect(naive).toBe(forged.digestHex);
  });

  it('every extended entry_id breaks the grammar', () => {
    const suffix = Buffer.from('---2099-01-01T00:00:00Z');
    const forged = lengthExtend(token, originalLength, suffix);
    const forgedEntryId = Buffer.concat([Buffer.from(`${entryId}---${expiresAt}`), forged.glue]).toString('latin1');
    expect(isValidId(forgedEntryId)).toBe(false);
  });
});
