import { GetSecretValueCommand, ResourceNotFoundException, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { KeySet, SigningKeySource } from '../domain/ports';
import { CorruptSecretError } from '../domain/project-keys';
import type { SigningKey } from '../domain/token';
import { CURRENT } from './naming';
import { awsCall } from './errors';

/**
 * The deployment's save key (browser saves): one Secrets Manager secret that
 * CloudFormation creates as `{"current": "<random>"}`. During a rotation it
 * holds `{"current": "<new>", "previous": "<old>"}`: new save tokens are signed
 * with `current`, and tokens signed with either verify (docs/security.md).
 */
export class SaveKeySource implements SigningKeySource {
  readonly scope = 'secret';

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly secretName: string | undefined,
  ) {}

  async loadKeys(): Promise<KeySet> {
    if (this.secretName === undefined) return { keys: [] };
    let text: string | undefined;
    try {
      text = (await awsCall(this.client.send(new GetSecretValueCommand({ SecretId: this.secretName, VersionStage: CURRENT })))).SecretString;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return { keys: [] };
      throw error;
    }
    return { keys: parseSaveKey(text) };
  }
}

/** The keys of a save-key document, `current` first. The error never quotes the text (it holds keys). */
export const parseSaveKey = (text: string | undefined): SigningKey[] => {
  let doc: unknown;
  try {
    doc = JSON.parse(text ?? '');
  } catch {
    throw new CorruptSecretError('the save key secret is not JSON');
  }
  const { current, previous } = (typeof doc === 'object' && doc !== null ? doc : {}) as Record<string, unknown>;
  if (typeof current !== 'string' || current.length < 32 || (previous !== undefined && (typeof previous !== 'string' || previous.length < 32))) {
    throw new CorruptSecretError('the save key secret must be {"current": <at least 32 characters>, "previous"?: <the same>}');
  }
  return [{ id: 'current', secret: current }, ...(previous === undefined ? [] : [{ id: 'previous', secret: previous }])];
};
