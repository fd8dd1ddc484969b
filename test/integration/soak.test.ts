import { memoryVerdict, runSoak } from '../../bench/soak';

/**
 * The 30-second version of `npm run soak` (issue 25): 50 entries, each saved by two simulated devices running the
 * shipped client, the save token rotating between them by resumes, against a local runtime of its own (serial moto,
 * whose conditional writes are atomic as DynamoDB's: bench/moto-atomicity.ts). It judges correctness, not throughput:
 * on a busy machine fewer saves go, and the runtime may answer 503 (retried by the client), but none acknowledged may
 * be lost and no other 5xx may come. Memory, as `npm run soak` judges it (memoryVerdict): the runtime's RSS, and what
 * it retains (its live heap after a full collection), after the warm-up against at the end. The runtime runs with a
 * deployed function's V8 heap limits (bench/support/lambda-heap.ts), so its young generation cannot grow to the 128 MiB
 * V8 would give it on this machine; that growth, not a leak, was what the RSS showed before (docs/performance.md).
 * test/integration/soak-leak.test.ts shows a leak fails the same bound.
 */
it('30 s of two devices saving into 50 entries: nothing acknowledged is lost, no 5xx, the runtime’s RSS and live heap grow under 20% after the warm-up, and its new space stays at 32 MiB', async () => {
  const r = await runSoak({ seconds: 30 });
  expect(r.saves_acknowledged).toBeGreaterThan(50);
  expect(r.resumes).toBeGreaterThan(0);
  expect({ lost: r.saves_lost, detail: r.lost_detail, fiveXx: r.five_xx }).toEqual({ lost: 0, detail: [], fiveXx: 0 });
  const memory = {
    rss: [r.rss_start_mb, r.rss_end_mb],
    heap: [r.heap_start_mb, r.heap_end_mb],
    series: r.rss_series,
    start: r.memory_start,
    end: r.memory_end,
  };
  // The young generation as a 256 MB function's (--max-semi-space-size=12, which V8 rounds up to 16 MiB a semi-space).
  expect({ ...memory, within: memoryVerdict(r).within, newSpaceBounded: r.memory_end.newSpace <= 32 }).toEqual({
    ...memory,
    within: true,
    newSpaceBounded: true,
  });
}, 300_000);

it('npm run soak fails when the RSS or the live heap grows by 20% or more after the warm-up', () => {
  const figures = (rss: number, heap: number) => ({ rss_start_mb: 100, rss_end_mb: 100 * (1 + rss), heap_start_mb: 30, heap_end_mb: 30 * (1 + heap) });
  expect(memoryVerdict(figures(0.19, 0.19)).within).toBe(true);
  expect(memoryVerdict(figures(-0.5, -0.5)).within).toBe(true);
  expect(memoryVerdict(figures(0.2, 0)).within).toBe(false);
  expect(memoryVerdict(figures(0, 0.2)).within).toBe(false);
});
