import {
  type ActiveCredential,
  addCredential,
  CorruptSecretError,
  type CredentialRecord,
  MAX_ACTIVE_CREDENTIALS,
  MAX_REVOKED_KEPT,
  parseProjectSecret,
  type ProjectSecretDocument,
  type RevokedCredential,
  revokeCredential,
  setAllowedOrigins,
  setBrowserSaves,
} from '../../lambdas/domain/project-keys';

const NOW = new Date('2030-06-01T12:00:00.000Z');
const minutesBefore = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000).toISOString();

const active = (i: number, environment = 'production'): ActiveCredential => ({
  credential_id: `cred_${String(i).padStart(20, '0')}`,
  label: `active ${i}`,
  environment,
  created_at: minutesBefore(10_000 - i),
  status: 'active',
  secret: `tss_active_secret_${i}`,
  algorithm: 'sha256',
});
const revoked = (i: number, revokedMinutesAgo: number): RevokedCredential => ({
  credential_id: `cred_${String(1000 + i).padStart(20, '0')}`,
  label: `revoked ${i}`,
  environment: 'production',
  created_at: minutesBefore(20_000),
  status: 'revoked',
  revoked_at: minutesBefore(revokedMinutesAgo),
  algorithm: 'sha256',
});
const doc = (credentials: CredentialRecord[]): ProjectSecretDocument => ({ schema_version: 1, project_id: 'proj_1', credentials });
const create = (d: ProjectSecretDocument | undefined, replace: boolean, environment = 'production') =>
  addCredential('proj_1', d, { label: 'new', environment, replace, now: NOW });
const count = (d: ProjectSecretDocument, status: 'active' | 'revoked') => d.credentials.filter((c) => c.status === status).length;

describe(`at most ${MAX_ACTIVE_CREDENTIALS} active credentials`, () => {
  const full = doc(Array.from({ length: MAX_ACTIVE_CREDENTIALS }, (_, i) => active(i)));

  it('the 20th is created; a 21st is refused with 409 conflict, saying what to do', () => {
    const nineteen = doc(full.credentials.slice(1));
    expect(count(create(nineteen, false).doc, 'active')).toBe(20);
    expect(() => create(full, false)).toThrow(
      expect.objectContaining({
        code: 'conflict',
        status: 409,
        message: 'The project already has 20 active credentials; revoke one or create with replace: true.',
      }),
    );
  });

  it("replace: true makes room by revoking the environment's credentials first", () => {
    const { doc: next, credential } = create(full, true);
    expect(next.credentials.filter((c) => c.status === 'active')).toEqual([credential]);
    expect(count(next, 'revoked')).toBe(20);
  });

  it('counts every environment: replace: true in one cannot make room taken by another', () => {
    const staging = doc(Array.from({ length: MAX_ACTIVE_CREDENTIALS }, (_, i) => active(i, 'staging')));
    expect(() => create(staging, true, 'production')).toThrow(expect.objectContaining({ code: 'conflict' }));
  });

  it('revoked credentials do not count', () => {
    const nineteenAndRevoked = doc([...full.credentials.slice(1), revoked(1, 5), revoked(2, 6)]);
    expect(count(create(nineteenAndRevoked, false).doc, 'active')).toBe(20);
  });
});

describe(`pruning revoked credentials: the newest ${MAX_REVOKED_KEPT} are kept`, () => {
  // Revoked 1 to 50 minutes ago, listed in no particular order.
  const fifty = Array.from({ length: MAX_REVOKED_KEPT }, (_, i) => revoked(i, ((i * 17) % MAX_REVOKED_KEPT) + 1));
  const oldest = fifty.find((c) => c.revoked_at === minutesBefore(MAX_REVOKED_KEPT))!;

  it('keeps all 50, and every active credential', () => {
    const { doc: next } = create(doc([active(1), ...fifty]), false);
    expect([count(next, 'active'), count(next, 'revoked')]).toEqual([2, 50]);
  });

  it('a 51st revocation forgets the one revoked longest ago, and nothing else', () => {
    const before = doc([active(1), ...fifty]);
    const next = revokeCredential(before, active(1).credential_id, NOW, 'production');
    expect(count(next, 'revoked')).toBe(MAX_REVOKED_KEPT);
    expect(next.credentials.map((c) => c.credential_id).sort()).toEqual(
      before.credentials
        .map((c) => c.credential_id)
        .filter((id) => id !== oldest.credential_id)
        .sort(),
    );
    expect(next.credentials.find((c) => c.credential_id === active(1).credential_id)).toEqual({
      ...active(1),
      secret: undefined,
      status: 'revoked',
      revoked_at: NOW.toISOString(),
    });
  });

  it('creating with replace: true prunes the same way, keeping the order of the rest', () => {
    const before = doc([active(1), active(2), ...fifty]);
    const { doc: next, credential } = create(before, true);
    expect(count(next, 'revoked')).toBe(MAX_REVOKED_KEPT);
    expect(count(next, 'active')).toBe(1);
    // The two replaced credentials (revoked now) are kept; the two revoked longest ago are forgotten.
    const forgotten = [...fifty]
      .sort((a, b) => a.revoked_at.localeCompare(b.revoked_at))
      .slice(0, 2)
      .map((c) => c.credential_id);
    expect(next.credentials.map((c) => c.credential_id)).toEqual([
      ...before.credentials.map((c) => c.credential_id).filter((id) => !forgotten.includes(id)),
      credential.credential_id,
    ]);
  });

  it('a revoked credential keeps no value', () => {
    const next = revokeCredential(doc([active(1)]), active(1).credential_id, NOW, 'production');
    expect(JSON.stringify(next)).not.toContain(active(1).secret);
  });
});

describe('a corrupt project secret', () => {
  const SECRET = 'tss_corrupt_doc_secret_value_never_quoted';
  const good = { schema_version: 1, project_id: 'proj_1', credentials: [{ ...active(1), secret: SECRET }] };
  const cases: Array<[string, string, string]> = [
    ['not JSON', `{"secret":"${SECRET}"`, 'project secret is not JSON'],
    ['JSON but not an object', JSON.stringify([good]), 'project secret has no schema_version 1 header'],
    ['another schema version', JSON.stringify({ ...good, schema_version: 2 }), 'project secret has no schema_version 1 header'],
    ['no project id', JSON.stringify({ ...good, project_id: undefined }), 'project secret has no schema_version 1 header'],
    ['no credentials list', JSON.stringify({ ...good, credentials: { [SECRET]: 1 } }), 'project secret has a malformed credentials list'],
    [
      'an active credential without a value',
      JSON.stringify({ ...good, credentials: [{ ...good.credentials[0], secret: '' }] }),
      'project secret has a malformed credentials list',
    ],
    [
      'a revoked credential that kept its value',
      JSON.stringify({ ...good, credentials: [{ ...good.credentials[0], status: 'revoked', revoked_at: NOW.toISOString() }] }),
      'project secret has a malformed credentials list',
    ],
    [
      'an unknown status',
      JSON.stringify({ ...good, credentials: [{ ...good.credentials[0], status: 'paused' }] }),
      'project secret has a malformed credentials list',
    ],
    [
      'an unknown algorithm',
      JSON.stringify({ ...good, credentials: [{ ...good.credentials[0], algorithm: 'md5' }] }),
      'project secret has a malformed credentials list',
    ],
    [
      'a credential missing its label',
      JSON.stringify({ ...good, credentials: [{ ...good.credentials[0], label: undefined }] }),
      'project secret has a malformed credentials list',
    ],
    ['origins that are not strings', JSON.stringify({ ...good, allowed_origins: [SECRET, 1] }), 'project secret has a malformed allowed_origins list'],
  ];

  it.each(cases)('%s is refused with CorruptSecretError, whose message, stack and JSON never quote the text', (_what, text, message) => {
    let thrown: unknown;
    try {
      parseProjectSecret(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CorruptSecretError);
    const error = thrown as CorruptSecretError;
    expect([error.name, error.message, error.cause]).toEqual(['CorruptSecretError', message, undefined]);
    for (const shown of [error.message, String(error.stack), JSON.stringify(error), String(error)]) expect(shown).not.toContain(SECRET);
  });

  it('a well-formed document parses, with only the fields this version knows', () => {
    expect(parseProjectSecret(JSON.stringify({ ...good, extra: 'ignored', allowed_origins: ['https://a.example'] }))).toEqual({
      ...good,
      allowed_origins: ['https://a.example'],
    });
  });
});

describe('two environments sharing a secret prefix (one project secret)', () => {
  const shared = doc([active(1, 'production'), active(2, 'staging')]);

  it("refuses, as unknown (404), to revoke another environment's credential, and revokes its own", () => {
    expect(() => revokeCredential(shared, active(1).credential_id, NOW, 'staging')).toThrow(expect.objectContaining({ code: 'not_found' }));
    const next = revokeCredential(shared, active(2).credential_id, NOW, 'staging');
    expect(next.credentials.map((c) => c.status)).toEqual(['active', 'revoked']);
  });

  it("refuses (409) origins and browser saves from an environment that did not create the project's secret", () => {
    const owned = { ...shared, environment: 'production', allowed_origins: ['https://www.example.com'] };
    expect(() => setAllowedOrigins('proj_1', owned, ['https://evil.example'], 'staging')).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => setAllowedOrigins('proj_1', owned, undefined, 'staging')).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => setBrowserSaves('proj_1', owned, true, [], 'staging')).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(setAllowedOrigins('proj_1', owned, ['https://shop.example.com'], 'production').allowed_origins).toEqual(['https://shop.example.com']);
    // A document written before it recorded its environment belongs to its first credential's.
    expect(() => setAllowedOrigins('proj_1', shared, ['https://evil.example'], 'staging')).toThrow(expect.objectContaining({ code: 'conflict' }));
  });

  it('records the environment that creates the secret, which a parse keeps', () => {
    const created = create(undefined, true, 'staging').doc;
    expect(created.environment).toBe('staging');
    expect(parseProjectSecret(JSON.stringify(created)).environment).toBe('staging');
    expect(setAllowedOrigins('proj_2', undefined, ['https://a.example'], 'staging').environment).toBe('staging');
  });
});
