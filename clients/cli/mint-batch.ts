import { createHash } from 'node:crypto';
import { closeSync, createReadStream, openSync, readSync, statSync, truncateSync, writeSync } from 'node:fs';
import { MAX_BATCH_LINKS } from '../../lambdas/domain/minting';
import { routePath } from '../../lambdas/http/routes';
import type { ApiClient, ApiReply } from './api-client';
import { CsvError, csvLine, csvWriter, isBlank, readCsv, type CsvRecord } from './csv';

/** The columns mint-batch writes first, in this order; the input's other columns follow them. */
export const OUTPUT_COLUMNS = ['entry_id', 'url', 'short_url', 'token', 'expires_at', 'error_code', 'error_message', 'input_digest'] as const;
/** Input columns mint-batch reads; every other input column passes through. */
const INPUT_COLUMNS = ['entry_id', 'flow_id', 'expires_at'] as const;

export interface MintBatchOptions {
  readonly project: string;
  readonly input: string;
  readonly output: string;
  readonly flow?: string;
  readonly resumeUrl?: string;
  readonly campaign?: string;
  readonly ttlSeconds?: number;
  readonly short?: boolean;
}

/**
 * Requests in flight at once: the next batch is read and sent while one is answered, so neither the file nor the
 * API waits on the other; more would only queue behind the batch route's own throttle. Rows are still written in order.
 */
const IN_FLIGHT = 2;

export interface MintBatchSummary {
  /** Data rows of the input. */
  readonly rows: number;
  /** Rows already in the output from an earlier run, left as they were. */
  readonly skipped: number;
  readonly written: number;
  readonly minted: number;
  /** Failed rows in the whole output, earlier runs' included. */
  readonly failed: number;
  readonly seconds: number;
}

/** A fault in the command line or the files (exit 2). */
export class BatchUsageError extends Error {}
/** The API refused a whole batch (exit 1): nothing more was written. */
export class BatchRefusedError extends Error {}

export interface Progress {
  update(done: number, fraction: number): void;
  finish(): void;
}

type Row = { readonly fields: string[]; readonly line: number };
type Item = { entry_id: string | null; token?: string; expires_at?: string; url?: string; short_url?: string; error?: { code: string; message: string } };

const RETRYABLE = new Set([429, 502, 503, 504]);
const READ_CHUNK = 256 * 1024;

/**
 * What an output row records of the input row it was written from: the first 64 bits of the SHA-256 of its cells,
 * every column's, as read. A run that carries on compares it with the input's row, so an output is never continued
 * from an input whose rows changed (another file, or a cell edited since), whichever column changed. It tells
 * mistakes apart, it is no signature; it shows nothing the same row does not already hold.
 */
export const inputDigest = (fields: readonly string[]): string => createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 16);

const records = (file: string): AsyncGenerator<CsvRecord> => readCsv(createReadStream(file, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>);

/** Whether the file ends with a line break (an empty file does not). */
const endsWithLineBreak = (file: string, size: number): boolean => {
  if (size === 0) return false;
  const fd = openSync(file, 'r');
  try {
    const last = Buffer.alloc(1);
    readSync(fd, last, 0, 1, size - 1);
    return last[0] === 0x0a || last[0] === 0x0d;
  } finally {
    closeSync(fd);
  }
};

/** What an earlier run left in the output: its rows' entries and input digests, how many failed, and where its last whole row ends. */
const readExisting = async (file: string, header: readonly string[]) => {
  const rows: Array<{ entryId: string; digest: string }> = [];
  let failed = 0;
  let end = 0;
  let first = true;
  const size = statSync(file).size;
  // Only rows ended by a line break count: a last row without one was cut off mid-write, and is dropped below
  // and written again (so is anything after a fault in the file).
  const whole = (record: CsvRecord) => record.end < size || endsWithLineBreak(file, size);
  const digest = OUTPUT_COLUMNS.indexOf('input_digest');
  try {
    for await (const record of records(file)) {
      if (!whole(record)) break;
      if (first) {
        first = false;
        if (record.fields.join('\u0000') !== header.join('\u0000')) {
          throw new BatchUsageError(
            `${file} exists with other columns (${record.fields.join(',')}): it is not this command's output. Give another --output, or remove it.`,
          );
        }
      } else if (!isBlank(record.fields)) {
        rows.push({ entryId: record.fields[0], digest: record.fields[digest] ?? '' });
        if (record.fields[5]) failed++;
      }
      end = record.end;
    }
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
  }
  return { rows, failed, end, hasHeader: !first };
};

/** The input's header and the columns it passes through; refuses a file mint-batch cannot read as its input. */
const readHeader = (file: string, record: CsvRecord | undefined) => {
  if (!record) throw new BatchUsageError(`${file} is empty: its first line must name the columns, entry_id among them.`);
  const header = record.fields.map((name) => name.trim());
  if (!header.includes('entry_id'))
    throw new BatchUsageError(`${file} has no entry_id column: its first line must name the columns (entry_id, and optionally flow_id and expires_at).`);
  const duplicate = header.find((name, i) => header.indexOf(name) !== i);
  if (duplicate !== undefined) throw new BatchUsageError(`${file} names the column ${duplicate} twice.`);
  const passThrough = header.map((name, i) => [name, i] as const).filter(([name]) => !(INPUT_COLUMNS as readonly string[]).includes(name));
  const clash = passThrough.find(([name]) => (OUTPUT_COLUMNS as readonly string[]).includes(name));
  if (clash) throw new BatchUsageError(`${file} has a column ${clash[0]}, which mint-batch writes itself: rename it.`);
  return { header, passThrough };
};

/** A fault in the input's CSV, found before anything was sent, as the usage error it is. */
const notCsv = (o: MintBatchOptions, error: unknown): unknown =>
  error instanceof CsvError
    ? new BatchUsageError(`${o.input} ${error.message}. Nothing was minted or written: fix the file and run the command again.`)
    : error;

/**
 * Reads the whole input once before anything is sent: a file that is not CSV is refused, naming the line, with
 * nothing minted or written; and the rows an earlier run wrote must have been written from this input's rows.
 * Returns the number of data rows.
 */
const checkInput = async (o: MintBatchOptions, entryColumn: number, done: ReadonlyArray<{ entryId: string; digest: string }>): Promise<number> => {
  let rows = 0;
  let header = true;
  try {
    for await (const record of records(o.input)) {
      if (header || isBlank(record.fields)) {
        header = false;
        continue;
      }
      const written = done[rows++];
      if (!written || written.digest === inputDigest(record.fields)) continue;
      const entryId = record.fields[entryColumn] ?? '';
      throw new BatchUsageError(
        written.entryId === entryId
          ? `${o.output} row ${rows} (entry ${entryId}) was written from other cells than line ${record.line} of ${o.input} holds now: it is another input's output, or the input changed since. Give another --output.`
          : `${o.output} row ${rows} is for entry ${written.entryId}, but that row of ${o.input} (line ${record.line}) is for ${entryId}: it is another input's output. Give another --output.`,
      );
    }
  } catch (error) {
    throw notCsv(o, error);
  }
  if (rows < done.length)
    throw new BatchUsageError(`${o.output} has ${done.length} rows, but ${o.input} only ${rows}: it is another input's output. Give another --output.`);
  return rows;
};

/**
 * `session-recovery mint-batch`: mints a link for every row of a CSV file
 * through `POST /v1/tokens/batch`, 500 rows a request, and writes one output
 * row per input row, in order. Streams both files. Run again with the same
 * files, it skips the rows already written (a run stopped midway, or cut off
 * mid-row, carries on where it stopped).
 */
export const mintBatch = async (client: ApiClient, o: MintBatchOptions, progress: Progress): Promise<MintBatchSummary> => {
  const started = performance.now();
  const size = statSync(o.input).size;
  const head = records(o.input);
  const first = await head.next().catch((error: unknown) => Promise.reject(notCsv(o, error)));
  await head.return(undefined);
  const { header, passThrough } = readHeader(o.input, first.done ? undefined : first.value);
  const column = (name: string) => header.indexOf(name);
  const outputHeader = [...OUTPUT_COLUMNS, ...passThrough.map(([name]) => name)];

  const existing = statSync(o.output, { throwIfNoEntry: false }) ? await readExisting(o.output, outputHeader) : undefined;
  const done = existing?.rows ?? [];
  await checkInput(o, column('entry_id'), done);
  if (existing) truncateSync(o.output, existing.end);
  const fd = openSync(o.output, 'a');
  const write = (text: string) => writeSync(fd, text);
  if (!existing?.hasHeader) write(csvLine(outputHeader));

  // The cells that came from the file: its pass-through columns, and entry_id, which a failed row echoes as given.
  const outputLine = csvWriter(new Set([0, ...passThrough.map((_, i) => OUTPUT_COLUMNS.length + i)]));
  let rows = 0;
  let written = 0;
  let minted = 0;
  let failed = existing?.failed ?? 0;
  const outputRow = (row: Row, item: Item): string[] => [
    item.entry_id ?? row.fields[column('entry_id')] ?? '',
    item.url ?? '',
    item.short_url ?? '',
    item.token ?? '',
    item.expires_at ?? '',
    item.error?.code ?? '',
    item.error?.message ?? '',
    inputDigest(row.fields),
    ...passThrough.map(([, i]) => row.fields[i] ?? ''),
  ];

  const send = async (rowsToSend: readonly Row[]): Promise<Item[]> => {
    // A row with the wrong number of fields is answered here; the others go to the API, in one request.
    const local = rowsToSend.map((row): Item | undefined =>
      row.fields.length === header.length
        ? undefined
        : {
            entry_id: row.fields[column('entry_id')] ?? null,
            error: { code: 'invalid_request', message: `Invalid request: line ${row.line} has ${row.fields.length} fields; the header has ${header.length}.` },
          },
    );
    const cell = (row: Row, name: string) => (column(name) < 0 || row.fields[column(name)] === '' ? undefined : row.fields[column(name)]);
    const links = rowsToSend
      .filter((_, i) => !local[i])
      .map((row) => ({ entry_id: row.fields[column('entry_id')], flow_id: cell(row, 'flow_id'), expires_at: cell(row, 'expires_at') }));
    let answered: Item[] = [];
    if (links.length) {
      const body = {
        project_id: o.project,
        flow_id: o.flow,
        resume_url: o.resumeUrl,
        campaign: o.campaign,
        ttl_seconds: o.ttlSeconds,
        short: o.short || undefined,
        links,
      };
      const reply = await requestWithRetries(client, body);
      if (reply.status !== 200) {
        const error = (reply.json as { error?: { code?: string; message?: string } } | undefined)?.error;
        throw new BatchRefusedError(`The API refused the batch: ${reply.status} ${error?.code ?? ''}: ${error?.message ?? 'no reason given'}`);
      }
      answered = (reply.json as { links: Item[] }).links;
    }
    return local.map((item) => item ?? answered.shift()!);
  };

  // Requests in flight, oldest first; each resolves to its rows' output lines, written in input order.
  const inflight: Array<Promise<{ lines: string; minted: number; failed: number; rows: number; end: number }>> = [];
  const flush = async (): Promise<void> => {
    const result = await inflight.shift()!;
    write(result.lines);
    written += result.rows;
    minted += result.minted;
    failed += result.failed;
    // How far into the input the rows written so far reach.
    progress.update(done.length + written, Math.min(1, result.end / size));
  };
  const launch = (batch: Row[]): void => {
    const end = bytesRead;
    const request = send(batch).then((items) => ({
      end,
      lines: batch.map((row, i) => outputLine(outputRow(row, items[i]))).join(''),
      minted: items.filter((item) => !item.error).length,
      failed: items.filter((item) => item.error).length,
      rows: batch.length,
    }));
    // Its failure is handled when it is flushed; until then it must not count as unhandled.
    request.catch(() => undefined);
    inflight.push(request);
  };

  let bytesRead = 0;
  let batch: Row[] = [];
  let atHeader = true;
  try {
    for await (const record of records(o.input)) {
      bytesRead = record.end;
      if (atHeader || isBlank(record.fields)) {
        atHeader = false;
        continue;
      }
      // Checked against the input above.
      if (rows < done.length) {
        rows++;
        continue;
      }
      rows++;
      batch.push({ fields: record.fields, line: record.line });
      if (batch.length === MAX_BATCH_LINKS) {
        launch(batch);
        batch = [];
        if (inflight.length >= IN_FLIGHT) await flush();
      }
    }
    if (batch.length) launch(batch);
    while (inflight.length) await flush();
  } catch (error) {
    if (error instanceof CsvError) {
      // The input broke off, though it was whole when checked (it changed since): the rows before the fault were sent, and are written, in order, as far as they come back.
      try {
        while (inflight.length) await flush();
      } catch {
        // A request failed too: the rows after it cannot be written in order. The next run sends them again.
      }
      throw new BatchUsageError(`${o.input} ${error.message} (the file changed while it was read): the rows before it are in ${o.output}.`);
    }
    // A request failed: rows sent after it are not written (they would come out of order); the next run sends them again.
    await Promise.allSettled(inflight);
    throw error;
  } finally {
    closeSync(fd);
    progress.finish();
  }
  return { rows, skipped: done.length, written, minted, failed, seconds: (performance.now() - started) / 1000 };
};

/**
 * One batch request; throttling (the route's own limit) and a busy service are retried with backoff (0.5 s
 * doubling, 5 attempts in all). An API that cannot be reached is not: the run stops, and carries on when run again.
 */
const requestWithRetries = async (client: ApiClient, body: unknown): Promise<ApiReply> => {
  for (let attempt = 0; ; attempt++) {
    const reply = await client.request('POST', routePath('mintBatch'), { body });
    if (!RETRYABLE.has(reply.status) || attempt === 4) return reply;
    await new Promise((resolve) => setTimeout(resolve, 500 * 2 ** attempt));
  }
};

/** A progress bar on stderr, redrawn at most ten times a second. */
export const terminalProgress = (stream: NodeJS.WriteStream): Progress => {
  const started = performance.now();
  let last = 0;
  let drawn = false;
  return {
    update(done, fraction) {
      const now = performance.now();
      if (now - last < 100 && fraction < 1) return;
      last = now;
      const width = 24;
      const filled = Math.round(fraction * width);
      const rate = done / Math.max(0.001, (now - started) / 1000);
      stream.write(
        `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor(fraction * 100)).padStart(3)}%  ${done.toLocaleString('en')} rows  ${Math.round(rate).toLocaleString('en')} rows/s  `,
      );
      drawn = true;
    },
    finish() {
      if (drawn) stream.write('\n');
    },
  };
};

export const noProgress: Progress = { update: () => undefined, finish: () => undefined };
