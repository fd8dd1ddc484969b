import { isValidId, isValidToken, MAX_ID_LENGTH, parseExpiresAt } from '../../lambdas/domain/grammar';

describe('id grammar', () => {
  it.each(['entry_aaabbbcccdddeeefff', 'proj_aaabbbccc', 'a', 'A-b_c-9', '_', 'x'.repeat(MAX_ID_LENGTH)])('accepts %s', (id) =>
    expect(isValidId(id)).toBe(true),
  );
  it.each([
    ['empty', ''],
    ['double hyphen', 'a--b'],
    ['triple hyphen (the separator)', 'a---b'],
    ['leading hyphen', '-a'],
    ['trailing hyphen', 'a-'],
    ['space', 'a b'],
    ['dot', 'a.b'],
    ['slash', 'a/b'],
    ['non-ASCII letter', 'é'],
    ['full-width digit', '１'],
    ['NUL', 'a\u0000'],
    ['too long', 'x'.repeat(MAX_ID_LENGTH + 1)],
  ])('refuses %s', (_name, id) => expect(isValidId(id)).toBe(false));
});

describe('token grammar', () => {
  it('accepts 64 hex digits in either case', () => {
    expect(isValidToken('a'.repeat(64))).toBe(true);
    expect(isValidToken('ABCDEF0123456789'.repeat(4))).toBe(true);
  });
  it.each(['a'.repeat(63), 'a'.repeat(65), 'g'.repeat(64), `${'a'.repeat(63)} `, '٠'.repeat(64)])('refuses %j', (t) => expect(isValidToken(t)).toBe(false));
});

describe('expires_at grammar', () => {
  it.each([
    ['2025-01-01T00:00:00.000Z', Date.UTC(2025, 0, 1)],
    ['2025-01-01T00:00:00Z', Date.UTC(2025, 0, 1)],
    ['2025-01-01T01:00:00+01:00', Date.UTC(2025, 0, 1)],
    ['2024-12-31T19:00:00-05:00', Date.UTC(2025, 0, 1)],
    ['2024-02-29T12:00:00.5Z', Date.UTC(2024, 1, 29, 12, 0, 0, 500)],
    ['2000-02-29T00:00:00Z', Date.UTC(2000, 1, 29)],
    ['2025-06-30T23:59:59.123456789Z', Date.UTC(2025, 5, 30, 23, 59, 59, 123)],
    ['2025-01-01t00:00:00z', Date.UTC(2025, 0, 1)],
  ])('parses %s', (value, instant) => expect(parseExpiresAt(value)).toBe(instant));

  it.each([
    ['impossible day', '2025-02-30T00:00:00Z'],
    ['29 Feb outside a leap year', '2023-02-29T00:00:00Z'],
    ['29 Feb in 1900', '1900-02-29T00:00:00Z'],
    ['31 April', '2025-04-31T00:00:00Z'],
    ['month 13', '2025-13-01T00:00:00Z'],
    ['month 0', '2025-00-01T00:00:00Z'],
    ['hour 24', '2025-01-01T24:00:00Z'],
    ['leap second', '2016-12-31T23:59:60Z'],
    ['offset hour 24', '2025-01-01T00:00:00+24:00'],
    ['no offset', '2025-01-01T00:00:00'],
    ['space separator', '2025-01-01 00:00:00Z'],
    ['offset without colon', '2025-01-01T00:00:00+0100'],
    ['date only', '2025-01-01'],
    ['Arabic-Indic digits', '٢٠٢٥-01-01T00:00:00Z'],
    ['full-width digits', '２０２５-01-01T00:00:00Z'],
    ['ten fraction digits', '2025-01-01T00:00:00.0123456789Z'],
    ['trailing newline', '2025-01-01T00:00:00Z\n'],
    ['epoch number', '1735689600'],
  ])('refuses %s', (_name, value) => expect(parseExpiresAt(value)).toBeUndefined());
});
