import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { defaultOf, environmentOf, lambdaEnvironment, SETTINGS, setting } from '../../lambdas/runtime/environment';

const lambdas = path.join(import.meta.dirname, '..', '..', 'lambdas');

describe('settings, defined once in lambdas/runtime/environment.ts', () => {
  it('read each kind, fall back to the default, and name the variable when it is missing or malformed', () => {
    expect(setting('KEY_CACHE_TTL_SECONDS', { KEY_CACHE_TTL_SECONDS: '30' })).toBe(30);
    expect(setting('KEY_CACHE_TTL_SECONDS', {})).toBe(60);
    expect(setting('CONSISTENT_READS', { CONSISTENT_READS: 'true' })).toBe(true);
    expect(setting('ALLOWED_ORIGINS', { ALLOWED_ORIGINS: 'https://a.example, ,https://b.example' })).toEqual(['https://a.example', 'https://b.example']);
    expect(setting('LEGACY_SUNSET', {})).toBeUndefined();
    expect(() => setting('TABLE_NAME', {})).toThrow('Missing required environment variable TABLE_NAME');
    expect(() => setting('KEY_LOOKUP_RATE', { KEY_LOOKUP_RATE: 'ten' })).toThrow('KEY_LOOKUP_RATE must be a non-negative number, got "ten"');
    expect(() => setting('LEGACY_ENABLED', { LEGACY_ENABLED: 'no' })).toThrow('LEGACY_ENABLED must be true or false, got "no"');
  });

  it('write back to the variables that carry them, and a Lambda environment holds every default', () => {
    expect(environmentOf({ ALLOWED_ORIGINS: ['https://a.example', 'https://b.example'], CONSISTENT_READS: false, LEGACY_SUNSET: undefined })).toEqual({
      ALLOWED_ORIGINS: 'https://a.example,https://b.example',
      CONSISTENT_READS: 'false',
    });
    // The required settings (no default) are given.
    const given = { TABLE_NAME: 't', SHORT_LINK_BASE_URL: 'https://go.example.com' } as const;
    const env = lambdaEnvironment(given);
    for (const name of Object.keys(SETTINGS) as Array<keyof typeof SETTINGS>) {
      // Every setting reads back as its default, or as what was given.
      expect([name, setting(name, env)]).toEqual([name, name in given ? given[name as keyof typeof given] : defaultOf(name)]);
    }
  });

  it('is the only place the Lambdas read their environment', () => {
    const files = readdirSync(lambdas, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !f.endsWith('.gen.d.ts'));
    const readers = files.filter((f) => /process\.env\b/.test(readFileSync(path.join(lambdas, f), 'utf8')));
    expect(readers).toEqual([path.join('runtime', 'environment.ts')]);
  });
});
