import { defineConfig } from 'vitest/config';

/** The fast tests: no Cargo, no QEMU. `npm run mutate` runs these against each mutant. */
export const UNIT_TESTS = ['test/unit/**/*.test.ts', 'test/parse/**/*.test.ts'];

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'unit', include: UNIT_TESTS } },
      {
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          // One file at a time: the files build the same Cargo workspace with different
          // features, and Cargo replaces a binary's uplifted copy under a running test's feet.
          fileParallelism: false,
          // They build kernels with Cargo and boot QEMU: give them room.
          testTimeout: 180_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
