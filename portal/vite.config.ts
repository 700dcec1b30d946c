import { defineConfig } from 'vitest/config';
import vue from '@vitejs/plugin-vue';

/** The hub that `npm run dev` forwards API and Socket.IO traffic to. */
const hub = 'http://localhost:8080';

export default defineConfig({
  base: '/',
  plugins: [vue()],
  server: {
    proxy: {
      '/api': { target: hub, changeOrigin: false },
      '/socket.io': { target: hub, ws: true, changeOrigin: false },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // Production builds ship no source maps (the hub would serve them to anyone).
    sourcemap: false,
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.ts'],
  },
});
