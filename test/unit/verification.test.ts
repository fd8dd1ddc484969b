import { createHmac } from 'node:crypto';
import { normaliseVerification, type ResumePolicy, verificationMatches, verifyDigestFor } from '../../lambdas/domain/resume-policy';

/**
 * How a verify field's values compare (docs/second-factor.md, "How values
 * compare" and "The digest beside the entry"): what is normalised and what is
 * not, and the keyed digest that is stored and compared instead of the value.
 */

const SAVE_KEY = { id: 'save_1', secret: 'a-deployment-save-key-of-32-bytes!' };
const OTHER_KEY = { id: 'save_2', secret: 'the-next-deployment-save-key-----' };
const scope = { projectId: 'proj_1', flowId: 'flow_1', entryId: 'entry_1' };
const policy: ResumePolicy = { withheld_fields: [], verify_field: 'email' };

describe('normaliseVerification', () => {
  it.each([
    ['surrounding white space is trimmed', '  1906-12-09\n', '1906-12-09'],
    ['a value with @ is an email address, compared lower-cased', ' Grace.Hopper@Example.COM ', 'grace.hopper@example.com'],
    ['by its format, whatever the field: a value without @ keeps its case', 'Hopper', 'Hopper'],
    ['Unicode NFC: a decomposed é is the composed one', 'Jose\u0301', 'Jos\u00e9'],
    ['a number is its decimal text', 1906, '1906'],
    ['nothing else: a date keeps its format', '09/12/1906', '09/12/1906'],
  ])('%s', (_what, value, expected) => {
    expect(normaliseVerification(value)).toBe(expected);
  });

  it.each([
    ['absent', undefined],
    ['empty after the trim', '   '],
    ['an object', { d: 9 }],
    ['a boolean', true],
    ['not a finite number', Number.NaN],
  ])('a value that is %s cannot be verified', (_what, value) => {
    expect(normaliseVerification(value)).toBeUndefined();
  });
});

describe('the digest', () => {
  it('is HMAC-SHA256 (32 bytes), under a key derived from the save key, over the project, flow and entry ids, the field and the normalised value; never the value', () => {
    const digest = verifyDigestFor(scope, { email: ' Grace@Example.com' }, policy, SAVE_KEY)!;
    const key = createHmac('sha256', SAVE_KEY.secret).update('session-recovery/verify/v1').digest();
    const expected = createHmac('sha256', key).update(['proj_1', 'flow_1', 'entry_1', 'email', 'grace@example.com'].join('\n')).digest();
    expect(Buffer.from(digest.digest, 'base64url')).toEqual(expected);
    expect(expected).toHaveLength(32);
    expect(JSON.stringify(digest)).not.toMatch(/grace|example/i);
    // The same value in another entry has another digest.
    expect(verifyDigestFor({ ...scope, entryId: 'entry_2' }, { email: 'grace@example.com' }, policy, SAVE_KEY)!.digest).not.toBe(digest.digest);
  });

  it('matches the normalised value only', () => {
    const entry = { userData: { email: 'x' }, verifyDigest: verifyDigestFor(scope, { email: 'grace@example.com' }, policy, SAVE_KEY) };
    expect(verificationMatches(scope, entry, 'email', 'GRACE@example.com ', [SAVE_KEY])).toBe(true);
    expect(verificationMatches(scope, entry, 'email', 'grace@example.org', [SAVE_KEY])).toBe(false);
  });

  it('a digest made with a save key no longer held is checked against the stored value, under the current key', () => {
    const stored = verifyDigestFor(scope, { email: 'old@example.com' }, policy, OTHER_KEY);
    const entry = { userData: { email: 'grace@example.com' }, verifyDigest: stored };
    expect(verificationMatches(scope, entry, 'email', 'grace@example.com', [SAVE_KEY])).toBe(true);
    expect(verificationMatches(scope, entry, 'email', 'old@example.com', [SAVE_KEY])).toBe(false);
    // While the key is still held (a rotation under way), the stored digest is the one compared.
    expect(verificationMatches(scope, entry, 'email', 'old@example.com', [SAVE_KEY, OTHER_KEY])).toBe(true);
  });

  it('an entry with no value for the field matches no value', () => {
    expect(verificationMatches(scope, { userData: { name: 'Grace' } }, 'email', '', [SAVE_KEY])).toBe(false);
    expect(verificationMatches(scope, { userData: { email: { value: 'grace@example.com' } } }, 'email', 'grace@example.com', [SAVE_KEY])).toBe(false);
  });
});
