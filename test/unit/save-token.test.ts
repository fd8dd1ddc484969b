import { createHmac } from 'node:crypto';
import { mintSaveToken, verifySaveToken } from '../../lambdas/domain/save-token';

const current = { id: 'current', secret: 'save-key-current-0123456789' };
const previous = { id: 'previous', secret: 'save-key-previous-0123456789' };
const claims = { projectId: 'proj_1', flowId: 'flow_1', entryId: 'entry_1' };
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('save tokens', () => {
  it('are s1. and the HMAC-SHA256 of the project, the flow and the entry under the save key, verified under the current or the previous key', () => {
    const token = mintSaveToken(current, claims);
    const mac = createHmac('sha256', current.secret).update('session-recovery/save/v1\nproj_1\nflow_1\nentry_1').digest('base64url');
    expect(token).toBe(`s1.${mac}`);
    expect(verifySaveToken([current, previous], token, claims)).toBe(true);
    expect(verifySaveToken([current, previous], mintSaveToken(previous, claims), claims)).toBe(true);
    expect(verifySaveToken([current], mintSaveToken(previous, claims), claims)).toBe(false);
  });

  it('refuses a token with any one of its 43 MAC characters changed', () => {
    const token = mintSaveToken(current, claims);
    for (let i = 3; i < token.length; i++) {
      const changed = `${token.slice(0, i)}${token[i] === 'A' ? 'Q' : 'A'}${token.slice(i + 1)}`;
      expect(verifySaveToken([current, previous], changed, claims)).toBe(false);
    }
  });

  it('is bound to its project, its flow and its entry', () => {
    const token = mintSaveToken(current, claims);
    for (const other of [{ projectId: 'proj_2' }, { flowId: 'flow_2' }, { entryId: 'entry_2' }]) {
      expect(verifySaveToken([current], token, { ...claims, ...other })).toBe(false);
    }
  });

  it('refuses the three other spellings of its MAC (the last character carries 2 unused bits)', () => {
    const token = mintSaveToken(current, claims);
    const last = BASE64URL.indexOf(token.at(-1)!);
    for (let unused = 1; unused < 4; unused++) {
      const respelled = `${token.slice(0, -1)}${BASE64URL[last + unused]}`;
      // The attack is real: the re-spelling decodes to the very same MAC.
      expect(Buffer.from(respelled.slice(3), 'base64url')).toEqual(Buffer.from(token.slice(3), 'base64url'));
      expect(verifySaveToken([current], respelled, claims)).toBe(false);
    }
  });

  it('refuses made-up and malformed tokens, without throwing', () => {
    const resumeToken = 'f'.repeat(64);
    for (const token of [`s1.${'A'.repeat(43)}`, `s1.${'A'.repeat(42)}`, `s1.${'A'.repeat(44)}`, `s2.${mintSaveToken(current, claims).slice(3)}`, resumeToken, '']) {
      expect(verifySaveToken([current, previous], token, claims)).toBe(false);
    }
  });
});
