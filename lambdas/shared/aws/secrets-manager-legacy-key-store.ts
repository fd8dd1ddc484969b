import {
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  RestoreSecretCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { type LegacyKeyDocument, parseLegacyKey } from '../legacy-keys';
import { legacyKeySecretName } from '../naming';

/** Days a retired legacy key can still be restored (by importing it again) before Secrets Manager deletes it. */
export const LEGACY_KEY_RECOVERY_DAYS = 7;

/** One secret per flow under `<prefix>legacy-flows/`, separate from project secrets so IAM can tell them apart. */
export class SecretsManagerLegacyKeyStore {
  constructor(
    private readonly client: () => SecretsManagerClient,
    private readonly secretPrefix: string,
  ) {}

  async read(flowId: string): Promise<LegacyKeyDocument | undefined> {
    try {
      const out = await this.client().send(
        new GetSecretValueCommand({ SecretId: legacyKeySecretName(this.secretPrefix, flowId) }),
      );
      return out.SecretString === undefined ? undefined : parseLegacyKey(out.SecretString, flowId);
    } catch (error) {
      // A retired key is "marked for deletion": reading it fails with InvalidRequestException.
      if (error instanceof ResourceNotFoundException || error instanceof InvalidRequestException) return undefined;
      throw error;
    }
  }

  /** Stores (or replaces) a flow's legacy key, restoring a retired one first. */
  async put(flowId: string, secret: string, now: Date): Promise<void> {
    const name = legacyKeySecretName(this.secretPrefix, flowId);
    const doc: LegacyKeyDocument = { schema_version: 1, flow_id: flowId, secret, imported_at: now.toISOString() };
    const text = JSON.stringify(doc);
    try {
      await this.client().send(
        new CreateSecretCommand({ Name: name, SecretString: text, Description: `session-recovery legacy key of flow ${flowId}` }),
      );
      return;
    } catch (error) {
      // The name exists, live or retired (scheduled for deletion, which AWS reports as InvalidRequestException).
      if (!(error instanceof ResourceExistsException || error instanceof InvalidRequestException)) throw error;
    }
    const described = await this.client().send(new DescribeSecretCommand({ SecretId: name }));
    if (described.DeletedDate !== undefined) await this.client().send(new RestoreSecretCommand({ SecretId: name }));
    await this.client().send(new PutSecretValueCommand({ SecretId: name, SecretString: text }));
  }

  /** Retires a flow's key: it stops verifying at once. False when the flow had none. */
  async retire(flowId: string): Promise<boolean> {
    try {
      await this.client().send(
        new DeleteSecretCommand({
          SecretId: legacyKeySecretName(this.secretPrefix, flowId),
          RecoveryWindowInDays: LEGACY_KEY_RECOVERY_DAYS,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundException || error instanceof InvalidRequestException) return false;
      throw error;
    }
  }
}
