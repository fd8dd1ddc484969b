/**
 * The floor of this design's cold resume: the floor (index.ts) with one read
 * before its GetItem, of a project's Token Signing Secrets from Secrets Manager,
 * as a resume must verify its link before it reads the entry. Nothing else: no
 * validation, no verification, no logging. Reported beside the cold resume, so
 * each run shows how much of our ratio to the floor that one read takes.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

const client = new DynamoDBClient({});
const secrets = new SecretsManagerClient({});
const TableName = process.env.TABLE_NAME;

export const handler = async (event: { body?: string }) => {
  const { entry_id, secret_id } = JSON.parse(event.body ?? '{}') as { entry_id: string; secret_id: string };
  const secret = await secrets.send(new GetSecretValueCommand({ SecretId: secret_id }));
  JSON.parse(secret.SecretString ?? '{}');
  const out = await client.send(new GetItemCommand({ TableName, Key: { entry_id: { S: entry_id } } }));
  return { statusCode: 200, body: JSON.stringify(out.Item ?? null) };
};
