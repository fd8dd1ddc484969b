import { createHmac } from 'node:crypto';
import { generateSaveGen, mintSaveToken, saveGenOf, verifySaveToken } from '../../lambdas/domain/save-token';

const current = { id: 'current', secret: 'save-key-current-0123456789' };
const previous = { id: 'previous', secret: 'save-key-previous-0123456789' };
const claims = { projectId: 'proj_1', flowId: 'flow_1', entryId: 'entry_1' };
const gen = 'AbCdEfGhIjKlMn-_';
const grant = { ...claims, gen };
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

describe('save tokens', () => {
  it('are s2.<gen>. and the HMAC-SHA256 of the project, the flow, the entry and the generation under the save key, verified under the current or the previous key', () => {
    const token = mintSaveToken(current, grant);
    const mac = createHmac('sha256', current.secret).update(`session-recovery/save/v2\nproj_1\nflow_1\nentry_1\n${gen}`).digest('base64url');
    expect(token).toBe(`s2.${gen}.${mac}`);
    expect(verifySaveToken([current, previous], token, claims)).toBe(gen);
    expect(verifySaveToken([current, previous], mintSaveToken(previous, grant), claims)).toBe(gen);
    expect(verifySaveToken([current], mintSaveToken(previous, grant), claims)).toBeUndefined();
    expect(saveGenOf(token)).toBe(gen);
  });

  it('makes a new 96-bit generation each time, 16 base64url characters', () => {
    const gens = new Set(Array.from({ length: 100 }, generateSaveGen));
    expect(gens.size).toBe(100);
    for (const g of gens) expect(g).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('refuses a token with any one of its generation or MAC characters changed', () => {
    const token = mintSaveToken(current, grant);
    for (let i = 3; i < token.length; i++) {
      if (token[i] === '.') continue;
      const changed = `${token.slice(0, i)}${token[i] === 'A' ? 'Q' : 'A'}${token.slice(i + 1)}`;
      expect(verifySaveToken([current, previous], changed, claims)).toBeUndefined();
    }
  });

  it('is bound to its project, its flow and its entry', () => {
    const token = mintSaveToken(current, grant);
    for (const other of [{ projectId: 'proj_2' }, { flowId: 'flow_2' }, { entryId: 'entry_2' }]) {
      expect(verifySaveToken([current], token, { ...claims, ...other })).toBeUndefined();
    }
  });

  it('refuses the three other spellings of its MAC (the last character carries 2 unused bits)', () => {
    const token = mintSaveToken(current, grant);
    const last = BASE64URL.indexOf(token.at(-1)!);
    for (let unused = 1; unused < 4; unused++) {
      const respelled = `${token.slice(0, -1)}${BASE64URL[last + unused]}`;
      // The attack is real: the re-spelling decodes to the very same MAC.
      expect(Buffer.from(respelled.slice(20), 'base64url')).toEqual(Buffer.from(token.slice(20), 'base64url'));
      expect(verifySaveToken([current], respelled, claims)).toBeUndefined();
    }
  });

  it('refuses made-up and malformed tokens, and every s1. token (the format before generations), without throwing', () => {
    const resumeToken = 'f'.repeat(64);
    const s1 = `s1.${createHmac('sha256', current.secret).update('session-recovery/save/v1\nproj_1\nflow_1\nentry_1').digest('base64url')}`;
    const token = mintSaveToken(current, grant);
    for (const t of [
      s1,
      `s2.${gen}.${'A'.repeat(43)}`,
      `s2.${gen}.${'A'.repeat(42)}`,
      `s2.${gen}.${'A'.repeat(44)}`,
      `s3.${token.slice(3)}`,
      `s2.${gen}${token.slice(20)}`,
      resumeToken,
      '',
    ]) {
      expect(verifySaveToken([current, previous], t, claims)).toBeUndefined();
    }
  });
});
