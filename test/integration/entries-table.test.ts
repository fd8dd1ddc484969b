import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { CAMPAIGN_INDEX } from '../../lambdas/adapters/naming';
import { createEntriesTable } from '../../local/bootstrap';
import { dynamodb, uid } from '../support/seed';

const indexes = async (tableName: string) =>
  ((await dynamodb.send(new DescribeTableCommand({ TableName: tableName }))).Table?.GlobalSecondaryIndexes ?? []).map((g) => [
    g.IndexName,
    g.KeySchema?.map((k) => `${k.AttributeName} ${k.KeyType}`),
  ]);

it("creates the entries table with the campaigns index, and gives it to a table kept from before the index (npm start's .local-data/), as a deploy does", async () => {
  const [fresh, kept] = [uid('fresh'), uid('kept')];
  const expected = [[CAMPAIGN_INDEX.name, [`${CAMPAIGN_INDEX.partitionKey} HASH`, `${CAMPAIGN_INDEX.sortKey} RANGE`]]];
  try {
    await createEntriesTable(dynamodb, fresh);
    expect(await indexes(fresh)).toEqual(expected);
    await dynamodb.send(
      new CreateTableCommand({
        TableName: kept,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'entry_id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'entry_id', KeyType: 'HASH' }],
      }),
    );
    await createEntriesTable(dynamodb, kept);
    expect(await indexes(kept)).toEqual(expected);
    // Again: nothing to add.
    await createEntriesTable(dynamodb, kept);
    expect(await indexes(kept)).toEqual(expected);
  } finally {
    for (const name of [fresh, kept]) await dynamodb.send(new DeleteTableCommand({ TableName: name })).catch(() => undefined);
  }
});
