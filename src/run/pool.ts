/**
 * Runs `work` over `items` with at most `jobs` at once; results keep the items' order.
 * `worker` (0 to jobs - 1) says which of the concurrent workers runs an item: no two items
 * run at once with the same one, so it can name a resource each worker owns.
 */
export async function mapConcurrent<T, R>(items: T[], jobs: number, work: (item: T, index: number, worker: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const run = async (worker: number) => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index, worker);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, (_, worker) => run(worker)));
  return results;
}
