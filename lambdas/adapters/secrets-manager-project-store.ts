import { randomUUID } from 'node:crypto';
import { CURRENT, projectSecretName } from './naming';
import type { Versioned, VersionedStore } from '../domain/ports';
import { CorruptSecretError, type ProjectSecretDocument, parseProjectSecret } from '../domain/project-keys';
import { projectChanged } from '../domain/project-changes';
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
import { awsCall } from './errors';
import { protectSecret, type RunTimeSecretOptions, secretTags } from './secret-read-policy';

/** Staging label of a written-but-not-yet-current version. */
const PENDING_STAGE = 'SESSION_RECOVERY_PENDING';

/**
 * Reads a project's secret document (with the version read, for a later
 * compare-and-swap). All the public Lambdas need of project secrets; the
 * writes live in SecretsManagerProjectStore.
 */
export class SecretsManagerProjectReader {
  constructor(
    protected readonly client: SecretsManagerClient,
    protected readonly secretPrefix: string,
  ) {}

  /** The project's document, or undefined when it has no secret. Throws CorruptSecretError on a malformed one. */
  async read(projectId: string): Promise<Versioned<ProjectSecretDocument> | undefined> {
    let text: string | undefined;
    let version: string | undefined;
    try {
      const out = await awsCall(
        this.client.send(new GetSecretValueCommand({ SecretId: projectSecretName(this.secretPrefix, projectId), VersionStage: CURRENT })),
      );
      text = out.SecretString;
      version = out.VersionId;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return undefined;
      throw error;
    }
    if (text === undefined || version === undefined) throw new CorruptSecretError('project secret has no SecretString');
    const doc = parseProjectSecret(text);
    if (doc.project_id !== projectId) throw new CorruptSecretError('project secret belongs to another project');
    return { value: doc, version };
  }
}

/**
 * Project secrets with a compare-and-swap built from Secrets Manager version
 * stages, since Secrets Manager has no conditional put:
 *
 * 1. the new document is written as a version labelled PENDING (AWSCURRENT stays);
 * 2. AWSCURRENT is moved to it with `RemoveFromVersionId` = the version read.
 *
 * Step 2 fails with InvalidParameterException when AWSCURRENT has moved since the
 * read, i.e. another writer won; the caller then retries from a fresh read. The
 * losing version keeps no label and Secrets Manager deprecates it. A change that
 * is made is told to this process's key caches (projectChanged).
 */
export class SecretsManagerProjectStore extends SecretsManagerProjectReader implements VersionedStore<ProjectSecretDocument> {
  /** `created`: the read policy and tags of a secret it creates (secret-read-policy.ts). */
  constructor(
    client: SecretsManagerClient,
    secretPrefix: string,
    private readonly created: RunTimeSecretOptions = {},
  ) {
    super(client, secretPrefix);
  }

  async compareAndSwap(projectId: string, doc: ProjectSecretDocument, expected: string | undefined): Promise<boolean> {
    const name = projectSecretName(this.secretPrefix, projectId);
    const text = JSON.stringify(doc);
    const version = randomUUID();
    if (expected === undefined) {
      try {
        await awsCall(
          this.client.send(
            new CreateSecretCommand({
              Name: name,
              SecretString: text,
              ClientRequestToken: version,
              Description: `session-recovery Token Signing Secrets of project ${projectId}`,
              ...secretTags(this.created.tags),
            }),
          ),
        );
        await protectSecret(this.client, name, this.created.readers ?? []);
        projectChanged(projectId);
        return true;
      } catch (error) {
        if (error instanceof ResourceExistsException) return false;
        throw error;
      }
    }
    await awsCall(
      this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: text, ClientRequestToken: version, VersionStages: [PENDING_STAGE] })),
    );
    try {
      await awsCall(
        this.client.send(
          new UpdateSecretVersionStageCommand({
            SecretId: name,
            VersionStage: 'AWSCURRENT',
            MoveToVersionId: version,
            RemoveFromVersionId: expected,
          }),
        ),
      );
      projectChanged(projectId);
      return true;
    } catch (error) {
      if (error instanceof InvalidParameterException) return false;
      throw error;
    }
  }
}
