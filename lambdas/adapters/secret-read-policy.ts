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

/** Attaches the policy to a secret just created; nothing when no readers are configured (the local runtime). */
export const protectSecret = async (client: SecretsManagerClient, secretId: string, readers: readonly string[]): Promise<void> => {
  if (readers.length === 0) return;
  await awsCall(client.send(new PutResourcePolicyCommand({ SecretId: secretId, ResourcePolicy: secretReadPolicy(readers) })));
};
