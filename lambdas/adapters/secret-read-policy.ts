import { PutResourcePolicyCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { awsCall } from './errors';

/**
 * The resource policy of every secret the service creates at run time (project
 * secrets, legacy keys): reading its value is denied to every principal but
 * `readers` (the service's own roles and an operator role), whatever their
 * identity policies allow, `secretsmanager:*` on `*` included.
 */
export const secretReadPolicy = (readers: readonly string[]): string =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'OnlyTheServiceReadsTheValue',
        Effect: 'Deny',
        Principal: '*',
        Action: 'secretsmanager:GetSecretValue',
        Resource: '*',
        Condition: { StringNotEquals: { 'aws:PrincipalArn': [...readers] } },
      },
    ],
  });

/** What a secret created at run time is made with: its readers' policy and the deployment's tags. */
export interface RunTimeSecretOptions {
  /** Who may read its value (SECRET_READER_ARNS); none: no policy (the local runtime). */
  readonly readers?: readonly string[];
  /** The deployment's tags (SECRET_TAGS). */
  readonly tags?: Readonly<Record<string, string>>;
}

/** The options as the Lambdas' settings give them. */
export const runTimeSecretOptions = (readers: readonly string[] | undefined, tags: string | undefined): RunTimeSecretOptions => ({
  readers: readers ?? [],
  tags: tags === undefined ? {} : (JSON.parse(tags) as Record<string, string>),
});

/** CreateSecret's `Tags`, or nothing when there are none. */
export const secretTags = (tags: Readonly<Record<string, string>> = {}) =>
  Object.keys(tags).length === 0 ? {} : { Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) };

/** Attaches the policy to a secret just created; nothing when no readers are configured (the local runtime). */
export const protectSecret = async (client: SecretsManagerClient, secretId: string, readers: readonly string[]): Promise<void> => {
  if (readers.length === 0) return;
  await awsCall(client.send(new PutResourcePolicyCommand({ SecretId: secretId, ResourcePolicy: secretReadPolicy(readers) })));
};
