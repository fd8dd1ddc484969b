/**
 * Environment variables are read once, at module load, through these getters. A
 * missing required variable fails the cold start with a message naming it,
 * rather than a confusing error on the first request.
 */
export const requireEnv = (name: string): string => {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`Missing required environment variable ${name}`);
  }
  return value;
};

export const numberEnv = (name: string, fallback: number): number => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new Error(`Environment variable ${name} must be a non-negative number, got "${raw}"`);
  }
  return value;
};

/** A comma-separated list; empty entries are dropped. */
export const listEnv = (name: string, fallback: readonly string[]): string[] => {
  const raw = process.env[name];
  if (raw === undefined) return [...fallback];
  return raw
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
};

/** `true` or `false`; anything else fails the cold start. */
export const booleanEnv = (name: string, fallback: boolean): boolean => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw !== 'true' && raw !== 'false') throw new Error(`Environment variable ${name} must be true or false, got "${raw}"`);
  return raw === 'true';
};
