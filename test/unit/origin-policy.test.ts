import { originAllowed } from '../../lambdas/domain/origin-policy';
import { publicSuffixWildcardProblem, publicSuffixWildcards } from '../../lambdas/domain/origin-wildcards';

describe('originAllowed', () => {
  const wildcard = ['https://*.example.com'];

  it('lets `*` stand for exactly one DNS label of hostname characters', () => {
    expect(originAllowed('https://shop.example.com', wildcard)).toBe(true);
    expect(originAllowed('https://SHOP-2.Example.com', wildcard)).toBe(true);
    expect(originAllowed('https://example.com', wildcard)).toBe(false);
    // Two labels: `.+` in place of one label would let these through.
    expect(originAllowed('https://a.b.example.com', wildcard)).toBe(false);
    expect(originAllowed('https://evil.com.example.com', wildcard)).toBe(false);
  });

  it('never matches userinfo, a path or a port in place of the label', () => {
    // No dot in `evil:x@a`: `[^.]+` would let it through.
    expect(originAllowed('https://evil:x@a.example.com', wildcard)).toBe(false);
    expect(originAllowed('https://evil:x@a.example', ['https://*.example'])).toBe(false);
    expect(originAllowed('https://evil.com/x.example.com', wildcard)).toBe(false);
    expect(originAllowed('https://a:443.example.com', wildcard)).toBe(false);
    expect(originAllowed('https://a_b.example.com', wildcard)).toBe(false);
  });

  it('compares exact origins whole, scheme and port included, and `*` allows any', () => {
    expect(originAllowed('https://www.example.com', ['https://www.example.com'])).toBe(true);
    expect(originAllowed('http://www.example.com', ['https://www.example.com'])).toBe(false);
    expect(originAllowed('https://www.example.com:8443', ['https://www.example.com'])).toBe(false);
    expect(originAllowed('https://anything.test', ['*'])).toBe(true);
  });
});

describe('publicSuffixWildcards', () => {
  it("finds wildcards over a public suffix, ICANN's or a private one, or over no registrable domain", () => {
    const refused = ['https://*.com', 'https://*.vercel.app', 'https://*.co.uk', 'https://*.github.io', 'http://*.localhost:3000', 'https://*.CO.UK'];
    expect(publicSuffixWildcards(refused)).toEqual(refused);
  });

  it('leaves wildcards under a registered domain, and exact origins, alone', () => {
    expect(publicSuffixWildcards(['https://*.example.com', 'https://*.shop.vercel.app', 'https://*.example.co.uk:8443', 'https://vercel.app', '*'])).toEqual(
      [],
    );
  });

  it('says which wildcard, and what to list instead', () => {
    expect(publicSuffixWildcardProblem(['https://*.vercel.app'])).toBe(
      'https://*.vercel.app would match every site under vercel.app, a public suffix others register names under: list your own domain instead, such as https://*.your-site.vercel.app',
    );
  });
});
