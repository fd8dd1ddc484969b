// The mobile metadata: a number is valid in it only if its plan says it is a mobile number (or, where a plan cannot tell,
// as in the US and Canada, fixed-line or mobile), and it tells a number's country as the others do (bench/HISTORY.md, step 21).
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/mobile';
// From its own module: the whole of validator would put every validator in the bundle.
import normalizeEmail from 'validator/lib/normalizeEmail';
import { ApiError } from './errors';

/**
 * The country of an E.164 mobile number (ISO 3166 alpha-2), by the number plan
 * libphonenumber-js carries; undefined for a number no plan holds as a mobile
 * number: premium-rate (+44 90x, +1 900), personal (+44 70), shared-cost
 * (+44 87x), toll-free, fixed-line where the plan tells it, an unassigned or
 * reserved range (+44 7700 900, kept for drama), a non-geographic code (+800).
 */
export const mobileCountryOf = (e164: string): string | undefined => {
  const number = parsePhoneNumberFromString(e164);
  return number?.isValid() ? number.country : undefined;
};

/** Whether `code` is an ISO 3166 alpha-2 code the number plan knows. */
export const isCountry = (code: string): boolean => isSupportedCountry(code);

/**
 * SMS only where the project allows it, and only to a mobile number: a number
 * libphonenumber-js's plan holds as mobile (premium-rate and personal numbers,
 * which cost the sender or forward to anyone, are not), of a country among the
 * project's `sms_countries`; no SMS at all while the list is empty. A request
 * with no `to` leaves the number to the team's own rule, within the project's
 * countries still: its list must not be empty.
 */
export const checkSmsAllowed = (to: string | undefined, countries: readonly string[] | undefined): void => {
  if (!countries || countries.length === 0) {
    throw new ApiError('sms_not_allowed', 'This project sends no links by SMS: it lists no SMS countries.');
  }
  if (to === undefined) return;
  const country = mobileCountryOf(to);
  if (country === undefined) {
    throw new ApiError(
      'sms_not_allowed',
      "Links are sent by SMS only to mobile numbers: this number is not one in its country's number plan (premium-rate, personal, shared-cost, toll-free, fixed-line and unassigned numbers are refused).",
    );
  }
  if (!countries.includes(country)) {
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
