import net from 'node:net';
import { afterAll, expect, it } from '@jest/globals';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { type Emulator, startMoto } from '../../local/moto';

/**
 * The emulator every test and `npm start` use applies a conditional write whole, as DynamoDB does: moto's threaded
 * server reads the item, checks the condition and writes it in steps another request's could run between, so two
 * compare-and-swaps from one version both succeeded now and then on a loaded machine (a stress pass of npm test let a
 * 101st creation through a source's bound). local/moto-server.py dispatches one request at a time. Python switching
 * threads every microsecond makes the race show in a short run; moto without the lock must show it, or this test proves
 * nothing.
 */
const started: Emulator[] = [];
afterAll(async () => {
  await Promise.all(started.map((m) => m.stop()));
});

/** Rounds, of 50, in which more than one of 8 writers of `version = 0 → 1` on one item succeeded. */
const doubleWins = async (pythonArgs: string[]): Promise<number> => {
  const moto = await startMoto({ pythonArgs: ['--switch-interval', '0.000001', ...pythonArgs] });
  started.push(moto);
  const client = new DynamoDBClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
  await client.send(
    new CreateTableCommand({
      TableName: 't',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  let rounds = 0;
  for (let round = 0; round < 50; round++) {
    await client.send(new PutItemCommand({ TableName: 't', Item: { pk: { S: 'k' }, version: { N: '0' } } }));
    const writes = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        client.send(
          new UpdateItemCommand({
            TableName: 't',
            Key: { pk: { S: 'k' } },
            UpdateExpression: 'SET version = :next, writer = :w',
            ConditionExpression: 'version = :read',
            ExpressionAttributeValues: { ':read': { N: '0' }, ':next': { N: '1' }, ':w': { N: String(i) } },
          }),
        ),
      ),
    );
    if (writes.filter((w) => w.status === 'fulfilled').length > 1) rounds++;
  }
  client.destroy();
  return rounds;
};

it('lets one of 8 concurrent compare-and-swaps from one version succeed, in each of 50 rounds (moto without its lock: in some)', async () => {
  const [locked, unlocked] = await Promise.all([doubleWins([]), doubleWins(['--unlocked'])]);
  expect({ locked, unlockedRaced: unlocked > 0 }).toEqual({ locked: 0, unlockedRaced: true });
}, 60_000);

it("accepts a burst of 300 connections at once, each within the SDK clients' 1 s connectionTimeout (with a listen queue of 5, 134 of 300 took over a second)", async () => {
  const moto = await startMoto();
  started.push(moto);
  const port = Number(new URL(moto.endpoint).port);
  const sockets: net.Socket[] = [];
  const started_ = performance.now();
  const connected = await Promise.all(
    Array.from(
      { length: 300 },
      () =>
        new Promise<number>((resolve, reject) => {
          const socket = net.connect(port, '127.0.0.1', () => resolve(performance.now() - started_));
          socket.on('error', reject);
          sockets.push(socket);
        }),
    ),
  );
  for (const socket of sockets) socket.destroy();
  // A connection attempt the full queue dropped is retried by the kernel a second later.
  expect(connected.filter((ms) => ms >= 1_000)).toEqual([]);
}, 60_000);
