import { parse } from 'tldts';

/**
 * The wildcards of `origins` that would cover other people's sites: those whose
 * remainder (after `*.`) is a public suffix, from the ICANN or the private
 * section of the Public Suffix List (`https://*.com`, `https://*.co.uk`,
 * `https://*.vercel.app`), or is no registrable domain at all (a bare label
 * such as `*.localhost`). A wildcard under a domain someone registered
 * (`https://*.example.com`, `https://*.shop.vercel.app`) is fine.
 *
 * Apart from origin-policy.ts, so that only the code that accepts origin lists
 * (the credentials Lambda, the CDK app) carries the list.
 */
export const publicSuffixWildcards = (origins: readonly string[]): string[] =>
  origins.filter((origin) => {
    const match = /^[a-z]+:\/\/\*\.([^:/]+)(:\d+)?$/i.exec(origin);
    if (!match) return false;
    const rest = match[1].toLowerCase();
    const { publicSuffix, domain } = parse(rest, { allowPrivateDomains: true });
    return domain === null || publicSuffix === rest;
  });

/** Why a list with such wildcards is refused, naming the first one. */
export const publicSuffixWildcardProblem = (wildcards: readonly string[]): string => {
  const [first] = wildcards;
  const rest = first.slice(first.indexOf('*.') + 2);
  return `${first} would match every site under ${rest}, a public suffix others register names under: list your own domain instead, such as ${first.replace('*.', '*.your-site.')}`;
};
