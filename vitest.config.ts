import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // End-to-end tests build kernels with cargo and boot QEMU: give them room.
    testTimeout: 180_000,
    hookTimeout: 600_000,
  },
});
