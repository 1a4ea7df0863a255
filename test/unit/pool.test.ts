import { describe, expect, it } from 'vitest';
import { mapConcurrent } from '../../src/run/pool.js';

/** A promise and the function that settles it: the test decides when each item finishes. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((settle) => (resolve = settle));
  return { promise, resolve };
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('mapConcurrent', () => {
  it('runs at most `jobs` items at once, never two at once on one worker, and keeps the items\' order', async () => {
    const items = Array.from({ length: 9 }, (_, index) => index);
    const finish = items.map(() => deferred());
    const busyWorkers = new Set<number>();
    const started: number[] = [];
    let running = 0;
    let mostAtOnce = 0;
    const results = mapConcurrent(items, 3, async (item, index, worker) => {
      expect(index).toBe(item);
      expect(worker).toBeGreaterThanOrEqual(0);
      expect(worker).toBeLessThan(3);
      expect(busyWorkers.has(worker), `worker ${worker} given item ${item} while busy`).toBe(false);
      busyWorkers.add(worker);
      started.push(item);
      mostAtOnce = Math.max(mostAtOnce, ++running);
      await finish[item]!.promise;
      running--;
      busyWorkers.delete(worker);
      return `result ${item}`;
    });

    await turn();
    expect(started).toEqual([0, 1, 2]);
    // Finished out of order: each freed worker takes the next item.
    for (const item of [2, 0, 4, 1, 3, 8, 5, 7, 6]) {
      finish[item]!.resolve();
      await turn();
    }
    expect(await results).toEqual(items.map((item) => `result ${item}`));
    expect(started).toEqual(items);
    expect(mostAtOnce).toBe(3);
  });

  it('starts at least one worker', async () => {
    const workers: number[] = [];
    expect(await mapConcurrent([1, 2, 3], 0, async (item, _index, worker) => (workers.push(worker), item * 2))).toEqual([2, 4, 6]);
    expect(workers).toEqual([0, 0, 0]);
    expect(await mapConcurrent([], 4, async () => 1)).toEqual([]);
  });
});
