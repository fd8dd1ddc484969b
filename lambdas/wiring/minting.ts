/**
 * What minting needs, wired once: the mint Lambda and link requests (which
 * mint the link a page asks for) sign with the project's newest key, read
 * fresh, and build short links the same way.
 */
import type { AwsClients } from '../adapters/clients';
import { DynamoDbEntryStore } from '../adapters/dynamodb-entry-store';
import { DynamoDbShortLinkStore } from '../adapters/dynamodb-short-link-store';
import { SecretsManagerProjectStore } from '../adapters/secrets-manager-project-store';
import type { MintPolicy } from '../domain/mint';
import type { MintDependencies } from '../domain/minting';
import { mintProjectOf } from '../domain/project-keys';
import { shortLinkUrl } from '../http/routes';
import type { ProjectLocation } from './key-caches';

/** A deployment's minting settings (MINT_DEFAULT_TTL_SECONDS, MINT_MAX_LIFETIME_SECONDS, SHORT_LINK_BASE_URL). */
export interface MintSettings {
  readonly defaultTtlSeconds: number;
  readonly maxLifetimeSeconds: number;
  /** Where short links are served: the API's URL or the shortLinkDomain. */
  readonly shortLinkBaseUrl: string;
}

export const mintDependencies = (
  clients: Pick<AwsClients, 'dynamodb' | 'secretsManager'>,
  projects: ProjectLocation,
  settings: MintSettings,
): MintDependencies => {
  const store = new SecretsManagerProjectStore(clients.secretsManager, projects.secretPrefix);
  return {
    // Read fresh on every call (no cache), so a link is never signed with a key revoked a moment ago.
    project: async (projectId) => mintProjectOf((await store.read(projectId))?.value, projects.environment),
    links: new DynamoDbEntryStore(clients.dynamodb, projects.tableName),
    shortLinks: new DynamoDbShortLinkStore(clients.dynamodb, projects.tableName),
    shortUrl: (code) => shortLinkUrl(settings.shortLinkBaseUrl, code),
  };
};

/** Mint's limits at `now`. */
export const mintPolicy = (settings: MintSettings, now: number): MintPolicy => ({
  now,
  defaultTtlSeconds: settings.defaultTtlSeconds,
  maxLifetimeSeconds: settings.maxLifetimeSeconds,
});
