import { mobileCountryOf } from '../../lambdas/domain/number-plan';
import { checkSmsAllowed, recipientOf } from '../../lambdas/domain/recipients';
import { ApiError } from '../../lambdas/domain/errors';
import { CONTENDED_ATTEMPTS, HOUR_MS, limitKeyHasher, secondsUntilRoom, sourceOf, takeAll, takeRolling, utcDay } from '../../lambdas/domain/request-limits';

describe('what a source address is counted as', () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2:ffff:ffff:ffff:fffe', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:0000:0000:0000:0001', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:203.0.113.7', '2001:db8:1:2::/64'],
    [undefined, 'unknown'],
    ['', 'unknown'],
    ['not an address', 'unknown'],
  ])('%s: %s', (address, counted) => {
    expect(sourceOf(address)).toBe(counted);
  });

  it('gives the holder of a /56 256 sources, one per /64 (README, what the bounds let anyone deny)', () => {
    const sources = new Set(Array.from({ length: 256 }, (_, i) => sourceOf(`2001:db8:1:${(0x200 + i).toString(16)}::1`)));
    expect(sources.size).toBe(256);
  });

  it('gives another /64 another bound, and another IPv4 address another', () => {
    expect(sourceOf('2001:db8:1:3::1')).not.toBe(sourceOf('2001:db8:1:2::1'));
    expect(sourceOf('203.0.113.8')).not.toBe(sourceOf('203.0.113.7'));
  });
});

describe('SMS only to a mobile number of a listed country', () => {
  const refusal = async (to: string | undefined, countries: string[]) => {
    try {
      await checkSmsAllowed(to, countries);
      return undefined;
    } catch (error) {
      return [(error as ApiError).code, (error as ApiError).message];
    }
  };

  it('refuses a number that is not mobile, saying so, and one of a country not listed', async () => {
    const notMobile = [
      'sms_not_allowed',
      "Links are sent by SMS only to mobile numbers: this number is not one in its country's number plan (premium-rate, personal, shared-cost, toll-free, fixed-line and unassigned numbers are refused).",
    ];
    for (const to of ['+449012345678', '+448712345678', '+447012345678', '+19005551234', '+447700900123'])
      expect(await refusal(to, ['GB', 'US'])).toEqual(notMobile);
    expect(await refusal('+33612345678', ['GB', 'US'])).toEqual(['sms_not_allowed', 'This project sends links by SMS only to numbers of GB, US.']);
    expect([await refusal('+447400123456', ['GB']), await refusal('+12015550123', ['US']), await refusal(undefined, ['GB'])]).toEqual([
      undefined,
      undefined,
      undefined,
    ]);
  });
});

describe('the recipient a bound counts', () => {
  it('is one mailbox however the address is spelled: trimmed, lower-cased, its +tag dropped', async () => {
    for (const spelled of ['Ada@Example.com', ' ada@example.com ', 'ada+promo@example.com', 'ADA+1+2@EXAMPLE.COM']) {
      expect(await recipientOf('email', spelled)).toBe('ada@example.com');
    }
    expect(await recipientOf('email', 'grace@example.com')).not.toBe(await recipientOf('email', 'ada@example.com'));
  });

  it('is one Gmail mailbox whatever its dots, googlemail.com or its +tag (the attack: victim.one, v.ictimone, victimone@googlemail.com)', async () => {
    for (const spelled of [
      'victimone@gmail.com',
      'victim.one@gmail.com',
      'v.ictimone@gmail.com',
      'victimone@googlemail.com',
      'V.i.c.t.i.m.O.n.e+x@GoogleMail.com',
      ' victim.one+1@gmail.com',
    ]) {
      expect(await recipientOf('email', spelled)).toBe('victimone@gmail.com');
    }
    // Dots count elsewhere: another provider may deliver them to another mailbox.
    expect(await recipientOf('email', 'victim.one@example.com')).toBe('victim.one@example.com');
  });

  it('drops the sub-address tag of the big providers: +tag (Outlook, iCloud, any domain), -tag at Yahoo', async () => {
    expect(await recipientOf('email', 'ada+news@outlook.com')).toBe('ada@outlook.com');
    expect(await recipientOf('email', 'ada+news@icloud.com')).toBe('ada@icloud.com');
    expect(await recipientOf('email', 'ada-news@yahoo.com')).toBe('ada@yahoo.com');
  });

  it('is a number in E.164, whose country libphonenumber-js tells', async () => {
    expect(await recipientOf('sms', '+447400123456')).toBe('+447400123456');
    expect([mobileCountryOf('+447400123456'), mobileCountryOf('+12015550123'), mobileCountryOf('+16135550123'), mobileCountryOf('+33612345678')]).toEqual([
      'GB',
      'US',
      'CA',
      'FR',
    ]);
    expect([mobileCountryOf('+447700900999'), mobileCountryOf('+80012345678')]).toEqual([undefined, undefined]);
  });

  it('is a mobile number only: premium-rate, personal, shared-cost, toll-free and fixed-line numbers have no country to send to', async () => {
    // +44 90x and +1 900 premium rate, +44 871 shared cost, +44 70 personal (forwards anywhere), +1 800 toll-free, +44 20 London, +33 1 Paris.
    for (const number of ['+449012345678', '+448712345678', '+447012345678', '+19005551234', '+18005551234', '+442071234567', '+33123456789']) {
      expect([number, mobileCountryOf(number)]).toEqual([number, undefined]);
    }
    // Mobile, or in the North American plan, which cannot tell them apart, fixed-line or mobile.
    expect(['+447400123456', '+447911123456', '+33612345678', '+12125551234'].map(mobileCountryOf)).toEqual(['GB', 'GG', 'FR', 'US']);
  });
});

describe('rolling windows', () => {
  const HOUR = 3_600_000;
  it('has room until a window holds its max, then says when its oldest that must go has left it', () => {
    const now = 10 * HOUR;
    expect(secondsUntilRoom([now - 1000, now - 2000], [{ max: 3, ms: HOUR }], now)).toBeUndefined();
    expect(secondsUntilRoom([now - 1000, now - 2000, now - 3000], [{ max: 3, ms: HOUR }], now)).toBe(3600 - 3);
    // An instant older than the window no longer counts.
    expect(secondsUntilRoom([now - HOUR, now - 2000, now - 3000], [{ max: 3, ms: HOUR }], now)).toBeUndefined();
    // Several windows: the longest wait.
    const day = Array.from({ length: 10 }, (_, i) => now - (i + 1) * 2 * HOUR);
    expect(
      secondsUntilRoom(
        day,
        [
          { max: 3, ms: HOUR },
          { max: 10, ms: 24 * HOUR },
        ],
        now,
      ),
    ).toBe(24 * 3600 - 20 * 3600);
  });

  it('a UTC day is named by its date', () => {
    expect(utcDay(Date.parse('2026-03-01T23:59:59.999Z'))).toBe('2026-03-01');
    expect(utcDay(Date.parse('2026-03-02T00:00:00.000Z'))).toBe('2026-03-02');
  });
});

describe('a rolling bound under contention', () => {
  it("answers a request that lost its race on each of its 4 tries with the bound's 429 and Retry-After: 1, never a 503", async () => {
    let reads = 0;
    const alwaysRaced = { read: async () => ({ value: [], version: String(reads++) }), compareAndSwap: async () => false };
    const refuse = (seconds: number) => new ApiError('too_many_entries', 'over', { retryAfterSeconds: seconds });
    const taken = takeRolling(alwaysRaced, 'source', [{ max: 100, ms: HOUR_MS }], Date.now(), refuse, { sleep: async () => undefined });
    await expect(taken).rejects.toMatchObject({ code: 'too_many_entries', status: 429, retryAfterSeconds: 1 });
    expect([reads, CONTENDED_ATTEMPTS]).toEqual([4, 4]);
  });
});

describe("a rolling slot's instant", () => {
  /** An in-memory log with the store's compare-and-swap. */
  const memoryLog = () => {
    let stored: { value: readonly number[]; version: string } | undefined;
    return {
      read: async () => stored,
      compareAndSwap: async (_: string, value: readonly number[], expected: string | undefined) => {
        if (stored?.version !== expected) return false;
        stored = { value, version: String(Number(expected ?? 0) + 1) };
        return true;
      },
      value: () => stored?.value ?? [],
    };
  };
  const refuse = (seconds: number) => new ApiError('too_many_handoffs', 'over', { retryAfterSeconds: seconds });

  it('is its own within the key when asked (hand-offs): three slots taken in one millisecond are recorded at now, now + 1 and now + 2', async () => {
    const log = memoryLog();
    const now = Date.parse('2026-03-01T12:00:00.000Z');
    const slots = [];
    for (let i = 0; i < 3; i++) slots.push(await takeRolling(log, 'entry', [{ max: 10, ms: HOUR_MS }], now, refuse, undefined, true));
    expect(slots.map((s) => s.at)).toEqual([now, now + 1, now + 2]);
    expect(log.value()).toEqual([now, now + 1, now + 2]);
  });

  it('is now when the key holds nothing as recent, and a give-back removes that slot alone', async () => {
    const log = memoryLog();
    const now = Date.parse('2026-03-01T12:00:00.000Z');
    await takeRolling(log, 'entry', [{ max: 10, ms: HOUR_MS }], now - 5, refuse, undefined, true);
    const second = await takeRolling(log, 'entry', [{ max: 10, ms: HOUR_MS }], now, refuse, undefined, true);
    const third = await takeRolling(log, 'entry', [{ max: 10, ms: HOUR_MS }], now, refuse, undefined, true);
    expect([second.at, third.at]).toEqual([now, now + 1]);
    await second.giveBack();
    expect(log.value()).toEqual([now - 5, now + 1]);
  });

  it('is now otherwise, for every request of the same millisecond (the other bounds)', async () => {
    const log = memoryLog();
    const now = Date.parse('2026-03-01T12:00:00.000Z');
    for (let i = 0; i < 3; i++) expect((await takeRolling(log, 'recipient', [{ max: 10, ms: HOUR_MS }], now, refuse)).at).toBe(now);
    expect(log.value()).toEqual([now, now, now]);
  });
});

describe('taking several bounds', () => {
  it('gives back what the bounds before a refusal took, and takes nothing after it', async () => {
    const given: string[] = [];
    const slot = (name: string) => async () => ({ giveBack: async () => void given.push(name) });
    const refused = new Error('refused');
    let third = false;
    await expect(
      takeAll([
        slot('entry'),
        slot('source'),
        async () => {
          throw refused;
        },
        async () => {
          third = true;
          return { giveBack: async () => undefined };
        },
      ]),
    ).rejects.toBe(refused);
    expect([given.sort(), third]).toEqual([['entry', 'source'], false]);
    const all = await takeAll([slot('a'), slot('b')]);
    given.length = 0;
    await all.giveBack();
    expect(given.sort()).toEqual(['a', 'b']);
  });
});

describe('the keys of the limit items', () => {
  it('are keyed hashes: the same address gives the same key under one save key, another under a rotated one, and the key never holds the address', () => {
    const current = limitKeyHasher({ id: 'current', secret: 'k'.repeat(64) });
    const rotated = limitKeyHasher({ id: 'current', secret: 'r'.repeat(64) });
    expect(current('email', 'ada@example.com')).toBe(current('email', 'ada@example.com'));
    expect(current('email', 'ada@example.com')).not.toBe(rotated('email', 'ada@example.com'));
    expect(current('email', 'ada@example.com')).not.toBe(current('sms', 'ada@example.com'));
    expect(current('email', 'ada@example.com')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });
});
