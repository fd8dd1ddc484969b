/**
 * The floor: what this architecture can physically do for a resume. A bare
 * Lambda whose only dependency is @aws-sdk/client-dynamodb, doing one GetItem of
 * the entry and returning it. Every benchmark figure is a ratio to this.
 */
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';

const client = new DynamoDBClient({});
const TableName = process.env.TABLE_NAME;

export const handler = async (event: { body?: string }) => {
  const { entry_id } = JSON.parse(event.body ?? '{}') as { entry_id: string };
  const out = await client.send(new GetItemCommand({ TableName, Key: { entry_id: { S: entry_id } } }));
  return { statusCode: 200, body: JSON.stringify(out.Item ?? null) };
};
