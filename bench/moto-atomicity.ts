/**
 * Whether the emulator's conditional writes are atomic, as DynamoDB's are: 300 rounds of a save and a rotation sent at
 * once on one item, whose conditions exclude each other (the save needs seq < 6 and sets seq = 6; the rotation needs
 * seq = 5), so at most one may succeed. moto's threaded server (what the tests use) reads the item, checks the
 * condition and writes as three steps another request can run between: both succeed in some rounds, and the entry then
 * holds the save's data under the rotation's new generation, which the resume that rotated it did not answer.
 * `npm run soak` therefore runs moto serially (local/moto.ts, serial), where none does.
 *
 *   node --import tsx bench/moto-atomicity.ts [threaded|serial]
 */
import { CreateTableCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { startMoto } from '../local/moto';
const serial = process.argv[2] === 'serial';

const moto = await startMoto({ serial });
const c = new DynamoDBClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
await c.send(
  new CreateTableCommand({
    TableName: 't',
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
    BillingMode: 'PAY_PER_REQUEST',
  }),
);
let both = 0;
const R = 300;
for (let round = 0; round < R; round++) {
  await c.send(new PutItemCommand({ TableName: 't', Item: { pk: { S: 'k' }, gen: { S: 'g0' }, seq: { N: '5' }, d: { S: 'old' } } }));
  const save = (s: number) =>
    c.send(
      new UpdateItemCommand({
        TableName: 't',
        Key: { pk: { S: 'k' } },
        UpdateExpression: 'SET seq = :s, d = :d',
        ConditionExpression: 'gen = :g AND seq < :s',
        ExpressionAttributeValues: { ':g': { S: 'g0' }, ':s': { N: String(s) }, ':d': { S: `new${s}` } },
      }),
    );
  const rotate = () =>
    c.send(
      new UpdateItemCommand({
        TableName: 't',
        Key: { pk: { S: 'k' } },
        UpdateExpression: 'SET gen = :n, seq = :z',
        ConditionExpression: 'gen = :g AND seq = :q',
        ExpressionAttributeValues: { ':g': { S: 'g0' }, ':q': { N: '5' }, ':n': { S: 'g1' }, ':z': { N: '0' } },
      }),
    );
  const [a, b] = await Promise.allSettled([save(6), rotate()]);
  if (a.status === 'fulfilled' && b.status === 'fulfilled') both++;
}
console.log(`${serial ? 'serial' : 'threaded'} moto: in ${both} of ${R} rounds a save and a rotation whose conditions exclude each other both succeeded`);
await moto.stop();
