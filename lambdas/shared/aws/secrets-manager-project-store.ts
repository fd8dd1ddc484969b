import { randomUUID } from 'node:crypto';
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  InvalidParameterException,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { CURRENT, projectSecretName } from '../naming';
import type { Versioned, VersionedStore } from '../ports';
import { CorruptSecretError, type ProjectSecretDocument, parseProjectSecret } from '../project-keys';

/** Staging label of a written-but-not-yet-current version. */
const PENDING_STAGE = 'SESSION_RECOVERY_PENDING';

/**
 * Project secrets with a compare-and-swap built from Secrets Manager version
 * stages, since Secrets Manager has no conditional put:
 *
 * 1. the new document is written as a version labelled PENDING (AWSCURRENT stays);
 * 2. AWSCURRENT is moved to it with `RemoveFromVersionId` = the version read.
 *
 * Step 2 fails with InvalidParameterException when AWSCURRENT has moved since the
 * read, i.e. another writer won; the caller then retries from a fresh read. The
 * losing version keeps no label and Secrets Manager deprecates it.
 */
export class SecretsManagerProjectStore implements VersionedStore<ProjectSecretDocument> {
  constructor(
    private readonly client: () => SecretsManagerClient,
    private readonly secretPrefix: string,
  ) {}

  async read(projectId: string): Promise<Versioned<ProjectSecretDocument> | undefined> {
    try {
      const out = await this.client().send(
        new GetSecretValueCommand({ SecretId: projectSecretName(this.secretPrefix, projectId), VersionStage: CURRENT }),
      );
      if (out.SecretString === undefined || out.VersionId === undefined) {
        throw new CorruptSecretError('project secret has no SecretString');
      }
      return { value: parseProjectSecret(out.SecretString), version: out.VersionId };
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
  }

  async compareAndSwap(projectId: string, doc: ProjectSecretDocument, expected: string | undefined): Promise<boolean> {
    const name = projectSecretName(this.secretPrefix, projectId);
    const text = JSON.stringify(doc);
    const version = randomUUID();
    if (expected === undefined) {
      try {
        await this.client().send(
          new CreateSecretCommand({
            Name: name,
            SecretString: text,
            ClientRequestToken: version,
            Description: `session-recovery Token Signing Secrets of project ${projectId}`,
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ResourceExistsException) return false;
        throw error;
      }
    }
    await this.client().send(
      new PutSecretValueCommand({ SecretId: name, SecretString: text, ClientRequestToken: version, VersionStages: [PENDING_STAGE] }),
    );
    try {
      await this.client().send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSCURRENT',
          MoveToVersionId: version,
          RemoveFromVersionId: expected,
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof InvalidParameterException) return false;
      throw error;
    }
  }
}
