// The smallest metadata build: it tells a number's country as the larger ones do (bench/HISTORY.md, step 19).
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/min';
// From its own module: the whole of validator would put every validator in the bundle.
import normalizeEmail from 'validator/lib/normalizeEmail';
import { ApiError } from './errors';

/**
 * The country of an E.164 number (ISO 3166 alpha-2), by the number plan
 * libphonenumber-js carries; undefined when no country's plan holds the
 * number (an unassigned or reserved range, a non-geographic code such as +800).
 */
export const countryOf = (e164: string): string | undefined => parsePhoneNumberFromString(e164)?.country;

/** Whether `code` is an ISO 3166 alpha-2 code the number plan knows. */
export const isCountry = (code: string): boolean => isSupportedCountry(code);

/**
 * SMS only where the project allows it: a number whose country is among the
 * project's `sms_countries`, and no SMS at all while the list is empty. A
 * request with no `to` leaves the number to the team's own rule, within the
 * project's countries still: its list must not be empty.
 */
export const checkSmsAllowed = (to: string | undefined, countries: readonly string[] | undefined): void => {
  if (!countries || countries.length === 0) {
    throw new ApiError('sms_not_allowed', 'This project sends no links by SMS: it lists no SMS countries.');
  }
  if (to === undefined) return;
  const country = countryOf(to);
  if (country === undefined || !countries.includes(country)) {
    throw new ApiError('sms_not_allowed', `This project sends links by SMS only to numbers of ${countries.join(', ')}.`);
  }
};

/**
 * What the per-recipient bound counts: one mailbox or number however it is
 * spelled. An email address is normalised by validator's normalizeEmail, which
 * knows the big providers' rules: Gmail ignores dots and delivers googlemail.com
 * as gmail.com, and Gmail, Outlook, iCloud and others drop a `+tag` (Yahoo a
 * `-tag`), so `v.ictim.one+x@googlemail.com` is `victimone@gmail.com`. Then, for
 * every domain, the address is lower-cased and its `+tag` dropped (most providers
 * deliver `ada+1@` to `ada@`, so tags would multiply one mailbox's bound). A
 * number is counted in E.164.
 */
export const recipientOf = (channel: 'email' | 'sms', to: string): string => {
  if (channel === 'sms') return parsePhoneNumberFromString(to)?.number ?? to;
  const trimmed = to.trim();
  const address = (normalizeEmail(trimmed) || trimmed).toLowerCase();
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at).replace(/\+.*$/, '')}${address.slice(at)}`;
};
