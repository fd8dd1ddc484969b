import { runSoak } from '../../bench/soak';

/**
 * The 30-second version of `npm run soak` (issue 25): 50 entries, each saved by two simulated devices running the
 * shipped client, the save token rotating between them by resumes, against a local runtime of its own (serial moto,
 * whose conditional writes are atomic as DynamoDB's: bench/moto-atomicity.ts). It judges correctness, not throughput:
 * on a busy machine fewer saves go, and the runtime may answer 503 (retried by the client), but none acknowledged may
 * be lost and no other 5xx may come. Memory: what the runtime retains (its live heap after a full collection) after the
 * warm-up against at the end. Its RSS is reported, not judged here: on a busy machine V8 keeps growing the heap it
 * reserves for a minute or more while the live heap stays flat (the README's performance section gives both).
 */
it('30 s of two devices saving into 50 entries: nothing acknowledged is lost, no 5xx, and what the runtime retains grows under 20% after the warm-up', async () => {
  const r = await runSoak({ seconds: 30 });
  expect(r.saves_acknowledged).toBeGreaterThan(50);
  expect(r.resumes).toBeGreaterThan(0);
  expect({ lost: r.saves_lost, detail: r.lost_detail, fiveXx: r.five_xx }).toEqual({ lost: 0, detail: [], fiveXx: 0 });
  expect((r.heap_end_mb - r.heap_start_mb) / r.heap_start_mb).toBeLessThan(0.2);
}, 300_000);
