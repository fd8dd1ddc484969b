import type { KeySet, SigningKeySource } from '../domain/ports';
import { signingKeysFor } from '../domain/project-keys';
import type { SecretsManagerProjectReader } from './secrets-manager-project-store';

/** A project's Token Signing Secrets (and its settings: allowed origins, browser saves), from its one Secrets Manager secret. */
export class SecretsManagerKeySource implements SigningKeySource {
  readonly scope = 'project_id';

  constructor(
    private readonly projects: Pick<SecretsManagerProjectReader, 'read'>,
    private readonly environment: string,
  ) {}

  async loadKeys(projectId: string): Promise<KeySet> {
    const doc = (await this.projects.read(projectId))?.value;
    if (!doc) return { keys: [] };
    return {
      keys: signingKeysFor(doc, this.environment),
      allowedOrigins: doc.allowed_origins,
      browserSaves: doc.browser_saves ?? false,
      smsCountries: doc.sms_countries ?? [],
      resumePolicies: doc.resume_policies,
    };
  }
}
