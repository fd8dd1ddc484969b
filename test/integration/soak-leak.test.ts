import path from 'node:path';
import { memoryVerdict, runSoak } from '../../bench/soak';

/**
 * The soak's memory bound is not blind: a leak injected into the local runtime's process (test/support/retain-requests.ts,
 * imported by the process with `--import`; nothing in the product) fails it. The leak keeps every request with 1 MiB of
 * its own; a short run with 10 entries (about 60 requests, 40 of them after a 4-second warm-up), so that it costs npm
 * test little. The runtime's RSS and its live heap must each show it.
 */
it('a map in the runtime keeping every request (1 MiB each) fails the soak’s memory bound: its RSS and its live heap grow 20% or more after the warm-up', async () => {
  const r = await runSoak({
    seconds: 10,
    entries: 10,
    warmUpSeconds: 4,
    runtimeFlags: ['--import', path.join(import.meta.dirname, '..', 'support', 'retain-requests.ts')],
  });
  const { rssGrowth, heapGrowth, within } = memoryVerdict(r);
  const figures = { rssMb: [r.rss_start_mb, r.rss_end_mb], heapMb: [r.heap_start_mb, r.heap_end_mb], requests: r.requests };
  expect({ ...figures, within, rss: rssGrowth >= 0.2, heap: heapGrowth >= 0.2 }).toEqual({ ...figures, within: false, rss: true, heap: true });
}, 120_000);
