/**
 * What minting needs, wired once: the mint Lambda and link requests (which
 * mint the link a page asks for) sign with the project's newest key, read
 * fresh, and build short links the same way.
 */
import type { AwsClients } from '../adapters/clients';
import { DynamoDbEntryStore } from '../adapters/dynamodb-entry-store';
import { DynamoDbShortLinkStore } from '../adapters/dynamodb-short-link-store';
import { SecretsManagerProjectReader } from '../adapters/secrets-manager-project-store';
import type { MintPolicy } from '../domain/mint';
import type { MintDependencies } from '../domain/minting';
import type { Versioned } from '../domain/ports';
import { mintProjectOf, type ProjectSecretDocument } from '../domain/project-keys';
import { shortLinkUrl } from '../http/routes';
import type { ProjectLocation } from './key-caches';

/** A deployment's minting settings (MINT_DEFAULT_TTL_SECONDS, MINT_MAX_LIFETIME_SECONDS, SHORT_LINK_BASE_URL). */
export interface MintSettings {
  readonly defaultTtlSeconds: number;
  readonly maxLifetimeSeconds: number;
  /** Where short links are served: the API's URL or the shortLinkDomain. */
  readonly shortLinkBaseUrl: string;
}

/**
 * `readFresh`: how mint reads a project's secret, by default a new read on
 * every call; link requests pass one that may take a read made earlier in the
 * same request (RequestProjectReads), never one from before it.
 */
export const mintDependencies = (
  clients: Pick<AwsClients, 'dynamodb' | 'secretsManager'>,
  projects: ProjectLocation,
  settings: MintSettings,
  readFresh?: (projectId: string) => Promise<Versioned<ProjectSecretDocument> | undefined>,
): MintDependencies => {
  const reader = new SecretsManagerProjectReader(clients.secretsManager, projects.secretPrefix);
  const read = readFresh ?? ((projectId: string) => reader.read(projectId));
  return {
    // Read fresh for each request (no cache), so a link is never signed with a key revoked a moment ago.
    project: async (projectId) => mintProjectOf((await read(projectId))?.value, projects.environment),
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
