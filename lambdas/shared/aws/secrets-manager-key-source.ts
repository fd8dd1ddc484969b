import { GetSecretValueCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CURRENT, projectSecretName } from '../naming';
import type { KeySet, SigningKeySource } from '../ports';
import { CorruptSecretError, parseProjectSecret, signingKeysFor } from '../project-keys';

/** Reads a project's Token Signing Secrets from its one Secrets Manager secret. */
export class SecretsManagerKeySource implements SigningKeySource {
  constructor(
    private readonly client: () => SecretsManagerClient,
    private readonly secretPrefix: string,
    private readonly environment: string,
  ) {}

  async loadKeys(projectId: string): Promise<KeySet> {
    let text: string | undefined;
    try {
      const out = await this.client().send(
        new GetSecretValueCommand({ SecretId: projectSecretName(this.secretPrefix, projectId), VersionStage: CURRENT }),
      );
      text = out.SecretString;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return { keys: [] };
      throw error;
    }
    if (text === undefined) throw new CorruptSecretError('project secret has no SecretString');
    const doc = parseProjectSecret(text);
    if (doc.project_id !== projectId) throw new CorruptSecretError('project secret belongs to another project');
    return { keys: signingKeysFor(doc, this.environment), allowedOrigins: doc.allowed_origins };
  }
}
