/**
 * The strict input grammar shared by every endpoint. It is applied before any
 * hashing, and it is what makes the seed's token scheme safe to verify:
 *
 * The token is `sha256(secret + "---" + entry_id + "---" + expires_at)`, a plain
 * Merkle–Damgård hash of a secret prefix, so anyone who holds one valid token can
 * compute `sha256(M || pad(M) || suffix)` for a suffix of their choice without the
 * secret (a length extension). For the server to accept such a forgery, the
 * `entry_id` and `expires_at` the attacker sends would have to reproduce
 * `M || pad(M) || suffix` byte for byte after `secret---`. `pad(M)` always holds
 * the byte 0x80 and, for any message shorter than 2^56 bits, at least one 0x00
 * byte in the length field. Both grammars below admit printable ASCII only, so
 * no accepted pair of fields can contain the padding: every forgery is refused
 * at the grammar, before a hash is computed.
 *
 * The grammar also makes the hashed string parse one way only. `entry_id` may not
 * contain `--` and `expires_at` never does, so `secret---e---x` cannot be read as
 * a different `(e', x')` pair: moving the boundary would put `---` inside an id.
 *
 * Character classes are written `[0-9]`, never `\d` with the `u` flag or
 * `\p{Nd}`, so look-alike digits such as U+0661 or U+FF11 are refused.
 */

/** Longest accepted id (entry, flow and project ids). */
export const MAX_ID_LENGTH = 128;

/** ASCII letters, digits, `_`, and single `-` between them. Length is checked separately. */
export const ID_PATTERN = '^[A-Za-z0-9_]+(?:-[A-Za-z0-9_]+)*$';

/** RFC 3339 `date-time` (section 5.6) with `T`/`Z` in either case, as RFC 3339 allows. */
export const EXPIRES_AT_PATTERN =
  '^([0-9]{4})-([0-9]{2})-([0-9]{2})[Tt]([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\\.([0-9]{1,9}))?(?:([Zz])|([+-])([0-9]{2}):([0-9]{2}))$';

/** Longest accepted `expires_at`: `YYYY-MM-DDTHH:MM:SS.fffffffff+hh:mm`. */
export const MAX_EXPIRES_AT_LENGTH = 35;

/** 64 hex digits, either case. */
export const TOKEN_PATTERN = '^[0-9A-Fa-f]{64}$';

const idRegExp = new RegExp(ID_PATTERN);
const expiresAtRegExp = new RegExp(EXPIRES_AT_PATTERN);
const tokenRegExp = new RegExp(TOKEN_PATTERN);

export const isValidId = (value: string): boolean => value.length <= MAX_ID_LENGTH && idRegExp.test(value);

export const isValidToken = (value: string): boolean => tokenRegExp.test(value);

/**
 * A date-time whose `+hh:mm` offset arrived as ` hh:mm`: in a query string `+`
 * means a space, so a link built without URL-encoding loses it. The browser
 * clients repair exactly this shape (clients/session-recovery.js).
 */
export const hasUnencodedPlus = (value: string): boolean => /^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9:.]+ [0-9]{2}:[0-9]{2}$/.test(value);

const daysInMonth = (year: number, month: number): number => {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
};

/**
 * Parses an RFC 3339 date-time and returns its instant in epoch milliseconds, or
 * `undefined` when the string breaks the grammar or names a date that does not
 * exist (`2025-02-30`, `2023-02-29`, hour 24, offset +24:00). Leap seconds
 * (`:60`) are refused: JavaScript time cannot represent them.
 */
export const parseExpiresAt = (value: string): number | undefined => {
  if (value.length > MAX_EXPIRES_AT_LENGTH) return undefined;
  const m = expiresAtRegExp.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number);
  const fraction = m[7] ?? '';
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offsetMinutes = 0;
  if (m[9] !== undefined) {
    const offsetHours = Number(m[10]);
    const offsetMins = Number(m[11]);
    if (offsetHours > 23 || offsetMins > 59) return undefined;
    offsetMinutes = (m[9] === '-' ? -1 : 1) * (offsetHours * 60 + offsetMins);
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  return date.getTime() - offsetMinutes * 60_000;
};
