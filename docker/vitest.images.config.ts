import { defineConfig } from 'vitest/config';

// The image builds: minutes of CPU, so kept out of `npm test` (`npm run test:images -w @flotilla/docker`).
export default defineConfig({
  test: {
    include: ['test/**/*.images.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 900_000,
    fileParallelism: false,
  },
});
