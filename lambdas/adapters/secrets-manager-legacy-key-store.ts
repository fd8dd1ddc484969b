import { type LegacyKeyDocument, parseLegacyKey } from '../domain/legacy-keys';
import { legacyKeySecretName } from './naming';
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
import { awsCall } from './errors';
import { protectSecret, type RunTimeSecretOptions, secretTags } from './secret-read-policy';

/** Days a retired legacy key can still be restored (by importing it again) before Secrets Manager deletes it. */
export const LEGACY_KEY_RECOVERY_DAYS = 7;

/** The stored document of a flow's legacy key. */
const legacyKeyText = (flowId: string, projectId: string, secret: string, now: Date): string => {
  const doc: LegacyKeyDocument = { schema_version: 1, flow_id: flowId, project_id: projectId, secret, imported_at: now.toISOString() };
  return JSON.stringify(doc);
};

/**
 * Reads one flow's legacy key: one secret per flow under `<prefix>legacy-flows/`,
 * separate from project secrets so IAM can tell them apart. All the legacy
 * endpoint needs; the admin writes live in SecretsManagerLegacyKeyStore.
 */
export class SecretsManagerLegacyKeyReader {
  constructor(
    protected readonly client: SecretsManagerClient,
    protected readonly secretPrefix: string,
  ) {}

  async read(flowId: string): Promise<LegacyKeyDocument | undefined> {
    try {
      const out = await awsCall(this.client.send(new GetSecretValueCommand({ SecretId: legacyKeySecretName(this.secretPrefix, flowId) })));
      return out.SecretString === undefined ? undefined : parseLegacyKey(out.SecretString, flowId);
    } catch (error) {
      // A retired key is "marked for deletion": reading it fails with InvalidRequestException.
      if (error instanceof ResourceNotFoundException || error instanceof InvalidRequestException) return undefined;
      throw error;
    }
  }
}

/** Imports and retires legacy keys (the legacy-keys admin Lambda). */
export class SecretsManagerLegacyKeyStore extends SecretsManagerLegacyKeyReader {
  /** `created`: the read policy and tags of a key it stores (secret-read-policy.ts). */
  constructor(
    client: SecretsManagerClient,
    secretPrefix: string,
    private readonly created: RunTimeSecretOptions = {},
  ) {
    super(client, secretPrefix);
  }

  /**
   * Stores a flow's first legacy key for one project, in one call that fails when the flow has a key already (live or
   * retired): false then, and the stored key stays. Two writers racing for a new flow agree on the first one's key.
   */
  async create(flowId: string, projectId: string, secret: string, now: Date): Promise<boolean> {
    const name = legacyKeySecretName(this.secretPrefix, flowId);
    try {
      await awsCall(
        this.client.send(
          new CreateSecretCommand({
            Name: name,
            SecretString: legacyKeyText(flowId, projectId, secret, now),
            Description: `session-recovery legacy key of flow ${flowId}`,
            ...secretTags(this.created.tags),
          }),
        ),
      );
    } catch (error) {
      // The name exists, live or retired (scheduled for deletion, which AWS reports as InvalidRequestException).
      if (error instanceof ResourceExistsException || error instanceof InvalidRequestException) return false;
      throw error;
    }
    await protectSecret(this.client, name, this.created.readers ?? []);
    return true;
  }

  /** Stores (or replaces) a flow's legacy key for one project, restoring a retired one first. */
  async put(flowId: string, projectId: string, secret: string, now: Date): Promise<void> {
    if (await this.create(flowId, projectId, secret, now)) return;
    const name = legacyKeySecretName(this.secretPrefix, flowId);
    const text = legacyKeyText(flowId, projectId, secret, now);
    const described = await awsCall(this.client.send(new DescribeSecretCommand({ SecretId: name })));
    if (described.DeletedDate !== undefined) await awsCall(this.client.send(new RestoreSecretCommand({ SecretId: name })));
    await awsCall(this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: text })));
    // A key stored before the policy existed gets it now.
    await protectSecret(this.client, name, this.created.readers ?? []);
  }

  /** Retires a flow's key: it stops verifying within the key cache TTL. False when the flow had none. */
  async retire(flowId: string): Promise<boolean> {
    try {
      await awsCall(
        this.client.send(
          new DeleteSecretCommand({
            SecretId: legacyKeySecretName(this.secretPrefix, flowId),
            RecoveryWindowInDays: LEGACY_KEY_RECOVERY_DAYS,
          }),
        ),
      );
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundException || error instanceof InvalidRequestException) return false;
      throw error;
    }
  }
}
