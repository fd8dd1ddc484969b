// From its own module: the whole of validator would put every validator in the bundle.
import normalizeEmail from 'validator/lib/normalizeEmail';
import { ApiError } from './errors';

/**
 * The number plan (number-plan.ts: libphonenumber-js and its mobile metadata,
 * over half of the link-requests bundle), loaded the first time a number is
 * read: a new instance whose requests send email links never loads it.
 */
let numberPlan: Promise<typeof import('./number-plan')> | undefined;
const plan = () => (numberPlan ??= import('./number-plan'));

/**
 * SMS only where the project allows it, and only to a mobile number: a number
 * libphonenumber-js's plan holds as mobile (premium-rate and personal numbers,
 * which cost the sender or forward to anyone, are not), of a country among the
 * project's `sms_countries`; no SMS at all while the list is empty. A request
 * with no `to` leaves the number to the team's own rule, within the project's
 * countries still: its list must not be empty.
 */
export const checkSmsAllowed = async (to: string | undefined, countries: readonly string[] | undefined): Promise<void> => {
  if (!countries || countries.length === 0) {
    throw new ApiError('sms_not_allowed', 'This project sends no links by SMS: it lists no SMS countries.');
  }
  if (to === undefined) return;
  const country = (await plan()).mobileCountryOf(to);
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
export const recipientOf = async (channel: 'email' | 'sms', to: string): Promise<string> => {
  if (channel === 'sms') return (await plan()).e164Of(to) ?? to;
  const trimmed = to.trim();
  const address = (normalizeEmail(trimmed) || trimmed).toLowerCase();
  const at = address.lastIndexOf('@');
  return `${address.slice(0, at).replace(/\+.*$/, '')}${address.slice(at)}`;
};
