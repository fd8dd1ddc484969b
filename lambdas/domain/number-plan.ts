// The mobile metadata: a number is valid in it only if its plan says it is a mobile number (or, where a plan cannot tell,
// as in the US and Canada, fixed-line or mobile), and it tells a number's country as the others do (bench/HISTORY.md, step 21).
import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/mobile';

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

/** A number in E.164, as the plan reads it; undefined when it reads none. */
export const e164Of = (text: string): string | undefined => parsePhoneNumberFromString(text)?.number;

/** Whether `code` is an ISO 3166 alpha-2 code the number plan knows. */
export const isCountry = (code: string): boolean => isSupportedCountry(code);
