/**
 * Whether the emulator's conditional writes are atomic, as DynamoDB's are: 300 rounds of a save and a rotation sent at
 * once on one item, whose conditions exclude each other (the save needs seq < 6 and sets seq = 6; the rotation needs
 * seq = 5), so at most one may succeed. moto's own threaded server reads the item, checks the condition and writes
 * as three steps another request can run between: both succeed in some rounds (18 of 300 on a loaded machine), and the
 * entry then holds the save's data under the rotation's new generation, which the resume that rotated it did not answer.
 * Every moto local/moto.ts starts therefore applies one DynamoDB request whole before the next (local/moto-server.py's lock);
 * `unlocked` runs moto without it, `serial` one connection at a time as well (`npm run soak`, `npm run load`).
 * test/integration/moto-atomicity.test.ts shows the same in a short run, Python switching threads every microsecond.
 *
 *   node --import tsx bench/moto-atomicity.ts [locked|unlocked|serial]
 */
import { CreateTableCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { startMoto } from '../local/moto';
const mode = process.argv[2] ?? 'locked';
if (!['locked', 'unlocked', 'serial'].includes(mode)) throw new Error('mode: locked, unlocked or serial');

const moto = await startMoto({ serial: mode === 'serial', pythonArgs: mode === 'unlocked' ? ['--unlocked'] : [] });
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
console.log(`${mode} moto: in ${both} of ${R} rounds a save and a rotation whose conditions exclude each other both succeeded`);
await moto.stop();
