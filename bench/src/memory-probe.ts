import { renameSync, writeFileSync } from 'node:fs';

/**
 * Preloaded into hub processes by the harness (`--expose-gc --import`): on SIGUSR2, collects
 * garbage and writes `process.memoryUsage()` with a sequence number to `BENCH_MEMORY_PROBE`, so
 * memory per agent is measured on live objects, not on whatever garbage the heap holds.
 */
const file = process.env.BENCH_MEMORY_PROBE;
let seq = 0;
if (file) {
  process.on('SIGUSR2', () => {
    (globalThis as { gc?: () => void }).gc?.();
    // Written aside and renamed: the harness never reads half a file.
    writeFileSync(`${file}.tmp`, JSON.stringify({ seq: ++seq, ...process.memoryUsage() }));
    renameSync(`${file}.tmp`, file);
  });
}
