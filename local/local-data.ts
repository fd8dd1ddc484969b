/**
 * The local runtime's data, kept between runs with moto's recorder: moto appends every request it serves to a
 * file (MOTO_ENABLE_RECORDING, MOTO_RECORDER_FILEPATH), and the next run replays that file's writes into its fresh
 * moto before anything else starts. Only writes to DynamoDB and Secrets Manager are replayed, in order and as they
 * were sent (the same version ids, conditions and values, so each lands as it did): reads, the event bus and its
 * queues are not (the bus and the runtime's own queue are made at each start, and replayed events would be printed
 * again). The replay's own requests are recorded in turn, so the file is compacted to its writes at every start.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

/** The actions replayed, by the `X-Amz-Target` prefix of their JSON protocol. */
const WRITES: Readonly<Record<string, ReadonlySet<string>>> = {
  DynamoDB_20120810: new Set([
    'CreateTable',
    'UpdateTable',
    'DeleteTable',
    'UpdateTimeToLive',
    'PutItem',
    'UpdateItem',
    'DeleteItem',
    'BatchWriteItem',
    'TransactWriteItems',
  ]),
  secretsmanager: new Set(['CreateSecret', 'PutSecretValue', 'UpdateSecret', 'UpdateSecretVersionStage', 'DeleteSecret', 'RestoreSecret']),
};

/** Headers that belong to the connection the request was recorded on, not to the request. */
const HOP_HEADERS = new Set(['host', 'content-length', 'connection', 'transfer-encoding', 'expect', 'keep-alive']);

interface Recorded {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly body_encoded?: boolean;
}

export interface LocalData {
  /** Where moto records this run's requests: the environment to start it with. */
  readonly motoEnvironment: Record<string, string>;
  /** Whether the last run left data to restore. */
  readonly restoring: boolean;
  /** Replays the last run's writes into the emulator at `endpoint`; returns how many. */
  replay(endpoint: string): Promise<number>;
}

/** The file moto records into, in `dir`. */
export const recordingFile = (dir: string): string => path.join(dir, 'moto-recording.jsonl');

/** The writes of a recording, in order; a line cut off by a crash mid-write is skipped. */
export const recordedWrites = (file: string): Recorded[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Recorded];
      } catch {
        return [];
      }
    })
    .filter((request) => {
      const target = Object.entries(request.headers ?? {}).find(([name]) => name.toLowerCase() === 'x-amz-target')?.[1] ?? '';
      const [service, action] = target.split('.');
      return WRITES[service]?.has(action) ?? false;
    });

/**
 * Prepares `dir` for a run: the last run's recording is set aside to be replayed (one set aside by a run that
 * stopped mid-replay is replayed again, and what that run recorded dropped), and this run records afresh.
 * `clean` forgets the last run's data instead.
 */
export const localData = (dir: string, { clean = false } = {}): LocalData => {
  mkdirSync(dir, { recursive: true });
  const recording = recordingFile(dir);
  const previous = path.join(dir, 'moto-recording.previous.jsonl');
  if (clean) rmSync(previous, { force: true });
  if (clean || existsSync(previous)) rmSync(recording, { force: true });
  else if (existsSync(recording)) renameSync(recording, previous);
  return {
    restoring: existsSync(previous),
    motoEnvironment: { MOTO_ENABLE_RECORDING: 'true', MOTO_RECORDER_FILEPATH: recording },
    replay: async (endpoint) => {
      if (!existsSync(previous)) return 0;
      const writes = recordedWrites(previous);
      for (const request of writes) {
        const { pathname, search } = new URL(request.url, endpoint);
        const headers = Object.fromEntries(Object.entries(request.headers).filter(([name]) => !HOP_HEADERS.has(name.toLowerCase())));
        const body = request.body_encoded ? Buffer.from(request.body ?? '', 'base64') : request.body || undefined;
        // A write refused now was refused then too (a lost compare-and-swap, a conditional write): it changes nothing.
        await (await fetch(new URL(pathname + search, endpoint), { method: request.method, headers, body })).arrayBuffer();
      }
      rmSync(previous);
      return writes.length;
    },
  };
};
