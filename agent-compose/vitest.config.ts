import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The Docker tests share one engine; running their files one after another keeps them predictable.
    fileParallelism: false,
  },
});
