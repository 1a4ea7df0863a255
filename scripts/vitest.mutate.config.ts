import { defineConfig } from 'vitest/config';
import { UNIT_TESTS } from '../vitest.config.js';

// Stryker's vitest runner cannot pick a project: this config is the unit project alone,
// without the property tests (thousands of generated cases each: about 13 s of every
// mutant's run). Stryker's instrumentation slows the bulk parser tests past vitest's 5 s.
export default defineConfig({
  test: {
    include: UNIT_TESTS,
    exclude: ['test/**/*-fuzz.test.ts', 'test/parse/properties.test.ts'],
    testTimeout: 60_000,
  },
});
