/**
 * The lines written to stdout and stderr while `run` runs (the Lambdas' logger writes
 * warnings and errors to stderr). They still go on as before, so the log scan
 * (test/setup/log-capture.ts) checks them too.
 */
export const captureLines = async (run: () => Promise<unknown>): Promise<string[]> => {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const writes = streams.map((s) => s.write);
  streams.forEach((s, i) => {
    s.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return (writes[i] as (...args: unknown[]) => boolean).call(s, chunk, ...rest);
    }) as typeof s.write;
  });
  try {
    await run();
  } finally {
    streams.forEach((s, i) => (s.write = writes[i]));
  }
  return chunks
    .join('')
    .split('\n')
    .filter((l) => l.trim());
};

/** The structured log lines (JSON objects) written while `run` runs, parsed. */
export const captureLogRecords = async (run: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> =>
  (await captureLines(run)).filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
