import { CURRENT, projectSecretName } from '../naming';
import type { KeySet, SigningKeySource } from '../ports';
import { CorruptSecretError, parseProjectSecret, signingKeysFor } from '../project-keys';
import { isSdkError, type SecretsManagerAccess } from './clients';

/** Reads a project's Token Signing Secrets (and allowed origins) from its one Secrets Manager secret. */
export class SecretsManagerKeySource implements SigningKeySource {
  constructor(
    private readonly secretsManager: () => Promise<SecretsManagerAccess>,
    private readonly secretPrefix: string,
    private readonly environment: string,
  ) {}

  async loadKeys(projectId: string): Promise<KeySet> {
    const { client, sdk } = await this.secretsManager();
    let text: string | undefined;
    try {
      const out = await client.send(
        new sdk.GetSecretValueCommand({ SecretId: projectSecretName(this.secretPrefix, projectId), VersionStage: CURRENT }),
      );
      text = out.SecretString;
    } catch (error) {
      if (isSdkError(error, 'ResourceNotFoundException')) return { keys: [] };
      throw error;
    }
    if (text === undefined) throw new CorruptSecretError('project secret has no SecretString');
    const doc = parseProjectSecret(text);
    if (doc.project_id !== projectId) throw new CorruptSecretError('project secret belongs to another project');
    return { keys: signingKeysFor(doc, this.environment), allowedOrigins: doc.allowed_origins };
  }
}
