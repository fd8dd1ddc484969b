/**
 * The key caches of the public Lambdas, wired once: resume, browser saves and
 * link requests read a project's keys, origins and browser-saves flag through
 * the same cache, with the project index, and the deployment's save key
 * through one of its own.
 */
import type { AwsClients } from '../adapters/clients';
import { DynamoDbProjectIndex } from '../adapters/dynamodb-project-index';
import { SaveKeySource } from '../adapters/save-key-source';
import { SecretsManagerKeySource } from '../adapters/secrets-manager-key-source';
import { SecretsManagerProjectReader } from '../adapters/secrets-manager-project-store';
import type { KeyCache } from '../runtime/key-cache';
import { type KeyCacheSettings, publicKeyCache } from '../runtime/public-key-cache';

/** Where a deployment keeps its projects: their secrets and the project index. */
export interface ProjectLocation {
  readonly secretPrefix: string;
  /** Only this environment's credentials verify. */
  readonly environment: string;
  /** The project index lives in the entries table. */
  readonly tableName: string;
}

/**
 * A project's keys, its allowed origins and its browser-saves flag, from one
 * read of its secret, cached. With the project index, a flood of unknown ids
 * cannot keep a real project's keys from being read (README, Caching).
 * `reader`: what reads the secrets, by default a reader of the Lambda's own
 * (link requests pass one whose read mint may take within the request).
 */
export const projectKeyCache = (
  clients: Pick<AwsClients, 'dynamodb' | 'secretsManager'>,
  projects: ProjectLocation,
  settings: KeyCacheSettings,
  reader: Pick<SecretsManagerProjectReader, 'read'> = new SecretsManagerProjectReader(clients.secretsManager, projects.secretPrefix),
): KeyCache =>
  publicKeyCache(new SecretsManagerKeySource(reader, projects.environment), settings, new DynamoDbProjectIndex(clients.dynamodb, projects.tableName));

/** The deployment's save key (SAVE_KEY_SECRET), cached like the projects' keys. */
export const saveKeyCache = (clients: Pick<AwsClients, 'secretsManager'>, saveKeySecret: string | undefined, settings: KeyCacheSettings): KeyCache =>
  publicKeyCache(new SaveKeySource(clients.secretsManager, saveKeySecret), settings);
